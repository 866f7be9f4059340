/**
 * Eval metrics as pure functions over case results, so that a stored run can be re-scored and two
 * runs compared without calling any model again.
 *
 * Conventions (the same everywhere in this file):
 * - A metric with nothing to measure is `null`, never 0: an empty run has accuracy null, not 0 %.
 * - A `null` prediction is an error (the provider failed or gave no usable label). It counts as
 *   wrong, is its own column in the confusion matrix, and lowers recall but not precision.
 * - Ratios with a zero denominator inside a per-label row are 0 (as in scikit-learn's
 *   zero_division=0), so a label that was never predicted has precision 0.
 */
import { ValidationError } from "../errors.ts";

export interface ClassificationCase {
  expected: string;
  /** null when the provider failed or produced no label. */
  predicted: string | null;
}

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Cases whose expected label is this one. */
  support: number;
  /** Cases predicted as this label. */
  predicted: number;
  truePositives: number;
}

export interface ConfusionMatrix {
  /** Expected labels, one per row. */
  rows: string[];
  /** Predicted labels, one per column; the last column is `null` (no prediction). */
  columns: Array<string | null>;
  /** counts[row][column]: cases expected as rows[row] and predicted as columns[column]. */
  counts: number[][];
}

export interface ClassificationReport {
  count: number;
  correct: number;
  /** Cases with a null prediction. */
  errors: number;
  accuracy: number | null;
  /** Mean of per-label F1 over the averaged labels (not the F1 of macro precision and recall). */
  macroF1: number | null;
  macroPrecision: number | null;
  macroRecall: number | null;
  /** F1 of pooled counts over the label set; equals accuracy when every prediction is in the set. */
  microF1: number | null;
  microPrecision: number | null;
  microRecall: number | null;
  /** The label set: the given one, or every label seen (expected or predicted), sorted. */
  labels: string[];
  /** Labels entering the macro averages: those with support or predictions. */
  averagedLabels: string[];
  perLabel: Record<string, LabelMetrics>;
  /** Predicted labels outside a given label set, sorted (e.g. an intent the LLM invented). */
  unknownPredictions: string[];
  confusion: ConfusionMatrix;
}

/**
 * Accuracy, macro and micro F1, per-label precision/recall/F1 and a confusion matrix.
 *
 * Label set: `options.labels` when given (an expected label outside it is a ValidationError; a
 * predicted label outside it counts as wrong, gets its own confusion column before `null`, and
 * is listed in `unknownPredictions`, but has no per-label row and no place in the averages, as
 * with scikit-learn's `labels=`). Otherwise every label that appears as expected or predicted.
 *
 * Macro averages run over the label set minus the labels with no support and no predictions
 * (nothing to measure). A label seen only in predictions has precision 0, recall 0, F1 0 and
 * so lowers macro-F1: predicting a class that does not occur is a mistake worth seeing.
 *
 * Micro averages pool counts over the label set: precision = correct / predictions in the set,
 * recall = correct / cases. Null predictions lower micro recall but not micro precision (a run
 * of nothing but errors has micro precision 0, so that its micro-F1 is 0 rather than missing).
 */
