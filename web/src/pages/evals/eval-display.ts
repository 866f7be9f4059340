/**
 * What the eval pages need to read honestly: intent ids shown by their taxonomy names, a warning
 * when the test set is too small for its figure to mean much, and the compare page's intent order.
 */
import type { Locale } from "../../api/types.ts";
import { localName } from "../review/item-content.ts";
import type { EvalComparison } from "./types.ts";

/**
 * Below this many test cases one case moves accuracy by 5 points or more; the pages say so
 * instead of printing the figure as if it were a measurement.
 */
export const minimumReliableCases = 20;

export function isSmallTestSet(caseCount: number): boolean {
  return caseCount < minimumReliableCases;
}

/** The workspace's intent names by id, as the eval routes send them beside a run. */
export type IntentNames = Record<string, { en: string; zh: string }>;

/**
 * An intent id in the UI language when the taxonomy knows it; otherwise the id itself (public
 * datasets such as CLINC150 bring their own labels).
 */
export function intentLabel(names: IntentNames | undefined, id: string, locale: Locale): string {
  const name = names && Object.hasOwn(names, id) ? names[id] : undefined;
  return name ? localName(name, locale) : id;
}

export type LabelDelta = EvalComparison["perLabel"][number];
export const labelDeltaOrders = ["drop", "gain", "change", "name"] as const;
export type LabelDeltaOrder = (typeof labelDeltaOrders)[number];

/**
 * The compare page's per-intent rows: biggest F1 drop first, biggest gain first, largest change
 * either way, or by name. Intents without a change (new or gone) go last in the change orders.
 */
export function sortLabelDeltas(
  rows: readonly LabelDelta[],
  order: LabelDeltaOrder,
  nameOf: (id: string) => string = (id) => id,
): LabelDelta[] {
  const byName = (left: LabelDelta, right: LabelDelta) =>
    nameOf(left.label).localeCompare(nameOf(right.label));
  if (order === "name") return [...rows].sort(byName);
  const key = (row: LabelDelta): number | null =>
    row.f1Delta === null
      ? null
      : order === "drop"
        ? row.f1Delta
        : order === "gain"
          ? -row.f1Delta
          : -Math.abs(row.f1Delta);
  return [...rows].sort((left, right) => {
    const leftKey = key(left);
    const rightKey = key(right);
    if (leftKey === null || rightKey === null)
      return leftKey === rightKey ? byName(left, right) : leftKey === null ? 1 : -1;
    return leftKey - rightKey || byName(left, right);
  });
}
