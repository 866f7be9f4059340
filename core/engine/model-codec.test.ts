import { describe, expect, it } from "vitest";
import { UnprocessableError } from "../errors.ts";
import { ByteReader, ByteWriter, packModel, unpackModel } from "./model-codec.ts";

describe("ByteWriter / ByteReader", () => {
  it("round-trips every kind of value", () => {
    const writer = new ByteWriter();
    writer.uint8(255);
    writer.int8(-128);
    writer.uint32(4_000_000_000);
    writer.float32(1.5);
    writer.float64(Math.PI);
    for (const value of [0, 127, 128, 300, 2 ** 31, 2 ** 40]) writer.varint(value);
    writer.string("意图 intent");
    for (let index = 0; index < 3000; index++) writer.uint8(index & 0xff); // forces growth
    const reader = new ByteReader(writer.finish());
    expect([
      reader.uint8(),
      reader.int8(),
      reader.uint32(),
      reader.float32(),
      reader.float64(),
    ]).toEqual([255, -128, 4_000_000_000, 1.5, Math.PI]);
    expect(Array.from({ length: 6 }, () => reader.varint())).toEqual([
      0,
      127,
      128,
      300,
      2 ** 31,
      2 ** 40,
    ]);
    expect(reader.string()).toBe("意图 intent");
    expect(reader.bytes(3000)[299]).toBe(299 & 0xff);
    expect(reader.done).toBe(true);
  });

  it("fails clearly on truncated input", () => {
    const reader = new ByteReader(new Uint8Array([1, 2]));
    expect(() => reader.uint32()).toThrow(UnprocessableError);
  });
});

describe("packModel / unpackModel", () => {
  it("round-trips a payload and rejects foreign, newer or corrupt blobs", () => {
    const payload = new TextEncoder().encode("weights ".repeat(100));
    const packed = packModel("TEST-MODEL", 1, payload);
    expect(packed.length).toBeLessThan(payload.length);
    expect(unpackModel("TEST-MODEL", 1, packed)).toEqual(payload);
    expect(() => unpackModel("OTHER-MODEL", 1, packed)).toThrow(/not a OTHER-MODEL model/);
    expect(() => unpackModel("TEST-MODEL", 2, packed)).toThrow(/version 1 is not supported/);
    const corrupt = packed.slice();
    corrupt.fill(0xff, 11);
    expect(() => unpackModel("TEST-MODEL", 1, corrupt)).toThrow(UnprocessableError);
  });
});
