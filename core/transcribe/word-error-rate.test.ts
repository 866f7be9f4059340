import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import {
  characterErrorRate,
  errorRate,
  tokenizeForErrorRate,
  wordErrorRate,
} from "./word-error-rate.ts";

describe("tokenizeForErrorRate", () => {
  it("normalises case and punctuation for English", () => {
    expect(tokenizeForErrorRate("Ask not, what YOUR country can do!")).toEqual([
      "ask",
      "not",
      "what",
      "your",
      "country",
      "can",
      "do",
    ]);
    expect(tokenizeForErrorRate("the neighbor's house, don't")).toEqual([
      "the",
      "neighbors",
      "house",
      "dont",
    ]);
  });

  it("splits Chinese into characters and keeps English words whole in mixed speech", () => {
    expect(tokenizeForErrorRate("我们的CRM系统，支持API。")).toEqual([
      "我",
      "们",
      "的",
      "crm",
      "系",
      "统",
      "支",
      "持",
      "api",
    ]);
  });

  it("maps full-width forms to ASCII", () => {
    expect(tokenizeForErrorRate("ＡＰＩ　１２")).toEqual(["api", "12"]);
  });

  it("character unit counts letters too", () => {
    expect(tokenizeForErrorRate("Hi, 你好", "character")).toEqual(["h", "i", "你", "好"]);
  });
});

describe("wordErrorRate (hand-computed)", () => {
  it("identical after normalisation is 0", () => {
    const result = wordErrorRate("Hello, World.", "hello world");
    expect(result).toMatchObject({
      errorRate: 0,
      hits: 2,
      substitutions: 0,
      deletions: 0,
      insertions: 0,
    });
  });

  it("one substitution in four words", () => {
    // the cat sat down / the cat sit down → S=1, N=4
    const result = wordErrorRate("the cat sat down", "the cat sit down");
    expect(result).toMatchObject({
      substitutions: 1,
      deletions: 0,
      insertions: 0,
      hits: 3,
      referenceLength: 4,
    });
    expect(result.errorRate).toBe(0.25);
  });

  it("deletion and insertion", () => {
    // ref: a b c d e ; hyp: a c d e f → delete b, insert f: D=1, I=1, N=5 → 0.4
    const result = wordErrorRate("a b c d e", "a c d e f");
    expect(result).toMatchObject({ substitutions: 0, deletions: 1, insertions: 1, hits: 4 });
    expect(result.errorRate).toBeCloseTo(0.4, 10);
  });

  it("empty hypothesis: every reference word deleted", () => {
    const result = wordErrorRate("ask not what", "");
    expect(result).toMatchObject({ deletions: 3, errorRate: 1, hypothesisLength: 0 });
  });

  it("can exceed 1 with many insertions", () => {
    // ref: yes ; hyp: yes yes yes → I=2, N=1 → 2
    expect(wordErrorRate("yes", "yes yes yes").errorRate).toBe(2);
  });

  it("rejects an empty reference", () => {
    expect(() => wordErrorRate(" ,. ", "anything")).toThrow(ValidationError);
  });

  it("the alignment lists each operation in order and agrees with the counts", () => {
    const result = errorRate("the cat sat on the mat", "cat sat in the hat mat", {
      includeAlignment: true,
    });
    // the→(deleted), cat, sat, on→in, the, (inserted hat), mat: D=1, S=1, I=1 over N=6.
    expect(result.alignment).toEqual([
      { operation: "deletion", reference: "the", hypothesis: null },
      { operation: "hit", reference: "cat", hypothesis: "cat" },
      { operation: "hit", reference: "sat", hypothesis: "sat" },
      { operation: "substitution", reference: "on", hypothesis: "in" },
      { operation: "hit", reference: "the", hypothesis: "the" },
      { operation: "insertion", reference: null, hypothesis: "hat" },
      { operation: "hit", reference: "mat", hypothesis: "mat" },
    ]);
    expect(result).toMatchObject({ substitutions: 1, deletions: 1, insertions: 1, hits: 4 });
    expect(result.errorRate).toBeCloseTo(3 / 6, 10);
    const withoutAlignment = errorRate("the cat sat on the mat", "cat sat in the hat mat");
    expect(withoutAlignment).toMatchObject({
      substitutions: 1,
      deletions: 1,
      insertions: 1,
      hits: 4,
    });
  });
});

describe("characterErrorRate for Chinese (hand-computed)", () => {
  it("AISHELL reference with one substitution and one deletion", () => {
    // 甚至出现交易几乎停滞的情况 (13 chars) vs 甚至出现交意几乎停滞情况: 易→意 (S), 的 deleted (D).
    const result = characterErrorRate("甚至出现交易几乎停滞的情况", "甚至出现交意几乎停滞情况。");
    expect(result).toMatchObject({
      referenceLength: 13,
      substitutions: 1,
      deletions: 1,
      insertions: 0,
      hits: 11,
    });
    expect(result.errorRate).toBeCloseTo(2 / 13, 10);
  });

  it("punctuation and spaces do not count", () => {
    expect(
      characterErrorRate("一二线城市，虽然也处于调整中", "一 二 线 城 市 虽 然 也 处 于 调 整 中。")
        .errorRate,
    ).toBe(0);
  });

  it("Chinese numerals against digits are errors unless normalised upstream", () => {
    // 一二 (2 chars) vs 12 (one token "12" in auto mode): 1 substitution + 1 deletion.
    const result = errorRate("一二线", "12线");
    expect(result).toMatchObject({ referenceLength: 3, substitutions: 1, deletions: 1, hits: 1 });
  });
});
