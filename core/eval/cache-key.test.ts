import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { canonicalJson, hashInput, llmCacheKey } from "./cache-key.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    const value = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } };
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: { c: "x", d: [3, { y: 2, z: 1 }] }, b: 1 })).toBe(
      canonicalJson(value),
    );
  });

  it("matches JSON.stringify on values already in order, Chinese included", () => {
    const value = {
      a: "你好，世界",
      b: [true, null, 1.5, -2],
      c: { 中: "文" },
      e: 'quote " \n',
    };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it("drops undefined properties, writes undefined array slots as null and honours toJSON", () => {
    expect(
      canonicalJson({
        a: undefined,
        b: [undefined, 1],
        c: new Date(Date.UTC(2024, 0, 2)),
      }),
    ).toBe('{"b":[null,1],"c":"2024-01-02T00:00:00.000Z"}');
  });

  it("allows a shared object but rejects a cycle and values JSON cannot hold", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/\$\.self refers back to itself/);
    expect(() => canonicalJson({ t: Number.NaN })).toThrow(ValidationError);
    expect(() => canonicalJson([Infinity])).toThrow(/\$\[0\] is Infinity/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe("llmCacheKey", () => {
  const base = {
    promptSetVersion: "intents@3",
    model: "gpt-4o-mini",
    parameters: { temperature: 0, maxTokens: 800 },
    inputHash: hashInput({ segments: ["我们预算有限"], stage: "negotiation" }),
  };

  it("is the sha256 of the canonical tuple", () => {
    const key = llmCacheKey({
      promptSetVersion: "v1",
      model: "m",
      parameters: { temperature: 0 },
      inputHash: "h",
    });
    expect(key).toBe(
      sha256(
        '{"inputHash":"h","model":"m","parameters":{"temperature":0},"promptSetVersion":"v1","version":1}',
      ),
    );
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ignores parameter key order and changes with every part", () => {
    const key = llmCacheKey(base);
    expect(llmCacheKey({ ...base, parameters: { maxTokens: 800, temperature: 0 } })).toBe(key);
    const variants = [
      { ...base, promptSetVersion: "intents@4" },
      { ...base, model: "gpt-4o" },
      { ...base, parameters: { temperature: 0.2, maxTokens: 800 } },
      {
        ...base,
        inputHash: hashInput({
          segments: ["我们预算充足"],
          stage: "negotiation",
        }),
      },
    ];
    const keys = new Set([key, ...variants.map(llmCacheKey)]);
    expect(keys.size).toBe(5);
  });

  it("cannot be fooled by separators inside values", () => {
    const parameters = {};
    expect(
      llmCacheKey({
        promptSetVersion: "a|b",
        model: "c",
        parameters,
        inputHash: "h",
      }),
    ).not.toBe(
      llmCacheKey({
        promptSetVersion: "a",
        model: "b|c",
        parameters,
        inputHash: "h",
      }),
    );
  });

  it("rejects missing parts", () => {
    expect(() => llmCacheKey({ ...base, model: "" })).toThrow(/model/);
    expect(() => llmCacheKey({ ...base, parameters: null as never })).toThrow(ValidationError);
  });
});

describe("hashInput", () => {
  it("hashes the canonical JSON of the input", () => {
    expect(hashInput("你好")).toBe(sha256('"你好"'));
    expect(hashInput({ b: 2, a: 1 })).toBe(hashInput({ a: 1, b: 2 }));
    expect(hashInput("你好")).not.toBe(hashInput("你好 "));
  });
});
