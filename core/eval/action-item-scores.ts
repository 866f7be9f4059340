/**
 * Item-level scores of an action-item agent against the trainers' decisions (call-level cases,
 * core/dataset/action-item-cases.ts). Pure: expected and predicted items per call in, figures out.
 *
 * A predicted item matches an expected one when both have the same catalogue type and their
 * evidence shares at least one utterance; each item matches at most once (most shared utterances
 * first, then nearest evidence). Unmatched predictions are false positives, unmatched expected
 * items false negatives; a call whose agent failed predicted nothing. Two variants, as
 * first-drafts.ts reports them on the sales-call set: `typeOnly` (same type anywhere in the call,
 * nearest evidence first) and `withDueDate` (the strict match and the same due date, or both none).
 */
import type { LabelMetrics } from "./metrics.ts";

export interface ScoredActionItem {
  type: string | null;
  evidence: number[];
  dueDate: string | null;
}

export interface ActionItemCall {
  expected: readonly ScoredActionItem[];
  /** Null when the agent failed on the call. */
  predicted: readonly ScoredActionItem[] | null;
}

export interface ItemCounts {
  truePositives: number;
  predicted: number;
  expected: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ActionItemScores {
  calls: number;
  /** Calls where the strict matching left nothing over on either side. */
  exactCalls: number;
  strict: ItemCounts;
  typeOnly: ItemCounts;
  withDueDate: ItemCounts;
  /** Strict matching per catalogue type (support: expected items of the type). */
  perType: Record<string, LabelMetrics>;
}

type Pair = { expected: number; predicted: number; overlap: number; distance: number };

function pairs(expected: readonly ScoredActionItem[], predicted: readonly ScoredActionItem[], requireOverlap: boolean): Pair[] {
  const found: Pair[] = [];
  expected.forEach((left, expectedIndex) => {
    predicted.forEach((right, predictedIndex) => {
      if (left.type === null || left.type !== right.type) return;
      const overlap = left.evidence.filter((ordinal) => right.evidence.includes(ordinal)).length;
      if (requireOverlap && overlap === 0) return;
      const distance = Math.min(...left.evidence.flatMap((a) => right.evidence.map((b) => Math.abs(a - b))), Number.MAX_SAFE_INTEGER);
      found.push({ expected: expectedIndex, predicted: predictedIndex, overlap, distance });
    });
  });
  return found.sort((a, b) => b.overlap - a.overlap || a.distance - b.distance || a.expected - b.expected || a.predicted - b.predicted);
}

/** One-to-one matches, best pairs first. */
export function matchActionItems(
  expected: readonly ScoredActionItem[],
  predicted: readonly ScoredActionItem[],
  options: { requireOverlap: boolean },
): Array<{ expected: number; predicted: number }> {
  const usedExpected = new Set<number>();
  const usedPredicted = new Set<number>();
  const matches: Array<{ expected: number; predicted: number }> = [];
  for (const pair of pairs(expected, predicted, options.requireOverlap)) {
    if (usedExpected.has(pair.expected) || usedPredicted.has(pair.predicted)) continue;
    usedExpected.add(pair.expected);
    usedPredicted.add(pair.predicted);
    matches.push({ expected: pair.expected, predicted: pair.predicted });
  }
  return matches;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function counts(truePositives: number, predicted: number, expected: number): ItemCounts {
  const precision = ratio(truePositives, predicted);
  const recall = ratio(truePositives, expected);
  const f1 =
    precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, predicted, expected, precision, recall, f1 };
}

export function scoreActionItems(calls: readonly ActionItemCall[]): ActionItemScores {
  let predictedTotal = 0;
  let expectedTotal = 0;
  let strictHits = 0;
  let typeHits = 0;
  let dueHits = 0;
  let exactCalls = 0;
  const perType = new Map<string, { truePositives: number; predicted: number; support: number }>();
  const typeEntry = (type: string | null) => {
    const key = type ?? "(none)";
    let entry = perType.get(key);
    if (!entry) perType.set(key, (entry = { truePositives: 0, predicted: 0, support: 0 }));
    return entry;
  };
  for (const call of calls) {
    const predicted = call.predicted ?? [];
    predictedTotal += predicted.length;
    expectedTotal += call.expected.length;
    for (const item of call.expected) typeEntry(item.type).support++;
    for (const item of predicted) typeEntry(item.type).predicted++;
    const strict = matchActionItems(call.expected, predicted, { requireOverlap: true });
    strictHits += strict.length;
    for (const match of strict) {
      typeEntry(call.expected[match.expected].type).truePositives++;
      if ((call.expected[match.expected].dueDate ?? null) === (predicted[match.predicted].dueDate ?? null)) dueHits++;
    }
    typeHits += matchActionItems(call.expected, predicted, { requireOverlap: false }).length;
    if (call.predicted !== null && strict.length === call.expected.length && strict.length === predicted.length) exactCalls++;
  }
  const table: Record<string, LabelMetrics> = {};
  for (const type of [...perType.keys()].sort()) {
    const entry = perType.get(type)!;
    const scored = counts(entry.truePositives, entry.predicted, entry.support);
    table[type] = {
      precision: scored.precision ?? 0,
      recall: scored.recall ?? 0,
      f1: scored.f1 ?? 0,
      support: entry.support,
      predicted: entry.predicted,
      truePositives: entry.truePositives,
    };
  }
  return {
    calls: calls.length,
    exactCalls,
    strict: counts(strictHits, predictedTotal, expectedTotal),
    typeOnly: counts(typeHits, predictedTotal, expectedTotal),
    withDueDate: counts(dueHits, predictedTotal, expectedTotal),
    perType: table,
  };
}

/** A call's items as one comparable line for result rows: sorted `type@evidence` entries. */
export function describeActionItems(items: readonly ScoredActionItem[] | null): string | null {
  if (items === null) return null;
  if (items.length === 0) return "(none)";
  return items
    .map((item) => `${item.type ?? "(none)"}@${[...item.evidence].sort((a, b) => a - b).join("+")}`)
    .sort()
    .join(", ");
}
