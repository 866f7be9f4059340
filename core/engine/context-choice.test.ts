import { describe, expect, it } from "vitest";
import { loadClinc150 } from "../dataset/public-sets.ts";
import { chooseContext } from "./context-choice.ts";
import type { LabelledExample } from "./intent-classifier.ts";

/** Short replies whose meaning is only in the question before them. */
function replies(copies: number): LabelledExample[] {
  const examples: LabelledExample[] = [];
  const questions = {
    agree_to_donate: ["would you like to donate today?", "could you give a dollar?", "will you donate?"],
    knows_charity: ["have you heard of save the children?", "do you know this charity?", "heard of us before?"],
  };
  for (let copy = 0; copy < copies; copy++) {
    for (const [label, asked] of Object.entries(questions)) {
      for (const question of asked) {
        for (const answer of ["yes", "sure", "yeah I do", "ok"]) {
          examples.push({ text: answer, previousText: question, label });
        }
      }
    }
  }
  return examples;
}

describe("chooseContext", () => {
  it("chooses the previous utterance when it scores better on held-out labels", () => {
    const choice = chooseContext(replies(5));
    expect(choice.validation).toBe("held-out");
    expect(choice.useContext).toBe(true);
    expect(choice.accuracyWith).toBeGreaterThan(choice.accuracyWithout ?? 1);
  });

  it("uses the validation rows it is given", () => {
    const choice = chooseContext(replies(2), replies(1));
    expect(choice).toMatchObject({ validation: "given", validationRows: 24, useContext: true });
  });

  it("weighs context on the rows that know their previous utterance, however many do not", () => {
    const withoutContext = loadClinc150()
      .filter((sample) => sample.split === "train")
      .slice(0, 600)
      .map((sample) => ({ text: sample.text, label: sample.label }));
    const choice = chooseContext([...withoutContext, ...replies(5)]);
    // 120 of 720 rows know what came before; a fifth of them is scored, nothing else.
    expect(choice).toMatchObject({ validation: "held-out", validationRows: 24, useContext: true });
  });

  it("does without context when no example has any, without training", () => {
    const train = loadClinc150().filter((sample) => sample.split === "train").slice(0, 500);
    expect(chooseContext(train)).toEqual({
      useContext: false,
      accuracyWithout: null,
      accuracyWith: null,
      validation: "none",
      validationRows: 0,
    });
  });
});
