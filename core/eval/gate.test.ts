import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { summarizeRun } from "./compare.ts";
import { gate } from "./gate.ts";

describe("gate", () => {
  it("passes a candidate exactly at the margin despite floating-point error", () => {
    expect(0.7 - 0.8 < -0.1).toBe(true); // the trap this guards against
    const result = gate({
      candidate: { macroF1: 0.7 },
      baseline: { macroF1: 0.8 },
      margin: 0.1,
      metric: "macroF1",
    });
    expect(result.passed).toBe(true);
    expect(result.delta).toBeCloseTo(-0.1, 12);
  });

  it("fails a candidate worse by more than the margin, saying by how much", () => {
    const result = gate({
      candidate: { accuracy: 0.79 },
      baseline: { accuracy: 0.85 },
      margin: 0.05,
      metric: "accuracy",
    });
    expect(result.passed).toBe(false);
    expect(result.delta).toBeCloseTo(-0.06, 12);
    expect(result.reason).toBe("accuracy 0.79 is 0.06 below baseline 0.85 (allowed margin 0.05)");
  });

  it("treats lower as better for latency, cost and error rate", () => {
    const baseline = { latencyP95Ms: 1000 };
    const worse = gate({
      candidate: { latencyP95Ms: 1200 },
      baseline,
      margin: 100,
      metric: "latencyP95Ms",
    });
    expect(worse).toMatchObject({ passed: false, delta: 200 });
    expect(worse.reason).toContain("200 above baseline 1000");
    expect(
      gate({
        candidate: { latencyP95Ms: 1100 },
        baseline,
        margin: 100,
        metric: "latencyP95Ms",
      }).passed,
    ).toBe(true);
    const better = gate({
      candidate: { latencyP95Ms: 900 },
      baseline,
      margin: 0,
      metric: "latencyP95Ms",
    });
    expect(better).toMatchObject({ passed: true, delta: -100 });
    expect(better.reason).toContain("100 better than baseline");
    expect(
      gate({
        candidate: { errorRate: 0.1 },
        baseline: { errorRate: 0 },
        margin: 0.05,
        metric: "errorRate",
      }).passed,
    ).toBe(false);
  });

  it("passes with a zero margin when equal, and fails on any drop", () => {
    expect(
      gate({
        candidate: { macroF1: 0.7 },
        baseline: { macroF1: 0.7 },
        margin: 0,
        metric: "macroF1",
      }),
    ).toMatchObject({
      passed: true,
      reason: "macroF1 0.7 is equal to baseline 0.7 (allowed margin 0)",
    });
    expect(
      gate({
        candidate: { macroF1: 0.69 },
        baseline: { macroF1: 0.7 },
        margin: 0,
        metric: "macroF1",
      }).passed,
    ).toBe(false);
  });

  it("passes without a baseline value and fails without a candidate value", () => {
    expect(
      gate({
        candidate: { macroF1: 0.5 },
        baseline: null,
        margin: 0,
        metric: "macroF1",
      }),
    ).toMatchObject({
      passed: true,
      delta: null,
    });
    expect(
      gate({
        candidate: { macroF1: 0.5 },
        baseline: { macroF1: null },
        margin: 0,
        metric: "macroF1",
      }).passed,
    ).toBe(true);
    const empty = summarizeRun([]).metrics;
    expect(
      gate({
        candidate: empty,
        baseline: { macroF1: 0.5 },
        margin: 1,
        metric: "macroF1",
      }),
    ).toMatchObject({
      passed: false,
      delta: null,
    });
  });

  it("works on summarised runs", () => {
    const baseline = summarizeRun([
      { caseId: "1", expected: "a", predicted: "a" },
      { caseId: "2", expected: "b", predicted: "b" },
    ]).metrics;
    const candidate = summarizeRun([
      { caseId: "1", expected: "a", predicted: "a" },
      { caseId: "2", expected: "b", predicted: null },
    ]).metrics;
    expect(gate({ candidate, baseline, margin: 0.1, metric: "accuracy" })).toMatchObject({
      passed: false,
      delta: -0.5,
    });
  });

  it("rejects a negative margin and an unknown metric", () => {
    expect(() => gate({ candidate: {}, baseline: null, margin: -0.1, metric: "accuracy" })).toThrow(
      ValidationError,
    );
    for (const metric of ["speed", "toString"]) {
      expect(() =>
        gate({ candidate: {}, baseline: null, margin: 0, metric: metric as never }),
      ).toThrow(/unknown metric/);
    }
  });
});
