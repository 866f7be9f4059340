import { describe, expect, it } from "vitest";
import { defaultIntents } from "../../../../core/draft/taxonomy.ts";
import {
  applyDecisionLocally,
  currentIntent,
  decisionForIntent,
  intentName,
  quickIntents,
  readActionItem,
  readTalkTrack,
  searchIntents,
} from "./item-content.ts";
import type { ReviewItem } from "./review-types.ts";

const intentItem = (overrides: Partial<ReviewItem> = {}) =>
  ({
    id: "item",
    kind: "intent",
    content: { segment: 3, intent: "greeting", confidence: 0.5 },
    currentContent: null,
    status: "pending",
    ...overrides,
  }) as ReviewItem;

describe("intents", () => {
  it("puts the taxonomy's first nine on the digit keys, whatever the item predicts", () => {
    const quick = quickIntents(defaultIntents);
    expect(quick).toHaveLength(9);
    expect(quick.map((intent) => intent.id)).toEqual(
      defaultIntents.slice(0, 9).map((intent) => intent.id),
    );
  });

  it("finds intents by their name in either language, the UI language first", () => {
    const [first] = searchIntents(defaultIntents, "pric", "en");
    expect(first.id).toMatch(/^pricing_/);
    const chineseName = defaultIntents.find((intent) => intent.id === "pricing_objection")!.name.zh;
    // A fragment from the middle of a Chinese name (no word boundaries to rely on).
    const fragment = Array.from(chineseName).slice(1, 3).join("");
    expect(searchIntents(defaultIntents, fragment, "zh-CN").map((intent) => intent.id)).toContain(
      "pricing_objection",
    );
    expect(searchIntents(defaultIntents, "PRICING objection", "zh-CN")[0].id).toBe(
      "pricing_objection",
    );
    expect(searchIntents(defaultIntents, "no such intent at all", "en")).toEqual([]);
    expect(searchIntents(defaultIntents, "  ", "en")).toHaveLength(defaultIntents.length);
  });

  it("names intents in the UI language and keeps unknown ids as they are", () => {
    const greeting = defaultIntents.find((intent) => intent.id === "greeting")!;
    expect(intentName(defaultIntents, "greeting", "zh-CN")).toBe(greeting.name.zh);
    expect(intentName(defaultIntents, "greeting", "en")).toBe(greeting.name.en);
    expect(intentName(defaultIntents, "retired_intent", "en")).toBe("retired_intent");
  });

  it("treats picking the current intent as an accept and any other as an override", () => {
    expect(decisionForIntent(intentItem(), "greeting")).toEqual({
      action: "accept",
    });
    expect(decisionForIntent(intentItem(), "closing")).toEqual({
      action: "override",
      after: { intent: "closing" },
    });
    const corrected = intentItem({
      currentContent: { segment: 3, intent: "closing", confidence: 1 },
    });
    expect(currentIntent(corrected)).toBe("closing");
    expect(decisionForIntent(corrected, "greeting").action).toBe("override");
  });
});

describe("local decisions", () => {
  it("shows an intent override, a rejection and an edited action item the way the server stores them", () => {
    const overridden = applyDecisionLocally(intentItem(), "override", {
      intent: "closing",
    });
    expect(overridden.status).toBe("overridden");
    expect(overridden.currentContent).toEqual({
      segment: 3,
      intent: "closing",
      confidence: 1,
    });
    expect(applyDecisionLocally(intentItem(), "reject", undefined).currentContent).toBeNull();
    const action = {
      ...intentItem(),
      kind: "action_item",
      content: {
        type: "send_quote",
        title: "Send a quote",
        evidence: [2],
        confidence: 0.7,
      },
    } as ReviewItem;
    const edited = applyDecisionLocally(action, "override", {
      title: "Send the revised quote",
    });
    expect(readActionItem(edited.currentContent!).title).toBe("Send the revised quote");
    expect(readActionItem(edited.currentContent!).type).toBe("send_quote");
  });

  it("reads content defensively", () => {
    expect(readActionItem({ type: null, title: "Call back", evidence: [1, "x"] })).toMatchObject({
      type: null,
      flagged: true,
      owner: null,
      evidence: [1],
    });
    expect(readTalkTrack({ moment: "nonsense", suggestion: "Ask why" }).moment).toBe("question");
  });
});
