/**
 * Which part of a confusion matrix to draw. A dataset with 150 intents makes a grid nobody can
 * read, so beyond `maximumLabels` we keep the labels involved in the most mistakes (as expected
 * or as predicted), in their original order, plus the "no prediction" column when it is used.
 */
import type { EvalMetrics } from "./types.ts";

type Confusion = EvalMetrics["confusion"];

export interface ConfusionView {
  rows: string[];
  columns: Array<string | null>;
  count(row: string, column: string | null): number;
  rowTotal(row: string): number;
  /** Labels left out of the grid. */
  hidden: number;
}

export function confusionView(confusion: Confusion, maximumLabels = 20): ConfusionView {
  const rowIndex = new Map(confusion.rows.map((label, index) => [label, index]));
  const columnIndex = new Map(confusion.columns.map((label, index) => [label, index]));
  const count = (row: string, column: string | null) => {
    const rowAt = rowIndex.get(row);
    const columnAt = columnIndex.get(column);
    return rowAt === undefined || columnAt === undefined
      ? 0
      : (confusion.counts[rowAt]?.[columnAt] ?? 0);
  };
  const rowTotal = (row: string) => {
    const rowAt = rowIndex.get(row);
    return rowAt === undefined
      ? 0
      : (confusion.counts[rowAt] ?? []).reduce((sum, value) => sum + value, 0);
  };

  let rows = confusion.rows;
  if (rows.length > maximumLabels) {
    const mistakes = new Map<string, number>();
    confusion.rows.forEach((expected, rowAt) => {
      confusion.columns.forEach((predicted, columnAt) => {
        const value = confusion.counts[rowAt]?.[columnAt] ?? 0;
        if (value === 0 || predicted === expected) return;
        mistakes.set(expected, (mistakes.get(expected) ?? 0) + value);
        if (predicted !== null) mistakes.set(predicted, (mistakes.get(predicted) ?? 0) + value);
      });
    });
    const kept = new Set(
      [...confusion.rows]
        .sort((left, right) => (mistakes.get(right) ?? 0) - (mistakes.get(left) ?? 0))
        .slice(0, maximumLabels),
    );
    rows = confusion.rows.filter((label) => kept.has(label));
  }
  const shown = new Set(rows);
  const usesNone = rows.some((row) => count(row, null) > 0);
  const columns: Array<string | null> = [
    ...confusion.columns.filter((label): label is string => label !== null && shown.has(label)),
    ...(usesNone ? [null] : []),
  ];
  return {
    rows,
    columns,
    count,
    rowTotal,
    hidden: confusion.rows.length - rows.length,
  };
}
