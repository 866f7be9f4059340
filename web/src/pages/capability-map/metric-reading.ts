/**
 * How each capability-map metric reads in a cell: its number, or why there is none. A cell with
 * some data below the threshold is "too little data" (hatched, never coloured); a cell with no
 * data at all is "no data". Intent and eval accuracy have their own populations, so they have
 * their own thresholds (see core/capability-map/README.md).
 */
import type { Better } from "../../components/delta.tsx";
import type { InsightFormatters } from "../../components/insight-format.ts";
import type { CapabilityCell, MetricName } from "./types.ts";

export type MetricKind = "rate" | "duration" | "count" | "usd";

export const metricKinds: Record<MetricName, MetricKind> = {
  penetration: "rate",
  penetrationDecided: "rate",
  interventionRate: "rate",
  intentAccuracy: "rate",
  medianResponseMs: "duration",
  p90ResponseMs: "duration",
  evalAccuracy: "rate",
  agentInvocations: "count",
  aiCostUsd: "usd",
};

/** Which way is an improvement: more AI accepted and more accuracy, less intervention and waiting. */
export const metricBetter: Record<MetricName, Better> = {
  penetration: "higher",
  penetrationDecided: "higher",
  interventionRate: "lower",
  intentAccuracy: "higher",
  medianResponseMs: "lower",
  p90ResponseMs: "lower",
  evalAccuracy: "higher",
  // More invocations means the AI is used more; a lower cost for the same work is better.
  agentInvocations: "higher",
  aiCostUsd: "lower",
};

export type CellReading =
  | { state: "value"; value: number }
  | { state: "insufficient"; have: number; need: number }
  | { state: "empty" };

type Summary = Omit<CapabilityCell, "teamId" | "stage" | "previous" | "delta">;

/** The population a metric is measured over, and how much of it there is. */
function population(summary: Summary, metric: MetricName): number {
  switch (metric) {
    case "intentAccuracy":
      return summary.intentDecisions;
    case "evalAccuracy":
      return summary.evalCases;
    case "penetration":
      return summary.draftedItems;
    default:
      return summary.decidedItems;
  }
}

export function readMetric(summary: Summary, metric: MetricName, minimum: number): CellReading {
  const value = summary[metric];
  if (value !== null && value !== undefined) return { state: "value", value };
  // Counted from traces: no trace is no data, never "too little".
  if (metric === "agentInvocations" || metric === "aiCostUsd") return { state: "empty" };
  if (metric === "evalAccuracy") {
    return summary.evalCases === 0
      ? { state: "empty" }
      : { state: "insufficient", have: summary.evalCases, need: minimum };
  }
  if (summary.draftedItems === 0 && summary.decidedItems === 0) return { state: "empty" };
  if (summary.insufficientData) {
    return { state: "insufficient", have: summary.decidedItems, need: minimum };
  }
  const have = population(summary, metric);
  return have < minimum ? { state: "insufficient", have, need: minimum } : { state: "empty" };
}

export function formatMetric(
  format: InsightFormatters,
  metric: MetricName,
  value: number | null | undefined,
): string {
  switch (metricKinds[metric]) {
    case "rate":
      return format.percentPrecise(value);
    case "count":
      return format.count(value);
    case "usd":
      return format.usd(value);
    default:
      return format.milliseconds(value);
  }
}

export function formatMetricDelta(
  format: InsightFormatters,
  metric: MetricName,
  delta: number | null | undefined,
): string {
  switch (metricKinds[metric]) {
    case "rate":
      return format.signedPercent(delta);
    case "count":
      return typeof delta === "number" && delta > 0 ? `+${format.count(delta)}` : format.count(delta);
    case "usd":
      return format.signedUsd(delta);
    default:
      return format.signedMilliseconds(delta);
  }
}
