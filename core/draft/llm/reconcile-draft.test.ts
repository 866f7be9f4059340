import { describe, expect, it } from "vitest";
import { reconcileDraft } from "./reconcile-draft.ts";
import { testDraftInput, validModelOutput } from "./test-fixtures.ts";

describe("reconcileDraft", () => {
  it("passes a fitting output through unchanged, with flagged false for typed actions", () => {
    const draft = reconcileDraft(validModelOutput(), testDraftInput());
    expect(draft.intents).toEqual(validModelOutput().intents);
    expect(draft.actionItems.every((item) => item.flagged === false)).toBe(true);
    expect(draft.notes).toEqual([]);
  });

  it("keeps a null type as flagged for a trainer, never inventing one", () => {
    const output = validModelOutput();
    output.actionItems[0].type = null;
    const draft = reconcileDraft(output, testDraftInput());
    expect(draft.actionItems[0]).toMatchObject({ type: null, flagged: true });
    expect(draft.notes).toEqual([]);
  });

  it("keeps the most confident intent when a segment gets two", () => {
    const output = validModelOutput();
    output.intents.push({ segment: 1, intent: "budget_question", confidence: 0.95 });
    const draft = reconcileDraft(output, testDraftInput());
    expect(draft.intents.filter((intent) => intent.segment === 1)).toEqual([
      { segment: 1, intent: "budget_question", confidence: 0.95 },
    ]);
    // Numbered as the UI numbers utterances: segment 1 is "utterance 2".
    expect(draft.notes[0]).toBe('utterance 2: several intents proposed; kept "budget_question", dropped "price_objection"');
  });

  it("removes unknown evidence, dropping items left without any", () => {
    const output = validModelOutput();
    output.actionItems[0].evidence = [6, 6, 40, 5];
    output.actionItems[1].evidence = [40];
    const draft = reconcileDraft(output, testDraftInput());
    expect(draft.actionItems).toHaveLength(1);
    expect(draft.actionItems[0].evidence).toEqual([5, 6]);
    expect(draft.notes).toHaveLength(2);
  });

  it("accepts real ISO dates and clears impossible ones", () => {
    const output = validModelOutput();
    output.actionItems[0].dueDate = "2026-02-28";
    output.actionItems[1].dueDate = "2026-02-30";
    const draft = reconcileDraft(output, testDraftInput());
    expect(draft.actionItems.map((item) => item.dueDate)).toEqual(["2026-02-28", null]);
  });

  it("turns empty strings into nulls", () => {
    const output = validModelOutput();
    output.actionItems[0].owner = "  ";
    output.actionItems[0].type = "";
    const draft = reconcileDraft(output, testDraftInput());
    expect(draft.actionItems[0]).toMatchObject({ owner: null, type: null, flagged: true });
  });
});
