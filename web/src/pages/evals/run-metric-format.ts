/** How each run metric reads: rates as percentages, latencies as durations, cost in dollars. */
import type { InsightFormatters } from "../../components/insight-format.ts";
import type { RunMetricName } from "./types.ts";

export function formatRunMetric(
  format: InsightFormatters,
  metric: RunMetricName,
  value: number | null | undefined,
): string {
  switch (metric) {
    case "latencyP50Ms":
    case "latencyP95Ms":
      return format.milliseconds(value);
    case "costUsd":
      return format.usd(value);
    default:
      return format.percentPrecise(value);
  }
}

export function formatRunDelta(
  format: InsightFormatters,
  metric: RunMetricName,
  delta: number | null | undefined,
): string {
  switch (metric) {
    case "latencyP50Ms":
    case "latencyP95Ms":
      return format.signedMilliseconds(delta);
    case "costUsd":
      return format.signedUsd(delta);
    default:
      return format.signedPercent(delta);
  }
}

/**
 * A delta at the precision it is shown with, so a change too small to print (0.4 ms on 500 ms, 0.01 %)
 * reads as no change rather than an arrow next to "0".
 */
export function displayedDelta(metric: RunMetricName, delta: number | null): number | null {
  if (delta === null) return null;
  switch (metric) {
    case "latencyP50Ms":
    case "latencyP95Ms":
      // Under 10 ms the format keeps two significant digits (see insight-format.ts).
      return Math.abs(delta) < 10 ? Number(delta.toPrecision(2)) : Math.round(delta);
    case "costUsd":
      return Math.round(delta * 10_000) / 10_000;
    default:
      return Math.round(delta * 1000) / 1000;
  }
}
