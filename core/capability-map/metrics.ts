/**
 * The capability map's metrics as pure functions of a cell's counts. Definitions (see README.md):
 *
 * - penetration: accepted items / drafted items. Undecided items count in the denominator: an item
 *   no one has accepted (yet) is AI output that did not (yet) reach the customer.
 * - penetrationDecided: accepted items / decided items — the same, ignoring undecided items.
 * - interventionRate: (rejected + overridden) items / decided items.
 * - intentAccuracy: accepted intent items / decided intent items (accept = the intent was right).
 * - medianResponseMs, p90ResponseMs: percentiles of decision_ms, estimated from the histogram.
 * - evalAccuracy: share of correct cases of the latest completed eval run whose samples came from
 *   calls in the cell.
 * - agentInvocations, aiCostUsd: agent invocations (traces) started in the period on the cell's
 *   calls, and the sum of their model cost in US dollars. Counts, not rates: they are not held back
 *   by the minimum of decided items, and are null only when the cell has no trace at all.
 *
 * - calibrationBy.rep / calibrationBy.trainer: the same decided items split by who made the
 *   standing decision — the call's own rep (on their call page) or a trainer (admins count as
 *   trainers) — each with its intervention rate and mean response time. The split adds up to the
 *   cell's totals; the metrics above mean what they always meant (everyone's decisions).
 *
 * An item's outcome is its latest decision that is neither an undo nor undone by one.
 * A metric with nothing to measure is null, never 0. A cell with fewer than `minimumDecidedItems`
 * decided items keeps its counts but has every metric null and `insufficientData: true`, because a
 * rate over a handful of items is noise that looks like a finding. The intent and eval accuracies
 * apply the same minimum to their own counts.
 */
import type { ResponseHistogram } from "./response-histogram.ts";
import { estimatePercentile, mergeHistograms } from "./response-histogram.ts";

export const defaultMinimumDecidedItems = 20;

export const metricNames = [
  "penetration",
  "penetrationDecided",
  "interventionRate",
  "intentAccuracy",
  "medianResponseMs",
  "p90ResponseMs",
  "evalAccuracy",
  "agentInvocations",
  "aiCostUsd",
] as const;
export type MetricName = (typeof metricNames)[number];

/** What a cell adds up; every field sums across days and teams. */
export interface CellCounts {
  invocations: number;
  draftedItems: number;
  decidedItems: number;
  acceptedItems: number;
  rejectedItems: number;
  overriddenItems: number;
  intentDecisions: number;
  intentAccepted: number;
  timedDecisions: number;
  responseMsSum: number;
  responseHistogram: ResponseHistogram;
  evalCases: number;
  evalCorrect: number;
  /** Decided items whose standing decision is the rep's, and those of them rejected or overridden. */
  repDecidedItems: number;
  repIntervenedItems: number;
  /** The rep's share of `timedDecisions` and `responseMsSum`. */
  repTimedDecisions: number;
  repResponseMsSum: number;
  /** Traces (agent invocations) and their summed cost, read from the traces table (trace-metrics.ts). */
  agentInvocations: number;
  aiCostUsd: number;
}

/** Calibration by one side of the loop (the call's rep, or trainers). */
export interface CalibrationSide {
  decidedItems: number;
  intervenedItems: number;
  /** intervenedItems / decidedItems; null below the cell's minimum of decided items. */
  interventionRate: number | null;
  timedDecisions: number;
  /** Mean decision time (the histogram is not split, so no percentiles); null when nothing was timed. */
  meanResponseMs: number | null;
}

export type CellMetrics = Record<MetricName, number | null>;

export interface CellSummary extends CellMetrics {
  invocations: number;
  draftedItems: number;
  decidedItems: number;
  acceptedItems: number;
  rejectedItems: number;
  overriddenItems: number;
  intentDecisions: number;
  /** Accept/reject/override decisions that were not undone: the population of the response times. */
  timedDecisions: number;
  evalCases: number;
  /** Fewer decided items than the minimum: the metrics are null, the counts are real. */
  insufficientData: boolean;
  calibrationBy: { rep: CalibrationSide; trainer: CalibrationSide };
}

export function emptyCounts(): CellCounts {
  return {
    invocations: 0,
    draftedItems: 0,
    decidedItems: 0,
    acceptedItems: 0,
    rejectedItems: 0,
    overriddenItems: 0,
    intentDecisions: 0,
    intentAccepted: 0,
    timedDecisions: 0,
    responseMsSum: 0,
    responseHistogram: new Map(),
    evalCases: 0,
    evalCorrect: 0,
    repDecidedItems: 0,
    repIntervenedItems: 0,
    repTimedDecisions: 0,
    repResponseMsSum: 0,
    agentInvocations: 0,
    aiCostUsd: 0,
  };
}

