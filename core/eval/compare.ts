/**
 * Comparing two eval runs: what moved overall, per label, and which cases flipped. Runs are
 * compared as they were recorded (each run's own cases), so the headline numbers here are the
 * numbers each run shows on its own; flips are computed on the cases both runs share (by id).
 */
import { ValidationError } from "../errors.ts";
import {
  classificationReport,
  latencySummary,
  type ClassificationReport,
  type LabelMetrics,
} from "./metrics.ts";

/** One scored case of a run, as stored. */
export interface RunCase {
  caseId: string;
  /** The case's utterance, when known, so a flipped case can be read rather than looked up. */
  text?: string | null;
  expected: string;
  /** null when the provider failed. */
  predicted: string | null;
  latencyMs?: number | null;
  costUsd?: number | null;
}

/** The headline numbers of a run; null when there is nothing to measure. */
export interface RunMetrics {
  accuracy: number | null;
  macroF1: number | null;
  microF1: number | null;
  /** Share of cases where the provider failed. */
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Total cost of the run; null when no case reported a cost. */
  costUsd: number | null;
}

export type RunMetricName = keyof RunMetrics;

/** Which way is better, so that gates and deltas can say "worse" without a table per caller. */
export const metricDirections: Record<RunMetricName, "higher" | "lower"> = {
  accuracy: "higher",
  macroF1: "higher",
  microF1: "higher",
  errorRate: "lower",
  latencyP50Ms: "lower",
  latencyP95Ms: "lower",
  costUsd: "lower",
};

export interface RunSummary {
  report: ClassificationReport;
  metrics: RunMetrics;
}

export function summarizeRun(
  cases: readonly RunCase[],
  options: { labels?: readonly string[] } = {},
): RunSummary {
  const report = classificationReport(cases, options);
  const latencies = cases.flatMap((testCase) =>
    typeof testCase.latencyMs === "number" ? [testCase.latencyMs] : [],
  );
  const costs = cases.flatMap((testCase) =>
    typeof testCase.costUsd === "number" ? [testCase.costUsd] : [],
  );
  const latency = latencySummary(latencies);
  return {
    report,
    metrics: {
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      microF1: report.microF1,
      errorRate: report.count === 0 ? null : report.errors / report.count,
      latencyP50Ms: latency.p50Ms,
      latencyP95Ms: latency.p95Ms,
      costUsd: costs.length === 0 ? null : costs.reduce((sum, cost) => sum + cost, 0),
    },
  };
}

export interface MetricDelta {
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline; null when either side is null. */
  delta: number | null;
}

export interface LabelDelta {
  label: string;
  /** null when the label has no row in that run (never expected nor predicted there). */
  baseline: LabelMetrics | null;
  candidate: LabelMetrics | null;
  precisionDelta: number | null;
  recallDelta: number | null;
  f1Delta: number | null;
}

export interface FlippedCase {
  caseId: string;
  text: string | null;
  baselineExpected: string;
  candidateExpected: string;
  baselinePredicted: string | null;
  candidatePredicted: string | null;
}

export interface RunComparison {
  metrics: Record<RunMetricName, MetricDelta>;
  perLabel: LabelDelta[];
  /** Shared cases the baseline got right and the candidate gets wrong: look here first. */
  rightToWrong: FlippedCase[];
  wrongToRight: FlippedCase[];
  matchedCases: number;
  onlyInBaseline: string[];
  onlyInCandidate: string[];
  /** Shared cases whose expected label differs between the runs (the dataset was relabelled). */
  relabelled: string[];
  baseline: RunSummary;
  candidate: RunSummary;
}

/**
 * Compares a candidate run with a baseline. Flips judge each run against its own expected label,
 * so a relabelled case can flip without the model changing; such cases are also listed in
 * `relabelled`. Flips follow the candidate's case order.
 */
export function compareRuns(
  baselineCases: readonly RunCase[],
  candidateCases: readonly RunCase[],
  options: { labels?: readonly string[] } = {},
): RunComparison {
  const baselineById = indexById(baselineCases, "baseline");
  const candidateById = indexById(candidateCases, "candidate");
  const baseline = summarizeRun(baselineCases, options);
  const candidate = summarizeRun(candidateCases, options);

  const metrics = {} as Record<RunMetricName, MetricDelta>;
  for (const name of Object.keys(metricDirections) as RunMetricName[]) {
    metrics[name] = deltaOf(baseline.metrics[name], candidate.metrics[name]);
  }

  const labels = [...new Set([...baseline.report.labels, ...candidate.report.labels])].sort(
    (left, right) => (left < right ? -1 : left > right ? 1 : 0),
  );
  const perLabel = labels.map((label): LabelDelta => {
    const before = Object.hasOwn(baseline.report.perLabel, label)
      ? baseline.report.perLabel[label]
      : null;
    const after = Object.hasOwn(candidate.report.perLabel, label)
      ? candidate.report.perLabel[label]
      : null;
    return {
      label,
      baseline: before,
      candidate: after,
      precisionDelta: deltaOf(before?.precision ?? null, after?.precision ?? null).delta,
      recallDelta: deltaOf(before?.recall ?? null, after?.recall ?? null).delta,
      f1Delta: deltaOf(before?.f1 ?? null, after?.f1 ?? null).delta,
    };
  });

  const rightToWrong: FlippedCase[] = [];
  const wrongToRight: FlippedCase[] = [];
  const relabelled: string[] = [];
  const onlyInCandidate: string[] = [];
  let matchedCases = 0;
  for (const after of candidateCases) {
    const before = baselineById.get(after.caseId);
    if (!before) {
      onlyInCandidate.push(after.caseId);
      continue;
    }
    matchedCases++;
    if (before.expected !== after.expected) relabelled.push(after.caseId);
    const wasRight = before.predicted === before.expected;
    const isRight = after.predicted === after.expected;
    if (wasRight === isRight) continue;
    const flipped: FlippedCase = {
      caseId: after.caseId,
      text: after.text ?? before.text ?? null,
      baselineExpected: before.expected,
      candidateExpected: after.expected,
      baselinePredicted: before.predicted,
      candidatePredicted: after.predicted,
    };
    (wasRight ? rightToWrong : wrongToRight).push(flipped);
  }
  const onlyInBaseline = baselineCases
    .filter((testCase) => !candidateById.has(testCase.caseId))
    .map((testCase) => testCase.caseId);

  return {
    metrics,
    perLabel,
    rightToWrong,
    wrongToRight,
    matchedCases,
    onlyInBaseline,
    onlyInCandidate,
    relabelled,
    baseline,
    candidate,
  };
}

function deltaOf(baseline: number | null, candidate: number | null): MetricDelta {
  return {
    baseline,
    candidate,
    delta: baseline === null || candidate === null ? null : candidate - baseline,
  };
}

function indexById(cases: readonly RunCase[], run: string): Map<string, RunCase> {
  const byId = new Map<string, RunCase>();
  for (const testCase of cases) {
    if (byId.has(testCase.caseId)) {
      throw new ValidationError(`${run} run has case "${testCase.caseId}" twice`, {
        caseId: testCase.caseId,
      });
    }
    byId.set(testCase.caseId, testCase);
  }
  return byId;
}
