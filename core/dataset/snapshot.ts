/**
 * Freezing a dataset into train and test: a stratified split that is the same every time for the
 * same samples and seed, plus the seeded random source the rest of the code shares (label
 * efficiency curves, sampling), so that a result can be reproduced from its recorded seed.
 */
import { ValidationError } from "../errors.ts";

/** A function returning numbers in [0, 1), like Math.random but reproducible. */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit generator, plenty for shuffling datasets (not for cryptography).
 * The seed is reduced to an unsigned 32-bit integer, so 1 and 2 ** 32 + 1 give the same stream.
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) {
    throw new ValidationError(`seed must be a finite number, got ${String(seed)}`);
  }
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 32-bit seed derived from text (FNV-1a over UTF-16 code units), to give each label its own
 * stream: then adding samples of one label does not reshuffle every other label.
 */
export function seedFromText(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A shuffled copy (Fisher–Yates); the input is left as it was. */
export function shuffle<T>(items: readonly T[], random: Random): T[] {
  const copy = items.slice();
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const held = copy[index];
    copy[index] = copy[other];
    copy[other] = held;
  }
  return copy;
}

export interface SplitOptions<T> {
  /** Share of each label's samples that goes to test, strictly between 0 and 1 (e.g. 0.2). */
  testShare: number;
  seed: number;
  labelOf: (sample: T) => string;
}

export interface DatasetSplit<T> {
  train: T[];
  test: T[];
  /** Labels with a single sample: kept in train only, so nothing measures them. */
  trainOnlyLabels: string[];
}

/**
 * Stratified, seeded split. For each label with n samples, round(n × testShare) go to test,
 * clamped to [1, n − 1] so that every label with at least 2 samples is in both train and test.
 *
 * A label with exactly 1 sample goes to train and is listed in `trainOnlyLabels`: a test sample
 * whose label the model never saw can only be wrong, which would measure the split rather than
 * the model; the caller can warn that the label needs more examples.
 *
 * Deterministic: the same samples in the same order with the same seed give the same split.
 * Each label is shuffled with its own stream (seed mixed with the label), so adding samples of
 * one label leaves the other labels' splits unchanged. Within train and test, samples keep their
 * input order, which keeps exported files diffable.
 */
export function splitDataset<T>(samples: readonly T[], options: SplitOptions<T>): DatasetSplit<T> {
  const { testShare, seed, labelOf } = options;
  if (!(testShare > 0 && testShare < 1)) {
    throw new ValidationError(`testShare must be between 0 and 1 (exclusive), got ${testShare}`);
  }
  if (!Number.isInteger(seed)) {
    throw new ValidationError(`seed must be an integer, got ${seed}`);
  }

  const indicesByLabel = new Map<string, number[]>();
  samples.forEach((sample, index) => {
    const label = labelOf(sample);
    if (typeof label !== "string" || label.length === 0) {
      throw new ValidationError(`sample ${index} has no label`, { index });
    }
    const indices = indicesByLabel.get(label);
    if (indices) indices.push(index);
    else indicesByLabel.set(label, [index]);
  });

  const inTest = new Uint8Array(samples.length);
  const trainOnlyLabels: string[] = [];
  for (const [label, indices] of indicesByLabel) {
    if (indices.length < 2) {
      trainOnlyLabels.push(label);
      continue;
    }
    const testCount = Math.min(
      indices.length - 1,
      Math.max(1, Math.round(indices.length * testShare)),
    );
    const shuffled = shuffle(indices, createRandom(seedFromText(label, seed)));
    for (const index of shuffled.slice(0, testCount)) inTest[index] = 1;
  }

  const train: T[] = [];
  const test: T[] = [];
  samples.forEach((sample, index) => (inTest[index] ? test : train).push(sample));
  return { train, test, trainOnlyLabels: trainOnlyLabels.sort() };
}