export function classificationReport(
  cases: readonly ClassificationCase[],
  options: { labels?: readonly string[] } = {},
): ClassificationReport {
  const labels = options.labels ? [...options.labels] : labelsSeen(cases);
  if (new Set(labels).size !== labels.length) {
    throw new ValidationError("labels must not repeat", { labels });
  }
  const labelIndex = new Map(labels.map((label, index) => [label, index]));

  const unknown = new Set<string>();
  cases.forEach((testCase, index) => {
    if (!labelIndex.has(testCase.expected)) {
      throw new ValidationError(
        `case ${index} expects "${testCase.expected}", which is not in the label set`,
        { index, expected: testCase.expected },
      );
    }
    if (testCase.predicted !== null && !labelIndex.has(testCase.predicted)) {
      unknown.add(testCase.predicted);
    }
  });
  const unknownPredictions = [...unknown].sort(compareText);
  const columns: Array<string | null> = [...labels, ...unknownPredictions, null];
  const columnIndex = new Map<string | null, number>(
    columns.map((column, index) => [column, index]),
  );
  const counts = labels.map(() => columns.map(() => 0));

  let correct = 0;
  let errors = 0;
  for (const testCase of cases) {
    counts[labelIndex.get(testCase.expected)!][columnIndex.get(testCase.predicted)!]++;
    if (testCase.predicted === null) errors++;
    else if (testCase.predicted === testCase.expected) correct++;
  }

  // No prototype: labels are user data, and "constructor" must not find Object's.
  const perLabel: Record<string, LabelMetrics> = Object.create(null);
  const averagedLabels: string[] = [];
  let pooledTruePositives = 0;
  let pooledPredicted = 0;
  labels.forEach((label, index) => {
    const truePositives = counts[index][index];
    const support = counts[index].reduce((sum, count) => sum + count, 0);
    const predicted = counts.reduce((sum, row) => sum + row[index], 0);
    const precision = ratio(truePositives, predicted) ?? 0;
    const recall = ratio(truePositives, support) ?? 0;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perLabel[label] = {
      precision,
      recall,
      f1,
      support,
      predicted,
      truePositives,
    };
    if (support > 0 || predicted > 0) averagedLabels.push(label);
    pooledTruePositives += truePositives;
    pooledPredicted += predicted;
  });

  const averaged = averagedLabels.map((label) => perLabel[label]);
  const microPrecision =
    cases.length === 0 ? null : (ratio(pooledTruePositives, pooledPredicted) ?? 0);
  const microRecall = ratio(pooledTruePositives, cases.length);
  return {
    count: cases.length,
    correct,
    errors,
    accuracy: ratio(correct, cases.length),
    macroF1: mean(averaged.map((metrics) => metrics.f1)),
    macroPrecision: mean(averaged.map((metrics) => metrics.precision)),
    macroRecall: mean(averaged.map((metrics) => metrics.recall)),
    microF1:
      microPrecision === null || microRecall === null
        ? null
        : harmonicMean(microPrecision, microRecall),
    microPrecision,
    microRecall,
    labels,
    averagedLabels,
    perLabel,
    unknownPredictions,
    confusion: { rows: labels, columns, counts },
  };
}

function labelsSeen(cases: readonly ClassificationCase[]): string[] {
  const seen = new Set<string>();
  for (const testCase of cases) {
    seen.add(testCase.expected);
    if (testCase.predicted !== null) seen.add(testCase.predicted);
  }
  return [...seen].sort(compareText);
}

/** Code-unit order: the same on every machine and locale (localeCompare is not). */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function harmonicMean(left: number, right: number): number {
  return left + right === 0 ? 0 : (2 * left * right) / (left + right);
}

function assertFiniteNumbers(values: readonly number[], what: string): void {
  const bad = values.findIndex((value) => typeof value !== "number" || !Number.isFinite(value));
  if (bad !== -1) {
    throw new ValidationError(`${what}[${bad}] is not a finite number`, {
      index: bad,
    });
  }
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) with linear interpolation between closest ranks: the value
 * at rank (p / 100) × (n − 1) in sorted order, interpolating between neighbours. This is NumPy's
 * default and Excel's PERCENTILE.INC; p50 is the median. Null for no values.
 * Example: [10, 20, 30, 40], p95 → rank 2.85 → 30 + 0.85 × (40 − 30) = 38.5.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) {
    throw new ValidationError(`percentile must be between 0 and 100, got ${p}`);
  }
  assertFiniteNumbers(values, "values");
  if (values.length === 0) return null;
  return percentileOfSorted(
    [...values].sort((left, right) => left - right),
    p,
  );
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower] + (rank - lower) * (sorted[upper] - sorted[lower]);
}

export interface LatencySummary {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  minMs: number | null;
  maxMs: number | null;
}

export function latencySummary(latenciesMs: readonly number[]): LatencySummary {
  assertFiniteNumbers(latenciesMs, "latenciesMs");
  if (latenciesMs.length === 0) {
    return {
      count: 0,
      meanMs: null,
      p50Ms: null,
      p95Ms: null,
      minMs: null,
      maxMs: null,
    };
  }
  const sorted = [...latenciesMs].sort((left, right) => left - right);
  return {
    count: sorted.length,
    meanMs: mean(sorted),
    p50Ms: percentileOfSorted(sorted, 50),
    p95Ms: percentileOfSorted(sorted, 95),
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
  };
}

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Sum of the costs reported; a cache hit should report 0 (it cost nothing this time). */
  costUsd: number;
  /** Results that reported no cost (e.g. the local engine), so a total of 0 is not mistaken. */
  casesWithoutCost: number;
  cachedCases: number;
}

