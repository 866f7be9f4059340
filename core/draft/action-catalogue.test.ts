import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { defaultActionCatalogue, parseActionCatalogue } from "./action-catalogue.ts";

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return ((error as ValidationError).details as { issues: Array<{ path: unknown[] }> }).issues;
  }
  throw new Error("expected a ValidationError");
}

describe("defaultActionCatalogue", () => {
  it("has the required atomised actions", () => {
    const ids = defaultActionCatalogue.map((action) => action.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "send_comparison_sheet",
        "send_quote",
        "book_three_way_video_consult",
        "arrange_trial_or_sample",
        "schedule_follow_up",
        "trigger_compliance_approval",
        "escalate_to_specialist",
        "update_crm_stage",
        "send_contract",
        "send_case_study",
      ]),
    );
  });

  it("gives every action several phrasings in each language and an owner field", () => {
    for (const action of defaultActionCatalogue) {
      expect(action.examples.zh.length, action.id).toBeGreaterThanOrEqual(4);
      expect(action.examples.en.length, action.id).toBeGreaterThanOrEqual(4);
      for (const example of action.examples.zh) expect(example).toMatch(/\p{Script=Han}/u);
      for (const example of action.examples.en) expect(example).not.toMatch(/\p{Script=Han}/u);
      expect(action.fields).toContain("owner");
    }
  });

  it("passes its own validator", () => {
    expect(parseActionCatalogue(defaultActionCatalogue)).toEqual(defaultActionCatalogue);
  });
});

describe("parseActionCatalogue", () => {
  const gift = {
    id: "send_gift",
    name: { en: "Send gift", zh: "寄送礼品" },
    fields: ["owner", "dueDate"],
    examples: { zh: ["我给您寄一份礼品"], en: [] },
  };

  it("accepts an edited catalogue", () => {
    expect(parseActionCatalogue([gift])).toEqual([gift]);
  });

  it("rejects duplicate ids, repeated fields, blank and missing examples", () => {
    const issues = issuesOf(() =>
      parseActionCatalogue([
        gift,
        { ...gift, name: { en: "Gift again", zh: "再寄礼品" } },
        { ...gift, id: "other", name: { en: "Other", zh: "其他" }, fields: ["owner", "owner"] },
        {
          ...gift,
          id: "blank",
          name: { en: "Blank", zh: "空白" },
          examples: { zh: ["  "], en: [] },
        },
        { ...gift, id: "none", name: { en: "None", zh: "无" }, examples: { zh: [], en: [] } },
      ]),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      [1, "id"],
      [2, "fields"],
      [3, "examples", "zh", 0],
      [4, "examples"],
    ]);
  });

  it("rejects unknown fields and malformed input", () => {
    const issues = issuesOf(() => parseActionCatalogue([{ ...gift, fields: ["owner", "price"] }]));
    expect(issues[0].path).toEqual([0, "fields", 1]);
    expect(() => parseActionCatalogue("send_quote")).toThrow(ValidationError);
    expect(() => parseActionCatalogue([])).toThrow(ValidationError);
  });
});
