import { describe, expect, it } from "vitest";
import { changeCounts, foldUnchanged } from "./diff-hunks.ts";
import type { DiffLine } from "./diff-hunks.ts";

const same = (number: number): DiffLine => ({
  kind: "same",
  text: `line ${number}`,
  oldLine: number,
  newLine: number,
});

describe("foldUnchanged", () => {
  it("keeps three lines of context around a change and folds the rest", () => {
    const lines: DiffLine[] = [
      ...Array.from({ length: 10 }, (_, index) => same(index + 1)),
      { kind: "added", text: "新的一行", newLine: 11 },
      ...Array.from({ length: 10 }, (_, index) => same(index + 11)),
    ];
    const blocks = foldUnchanged(lines);
    expect(blocks.map((block) => [block.kind, block.lines.length])).toEqual([
      ["folded", 7],
      ["lines", 7],
      ["folded", 7],
    ]);
    expect(blocks[1].lines.map((line) => line.text)).toEqual([
      "line 8",
      "line 9",
      "line 10",
      "新的一行",
      "line 11",
      "line 12",
      "line 13",
    ]);
  });

  it("does not fold a short run, where a fold would hide nothing worth hiding", () => {
    const lines: DiffLine[] = [
      { kind: "removed", text: "old", oldLine: 1 },
      ...Array.from({ length: 7 }, (_, index) => same(index + 2)),
      { kind: "added", text: "new", newLine: 9 },
    ];
    expect(foldUnchanged(lines).map((block) => block.kind)).toEqual(["lines"]);
  });

  it("folds a file without changes into one block and loses no line", () => {
    const lines = Array.from({ length: 20 }, (_, index) => same(index + 1));
    const blocks = foldUnchanged(lines);
    expect(blocks).toEqual([{ kind: "folded", lines }]);
    expect(foldUnchanged([])).toEqual([]);
  });
});

describe("changeCounts", () => {
  it("counts added and removed lines", () => {
    expect(
      changeCounts([
        same(1),
        { kind: "removed", text: "a", oldLine: 2 },
        { kind: "added", text: "b", newLine: 2 },
        { kind: "added", text: "c", newLine: 3 },
      ]),
    ).toEqual({ added: 2, removed: 1 });
  });
});
