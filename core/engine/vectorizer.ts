/**
 * Hashed n-gram features → sparse TF-IDF vectors over the features seen in training.
 *
 * Each feature group (words, characters, and the same two for the previous utterance) is
 * L2-normalised on its own and then scaled by its weight. Without this, a five-word sentence
 * would be drowned by its ~80 character n-grams, and a long previous utterance by its length.
 */
import { defaultFeatureOptions, extractFeatures, type FeatureOptions } from "./features.ts";
import { IntegerMap } from "./integer-map.ts";

export interface VectorizerOptions {
  features: FeatureOptions;
  wordWeight: number;
  characterWeight: number;
  /** Scale of the previous utterance's features relative to the current one; 0 turns context off. */
  contextWeight: number;
  /** Features seen in fewer training texts are dropped (1 keeps everything: needed for few-shot). */
  minimumDocumentFrequency: number;
}

export const defaultVectorizerOptions: VectorizerOptions = {
  features: defaultFeatureOptions,
  wordWeight: 1,
  characterWeight: 1,
  contextWeight: 0,
  minimumDocumentFrequency: 1,
};

export interface VectorizerInput {
  text: string;
  previousText?: string | null;
}

/** Rows of a sparse matrix in compressed-row form (column order within a row is arbitrary). */
export interface SparseMatrix {
  rows: number;
  columns: number;
  rowStart: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Entries in no particular order: every consumer (scoring, training, embedding) only sums over them. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const contextNamespace = "p:";
/** Groups 0–1 are the text's words and characters, 2–3 the previous utterance's (see groupWeightsOf). */

/** Feature occurrences of many texts, appended one text after another into flat arrays. */
class Occurrences {
  hashes = new Int32Array(1024);
  groups = new Uint8Array(1024);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  private push(group: number, hash: number): void {
    if (this.length === this.hashes.length) {
      const hashes = new Int32Array(this.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const groups = new Uint8Array(this.length * 2);
      groups.set(this.groups);
      this.groups = groups;
    }
    this.hashes[this.length] = hash;
    this.groups[this.length] = group;
    this.length++;
  }

  private readonly current = (group: number, hash: number) => this.push(group, hash);
  private readonly previous = (group: number, hash: number) => this.push(group + 2, hash);

  add(input: VectorizerInput, options: VectorizerOptions): void {
    extractFeatures(input.text, this.current, options.features);
    if (options.contextWeight > 0 && typeof input.previousText === "string") {
      extractFeatures(input.previousText, this.previous, options.features, contextNamespace);
    }
  }
}

function groupWeightsOf(options: VectorizerOptions): Float64Array {
  const { wordWeight, characterWeight, contextWeight } = options;
  return Float64Array.of(
    wordWeight,
    characterWeight,
    wordWeight * contextWeight,
    characterWeight * contextWeight,
  );
}

export class Vectorizer {
  readonly inverseDocumentFrequency: Float32Array;
  private readonly columnOf: IntegerMap;
  private readonly groupWeights: Float64Array;
  // Per-column scratch for counting repeats: seen[column] === stamp ⇔ already in this text.
  private readonly seen: Int32Array;
  private readonly slot: Int32Array;
  private stamp = 0;
  // Per-text scratch, grown on demand.
  private readonly occurrences = new Occurrences();
  private columns = new Int32Array(1024);
  private distinct = new Int32Array(256);
  private counts = new Float64Array(256);
  private groupOf = new Uint8Array(256);

  constructor(
    readonly options: VectorizerOptions,
    /** Feature hashes kept from training, ascending; a feature's column is its position here. */
    readonly keys: Uint32Array,
    /** In how many training texts each kept feature occurs (stored instead of IDF: it packs smaller). */
    readonly documentFrequency: Uint32Array,
    readonly documents: number,
  ) {
    if (keys.length !== documentFrequency.length) {
      throw new RangeError("keys and documentFrequency differ in length");
    }
    this.columnOf = new IntegerMap(keys.length);
    for (let column = 0; column < keys.length; column++) this.columnOf.set(keys[column], column);
    // Smoothed IDF (as scikit-learn): a feature in every text still keeps weight 1.
    this.inverseDocumentFrequency = Float32Array.from(
      documentFrequency,
      (frequency) => Math.log((1 + documents) / (1 + frequency)) + 1,
    );
    this.groupWeights = groupWeightsOf(options);
    this.seen = new Int32Array(keys.length);
    this.slot = new Int32Array(keys.length);
  }

  get dimensions(): number {
    return this.keys.length;
  }

  transform(input: VectorizerInput): SparseVector {
    // Scratch reused across calls: prediction is the hot path of drafting and of the review queue.
    const occurrences = this.occurrences;
    occurrences.clear();
    occurrences.add(input, this.options);
    if (this.columns.length < occurrences.length)
      this.columns = new Int32Array(occurrences.hashes.length);
    const columns = this.columns;
    for (let position = 0; position < occurrences.length; position++) {
      columns[position] = this.columnOf.get(occurrences.hashes[position]);
    }
    return this.weigh(columns, occurrences.groups, 0, occurrences.length);
  }

