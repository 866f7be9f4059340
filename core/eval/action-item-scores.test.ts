import { describe, expect, it } from "vitest";
import { describeActionItems, matchActionItems, scoreActionItems } from "./action-item-scores.ts";

const item = (type: string | null, evidence: number[], dueDate: string | null = null) => ({ type, evidence, dueDate });

describe("action-item scores", () => {
  it("matches by type and a shared utterance, one to one, most shared utterances first", () => {
    const expected = [item("send_quote", [2, 3]), item("send_quote", [7])];
    const predicted = [item("send_quote", [3]), item("send_quote", [2, 3]), item("send_quote", [9])];
    expect(matchActionItems(expected, predicted, { requireOverlap: true })).toEqual([{ expected: 0, predicted: 1 }]);
    // Type only: the nearest evidence takes the rest.
    expect(matchActionItems(expected, predicted, { requireOverlap: false })).toEqual([
      { expected: 0, predicted: 1 },
      { expected: 1, predicted: 2 },
    ]);
  });

  it("computes strict, type-only and due-date precision / recall / F1 and a per-type table by hand", () => {
    const scores = scoreActionItems([
      // Call 1: quote matched with the right due date; contract matched with a wrong one; a case study not expected.
      {
        expected: [item("send_quote", [2], "2026-01-09"), item("send_contract", [4], "2026-01-12")],
        predicted: [item("send_quote", [2], "2026-01-09"), item("send_contract", [4, 5], null), item("send_case_study", [6])],
      },
      // Call 2: the agent failed; its expected item is missed.
      { expected: [item("schedule_follow_up", [1])], predicted: null },
      // Call 3: nothing expected, nothing predicted.
      { expected: [], predicted: [] },
    ]);
    // Strict: TP 2, predicted 3, expected 3 → P = R = F1 = 2/3.
    expect(scores.strict).toMatchObject({ truePositives: 2, predicted: 3, expected: 3 });
    expect(scores.strict.f1).toBeCloseTo(2 / 3, 12);
    expect(scores.typeOnly.truePositives).toBe(2);
    // Due dates: only the quote's is right → P = R = F1 = 1/3.
    expect(scores.withDueDate.truePositives).toBe(1);
    expect(scores.withDueDate.f1).toBeCloseTo(1 / 3, 12);
    expect(scores).toMatchObject({ calls: 3, exactCalls: 1 });
    expect(scores.perType.send_case_study).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1, truePositives: 0 });
    expect(scores.perType.schedule_follow_up).toMatchObject({ support: 1, predicted: 0, recall: 0 });
    expect(scores.perType.send_quote).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });

  it("says null where there is nothing to measure, and describes a call's items as one sorted line", () => {
    expect(scoreActionItems([{ expected: [], predicted: [] }]).strict).toMatchObject({ precision: null, recall: null, f1: null });
    expect(describeActionItems([item("send_quote", [3, 2]), item("send_contract", [4])])).toBe("send_contract@4, send_quote@2+3");
    expect(describeActionItems([])).toBe("(none)");
    expect(describeActionItems(null)).toBeNull();
  });
});
