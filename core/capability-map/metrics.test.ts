import { describe, expect, it } from "vitest";
import type { CellCounts } from "./metrics.ts";
import {
  addCounts,
  emptyCounts,
  metricDeltas,
  parseMetricNames,
  summariseCell,
} from "./metrics.ts";
import { histogramOf } from "./response-histogram.ts";

function counts(overrides: Partial<CellCounts>): CellCounts {
  return { ...emptyCounts(), ...overrides };
}

describe("summariseCell", () => {
  const cell = counts({
    invocations: 3,
    draftedItems: 40,
    decidedItems: 25,
    acceptedItems: 19,
    rejectedItems: 2,
    overriddenItems: 4,
    intentDecisions: 20,
    intentAccepted: 15,
    timedDecisions: 26,
    responseHistogram: histogramOf(Array.from({ length: 26 }, () => 110)),
  });

  it("counts undecided items against penetration but not against the decided-only variant", () => {
    const summary = summariseCell(cell, { minimumDecidedItems: 20 });
    expect(summary.penetration).toBe(0.475); // 19 / 40
    expect(summary.penetrationDecided).toBe(0.76); // 19 / 25
    expect(summary.interventionRate).toBe(0.24); // (2 + 4) / 25
    expect(summary.intentAccuracy).toBe(0.75); // 15 / 20
    expect(summary.medianResponseMs).toBe(110);
    expect(summary.insufficientData).toBe(false);
  });

  it("keeps the counts but nulls every metric below the minimum", () => {
    const summary = summariseCell(cell, { minimumDecidedItems: 26 });
    expect(summary.insufficientData).toBe(true);
    expect(summary.decidedItems).toBe(25);
    expect(summary.draftedItems).toBe(40);
    for (const metric of [
      "penetration",
      "penetrationDecided",
      "interventionRate",
      "intentAccuracy",
      "medianResponseMs",
      "p90ResponseMs",
    ] as const) {
      expect(summary[metric]).toBeNull();
    }
  });

  it("gates intent and eval accuracy on their own counts", () => {
    const summary = summariseCell(
      { ...cell, intentDecisions: 5, intentAccepted: 5, evalCases: 30, evalCorrect: 24 },
      { minimumDecidedItems: 20 },
    );
    expect(summary.intentAccuracy).toBeNull();
    expect(summary.evalAccuracy).toBe(0.8);
    expect(
      summariseCell(counts({ evalCases: 30, evalCorrect: 24 }), { minimumDecidedItems: 20 })
        .evalAccuracy,
    ).toBe(0.8);
  });

  it("gives null, not 0, when there is nothing to measure", () => {
    const summary = summariseCell(emptyCounts(), { minimumDecidedItems: 1 });
    expect(summary.insufficientData).toBe(true);
    expect(
      summariseCell(counts({ decidedItems: 0 }), { minimumDecidedItems: 0 }).penetration,
    ).toBeNull();
  });
});

describe("addCounts and deltas", () => {
  it("adds every count and merges histograms", () => {
    const total = emptyCounts();
    addCounts(
      total,
      counts({ draftedItems: 2, decidedItems: 1, responseHistogram: histogramOf([1_000]) }),
    );
    addCounts(
      total,
      counts({ draftedItems: 3, decidedItems: 2, responseHistogram: histogramOf([1_000, 50]) }),
    );
    expect(total.draftedItems).toBe(5);
    expect(total.decidedItems).toBe(3);
    expect([...total.responseHistogram.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("subtracts the previous value and leaves null where either side is missing", () => {
    const now = summariseCell(counts({ draftedItems: 10, decidedItems: 10, acceptedItems: 6 }), {
      minimumDecidedItems: 1,
    });
    const before = summariseCell(
      counts({ draftedItems: 10, decidedItems: 10, acceptedItems: 3, rejectedItems: 7 }),
      { minimumDecidedItems: 1 },
    );
    expect(
      metricDeltas(now, before, ["penetration", "interventionRate", "intentAccuracy"]),
    ).toEqual({
      penetration: 0.3,
      interventionRate: -0.7,
      intentAccuracy: null,
    });
  });

  it("splits calibration between the call's rep and trainers without changing the totals", () => {
    const cell = summariseCell(
      counts({
        draftedItems: 10,
        decidedItems: 8,
        acceptedItems: 5,
        rejectedItems: 2,
        overriddenItems: 1,
        timedDecisions: 9,
        responseMsSum: 9_000,
        repDecidedItems: 3,
        repIntervenedItems: 2,
        repTimedDecisions: 4,
        repResponseMsSum: 2_000,
      }),
      { minimumDecidedItems: 3 },
    );
    expect(cell.interventionRate).toBe(0.375);
    expect(cell.calibrationBy.rep).toEqual({
      decidedItems: 3,
      intervenedItems: 2,
      interventionRate: 0.6667,
      timedDecisions: 4,
      meanResponseMs: 500,
    });
    expect(cell.calibrationBy.trainer).toEqual({
      decidedItems: 5,
      intervenedItems: 1,
      interventionRate: 0.2,
      timedDecisions: 5,
      meanResponseMs: 1400,
    });
    // Below the minimum on one side: that side's rate is null, the other's stands.
    const few = summariseCell(counts({ decidedItems: 4, acceptedItems: 4, repDecidedItems: 1 }), {
      minimumDecidedItems: 3,
    });
    expect(few.calibrationBy.rep.interventionRate).toBeNull();
    expect(few.calibrationBy.trainer.interventionRate).toBe(0);
  });

  it("parses comma-separated metric names and reports unknown ones", () => {
    expect(parseMetricNames(["penetration,interventionRate", "penetration", " "])).toEqual({
      metrics: ["penetration", "interventionRate"],
      unknown: [],
    });
    expect(parseMetricNames(["accuracy"]).unknown).toEqual(["accuracy"]);
  });
});
