import { describe, expect, it } from "vitest";
import { CurveFileError, parseCurveReport } from "./curve-report.ts";

const point = (strategy: string, size: number, mean: number) => ({
  strategy,
  labelsPerIntent: size,
  totalLabels: size * 3,
  accuracyMean: mean,
  accuracyStd: 0.02,
  accuracies: [mean - 0.02, mean + 0.02],
});

describe("parseCurveReport", () => {
  it("reads the report the curve command writes", () => {
    const report = parseCurveReport(
      JSON.stringify({
        dataset: "calls@2",
        train: 120,
        test: 30,
        intents: 3,
        sizes: [1, 5],
        seeds: 2,
        strategies: ["random", "uncertainty"],
        batchSize: null,
        seconds: 1.2,
        points: [point("random", 1, 0.4), point("uncertainty", 5, 0.8)],
      }),
    );
    expect(report.dataset).toBe("calls@2");
    expect(report.seeds).toBe(2);
    expect(report.points.map((entry) => [entry.strategy, entry.labelsPerIntent])).toEqual([
      ["random", 1],
      ["uncertainty", 5],
    ]);
  });

  it("names what is wrong with a file that is not a curve", () => {
    expect(() => parseCurveReport("not json")).toThrow(CurveFileError);
    expect(() => parseCurveReport("[]")).toThrow("no points");
    expect(() => parseCurveReport(JSON.stringify({ points: [{ strategy: "random" }] }))).toThrow(
      "point 1",
    );
    expect(() => parseCurveReport(JSON.stringify({ points: [point("greedy", 1, 0.5)] }))).toThrow(
      "point 1",
    );
  });
});