  /**
   * A text's occurrences (already mapped to columns, -1 for unknown) → its TF-IDF vector:
   * sublinear term frequency (a repeated word is more evidence, but not linearly more) × IDF,
   * L2-normalised per group and scaled by the group's weight.
   */
  weigh(columns: Int32Array, groups: Uint8Array, start: number, end: number): SparseVector {
    const { seen, slot, groupWeights, inverseDocumentFrequency } = this;
    const stamp = ++this.stamp;
    if (this.distinct.length < end - start) {
      this.distinct = new Int32Array(end - start);
      this.counts = new Float64Array(end - start);
      this.groupOf = new Uint8Array(end - start);
    }
    const { distinct, counts, groupOf } = this;
    let size = 0;
    for (let position = start; position < end; position++) {
      const column = columns[position];
      if (column < 0 || groupWeights[groups[position]] === 0) continue;
      if (seen[column] === stamp) {
        counts[slot[column]]++;
        continue;
      }
      seen[column] = stamp;
      slot[column] = size;
      distinct[size] = column;
      counts[size] = 1;
      groupOf[size] = groups[position];
      size++;
    }
    const squaredNorms = [0, 0, 0, 0];
    for (let entry = 0; entry < size; entry++) {
      const value = (1 + Math.log(counts[entry])) * inverseDocumentFrequency[distinct[entry]];
      counts[entry] = value;
      squaredNorms[groupOf[entry]] += value * value;
    }
    const scales = squaredNorms.map((norm, group) =>
      norm > 0 ? groupWeights[group] / Math.sqrt(norm) : 0,
    );
    const values = new Float32Array(size);
    for (let entry = 0; entry < size; entry++)
      values[entry] = counts[entry] * scales[groupOf[entry]];
    return { indices: distinct.slice(0, size), values };
  }
}

/** Learn the vocabulary and IDF from `documents`, and return their vectors as a matrix. */
export function fitVectorizer(
  documents: readonly VectorizerInput[],
  options: VectorizerOptions = defaultVectorizerOptions,
): { vectorizer: Vectorizer; matrix: SparseMatrix } {
  const occurrences = new Occurrences();
  const documentStart = new Int32Array(documents.length + 1);
  documents.forEach((document, index) => {
    occurrences.add(document, options);
    documentStart[index + 1] = occurrences.length;
  });
  // Provisional ids in order of first appearance, with document frequencies.
  const idOf = new IntegerMap(1 << 16);
  const ids = new Int32Array(occurrences.length);
  let frequency: Int32Array = new Int32Array(1 << 16);
  let lastDocument: Int32Array = new Int32Array(1 << 16).fill(-1);
  let hashOfId: Int32Array = new Int32Array(1 << 16);
  let idCount = 0;
  for (let document = 0; document < documents.length; document++) {
    for (
      let position = documentStart[document];
      position < documentStart[document + 1];
      position++
    ) {
      const hash = occurrences.hashes[position];
      let id = idOf.get(hash);
      if (id < 0) {
        id = idCount++;
        idOf.set(hash, id);
        if (id === frequency.length) {
          frequency = grow(frequency, 0);
          lastDocument = grow(lastDocument, -1);
          hashOfId = grow(hashOfId, 0);
        }
        hashOfId[id] = hash;
      }
      ids[position] = id;
      if (lastDocument[id] !== document) {
        lastDocument[id] = document;
        frequency[id]++;
      }
    }
  }
  const kept: number[] = [];
  for (let id = 0; id < idCount; id++) {
    if (frequency[id] >= options.minimumDocumentFrequency) kept.push(id);
  }
  kept.sort((left, right) => hashOfId[left] - hashOfId[right]);
  const columnOfId = new Int32Array(idCount).fill(-1);
  kept.forEach((id, column) => {
    columnOfId[id] = column;
  });
  const vectorizer = new Vectorizer(
    options,
    Uint32Array.from(kept, (id) => hashOfId[id]),
    Uint32Array.from(kept, (id) => frequency[id]),
    documents.length,
  );
  // A plain loop: TypedArray.from with a mapping function is an order of magnitude slower.
  const columns = new Int32Array(ids.length);
  for (let position = 0; position < ids.length; position++)
    columns[position] = columnOfId[ids[position]];
  const vectors = documents.map((_, document) =>
    vectorizer.weigh(
      columns,
      occurrences.groups,
      documentStart[document],
      documentStart[document + 1],
    ),
  );
  return { vectorizer, matrix: stackRows(vectors, kept.length) };
}

function grow(array: Int32Array, fill: number): Int32Array {
  const grown = new Int32Array(array.length * 2).fill(fill);
  grown.set(array);
  return grown;
}

export function stackRows(vectors: readonly SparseVector[], columns: number): SparseMatrix {
  const rowStart = new Int32Array(vectors.length + 1);
  for (let row = 0; row < vectors.length; row++) {
    rowStart[row + 1] = rowStart[row] + vectors[row].indices.length;
  }
  const indices = new Int32Array(rowStart[vectors.length]);
  const values = new Float32Array(rowStart[vectors.length]);
  vectors.forEach((vector, row) => {
    indices.set(vector.indices, rowStart[row]);
    values.set(vector.values, rowStart[row]);
  });
  return { rows: vectors.length, columns, rowStart, indices, values };
}
