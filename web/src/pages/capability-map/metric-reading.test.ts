import { describe, expect, it } from "vitest";
import { readMetric } from "./metric-reading.ts";

const summary = {
  invocations: 3,
  draftedItems: 30,
  decidedItems: 25,
  acceptedItems: 20,
  rejectedItems: 2,
  overriddenItems: 3,
  intentDecisions: 12,
  timedDecisions: 25,
  evalCases: 0,
  insufficientData: false,
  penetration: 0.6667,
  penetrationDecided: 0.8,
  interventionRate: 0.2,
  intentAccuracy: null,
  medianResponseMs: 2300,
  p90ResponseMs: 5100,
  evalAccuracy: null,
  agentInvocations: 4,
  aiCostUsd: 0.0123,
  calibrationBy: {
    rep: { decidedItems: 5, intervenedItems: 1, interventionRate: 0.2, timedDecisions: 5, meanResponseMs: 2000 },
    trainer: { decidedItems: 20, intervenedItems: 4, interventionRate: 0.2, timedDecisions: 20, meanResponseMs: 2500 },
  },
};

describe("readMetric", () => {
  it("reads a measured value, including a real zero", () => {
    expect(readMetric(summary, "penetration", 20)).toEqual({
      state: "value",
      value: 0.6667,
    });
    expect(readMetric({ ...summary, interventionRate: 0 }, "interventionRate", 20)).toEqual({
      state: "value",
      value: 0,
    });
  });

  it("says too little data when a metric's own population is under the threshold", () => {
    expect(readMetric(summary, "intentAccuracy", 20)).toEqual({
      state: "insufficient",
      have: 12,
      need: 20,
    });
  });

  it("marks a whole cell under the decided-items threshold as too little data", () => {
    const small = {
      ...summary,
      decidedItems: 4,
      insufficientData: true,
      penetration: null,
    };
    expect(readMetric(small, "penetration", 20)).toEqual({
      state: "insufficient",
      have: 4,
      need: 20,
    });
  });

  it("tells an empty cell from one with too little data", () => {
    const empty = {
      ...summary,
      invocations: 0,
      draftedItems: 0,
      decidedItems: 0,
      insufficientData: true,
      penetration: null,
    };
    expect(readMetric(empty, "penetration", 20)).toEqual({ state: "empty" });
    expect(readMetric(summary, "evalAccuracy", 20)).toEqual({ state: "empty" });
    expect(readMetric({ ...summary, evalCases: 5 }, "evalAccuracy", 20)).toEqual({
      state: "insufficient",
      have: 5,
      need: 20,
    });
  });
});
