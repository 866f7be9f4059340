import { describe, expect, it } from "vitest";
import {
  bucketOf,
  estimatePercentile,
  histogramOf,
  mergeHistograms,
  responseBoundariesMs,
} from "./response-histogram.ts";

/** The value below which `fraction` of the sorted values fall (nearest rank). */
function exactPercentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("response histogram", () => {
  it("has strictly increasing log-spaced boundaries from 100 ms to an hour", () => {
    expect(responseBoundariesMs[0]).toBe(100);
    expect(responseBoundariesMs.at(-1)).toBeLessThanOrEqual(3_600_000);
    expect(responseBoundariesMs.at(-1)! * 1.2).toBeGreaterThan(3_600_000);
    for (let index = 1; index < responseBoundariesMs.length; index += 1) {
      const ratio = responseBoundariesMs[index] / responseBoundariesMs[index - 1];
      expect(ratio).toBeGreaterThan(1.19);
      expect(ratio).toBeLessThan(1.21);
    }
  });

  it("numbers buckets like SQL width_bucket: the count of boundaries at or below the value", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(99)).toBe(0);
    expect(bucketOf(100)).toBe(1);
    expect(bucketOf(119)).toBe(1);
    expect(bucketOf(120)).toBe(2);
    expect(bucketOf(10_000_000)).toBe(responseBoundariesMs.length);
  });

  it("estimates percentiles within one bucket's width (20 %) of the exact value", () => {
    const random = seededRandom(7);
    for (const size of [1, 5, 26, 500, 5000]) {
      // Log-normal-ish decision times between about 300 ms and 3 minutes.
      const values = Array.from({ length: size }, () => Math.round(Math.exp(6 + random() * 6)));
      const histogram = histogramOf(values);
      for (const fraction of [0.5, 0.9]) {
        const exact = exactPercentile(values, fraction);
        const estimate = estimatePercentile(histogram, fraction)!;
        expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.2);
      }
    }
  });

  it("interpolates inside a bucket", () => {
    // Ten decisions in [100, 120): the median is half-way through the bucket.
    const histogram = histogramOf(Array.from({ length: 10 }, () => 110));
    expect(estimatePercentile(histogram, 0.5)).toBe(110);
    expect(estimatePercentile(histogram, 0.9)).toBe(118);
  });

  it("merges histograms by adding counts, so sums of rows give the pooled percentile", () => {
    const left = histogramOf([1_000, 2_000, 3_000]);
    const right = histogramOf([4_000, 5_000]);
    mergeHistograms(left, right);
    expect(estimatePercentile(left, 0.5)).toEqual(
      estimatePercentile(histogramOf([1_000, 2_000, 3_000, 4_000, 5_000]), 0.5),
    );
  });

  it("reports an empty histogram as null and the open last bucket as its lower bound", () => {
    expect(estimatePercentile(new Map(), 0.5)).toBeNull();
    expect(estimatePercentile(histogramOf([9_000_000]), 0.5)).toBe(responseBoundariesMs.at(-1));
    expect(() => estimatePercentile(histogramOf([1]), 0)).toThrow(RangeError);
  });
});
