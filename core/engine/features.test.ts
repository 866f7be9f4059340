import { describe, expect, it } from "vitest";
import {
  countFeatures,
  defaultFeatureOptions,
  extractFeatures,
  FeatureGroup,
  hashString,
  segmentCjkWords,
  tokenize,
} from "./features.ts";

describe("tokenize", () => {
  it("splits mixed Chinese and English into CJK runs, words and marks", () => {
    expect(tokenize("帮我book一个room!")).toEqual([
      { text: "帮我", kind: "cjk" },
      { text: "book", kind: "latin" },
      { text: "一个", kind: "cjk" },
      { text: "room", kind: "latin" },
      { text: "!", kind: "mark" },
    ]);
  });

  it("folds full-width forms and case, and keeps apostrophes inside words", () => {
    expect(tokenize("ＷＨＡＴ'S the PRICE？")).toEqual([
      { text: "what's", kind: "latin" },
      { text: "the", kind: "latin" },
      { text: "price", kind: "latin" },
      { text: "?", kind: "mark" },
    ]);
  });

  it("keeps a Chinese sentence without spaces as runs split only by punctuation", () => {
    expect(tokenize("你好，我想订酒店。").map((token) => token.text)).toEqual([
      "你好",
      "我想订酒店",
    ]);
  });

  it("finds nothing in empty or punctuation-only text", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize(" ,.;-- ")).toEqual([]);
  });
});

describe("hashString", () => {
  it("is deterministic, 30-bit, and tells strings apart", () => {
    const hashes = ["w:hello", "w:hellp", "h:你好", "c:\u0001he"].map(hashString);
    expect(hashes).toEqual(["w:hello", "w:hellp", "h:你好", "c:\u0001he"].map(hashString));
    expect(new Set(hashes).size).toBe(4);
    for (const hash of hashes) {
      expect(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 30).toBe(true);
    }
  });
});

describe("extractFeatures", () => {
  it("gives a CJK run its character 1–3-grams with word boundaries", () => {
    const { character } = countFeatures("你好");
    // [^, 你, 好, $]: unigrams 你 好; bigrams ^你 你好 好$; trigrams ^你好 你好$.
    const expected = [
      "h:你",
      "h:好",
      "h:\u0001你",
      "h:你好",
      "h:好\u0001",
      "h:\u0001你好",
      "h:你好\u0001",
    ];
    expect([...character.keys()].sort()).toEqual(expected.map(hashString).sort());
  });

  it("gives a Latin word its 2–5-grams inside boundaries and word uni/bigrams", () => {
    const { word, character } = countFeatures("hi");
    expect(character.size).toBe(6); // ^h hi i$ ^hi hi$ ^hi$
    expect(character.has(hashString("c:hi"))).toBe(true);
    expect([...word.keys()].sort()).toEqual(
      ["w:hi", "b:<s> hi", "b:hi </s>"].map(hashString).sort(),
    );
  });

  it("adds the words of a Chinese run (ICU's segmenter) and their bigrams as word features", () => {
    expect(segmentCjkWords("申请退款")).toEqual(["申请", "退款"]);
    const { word } = countFeatures("申请退款");
    expect(word.has(hashString("z:申请"))).toBe(true);
    expect(word.has(hashString("z:退款"))).toBe(true);
    expect(word.has(hashString("y:申请 退款"))).toBe(true);
    // A model stored before word segmentation existed has no cjkWords option: same features as then.
    const { cjkWords: _, ...older } = defaultFeatureOptions;
    const { word: olderWord } = countFeatures("申请退款", older);
    expect([...olderWord.keys()].sort()).toEqual(
      ["w:申请退款", "b:<s> 申请退款", "b:申请退款 </s>"].map(hashString).sort(),
    );
  });

  it("counts repeated features", () => {
    const { word } = countFeatures("yes yes yes");
    expect(word.get(hashString("w:yes"))).toBe(3);
    expect(word.get(hashString("b:yes yes"))).toBe(2);
  });

  it("keeps namespaces apart, so context features never equal the text's own", () => {
    const plain: number[] = [];
    const context: number[] = [];
    extractFeatures("订酒店", (_, hash) => plain.push(hash));
    extractFeatures("订酒店", (_, hash) => context.push(hash), undefined, "p:");
    expect(plain.length).toBe(context.length);
    expect(plain.filter((hash) => context.includes(hash))).toEqual([]);
  });

  it("sends word features and character features to their groups", () => {
    const groups = new Set<number>();
    extractFeatures("book 酒店", (group) => groups.add(group));
    expect([...groups].sort()).toEqual([FeatureGroup.word, FeatureGroup.character]);
  });
});
