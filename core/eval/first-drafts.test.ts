import { describe, expect, it } from "vitest";
import type { SalesCall } from "../dataset/sales-calls.ts";
import type { ActionItem, DraftContent } from "../draft/schema.ts";
import { scoreFirstDrafts } from "./first-drafts.ts";

const call: SalesCall = {
  id: "en-test-01",
  language: "en",
  industry: "saas",
  stage: "negotiation",
  callDate: "2026-03-02",
  split: "dev",
  utterances: [
    { speaker: "agent", text: "Hi, it's Tom.", intent: "greeting" },
    { speaker: "customer", text: "The price is too steep.", intent: "pricing_objection" },
    { speaker: "agent", text: "I'll send a revised quote by Friday.", intent: "commitment" },
    { speaker: "customer", text: "Let me think about it.", intent: "hesitation" },
  ],
  actionItems: [
    { type: "send_quote", owner: "agent", due: { phrase: "by Friday", date: "2026-03-06" }, evidence: [2] },
    { type: "schedule_follow_up", owner: "agent", due: null, evidence: [3] },
  ],
  talkTrackMoments: [
    { utterance: 1, moment: "objection" },
    { utterance: 3, moment: "hesitation" },
  ],
};

function item(type: string | null, dueDate: string | null, evidence: number[]): ActionItem {
  return { type, flagged: type === null, title: "t", owner: "agent", dueDate, customer: null, notes: null, evidence, confidence: 0.5 };
}

describe("scoreFirstDrafts", () => {
  it("scores intents, action items (type, then type and due date) and talk tracks", () => {
    const draft: DraftContent = {
      intents: [
        { segment: 0, intent: "greeting", confidence: 0.9 },
        { segment: 1, intent: "needs_discovery", confidence: 0.6 },
        { segment: 2, intent: "commitment", confidence: 0.8 },
        { segment: 3, intent: "hesitation", confidence: 0.7 },
      ],
      actionItems: [item("send_quote", "2026-03-07", [2]), item(null, null, [2])],
      talkTracks: [
        { moment: "question", evidence: [1], suggestion: "Good question, here is how it works.", rationale: "", confidence: 0.5 },
        { moment: "hesitation", evidence: [3], suggestion: "您可以先试用两周。", rationale: "", confidence: 0.5 },
      ],
      notes: [],
    };
    const scores = scoreFirstDrafts([{ call, draft }], ["greeting", "pricing_objection", "commitment", "hesitation", "needs_discovery"]);
    expect(scores.intentAccuracy).toBe(0.75);
    // One of two drafted items has the right type; one of two expected items was found.
    expect(scores.actionPrecision).toBe(0.5);
    expect(scores.actionRecall).toBe(0.5);
    expect(scores.actionF1).toBe(0.5);
    // Its due date is wrong (Saturday, not Friday).
    expect(scores.dueDateAccuracy).toBe(0);
    expect(scores.actionWithDueF1).toBe(0);
    // The question track sits on an objection; the hesitation track fits but is in Chinese.
    expect(scores.talkTracksOffered).toBe(2);
    expect(scores.talkTrackPrecision).toBe(0.5);
    expect(scores.talkTrackCoverage).toBe(0.5);
    expect(scores.talkTracksInOtherLanguage).toBe(1);
  });

  it("counts talk tracks written for another industry than the call's, when it knows the industries", () => {
    const track = (suggestion: string) => ({ moment: "objection" as const, evidence: [1], suggestion, rationale: "", confidence: 0.5 });
    const draft: DraftContent = {
      intents: [],
      actionItems: [],
      talkTracks: [track("Raise the deductible."), track("Let's trim seats."), track("What did you budget?")],
      notes: [],
    };
    const labels = ["greeting", "pricing_objection", "commitment", "hesitation"];
    const industries: Record<string, string> = { "Raise the deductible.": "insurance", "Let's trim seats.": "saas", "What did you budget?": "general" };
    const scores = scoreFirstDrafts([{ call, draft }], labels, { trackIndustry: (suggestion) => industries[suggestion] ?? null });
    expect(scores.talkTracksOffDomain).toBe(1);
    expect(scoreFirstDrafts([{ call, draft }], labels).talkTracksOffDomain).toBeNull();
  });

  it("gives null, not zero, where there is nothing to measure", () => {
    const scores = scoreFirstDrafts(
      [{ call: { ...call, actionItems: [], talkTrackMoments: [] }, draft: { intents: [], actionItems: [], talkTracks: [], notes: [] } }],
      ["greeting", "pricing_objection", "commitment", "hesitation"],
    );
    expect(scores.intentAccuracy).toBe(0);
    expect(scores.actionPrecision).toBeNull();
    expect(scores.actionRecall).toBeNull();
    expect(scores.talkTrackPrecision).toBeNull();
    expect(scores.talkTrackCoverage).toBeNull();
  });
});
