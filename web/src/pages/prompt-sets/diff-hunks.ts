/**
 * A line diff reads like a unified diff: changed lines with a few lines of context, and long
 * stretches of unchanged lines folded into one "N unchanged lines" row that can be opened.
 */
import type { FileDiff } from "./types.ts";

export type DiffLine = FileDiff["lines"][number];

export type DiffBlock =
  { kind: "lines"; lines: DiffLine[] } | { kind: "folded"; lines: DiffLine[] };

/** Folds runs of unchanged lines longer than 2 × `context` (+1, so a fold hides something). */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffBlock[] {
  const blocks: DiffBlock[] = [];
  let visible: DiffLine[] = [];
  const flush = () => {
    if (visible.length > 0) blocks.push({ kind: "lines", lines: visible });
    visible = [];
  };
  let index = 0;
  while (index < lines.length) {
    if (lines[index].kind !== "same") {
      visible.push(lines[index]);
      index += 1;
      continue;
    }
    let end = index;
    while (end < lines.length && lines[end].kind === "same") end += 1;
    const run = lines.slice(index, end);
    const keepBefore = index === 0 ? 0 : context;
    const keepAfter = end === lines.length ? 0 : context;
    if (run.length > keepBefore + keepAfter + 1) {
      visible.push(...run.slice(0, keepBefore));
      flush();
      blocks.push({
        kind: "folded",
        lines: run.slice(keepBefore, run.length - keepAfter),
      });
      visible.push(...run.slice(run.length - keepAfter));
    } else {
      visible.push(...run);
    }
    index = end;
  }
  flush();
  return blocks;
}

export function changeCounts(lines: readonly DiffLine[]): {
  added: number;
  removed: number;
} {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === "added") added += 1;
    else if (line.kind === "removed") removed += 1;
  }
  return { added, removed };
}
