import { describe, expect, it } from "vitest";
import { intentLabel, isSmallTestSet, sortLabelDeltas } from "./eval-display.ts";
import type { LabelDelta } from "./eval-display.ts";

const row = (label: string, f1Delta: number | null): LabelDelta => ({
  label,
  baseline: null,
  candidate: null,
  precisionDelta: null,
  recallDelta: null,
  f1Delta,
});

describe("eval display helpers", () => {
  it("warns below twenty test cases", () => {
    expect(isSmallTestSet(1)).toBe(true);
    expect(isSmallTestSet(19)).toBe(true);
    expect(isSmallTestSet(20)).toBe(false);
  });

  it("names intents from the taxonomy in the UI language, and keeps unknown ids", () => {
    const names = { needs_discovery: { en: "Needs discovery", zh: "需求挖掘" } };
    expect(intentLabel(names, "needs_discovery", "en")).toBe("Needs discovery");
    expect(intentLabel(names, "needs_discovery", "zh-CN")).toBe("需求挖掘");
    expect(intentLabel(names, "book_flight", "en")).toBe("book_flight");
    expect(intentLabel(undefined, "needs_discovery", "en")).toBe("needs_discovery");
    expect(intentLabel(names, "constructor", "en")).toBe("constructor");
  });

  it("sorts intents by change: drops, gains, size either way, or name; no change last", () => {
    const rows = [row("b", 0.1), row("a", -0.3), row("c", null), row("d", 0.25), row("e", 0)];
    const labels = (order: Parameters<typeof sortLabelDeltas>[1]) =>
      sortLabelDeltas(rows, order).map((sorted) => sorted.label);
    expect(labels("drop")).toEqual(["a", "e", "b", "d", "c"]);
    expect(labels("gain")).toEqual(["d", "b", "e", "a", "c"]);
    expect(labels("change")).toEqual(["a", "d", "b", "e", "c"]);
    expect(labels("name")).toEqual(["a", "b", "c", "d", "e"]);
    expect(rows.map((unsorted) => unsorted.label)).toEqual(["b", "a", "c", "d", "e"]);
  });
});
