/**
 * A tiny little-endian binary writer/reader for model files. Models are stored as bytea in
 * Postgres, so the format is explicit (magic, version, lengths) and every read is bounds-checked:
 * a truncated or foreign blob fails with a clear error instead of a garbage model.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { UnprocessableError } from "../errors.ts";

export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + bytes) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  uint8(value: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  int8(value: number): void {
    this.reserve(1);
    this.view.setInt8(this.length, value);
    this.length += 1;
  }

  uint32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  float32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
  }

  float64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Unsigned LEB128: small counts and deltas take one byte. */
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.uint8((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.uint8(rest);
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  string(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.varint(encoded.length);
    this.bytes(encoded);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  private take(bytes: number): number {
    if (this.offset + bytes > this.buffer.length)
      throw new UnprocessableError("The model file is truncated.");
    const start = this.offset;
    this.offset += bytes;
    return start;
  }

  uint8(): number {
    return this.view.getUint8(this.take(1));
  }

  int8(): number {
    return this.view.getInt8(this.take(1));
  }

  uint32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  float32(): number {
    return this.view.getFloat32(this.take(4), true);
  }

  float64(): number {
    return this.view.getFloat64(this.take(8), true);
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 8; index++) {
      const byte = this.uint8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new UnprocessableError("The model file has a malformed number.");
  }

  bytes(length: number): Uint8Array {
    const start = this.take(length);
    return this.buffer.subarray(start, start + length);
  }

  string(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes(this.varint()));
  }

  get done(): boolean {
    return this.offset === this.buffer.length;
  }
}

/** `magic` + format version byte + deflated payload. */
export function packModel(magic: string, version: number, payload: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(magic);
  const body = deflateRawSync(payload, { level: 9 });
  const bytes = new Uint8Array(header.length + 1 + body.length);
  bytes.set(header, 0);
  bytes[header.length] = version;
  bytes.set(body, header.length + 1);
  return bytes;
}

export function unpackModel(
  magic: string,
  supportedVersion: number,
  bytes: Uint8Array,
): Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new UnprocessableError("A model must be given as bytes.");
  const header = new TextEncoder().encode(magic);
  const matches =
    bytes.length > header.length && header.every((byte, index) => bytes[index] === byte);
  if (!matches) throw new UnprocessableError(`This is not a ${magic} model file.`);
  const version = bytes[header.length];
  if (version !== supportedVersion) {
    throw new UnprocessableError(
      `Model format version ${version} is not supported (this code reads ${supportedVersion}).`,
    );
  }
  try {
    const inflated = inflateRawSync(bytes.subarray(header.length + 1));
    return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  } catch (error) {
    throw new UnprocessableError("The model file is corrupt.", undefined, {
      cause: error,
    });
  }
}
