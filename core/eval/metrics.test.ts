import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import {
  actionItemAgreement,
  classificationReport,
  latencySummary,
  percentile,
  usageTotals,
  type ClassificationCase,
} from "./metrics.ts";

function casesOf(expected: string[], predicted: Array<string | null>): ClassificationCase[] {
  return expected.map((label, index) => ({
    expected: label,
    predicted: predicted[index],
  }));
}

describe("classificationReport", () => {
  // expected  a a a b b    c
  // predicted a a b b null a
  const mixed = casesOf(["a", "a", "a", "b", "b", "c"], ["a", "a", "b", "b", null, "a"]);

  it("computes accuracy, per-label scores and the confusion matrix by hand", () => {
    const report = classificationReport(mixed);
    expect(report.count).toBe(6);
    expect(report.correct).toBe(3);
    expect(report.errors).toBe(1);
    expect(report.accuracy).toBe(0.5);
    expect(report.labels).toEqual(["a", "b", "c"]);
    // a: 2 right of 3 predicted and 3 expected; b: 1 of 2 and 2; c: never predicted.
    expect(report.perLabel.a).toMatchObject({
      truePositives: 2,
      predicted: 3,
      support: 3,
    });
    expect(report.perLabel.a.precision).toBeCloseTo(2 / 3, 12);
    expect(report.perLabel.a.recall).toBeCloseTo(2 / 3, 12);
    expect(report.perLabel.a.f1).toBeCloseTo(2 / 3, 12);
    expect(report.perLabel.b).toMatchObject({
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      support: 2,
    });
    expect(report.perLabel.c).toEqual({
      precision: 0,
      recall: 0,
      f1: 0,
      support: 1,
      predicted: 0,
      truePositives: 0,
    });
    expect(report.confusion).toEqual({
      rows: ["a", "b", "c"],
      columns: ["a", "b", "c", null],
      counts: [
        [2, 1, 0, 0],
        [0, 1, 0, 1],
        [1, 0, 0, 0],
      ],
    });
  });

  it("averages F1 per label for macro and pools counts for micro", () => {
    const report = classificationReport(mixed);
    // macro-F1 = (2/3 + 1/2 + 0) / 3 = 7/18
    expect(report.macroF1).toBeCloseTo(7 / 18, 12);
    expect(report.macroPrecision).toBeCloseTo(7 / 18, 12);
    expect(report.macroRecall).toBeCloseTo(7 / 18, 12);
    // micro: 3 right of 5 predictions (the error predicts nothing) and of 6 cases.
    expect(report.microPrecision).toBeCloseTo(3 / 5, 12);
    expect(report.microRecall).toBeCloseTo(1 / 2, 12);
    expect(report.microF1).toBeCloseTo(6 / 11, 12);
  });

  it("counts a label seen only in predictions against macro-F1", () => {
    const report = classificationReport(casesOf(["a", "a", "b"], ["a", "c", "b"]));
    expect(report.labels).toEqual(["a", "b", "c"]);
    expect(report.averagedLabels).toEqual(["a", "b", "c"]);
    expect(report.perLabel.c).toMatchObject({
      support: 0,
      predicted: 1,
      precision: 0,
      f1: 0,
    });
    // a: P 1, R 1/2, F1 2/3; b: 1; c: 0 → (2/3 + 1 + 0) / 3 = 5/9.
    expect(report.macroF1).toBeCloseTo(5 / 9, 12);
    // With no null predictions micro-F1 equals accuracy.
    expect(report.microF1).toBeCloseTo(2 / 3, 12);
    expect(report.accuracy).toBeCloseTo(2 / 3, 12);
  });

  it("with a given label set, averages over it and keeps outside predictions as wrong", () => {
    const report = classificationReport(casesOf(["a", "a", "b"], ["a", "c", "b"]), {
      labels: ["a", "b", "d"],
    });
    expect(report.labels).toEqual(["a", "b", "d"]);
    // d has no support and no predictions: excluded from the averages.
    expect(report.averagedLabels).toEqual(["a", "b"]);
    expect(report.perLabel.d).toMatchObject({
      support: 0,
      predicted: 0,
      f1: 0,
    });
    expect(report.perLabel.c).toBeUndefined();
    expect(report.unknownPredictions).toEqual(["c"]);
    expect(report.macroF1).toBeCloseTo((2 / 3 + 1) / 2, 12);
    // micro: 2 right of 2 predictions inside the set, of 3 cases → F1 = 2·1·(2/3) / (5/3) = 4/5.
    expect(report.microPrecision).toBe(1);
    expect(report.microRecall).toBeCloseTo(2 / 3, 12);
    expect(report.microF1).toBeCloseTo(4 / 5, 12);
    expect(report.accuracy).toBeCloseTo(2 / 3, 12);
    expect(report.confusion.columns).toEqual(["a", "b", "d", "c", null]);
    expect(report.confusion.counts[0]).toEqual([1, 0, 0, 1, 0]);
  });

  it("scores all-wrong as 0, not null", () => {
    const report = classificationReport(casesOf(["a", "b"], ["b", "a"]));
    expect(report.accuracy).toBe(0);
    expect(report.macroF1).toBe(0);
    expect(report.microF1).toBe(0);
    expect(report.confusion.counts).toEqual([
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });

  it("scores a run of nothing but errors as 0", () => {
    const report = classificationReport(casesOf(["a", "b"], [null, null]));
    expect(report).toMatchObject({
      accuracy: 0,
      errors: 2,
      microPrecision: 0,
      microF1: 0,
      macroF1: 0,
    });
    expect(report.confusion.columns).toEqual(["a", "b", null]);
    expect(report.confusion.counts).toEqual([
      [0, 0, 1],
      [0, 0, 1],
    ]);
  });

  it("returns null metrics with count 0 for empty input", () => {
    const report = classificationReport([], { labels: ["a", "b"] });
    expect(report).toMatchObject({
      count: 0,
      correct: 0,
      accuracy: null,
      macroF1: null,
      microF1: null,
      microPrecision: null,
      averagedLabels: [],
    });
    expect(report.perLabel.a).toMatchObject({ support: 0, predicted: 0 });
    expect(report.confusion.counts).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(classificationReport([]).labels).toEqual([]);
  });

  it("works with Chinese labels and sorts labels the same on every machine", () => {
    const report = classificationReport(casesOf(["异议", "报价", "B"], ["异议", "异议", "B"]));
    expect(report.labels).toEqual(["B", "异议", "报价"]);
    expect(report.perLabel["异议"].precision).toBe(0.5);
  });

  it("treats labels that are names of Object's properties as plain labels", () => {
    const report = classificationReport(
      casesOf(["constructor", "__proto__"], ["constructor", "toString"]),
    );
    expect(report.perLabel.constructor).toMatchObject({ support: 1, truePositives: 1, f1: 1 });
    expect(Object.hasOwn(report.perLabel, "__proto__")).toBe(true);
    expect(report.perLabel.toString).toMatchObject({ predicted: 1, f1: 0 });
    expect(report.macroF1).toBeCloseTo(1 / 3, 12);
  });

  it("rejects an expected label outside the set and a repeated label", () => {
    expect(() => classificationReport(casesOf(["x"], ["x"]), { labels: ["a"] })).toThrow(
      ValidationError,
    );
    expect(() => classificationReport([], { labels: ["a", "a"] })).toThrow(/repeat/);
  });
});

describe("percentile", () => {
  it("interpolates linearly between closest ranks", () => {
    // rank = p/100 × (n − 1): p50 → 1.5 → 25; p95 → 2.85 → 30 + 0.85 × 10 = 38.5.
    expect(percentile([40, 10, 30, 20], 50)).toBe(25);
    expect(percentile([10, 20, 30, 40], 95)).toBeCloseTo(38.5, 12);
    expect(percentile([10, 20, 30, 40], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40], 100)).toBe(40);
    expect(percentile([10, 20, 30], 50)).toBe(20);
  });

  it("handles ties, one value and no values", () => {
    expect(percentile([5, 5, 5, 10], 50)).toBe(5);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it("rejects p outside [0, 100] and values that are not numbers", () => {
    expect(() => percentile([1], 101)).toThrow(ValidationError);
    expect(() => percentile([1], Number.NaN)).toThrow(ValidationError);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(/values\[1\]/);
  });
});

describe("latencySummary", () => {
  it("summarises latencies", () => {
    // sorted 100 200 300 400 1000: p95 rank 3.8 → 400 + 0.8 × 600 = 880.
    const summary = latencySummary([100, 300, 200, 1000, 400]);
    expect(summary).toMatchObject({
      count: 5,
      meanMs: 400,
      p50Ms: 300,
      minMs: 100,
      maxMs: 1000,
    });
    expect(summary.p95Ms).toBeCloseTo(880, 9);
    expect(latencySummary([])).toEqual({
      count: 0,
      meanMs: null,
      p50Ms: null,
      p95Ms: null,
      minMs: null,
      maxMs: null,
    });
  });
});

describe("usageTotals", () => {
  it("adds tokens and costs, and counts results without cost and cache hits", () => {
    const totals = usageTotals([
      { tokenUsage: { input: 10, output: 5 }, costUsd: 0.01 },
      { tokenUsage: { input: 10, output: 5 }, costUsd: 0, cached: true },
      {},
      { tokenUsage: { input: 3, output: 4 }, costUsd: 0.02 },
    ]);
    expect(totals).toMatchObject({
      inputTokens: 23,
      outputTokens: 14,
      totalTokens: 37,
      casesWithoutCost: 1,
      cachedCases: 1,
    });
    expect(totals.costUsd).toBeCloseTo(0.03, 12);
    expect(usageTotals([])).toMatchObject({
      totalTokens: 0,
      costUsd: 0,
      casesWithoutCost: 0,
    });
  });
});

describe("actionItemAgreement", () => {
  const drafted = ["d1", "d2", "d3", "d4", "d5"].map((id) => ({ id }));

  it("computes strict and lenient precision and recall by hand", () => {
    const agreement = actionItemAgreement(drafted, [
      { itemId: "d1", decision: "accepted" },
      { itemId: "d2", decision: "accepted" },
      { itemId: "d3", decision: "edited" },
      { itemId: "d4", decision: "rejected" },
      { itemId: "h1", decision: "added" },
      { itemId: "h2", decision: "added" },
    ]);
    expect(agreement).toMatchObject({
      drafted: 5,
      accepted: 2,
      edited: 1,
      rejected: 1,
      added: 2,
      undecided: 1,
    });
    // strict: 2 hits / 4 decided drafted = 0.5; 2 / 5 kept (d1 d2 d3 h1 h2) = 0.4; F1 = 4/9.
    expect(agreement.strict.precision).toBe(0.5);
    expect(agreement.strict.recall).toBe(0.4);
    expect(agreement.strict.f1).toBeCloseTo(4 / 9, 12);
    // lenient: 3 / 4 and 3 / 5; F1 = 2 · 0.75 · 0.6 / 1.35 = 2/3.
    expect(agreement.lenient.precision).toBe(0.75);
    expect(agreement.lenient.recall).toBe(0.6);
    expect(agreement.lenient.f1).toBeCloseTo(2 / 3, 12);
  });

  it("returns nulls when nothing was decided, and 0 when everything was rejected", () => {
    expect(actionItemAgreement([], []).strict).toEqual({
      precision: null,
      recall: null,
      f1: null,
    });
    const rejected = actionItemAgreement([{ id: "d1" }], [{ itemId: "d1", decision: "rejected" }]);
    expect(rejected.strict).toEqual({ precision: 0, recall: null, f1: null });
    const missedAll = actionItemAgreement(
      [{ id: "d1" }],
      [
        { itemId: "d1", decision: "rejected" },
        { itemId: "h1", decision: "added" },
      ],
    );
    expect(missedAll.lenient).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it("rejects decisions that do not fit the drafted items", () => {
    expect(() => actionItemAgreement(drafted, [{ itemId: "zz", decision: "accepted" }])).toThrow(
      /not drafted/,
    );
    expect(() => actionItemAgreement(drafted, [{ itemId: "d1", decision: "added" }])).toThrow(
      /cannot be "added"/,
    );
    expect(() =>
      actionItemAgreement(drafted, [
        { itemId: "d1", decision: "accepted" },
        { itemId: "d1", decision: "rejected" },
      ]),
    ).toThrow(/more than one decision/);
    expect(() =>
      actionItemAgreement(drafted, [{ itemId: "d1", decision: "constructor" as never }]),
    ).toThrow(/unknown decision/);
    expect(() => actionItemAgreement([{ id: "d1" }, { id: "d1" }], [])).toThrow(/twice/);
  });
});
