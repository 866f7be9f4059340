import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { defaultIntents, parseIntentTaxonomy } from "./taxonomy.ts";

function validationIssues(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details as {
      issues: Array<{ path: unknown[]; message: string }>;
    };
  }
  throw new Error("expected a ValidationError");
}

describe("defaultIntents", () => {
  it("covers the intents a sales manager expects, within hotkey reach", () => {
    const ids = defaultIntents.map((intent) => intent.id);
    for (const expected of [
      "greeting",
      "needs_discovery",
      "product_question",
      "pricing_question",
      "pricing_objection",
      "competitor_comparison",
      "request_demo_trial",
      "request_proposal",
      "commitment",
      "scheduling",
      "compliance_concern",
      "small_talk",
      "closing",
    ]) {
      expect(ids).toContain(expected);
    }
    expect(defaultIntents.length).toBeLessThanOrEqual(16);
    // The nine hotkeys go to the everyday intents, not to once-a-call or rare ones.
    expect(ids.slice(0, 9)).toEqual(
      expect.arrayContaining([
        "needs_discovery",
        "product_question",
        "pricing_question",
        "pricing_objection",
      ]),
    );
    expect(ids.indexOf("compliance_concern")).toBeGreaterThanOrEqual(9);
  });

  it("has bilingual names and a one-line description for every intent", () => {
    for (const intent of defaultIntents) {
      expect(intent.name.zh).toMatch(/\p{Script=Han}/u);
      expect(intent.name.en).toMatch(/^[A-Z]/);
      expect(intent.description.length).toBeGreaterThan(10);
      expect(intent.description).not.toContain("\n");
    }
  });

  it("passes its own validator", () => {
    expect(parseIntentTaxonomy(defaultIntents)).toEqual(defaultIntents);
  });
});

describe("parseIntentTaxonomy", () => {
  it("returns fresh objects and fills a missing description", () => {
    const input = [{ id: "renewal", name: { en: "Renewal", zh: "续保" } }];
    const parsed = parseIntentTaxonomy(input);
    expect(parsed).toEqual([
      { id: "renewal", name: { en: "Renewal", zh: "续保" }, description: "" },
    ]);
    parsed[0].name.en = "Changed";
    expect(input[0].name.en).toBe("Renewal");
  });

  it("rejects duplicate ids and names, pointing at the later entry", () => {
    const details = validationIssues(() =>
      parseIntentTaxonomy([
        ...defaultIntents,
        { id: "greeting", name: { en: "Hello", zh: "你好" }, description: "" },
        { id: "price_talk", name: { en: "pricing question", zh: "聊价格" }, description: "" },
      ]),
    );
    expect(details.issues).toEqual([
      expect.objectContaining({ path: [defaultIntents.length, "id"] }),
      expect.objectContaining({ path: [defaultIntents.length + 1, "name", "en"] }),
    ]);
    expect(details.issues[0].message).toContain("greeting");
  });

  it("rejects malformed entries with every issue listed", () => {
    const details = validationIssues(() =>
      parseIntentTaxonomy([
        { id: "Bad Id", name: { en: "x", zh: "x" } },
        { id: "ok_id", name: { en: "", zh: "好" } },
      ]),
    );
    expect(details.issues.map((issue) => issue.path)).toEqual([
      [0, "id"],
      [1, "name", "en"],
    ]);
  });

  it("rejects an empty taxonomy and non-arrays", () => {
    expect(() => parseIntentTaxonomy([])).toThrow(ValidationError);
    expect(() => parseIntentTaxonomy({ intents: [] })).toThrow(ValidationError);
    expect(() => parseIntentTaxonomy(null)).toThrow(ValidationError);
  });
});
