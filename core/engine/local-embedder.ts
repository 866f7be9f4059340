/**
 * The offline embedder: no model download, no network, same vector for the same text on every
 * machine. It hashes the classifier's n-gram features (words and word bigrams; character n-grams,
 * with CJK runs as character 1–3-grams) into a fixed number of dimensions with random signs
 * (the "hashing trick", Weinberger et al. 2009), so the dot product of two embeddings estimates
 * the overlap of their n-gram profiles. Good for "find similar utterances" (few-shot retrieval,
 * talk-track lookup) in English and Chinese; it knows no synonyms.
 */
import { ValidationError } from "../errors.ts";
import type { Embedder } from "./embedder.ts";
import { extractFeatures, hashString, type FeatureOptions } from "./features.ts";

export interface LocalEmbedderOptions {
  /** Default 384 (the size of common small sentence encoders, so indexes are interchangeable in size). */
  dimensions?: number;
}

export const defaultLocalEmbeddingDimensions = 384;
/**
 * Pinned rather than shared with the classifier: stored vectors must not drift when the
 * classifier is retuned. Changing anything here (or the tokenising and hashing in features.ts)
 * changes every vector: give the embedder a new name then, so old and new are never compared.
 */
const featureOptions: FeatureOptions = {
  latinCharacterRange: [2, 4],
  cjkCharacterRange: [1, 3],
  wordBigrams: true,
};
const maximumDimensions = 2000;

/**
 * Function words are most of an utterance's words but say little about what it is about; with
 * no corpus to learn IDF from, a short fixed list damps them instead.
 */
const commonWords = new Set(
  (
    "a an the is are was were be been am i me my you your we our he she it its they them their " +
    "this that these those to of in on at for with from by and or but if do does did can could " +
    "will would should what how when where which who why please there here have has had " +
    "我 你 您 他 她 它 的 了 吗 呢 吧 啊 是 在 有 和 就 也 都 这 那 个 一 请 要 想"
  ).split(" "),
);
const commonWordWeight = 0.1;
/** Word features count a little less than character n-grams (indexed by FeatureGroup). */
const groupWeights = [0.7, 1];
/** Their features: the word itself and, for Chinese, the character as a CJK unigram. */
const damped = new Set(
  [...commonWords].flatMap((word) => [hashString(`w:${word}`), hashString(`h:${word}`)]),
);

function embedOne(text: string, dimensions: number): number[] {
  const sums = [new Float64Array(dimensions), new Float64Array(dimensions)];
  extractFeatures(
    text,
    (group, hash) => {
      // Low bits pick the dimension, a high bit the sign: unrelated features cancel on average.
      const weight = damped.has(hash) ? commonWordWeight : 1;
      sums[group][hash % dimensions] += hash & 0x20000000 ? -weight : weight;
    },
    featureOptions,
  );
  // Words and characters are normalised separately, then weighted (tuned on CLINC150 val).
  const vector = new Array<number>(dimensions).fill(0);
  sums.forEach((sum, group) => {
    let norm = 0;
    for (let index = 0; index < dimensions; index++) norm += sum[index] * sum[index];
    if (norm === 0) return;
    const scale = groupWeights[group] / Math.sqrt(norm);
    for (let index = 0; index < dimensions; index++) vector[index] += sum[index] * scale;
  });
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let index = 0; index < dimensions; index++) vector[index] *= scale;
  }
  return vector;
}

export function createLocalEmbedder(options: LocalEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? defaultLocalEmbeddingDimensions;
  if (!Number.isInteger(dimensions) || dimensions < 8 || dimensions > maximumDimensions) {
    throw new ValidationError(
      `The local embedder takes 8–${maximumDimensions} dimensions, got ${dimensions}.`,
    );
  }
  return {
    name: `local-hash-${dimensions}`,
    dimensions,
    async embed(texts: string[]): Promise<number[][]> {
      if (!Array.isArray(texts) || texts.some((text) => typeof text !== "string")) {
        throw new ValidationError("embed takes an array of strings.");
      }
      return texts.map((text) => embedOne(text, dimensions));
    },
  };
}