/** Token and cost totals over provider results, as reported by the providers. */
export function usageTotals(
  results: ReadonlyArray<{
    tokenUsage?: { input: number; output: number } | null;
    costUsd?: number | null;
    cached?: boolean | null;
  }>,
): UsageTotals {
  const totals: UsageTotals = {
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    costUsd: 0,
    casesWithoutCost: 0,
    cachedCases: 0,
  };
  for (const result of results) {
    if (result.tokenUsage) {
      totals.inputTokens += result.tokenUsage.input;
      totals.outputTokens += result.tokenUsage.output;
    }
    if (typeof result.costUsd === "number") totals.costUsd += result.costUsd;
    else totals.casesWithoutCost++;
    if (result.cached) totals.cachedCases++;
  }
  totals.totalTokens = totals.inputTokens + totals.outputTokens;
  return totals;
}

export type ActionItemDecisionKind = "accepted" | "edited" | "rejected" | "added";

/**
 * What a trainer did with action items: `accepted`, `edited` or `rejected` refer to a drafted
 * item by id; `added` is an item the trainer wrote that the draft missed (its own id).
 */
export interface ActionItemDecision {
  itemId: string;
  decision: ActionItemDecisionKind;
}

export interface AgreementScores {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ActionItemAgreement {
  drafted: number;
  accepted: number;
  edited: number;
  rejected: number;
  added: number;
  /** Drafted items without a decision yet: left out of every ratio. */
  undecided: number;
  /** An edited item counts as a miss: the draft was not good enough to keep as is. */
  strict: AgreementScores;
  /** An edited item counts as a hit: the draft found a real item, the details needed work. */
  lenient: AgreementScores;
}

/**
 * How well drafted action items matched what trainers kept.
 * Precision = hits / drafted items with a decision (how much of the draft was right).
 * Recall = hits / items the trainers ended up with: accepted + edited + added (how much of what
 * mattered the draft found). Ratios with nothing to measure are null. Decisions from many
 * drafts can be pooled if item ids are unique across them.
 */
export function actionItemAgreement(
  drafted: ReadonlyArray<{ id: string }>,
  humanDecisions: readonly ActionItemDecision[],
): ActionItemAgreement {
  const draftedIds = new Set<string>();
  for (const item of drafted) {
    if (draftedIds.has(item.id)) {
      throw new ValidationError(`drafted item "${item.id}" appears twice`, {
        itemId: item.id,
      });
    }
    draftedIds.add(item.id);
  }

  const tally = { accepted: 0, edited: 0, rejected: 0, added: 0 };
  const decided = new Set<string>();
  for (const { itemId, decision } of humanDecisions) {
    if (!Object.hasOwn(tally, decision)) {
      throw new ValidationError(`unknown decision "${String(decision)}" for item "${itemId}"`);
    }
    if (decided.has(itemId)) {
      throw new ValidationError(`item "${itemId}" has more than one decision`, {
        itemId,
      });
    }
    decided.add(itemId);
    const isDrafted = draftedIds.has(itemId);
    if (decision === "added" && isDrafted) {
      throw new ValidationError(`item "${itemId}" was drafted, so it cannot be "added"`, {
        itemId,
      });
    }
    if (decision !== "added" && !isDrafted) {
      throw new ValidationError(`"${decision}" refers to item "${itemId}", which was not drafted`, {
        itemId,
      });
    }
    tally[decision]++;
  }

  const decidedDrafted = tally.accepted + tally.edited + tally.rejected;
  const kept = tally.accepted + tally.edited + tally.added;
  const scores = (hits: number): AgreementScores => {
    const precision = ratio(hits, decidedDrafted);
    const recall = ratio(hits, kept);
    return {
      precision,
      recall,
      f1: precision === null || recall === null ? null : harmonicMean(precision, recall),
    };
  };
  return {
    drafted: draftedIds.size,
    ...tally,
    undecided: draftedIds.size - decidedDrafted,
    strict: scores(tally.accepted),
    lenient: scores(tally.accepted + tally.edited),
  };
}
