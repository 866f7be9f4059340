import { describe, expect, it } from "vitest";
import { confusionView } from "./confusion-view.ts";

describe("confusionView", () => {
  const small = {
    rows: ["greeting", "pricing"],
    columns: ["greeting", "pricing", null],
    counts: [
      [5, 1, 0],
      [2, 3, 1],
    ],
  };

  it("shows a small matrix whole, with the no-prediction column when it is used", () => {
    const view = confusionView(small);
    expect(view.rows).toEqual(["greeting", "pricing"]);
    expect(view.columns).toEqual(["greeting", "pricing", null]);
    expect(view.count("pricing", null)).toBe(1);
    expect(view.count("pricing", "greeting")).toBe(2);
    expect(view.rowTotal("pricing")).toBe(6);
    expect(view.hidden).toBe(0);
  });

  it("leaves out the no-prediction column when no case lacks a prediction", () => {
    const view = confusionView({
      ...small,
      counts: [
        [5, 1, 0],
        [2, 3, 0],
      ],
    });
    expect(view.columns).toEqual(["greeting", "pricing"]);
  });

  const labels = ["a", "b", "c", "d"];
  const confusion = {
    rows: labels,
    columns: [...labels, null],
    // a↔c confused a lot, b perfect, d one mistake into a.
    counts: [
      [3, 0, 4, 0, 0],
      [0, 9, 0, 0, 0],
      [5, 0, 1, 0, 0],
      [1, 0, 0, 2, 0],
    ],
  };

  it("keeps the labels with the most mistakes when there are too many, in their order", () => {
    const view = confusionView(confusion, 2);
    expect(view.rows).toEqual(["a", "c"]);
    expect(view.columns).toEqual(["a", "c"]);
    expect(view.hidden).toBe(2);
    expect(view.count("unknown", "a")).toBe(0);
  });

  it('shows every label when asked to (the page\'s "show all")', () => {
    const view = confusionView(confusion, Number.POSITIVE_INFINITY);
    expect(view.rows).toEqual(labels);
    expect(view.hidden).toBe(0);
  });
});
