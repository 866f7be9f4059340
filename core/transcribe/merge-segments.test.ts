import { describe, expect, it } from "vitest";
import type { ChunkPlan } from "./chunk-audio.ts";
import { mergeByTime, placeChunkSegments, type PlacedSegment } from "./merge-segments.ts";

const context = (chunk: ChunkPlan, isLastChunk = false) => ({
  chunk,
  isLastChunk,
  speaker: "agent",
  speakerFromTrack: true,
  language: "en",
});

// Second chunk of a 10-minute plan with 2 s overlap: cut 598–1202 s, owns 600–1200 s.
const middleChunk: ChunkPlan = {
  index: 1,
  startMs: 598_000,
  endMs: 1_202_000,
  ownedStartMs: 600_000,
  ownedEndMs: 1_200_000,
};

describe("placeChunkSegments", () => {
  it("shifts chunk-relative times onto the recording's timeline", () => {
    const placed = placeChunkSegments(
      [{ startMs: 10_000, endMs: 12_500, text: " hello ", confidence: 0.9 }],
      context(middleChunk),
    );
    expect(placed).toEqual([
      {
        startMs: 608_000,
        endMs: 610_500,
        speaker: "agent",
        text: "hello",
        language: "en",
        confidence: 0.9,
      },
    ]);
  });

  it("keeps only segments whose midpoint the chunk owns", () => {
    const placed = placeChunkSegments(
      [
        // 598.0–599.6 s: midpoint 598.8 s, before the owned range → the previous chunk has it.
        { startMs: 0, endMs: 1_600, text: "overlap at start", confidence: null },
        // 599.0–601.4 s: midpoint 600.2 s → owned.
        { startMs: 1_000, endMs: 3_400, text: "across the boundary", confidence: null },
        // 1199.0–1201.6 s: midpoint 1200.3 s → the next chunk owns it.
        { startMs: 601_000, endMs: 603_600, text: "overlap at end", confidence: null },
        // 1198.0–1200.0 s: midpoint 1199.0 s → owned.
        { startMs: 600_000, endMs: 602_000, text: "last owned", confidence: null },
      ],
      context(middleChunk),
    );
    expect(placed.map((segment) => [segment.text, segment.startMs, segment.endMs])).toEqual([
      ["across the boundary", 599_000, 601_400],
      ["last owned", 1_198_000, 1_200_000],
    ]);
  });

  it("the last chunk also owns a segment ending exactly at the end", () => {
    const last: ChunkPlan = {
      index: 2,
      startMs: 1_198_000,
      endMs: 1_300_000,
      ownedStartMs: 1_200_000,
      ownedEndMs: 1_300_000,
    };
    const placed = placeChunkSegments(
      [{ startMs: 102_000, endMs: 102_000, text: "end", confidence: null }],
      context(last, true),
    );
    expect(placed.map((segment) => segment.startMs)).toEqual([1_300_000]);
  });

  it("clamps engine timestamps that run past the chunk and drops empty text", () => {
    const only: ChunkPlan = {
      index: 0,
      startMs: 0,
      endMs: 5_000,
      ownedStartMs: 0,
      ownedEndMs: 5_000,
    };
    const placed = placeChunkSegments(
      [
        { startMs: 4_000, endMs: 7_000, text: "runs over", confidence: null },
        { startMs: 1_000, endMs: 2_000, text: "   ", confidence: null },
      ],
      context(only, true),
    );
    expect(placed).toMatchObject([{ startMs: 4_000, endMs: 5_000, text: "runs over" }]);
  });

  it("uses the engine's speakers only on mixed tracks", () => {
    const only: ChunkPlan = {
      index: 0,
      startMs: 0,
      endMs: 5_000,
      ownedStartMs: 0,
      ownedEndMs: 5_000,
    };
    const segment = {
      startMs: 0,
      endMs: 1_000,
      text: "hi",
      confidence: null,
      speaker: "SPEAKER_02",
    };
    expect(
      placeChunkSegments([segment], {
        ...context(only, true),
        speaker: "speaker_1",
        speakerFromTrack: false,
      })[0].speaker,
    ).toBe("SPEAKER_02");
    expect(placeChunkSegments([segment], context(only, true))[0].speaker).toBe("agent");
  });
});

describe("mergeByTime", () => {
  const segment = (speaker: string, startMs: number, endMs: number): PlacedSegment => ({
    startMs,
    endMs,
    speaker,
    text: `${speaker}@${startMs}`,
    language: null,
    confidence: null,
  });

  it("interleaves tracks by start time, then end time, then track order", () => {
    const agent = [
      segment("agent", 0, 2_000),
      segment("agent", 5_000, 6_000),
      segment("agent", 9_000, 9_500),
    ];
    const customer = [
      segment("customer", 2_500, 4_000),
      segment("customer", 5_000, 5_500),
      segment("customer", 9_000, 9_500),
    ];
    expect(mergeByTime([agent, customer]).map((merged) => merged.text)).toEqual([
      "agent@0",
      "customer@2500",
      "customer@5000", // same start, ends first
      "agent@5000",
      "agent@9000", // identical times: first track first
      "customer@9000",
    ]);
  });

  it("orders within a track even when chunks finished out of order", () => {
    const track = [segment("agent", 700_000, 701_000), segment("agent", 10_000, 11_000)];
    expect(mergeByTime([track]).map((merged) => merged.startMs)).toEqual([10_000, 700_000]);
  });
});
