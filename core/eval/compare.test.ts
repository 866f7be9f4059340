import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { compareRuns, summarizeRun, type RunCase } from "./compare.ts";

function runCase(
  caseId: string,
  expected: string,
  predicted: string | null,
  extra: Partial<RunCase> = {},
): RunCase {
  return { caseId, expected, predicted, ...extra };
}

describe("summarizeRun", () => {
  it("derives error rate, latency percentiles and total cost", () => {
    const { metrics } = summarizeRun([
      runCase("c1", "a", "a", { latencyMs: 100, costUsd: 0.25 }),
      runCase("c2", "a", null, { latencyMs: 300, costUsd: 0.5 }),
      runCase("c3", "b", "b", { latencyMs: 200 }),
      runCase("c4", "b", "a"),
    ]);
    expect(metrics.accuracy).toBe(0.5);
    expect(metrics.errorRate).toBe(0.25);
    expect(metrics.latencyP50Ms).toBe(200);
    // sorted 100 200 300: rank 0.95 × 2 = 1.9 → 200 + 0.9 × 100.
    expect(metrics.latencyP95Ms).toBeCloseTo(290, 9);
    expect(metrics.costUsd).toBe(0.75);
  });

  it("has no metrics for an empty run", () => {
    expect(summarizeRun([]).metrics).toEqual({
      accuracy: null,
      macroF1: null,
      microF1: null,
      errorRate: null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      costUsd: null,
    });
  });
});

describe("compareRuns", () => {
  const cost = { costUsd: 0.01 };
  const baseline = [
    runCase("c1", "a", "a", { latencyMs: 100, ...cost }),
    runCase("c2", "a", "b", { latencyMs: 200, ...cost }),
    runCase("c3", "b", "b", { latencyMs: 300, ...cost }),
    runCase("c4", "b", null, { latencyMs: 400, ...cost }),
    runCase("c5", "a", "a", { latencyMs: 500, ...cost }),
  ];
  const candidate = [
    runCase("c1", "a", "b"),
    runCase("c2", "a", "a"),
    runCase("c3", "b", "b"),
    runCase("c4", "b", "b"),
    runCase("c6", "b", "a"),
  ];

  it("reports metric deltas as candidate − baseline", () => {
    const comparison = compareRuns(baseline, candidate);
    // Both runs get 3 of 5 right; the baseline has one error, the candidate none.
    expect(comparison.metrics.accuracy).toEqual({
      baseline: 0.6,
      candidate: 0.6,
      delta: 0,
    });
    expect(comparison.metrics.errorRate).toEqual({
      baseline: 0.2,
      candidate: 0,
      delta: -0.2,
    });
    expect(comparison.metrics.latencyP50Ms).toEqual({
      baseline: 300,
      candidate: null,
      delta: null,
    });
    expect(comparison.metrics.costUsd.baseline).toBeCloseTo(0.05, 12);
    expect(comparison.metrics.costUsd.delta).toBeNull();
  });

  it("reports per-label deltas computed by hand", () => {
    const { perLabel } = compareRuns(baseline, candidate);
    expect(perLabel.map((row) => row.label)).toEqual(["a", "b"]);
    const [a, b] = perLabel;
    // a: baseline P 2/2, R 2/3, F1 0.8 → candidate P 1/2, R 1/2, F1 0.5.
    expect(a.baseline?.f1).toBeCloseTo(0.8, 12);
    expect(a.candidate?.f1).toBeCloseTo(0.5, 12);
    expect(a.f1Delta).toBeCloseTo(-0.3, 12);
    expect(a.precisionDelta).toBeCloseTo(-0.5, 12);
    // b: baseline P 1/2, R 1/2 → candidate P 2/3, R 2/3.
    expect(b.f1Delta).toBeCloseTo(2 / 3 - 1 / 2, 12);
    expect(b.recallDelta).toBeCloseTo(2 / 3 - 1 / 2, 12);
  });

  it("lists flipped cases by id, and the cases only one run has", () => {
    const comparison = compareRuns(baseline, candidate);
    expect(comparison.rightToWrong).toEqual([
      {
        caseId: "c1",
        text: null,
        baselineExpected: "a",
        candidateExpected: "a",
        baselinePredicted: "a",
        candidatePredicted: "b",
      },
    ]);
    expect(comparison.wrongToRight.map((flip) => flip.caseId)).toEqual(["c2", "c4"]);
    expect(comparison.wrongToRight[1].baselinePredicted).toBeNull();
    expect(comparison.matchedCases).toBe(4);
    expect(comparison.onlyInBaseline).toEqual(["c5"]);
    expect(comparison.onlyInCandidate).toEqual(["c6"]);
    expect(comparison.relabelled).toEqual([]);
  });

  it("flags relabelled cases and judges each run against its own label", () => {
    const comparison = compareRuns([runCase("c1", "a", "a")], [runCase("c1", "b", "a")]);
    expect(comparison.relabelled).toEqual(["c1"]);
    expect(
      compareRuns([runCase("c1", "a", "a", { text: "Too expensive." })], [runCase("c1", "a", "b")])
        .rightToWrong[0].text,
    ).toBe("Too expensive.");
    expect(comparison.rightToWrong[0]).toMatchObject({
      baselineExpected: "a",
      candidateExpected: "b",
    });
  });

  it("gives a label missing from one run a null side", () => {
    const { perLabel } = compareRuns([runCase("c1", "a", "a")], [runCase("c1", "a", "z")]);
    const z = perLabel.find((row) => row.label === "z");
    expect(z?.baseline).toBeNull();
    expect(z?.candidate).toMatchObject({ predicted: 1, support: 0 });
    expect(z?.f1Delta).toBeNull();
  });

  it("does not mistake a label named like an Object property for a row", () => {
    const { perLabel } = compareRuns(
      [runCase("c1", "a", "a")],
      [runCase("c1", "a", "constructor")],
    );
    expect(perLabel.find((row) => row.label === "constructor")?.baseline).toBeNull();
  });

  it("rejects a run with a repeated case id", () => {
    expect(() => compareRuns([runCase("c1", "a", "a"), runCase("c1", "a", "b")], [])).toThrow(
      ValidationError,
    );
  });
});
