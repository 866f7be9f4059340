import { describe, expect, it } from "vitest";
import { countFeatures, hashString } from "./features.ts";
import { defaultVectorizerOptions, fitVectorizer } from "./vectorizer.ts";

const texts = [
  "book a table for two",
  "book a flight to paris",
  "cancel my flight",
  "订一张去北京的机票",
];

function squaredNorm(values: Float32Array): number {
  return values.reduce((sum, value) => sum + value * value, 0);
}

describe("fitVectorizer", () => {
  it("keeps every feature of the training texts, each text's row equal to its transform", () => {
    const { vectorizer, matrix } = fitVectorizer(texts.map((text) => ({ text })));
    const distinct = new Set(
      texts.flatMap((text) => {
        const { word, character } = countFeatures(text);
        return [...word.keys(), ...character.keys()];
      }),
    );
    expect(vectorizer.dimensions).toBe(distinct.size);
    expect(matrix.rows).toBe(texts.length);
    texts.forEach((text, row) => {
      const vector = vectorizer.transform({ text });
      const start = matrix.rowStart[row];
      const end = matrix.rowStart[row + 1];
      expect(Array.from(vector.indices)).toEqual(Array.from(matrix.indices.subarray(start, end)));
      expect(Array.from(vector.values)).toEqual(Array.from(matrix.values.subarray(start, end)));
    });
  });

  it("normalises words and characters separately (two unit groups → squared norm 2)", () => {
    const { vectorizer } = fitVectorizer(texts.map((text) => ({ text })));
    expect(squaredNorm(vectorizer.transform({ text: "book a flight" }).values)).toBeCloseTo(2, 5);
    const wordsOnly = fitVectorizer(
      texts.map((text) => ({ text })),
      { ...defaultVectorizerOptions, characterWeight: 0 },
    );
    expect(
      squaredNorm(wordsOnly.vectorizer.transform({ text: "book a flight" }).values),
    ).toBeCloseTo(1, 5);
  });

  it("weighs rarer features higher (IDF) and ignores unseen ones", () => {
    const { vectorizer } = fitVectorizer(texts.map((text) => ({ text })));
    const vector = vectorizer.transform({ text: "book zzz" });
    const valueOf = (feature: string) => {
      const column = Array.from(vectorizer.keys).indexOf(hashString(feature));
      return vector.values[Array.from(vector.indices).indexOf(column)];
    };
    // "b:<s> book" is in two texts, "b:book </s>" in none, "w:book" in two: same IDF, same count.
    expect(valueOf("w:book")).toBeCloseTo(valueOf("b:<s> book"), 6);
    expect(vectorizer.transform({ text: "zzz qqq" }).indices.length).toBe(0);
    const rare = vectorizer.transform({ text: "cancel book" });
    const cancel = Array.from(vectorizer.keys).indexOf(hashString("w:cancel"));
    const book = Array.from(vectorizer.keys).indexOf(hashString("w:book"));
    const at = (column: number) => rare.values[Array.from(rare.indices).indexOf(column)];
    expect(at(cancel)).toBeGreaterThan(at(book));
  });

  it("drops features below the minimum document frequency", () => {
    const all = fitVectorizer(texts.map((text) => ({ text })));
    const common = fitVectorizer(
      texts.map((text) => ({ text })),
      { ...defaultVectorizerOptions, minimumDocumentFrequency: 2 },
    );
    expect(common.vectorizer.dimensions).toBeLessThan(all.vectorizer.dimensions);
    expect(Array.from(common.vectorizer.keys)).toContain(hashString("w:book"));
    expect(Array.from(common.vectorizer.keys)).not.toContain(hashString("w:paris"));
  });

  it("adds the previous utterance as its own weighted groups only when context is on", () => {
    const documents = [
      { text: "yes", previousText: "do you want to donate?" },
      { text: "no", previousText: "are you a bot?" },
    ];
    const without = fitVectorizer(documents);
    const withContext = fitVectorizer(documents, {
      ...defaultVectorizerOptions,
      contextWeight: 0.5,
    });
    expect(withContext.vectorizer.dimensions).toBeGreaterThan(without.vectorizer.dimensions);
    const vector = withContext.vectorizer.transform(documents[0]);
    // 1 (words) + 1 (characters) + 0.25 + 0.25 for the previous utterance's two groups.
    expect(squaredNorm(vector.values)).toBeCloseTo(2.5, 5);
    expect(squaredNorm(withContext.vectorizer.transform({ text: "yes" }).values)).toBeCloseTo(2, 5);
  });
});
