import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { createRandom, seedFromText, shuffle, splitDataset } from "./snapshot.ts";

/** The published mulberry32 (Tommy Ettinger / bryc), written independently to pin ours to it. */
function referenceMulberry32(seed: number) {
  let a = seed;
  return () => {
    let t = (a += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  id: number;
  label: string;
}

function samplesOf(counts: Record<string, number>): Sample[] {
  const samples: Sample[] = [];
  let id = 0;
  for (const [label, count] of Object.entries(counts)) {
    for (let index = 0; index < count; index++) samples.push({ id: id++, label });
  }
  return samples;
}

const labelOf = (sample: Sample) => sample.label;

describe("createRandom", () => {
  it("matches the reference mulberry32 stream", () => {
    for (const seed of [0, 1, 42, 123456789]) {
      const ours = createRandom(seed);
      const reference = referenceMulberry32(seed);
      for (let step = 0; step < 1000; step++) expect(ours()).toBe(reference());
    }
  });

  it("is reproducible, stays in [0, 1) and differs across seeds", () => {
    const first = createRandom(7);
    const second = createRandom(7);
    const other = createRandom(8);
    const values = Array.from({ length: 10_000 }, () => first());
    expect(values).toEqual(Array.from({ length: 10_000 }, () => second()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(values.slice(0, 10)).not.toEqual(Array.from({ length: 10 }, () => other()));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });

  it("rejects a seed that is not a number", () => {
    expect(() => createRandom(Number.NaN)).toThrow(ValidationError);
  });
});

describe("shuffle", () => {
  it("returns a permutation and leaves the input untouched", () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = shuffle(items, createRandom(3));
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffle(items, createRandom(3))).toEqual(shuffled);
  });
});

describe("seedFromText", () => {
  it("separates labels and seeds, including Chinese labels", () => {
    expect(seedFromText("异议")).not.toBe(seedFromText("报价"));
    expect(seedFromText("pricing", 1)).not.toBe(seedFromText("pricing", 2));
    expect(seedFromText("pricing", 1)).toBe(seedFromText("pricing", 1));
  });
});

describe("splitDataset", () => {
  it("takes round(n × share) per label, at least 1 and at most n − 1", () => {
    // a: 10 × 0.2 = 2; b: 5 × 0.2 = 1; d: 3 × 0.2 = 0.6 → 1; e: 2 × 0.2 = 0.4 → 0 → clamped to 1.
    const samples = samplesOf({ a: 10, b: 5, c: 1, d: 3, e: 2 });
    const { train, test, trainOnlyLabels } = splitDataset(samples, {
      testShare: 0.2,
      seed: 1,
      labelOf,
    });
    const testCounts = countBy(test.map(labelOf));
    expect(testCounts).toEqual({ a: 2, b: 1, d: 1, e: 1 });
    expect(countBy(train.map(labelOf))).toEqual({
      a: 8,
      b: 4,
      c: 1,
      d: 2,
      e: 1,
    });
    expect(trainOnlyLabels).toEqual(["c"]);
  });

  it("keeps one sample in train when the share would take them all", () => {
    const samples = samplesOf({ a: 2, b: 4 });
    const { train, test } = splitDataset(samples, {
      testShare: 0.9,
      seed: 5,
      labelOf,
    });
    expect(countBy(test.map(labelOf))).toEqual({ a: 1, b: 3 });
    expect(countBy(train.map(labelOf))).toEqual({ a: 1, b: 1 });
  });

  it("loses nothing, duplicates nothing and keeps input order on each side", () => {
    const samples = samplesOf({ a: 17, b: 9, c: 4 });
    const { train, test } = splitDataset(samples, {
      testShare: 0.25,
      seed: 11,
      labelOf,
    });
    const ids = [...train, ...test].map((sample) => sample.id).sort((x, y) => x - y);
    expect(ids).toEqual(samples.map((sample) => sample.id));
    expect(isAscending(train.map((sample) => sample.id))).toBe(true);
    expect(isAscending(test.map((sample) => sample.id))).toBe(true);
  });

  it("is deterministic for a seed and changes with the seed", () => {
    const samples = samplesOf({ a: 40, b: 40 });
    const options = { testShare: 0.5, labelOf };
    const first = splitDataset(samples, { ...options, seed: 1 });
    const again = splitDataset(samples, { ...options, seed: 1 });
    const other = splitDataset(samples, { ...options, seed: 2 });
    expect(again.test).toEqual(first.test);
    expect(other.test.map((sample) => sample.id)).not.toEqual(
      first.test.map((sample) => sample.id),
    );
  });

  it("leaves a label's split unchanged when another label grows", () => {
    const before = samplesOf({ a: 20, b: 5 });
    const after = [
      ...before,
      ...Array.from({ length: 30 }, (_, index) => ({
        id: 100 + index,
        label: "z",
      })),
    ];
    const options = { testShare: 0.3, seed: 9, labelOf };
    const testIdsOfA = (samples: Sample[]) =>
      splitDataset(samples, options)
        .test.filter((sample) => sample.label === "a")
        .map((sample) => sample.id);
    expect(testIdsOfA(after)).toEqual(testIdsOfA(before));
  });

  it("handles an empty dataset", () => {
    expect(splitDataset([], { testShare: 0.2, seed: 1, labelOf })).toEqual({
      train: [],
      test: [],
      trainOnlyLabels: [],
    });
  });

  it("rejects shares outside (0, 1), a fractional seed and an unlabelled sample", () => {
    const samples = samplesOf({ a: 4 });
    for (const testShare of [0, 1, -0.1, Number.NaN]) {
      expect(() => splitDataset(samples, { testShare, seed: 1, labelOf })).toThrow(ValidationError);
    }
    expect(() => splitDataset(samples, { testShare: 0.2, seed: 1.5, labelOf })).toThrow(
      ValidationError,
    );
    expect(() =>
      splitDataset([{ id: 0, label: "" }], {
        testShare: 0.2,
        seed: 1,
        labelOf,
      }),
    ).toThrow(/sample 0 has no label/);
  });
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function isAscending(values: number[]): boolean {
  return values.every((value, index) => index === 0 || values[index - 1] < value);
}
