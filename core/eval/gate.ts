/**
 * A regression gate: does a candidate (a new prompt-set version, a retrained local model) keep
 * up with the baseline on one metric? Used before promoting a version to production.
 */
import { ValidationError } from "../errors.ts";
import { metricDirections, type RunMetricName, type RunMetrics } from "./compare.ts";

export interface GateInput {
  candidate: Partial<RunMetrics>;
  /** null when there is no earlier run to compare with. */
  baseline: Partial<RunMetrics> | null;
  /** How much worse the candidate may be, in the metric's own units (0.02 = two points of F1). */
  margin: number;
  metric: RunMetricName;
}

export interface GateResult {
  passed: boolean;
  reason: string;
  /** candidate − baseline (positive is higher, whichever way is better); null when not comparable. */
  delta: number | null;
}

/**
 * Floating-point slack: 0.7 − 0.8 is −0.10000000000000009, and a candidate exactly at the
 * margin must pass.
 */
const tolerance = 1e-9;

/**
 * Fails when the candidate is worse than the baseline by more than `margin` (worse means lower
 * for accuracy and F1, higher for error rate, latency and cost). Being exactly `margin` worse
 * passes. With no baseline value the gate passes (nothing to regress from) and says so; a
 * candidate without a value fails, since an empty or broken run must not be promoted.
 */
export function gate({ candidate, baseline, margin, metric }: GateInput): GateResult {
  const direction = Object.hasOwn(metricDirections, metric) ? metricDirections[metric] : undefined;
  if (!direction) throw new ValidationError(`unknown metric "${String(metric)}"`);
  if (!(Number.isFinite(margin) && margin >= 0)) {
    throw new ValidationError(`margin must be a number ≥ 0, got ${margin}`);
  }

  const candidateValue = candidate[metric] ?? null;
  const baselineValue = baseline?.[metric] ?? null;
  if (candidateValue === null) {
    return {
      passed: false,
      reason: `candidate has no ${metric} (empty or failed run)`,
      delta: null,
    };
  }
  if (baselineValue === null) {
    return {
      passed: true,
      reason: `no baseline ${metric} to compare with; candidate ${format(candidateValue)}`,
      delta: null,
    };
  }

  const delta = candidateValue - baselineValue;
  const worseBy = direction === "higher" ? -delta : delta;
  const passed = worseBy <= margin + tolerance;
  const comparison =
    worseBy > tolerance
      ? `${format(Math.abs(delta))} ${direction === "higher" ? "below" : "above"}`
      : worseBy < -tolerance
        ? `${format(Math.abs(delta))} better than`
        : "equal to";
  const reason =
    `${metric} ${format(candidateValue)} is ${comparison} baseline ${format(baselineValue)}` +
    ` (allowed margin ${format(margin)})`;
  return { passed, reason, delta };
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/\.?0+$/, "");
}
