/**
 * The label-efficiency curve as `npm run eval -- curve` writes it (`<prefix>.json`, see
 * evals/commands/curve.ts). The server has no endpoint for curves yet, so the screen reads the
 * file the command wrote; this checks its shape and says what is wrong rather than drawing junk.
 */
import type { LabelEfficiencyPoint } from "../../../../core/eval/label-efficiency.ts";

export interface CurveReport {
  dataset: string;
  train: number;
  test: number;
  intents: number;
  seeds: number;
  points: LabelEfficiencyPoint[];
}

export class CurveFileError extends Error {
  override name = "CurveFileError";
}

const isNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

export function parseCurveReport(text: string): CurveReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CurveFileError(`not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object") throw new CurveFileError("not a JSON object");
  const report = value as Record<string, unknown>;
  if (!Array.isArray(report.points) || report.points.length === 0) {
    throw new CurveFileError("no points");
  }
  const points = report.points.map((entry, index): LabelEfficiencyPoint => {
    const point = entry as Record<string, unknown>;
    if (
      (point?.strategy !== "random" && point?.strategy !== "uncertainty") ||
      !isNumber(point.labelsPerIntent) ||
      !isNumber(point.totalLabels) ||
      !isNumber(point.accuracyMean) ||
      !(point.accuracyStd === null || isNumber(point.accuracyStd)) ||
      !Array.isArray(point.accuracies)
    ) {
      throw new CurveFileError(`point ${index + 1} is not a curve point`);
    }
    return point as unknown as LabelEfficiencyPoint;
  });
  return {
    dataset: typeof report.dataset === "string" ? report.dataset : "",
    train: isNumber(report.train) ? report.train : 0,
    test: isNumber(report.test) ? report.test : 0,
    intents: isNumber(report.intents) ? report.intents : 0,
    seeds: isNumber(report.seeds) ? report.seeds : 1,
    points,
  };
}
