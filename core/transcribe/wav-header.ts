/**
 * Reads the RIFF/WAVE header. ffprobe derives a WAV file's duration from its size, so it cannot
 * tell a truncated upload from a short recording; the header's declared data size can. We also
 * use it to get the exact duration of the PCM files we write, without another ffprobe process.
 */
import { open } from "node:fs/promises";

export interface WavHeader {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Data size the header declares; null when the writer left it open (streaming: 0 or 0xFFFFFFFF). */
  declaredDataBytes: number | null;
}

const unknownSizes = new Set([0, 0xffffffff]);

/** Parses the header from the first bytes of a file; null when it is not a RIFF/WAVE header. */
export function parseWavHeader(bytes: Uint8Array): WavHeader | null {
  if (bytes.length < 12) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fourCharacters = (offset: number) =>
    String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
  if (fourCharacters(0) !== "RIFF" || fourCharacters(8) !== "WAVE") return null;

  let format: Omit<WavHeader, "dataOffset" | "declaredDataBytes"> | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const chunkId = fourCharacters(offset);
    const chunkSize = view.getUint32(offset + 4, true);
    const bodyOffset = offset + 8;
    if (chunkId === "fmt " && bodyOffset + 16 <= bytes.length) {
      format = {
        audioFormat: view.getUint16(bodyOffset, true),
        channels: view.getUint16(bodyOffset + 2, true),
        sampleRate: view.getUint32(bodyOffset + 4, true),
        byteRate: view.getUint32(bodyOffset + 8, true),
        blockAlign: view.getUint16(bodyOffset + 12, true),
        bitsPerSample: view.getUint16(bodyOffset + 14, true),
      };
    } else if (chunkId === "data") {
      if (!format) return null;
      return {
        ...format,
        dataOffset: bodyOffset,
        declaredDataBytes: unknownSizes.has(chunkSize) ? null : chunkSize,
      };
    }
    // Chunks are padded to an even size.
    offset = bodyOffset + chunkSize + (chunkSize % 2);
  }
  return null;
}

export async function readWavHeader(path: string): Promise<WavHeader | null> {
  const file = await open(path, "r");
  try {
    // Generous: some writers put large LIST/bext chunks before the data.
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return parseWavHeader(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** Duration of the samples actually present in a PCM WAV file of `fileBytes` bytes. */
export function wavDurationMs(header: WavHeader, fileBytes: number): number {
  const presentBytes = Math.max(0, fileBytes - header.dataOffset);
  const dataBytes =
    header.declaredDataBytes === null
      ? presentBytes
      : Math.min(header.declaredDataBytes, presentBytes);
  if (header.byteRate <= 0) return 0;
  return Math.round((dataBytes / header.byteRate) * 1000);
}