export function addCounts(target: CellCounts, source: CellCounts): void {
  target.invocations += source.invocations;
  target.draftedItems += source.draftedItems;
  target.decidedItems += source.decidedItems;
  target.acceptedItems += source.acceptedItems;
  target.rejectedItems += source.rejectedItems;
  target.overriddenItems += source.overriddenItems;
  target.intentDecisions += source.intentDecisions;
  target.intentAccepted += source.intentAccepted;
  target.timedDecisions += source.timedDecisions;
  target.responseMsSum += source.responseMsSum;
  mergeHistograms(target.responseHistogram, source.responseHistogram);
  target.evalCases += source.evalCases;
  target.evalCorrect += source.evalCorrect;
  target.repDecidedItems += source.repDecidedItems;
  target.repIntervenedItems += source.repIntervenedItems;
  target.repTimedDecisions += source.repTimedDecisions;
  target.repResponseMsSum += source.repResponseMsSum;
  target.agentInvocations += source.agentInvocations;
  target.aiCostUsd += source.aiCostUsd;
}

function calibrationSide(
  decidedItems: number,
  intervenedItems: number,
  timedDecisions: number,
  responseMsSum: number,
  minimum: number,
): CalibrationSide {
  return {
    decidedItems,
    intervenedItems,
    interventionRate: decidedItems >= minimum ? ratio(intervenedItems, decidedItems) : null,
    timedDecisions,
    meanResponseMs: timedDecisions > 0 ? Math.round(responseMsSum / timedDecisions) : null,
  };
}

export function summariseCell(
  counts: CellCounts,
  options: { minimumDecidedItems: number },
): CellSummary {
  const minimum = options.minimumDecidedItems;
  const insufficientData = counts.decidedItems < minimum;
  const enough = !insufficientData;
  return {
    invocations: counts.invocations,
    draftedItems: counts.draftedItems,
    decidedItems: counts.decidedItems,
    acceptedItems: counts.acceptedItems,
    rejectedItems: counts.rejectedItems,
    overriddenItems: counts.overriddenItems,
    intentDecisions: counts.intentDecisions,
    timedDecisions: counts.timedDecisions,
    evalCases: counts.evalCases,
    insufficientData,
    penetration: enough ? ratio(counts.acceptedItems, counts.draftedItems) : null,
    penetrationDecided: enough ? ratio(counts.acceptedItems, counts.decidedItems) : null,
    interventionRate: enough
      ? ratio(counts.rejectedItems + counts.overriddenItems, counts.decidedItems)
      : null,
    intentAccuracy:
      enough && counts.intentDecisions >= minimum
        ? ratio(counts.intentAccepted, counts.intentDecisions)
        : null,
    medianResponseMs: enough ? estimatePercentile(counts.responseHistogram, 0.5) : null,
    p90ResponseMs: enough ? estimatePercentile(counts.responseHistogram, 0.9) : null,
    // The eval is a separate measurement (curated test cases), so only its own count gates it.
    evalAccuracy: counts.evalCases >= minimum ? ratio(counts.evalCorrect, counts.evalCases) : null,
    agentInvocations: counts.agentInvocations > 0 ? counts.agentInvocations : null,
    aiCostUsd: counts.agentInvocations > 0 ? Math.round(counts.aiCostUsd * 1_000_000) / 1_000_000 : null,
    calibrationBy: {
      rep: calibrationSide(
        counts.repDecidedItems,
        counts.repIntervenedItems,
        counts.repTimedDecisions,
        counts.repResponseMsSum,
        minimum,
      ),
      trainer: calibrationSide(
        counts.decidedItems - counts.repDecidedItems,
        counts.rejectedItems + counts.overriddenItems - counts.repIntervenedItems,
        counts.timedDecisions - counts.repTimedDecisions,
        counts.responseMsSum - counts.repResponseMsSum,
        minimum,
      ),
    },
  };
}

/** current − previous for each named metric; null where either side is null. */
export function metricDeltas(
  current: CellMetrics,
  previous: CellMetrics,
  metrics: readonly MetricName[] = metricNames,
): Partial<Record<MetricName, number | null>> {
  const deltas: Partial<Record<MetricName, number | null>> = {};
  for (const metric of metrics) {
    const now = current[metric];
    const before = previous[metric];
    deltas[metric] = now === null || before === null ? null : metric === "aiCostUsd" ? Math.round((now - before) * 1_000_000) / 1_000_000 : round(now - before);
  }
  return deltas;
}

/** Parses a metric list such as "penetration,interventionRate"; unknown names are an error. */
export function parseMetricNames(values: readonly string[]): {
  metrics: MetricName[];
  unknown: string[];
} {
  const metrics: MetricName[] = [];
  const unknown: string[] = [];
  for (const value of values.flatMap((entry) => entry.split(","))) {
    const name = value.trim();
    if (!name) continue;
    if ((metricNames as readonly string[]).includes(name)) {
      if (!metrics.includes(name as MetricName)) metrics.push(name as MetricName);
    } else unknown.push(name);
  }
  return { metrics, unknown };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? round(numerator / denominator) : null;
}

/** Four decimals keep a rate readable (0.3 rather than 0.30000000000000004) and lose nothing shown. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
