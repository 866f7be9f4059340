/**
 * Dataset and eval-run shapes as the browser receives them (dates as strings), derived from the
 * server's types with `import type`.
 */
import type { Dataset as ServerDataset } from "../../../../core/dataset/datasets.ts";
import type { DatasetVersion as ServerDatasetVersion } from "../../../../core/dataset/datasets.ts";
import type { RunComparison, RunMetricName } from "../../../../core/eval/compare.ts";
import type {
  EvalMetrics,
  EvalResult as ServerEvalResult,
  EvalRun as ServerEvalRun,
} from "../../../../core/eval/eval-runs.ts";

type Dated<T, Keys extends keyof T> = Omit<T, Keys> & {
  [Key in Keys]: string | null;
};

export type Dataset = Dated<ServerDataset, "createdAt">;
export type DatasetVersion = Dated<ServerDatasetVersion, "createdAt">;

export type EvalRun = Dated<ServerEvalRun, "createdAt" | "startedAt" | "finishedAt">;
/** The list and comparison leave out the per-label table and the confusion matrix. */
export type EvalRunSummary = Omit<EvalRun, "metrics"> & {
  metrics: (Omit<EvalMetrics, "perLabel" | "confusion"> & Partial<EvalMetrics>) | null;
};
export type EvalResult = ServerEvalResult;
export type { EvalMetrics, RunMetricName };

export interface EvalComparison extends Omit<RunComparison, "baseline" | "candidate"> {
  baselineRun: EvalRunSummary;
  candidateRun: EvalRunSummary;
}

export type GateResponse =
  | { status: "pending"; runs: EvalRunSummary[] }
  | {
      status: "done";
      passed: boolean;
      reason: string;
      delta: number | null;
      metric: RunMetricName;
      margin: number;
      candidateRun: EvalRunSummary;
      baselineRun: EvalRunSummary | null;
    };

/** Which way is better for each run metric (the server's `metricDirections`, by type checked). */
export const runMetricBetter: Record<RunMetricName, "higher" | "lower"> = {
  accuracy: "higher",
  macroF1: "higher",
  microF1: "higher",
  errorRate: "lower",
  latencyP50Ms: "lower",
  latencyP95Ms: "lower",
  costUsd: "lower",
};

export const runMetricNames = Object.keys(runMetricBetter) as RunMetricName[];

export const finalRunStatuses = new Set<EvalRun["status"]>(["completed", "failed"]);

/** `name@version` of a dataset's latest version, as the API accepts it. */
export function datasetReference(dataset: Pick<Dataset, "name" | "latestVersion">): string {
  return dataset.latestVersion ? `${dataset.name}@${dataset.latestVersion}` : dataset.name;
}
