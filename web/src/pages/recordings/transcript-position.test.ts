import { describe, expect, it } from "vitest";
import { segmentIndexAt } from "./transcript-position.ts";

const segment = (ordinal: number, startMs: number, endMs: number) => ({
  ordinal,
  startMs,
  endMs,
  speaker: "agent",
  text: "…",
});

describe("segmentIndexAt", () => {
  const segments = [segment(0, 0, 2_000), segment(1, 2_500, 6_000), segment(2, 6_000, 9_000)];

  it("finds the utterance being played", () => {
    expect(segmentIndexAt(segments, 0)).toBe(0);
    expect(segmentIndexAt(segments, 1_999)).toBe(0);
    expect(segmentIndexAt(segments, 3_000)).toBe(1);
    expect(segmentIndexAt(segments, 6_000)).toBe(2);
  });

  it("returns -1 in gaps, after the end, and for no segments", () => {
    expect(segmentIndexAt(segments, 2_200)).toBe(-1);
    expect(segmentIndexAt(segments, 9_500)).toBe(-1);
    expect(segmentIndexAt([], 100)).toBe(-1);
  });
});
