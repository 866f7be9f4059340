import { describe, expect, it } from "vitest";
import type { ActionType, IntentDefinition } from "../draft/schema.ts";
import { formatActionItemsCsv } from "./action-items-csv.ts";
import { summariseCall } from "./call-summary.ts";
import { composeFollowUpEmail } from "./follow-up-email.ts";
import type { DraftItemLike } from "./follow-up-item.ts";
import { callLanguage, standingActionItems } from "./follow-up-item.ts";
import { escapeText, foldLine, formatActionItemsIcs } from "./ics.ts";
import { mailtoUrl } from "./mailto.ts";

const catalogue: ActionType[] = [
  { id: "send_quote", name: { en: "Send quote", zh: "发送报价" }, fields: ["dueDate"], examples: { en: [], zh: [] } },
  { id: "schedule_follow_up", name: { en: "Schedule follow-up", zh: "安排跟进" }, fields: [], examples: { en: [], zh: [] } },
];
const intents: IntentDefinition[] = [
  { id: "pricing_objection", name: { en: "Pricing objection", zh: "价格异议" }, description: "" },
  { id: "greeting", name: { en: "Greeting", zh: "问候" }, description: "" },
  { id: "product_question", name: { en: "Product question", zh: "产品问题" }, description: "" },
];

function actionItem(id: string, content: Record<string, unknown>, status: DraftItemLike["status"] = "pending"): DraftItemLike {
  return { id, kind: "action_item", content: { evidence: [0], ...content }, currentContent: null, status };
}

const items: DraftItemLike[] = [
  actionItem("a1", { type: "send_quote", title: "Send the quote", owner: "Wang", dueDate: "2026-12-09", evidence: [3, 4] }, "accepted"),
  actionItem("a2", { type: "schedule_follow_up", title: "Call back, discuss terms", dueDate: null }),
  actionItem("a3", { type: "send_quote", title: "Rejected one", dueDate: "2026-12-10" }, "rejected"),
];

describe("ics", () => {
  it("escapes text values", () => {
    expect(escapeText("a,b;c\\d\nnext")).toBe("a\\,b\\;c\\\\d\\nnext");
  });

  it("folds at 75 octets without splitting a UTF-8 character", () => {
    const line = `SUMMARY:${"报价".repeat(40)}`;
    const folded = foldLine(line).split("\r\n");
    expect(folded.length).toBeGreaterThan(1);
    for (const part of folded) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
    expect(folded.slice(1).every((part) => part.startsWith(" "))).toBe(true);
    expect(folded.map((part, index) => (index === 0 ? part : part.slice(1))).join("")).toBe(line);
  });

  it("writes one all-day event per item with a due date, with UID, DTSTAMP and CRLF", () => {
    const ics = formatActionItemsIcs(
      standingActionItems(items, catalogue).map((item) => ({ ...item, typeLabel: item.typeName?.en ?? "" })),
      { calendarName: "Call, with ACME", context: "Call on 2026-12-06", now: new Date("2026-12-06T10:11:12.345Z"), uidDomain: "calibrate.test" },
    );
    expect(ics.endsWith("\r\n")).toBe(true);
    expect(ics.replaceAll("\r\n", "")).not.toContain("\n");
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain("UID:a1@calibrate.test\r\n");
    expect(ics).toContain("DTSTAMP:20261206T101112Z\r\n");
    expect(ics).toContain("DTSTART;VALUE=DATE:20261209\r\nDTEND;VALUE=DATE:20261210\r\n");
    expect(ics).toContain("X-WR-CALNAME:Call\\, with ACME\r\n");
    expect(ics).toContain("DESCRIPTION:Send quote\\nOwner: Wang\\nCall on 2026-12-06\r\n");
    expect(ics).not.toContain("Rejected one");
  });

  it("ends a month and a year correctly", () => {
    const ics = formatActionItemsIcs(
      [{ id: "x", title: "t", dueDate: "2026-12-31", typeLabel: "", owner: null, customer: null, notes: null }],
      { calendarName: "c", context: "", now: new Date(0), uidDomain: "d" },
    );
    expect(ics).toContain("DTEND;VALUE=DATE:20270101");
  });
});

describe("mailto", () => {
  it("percent-encodes UTF-8, spaces as %20 and line breaks as CRLF", () => {
    const url = mailtoUrl({ to: ["li@example.com"], subject: "跟进 & next", body: "Hi,\nline 2?" });
    expect(url).toBe("mailto:li@example.com?subject=%E8%B7%9F%E8%BF%9B%20%26%20next&body=Hi%2C%0D%0Aline%202%3F");
    expect(decodeURIComponent(url.split("body=")[1])).toBe("Hi,\r\nline 2?");
  });
});

describe("follow-up e-mail", () => {
  const standing = standingActionItems(items, catalogue);

  it("lists the standing items as next steps, in English", () => {
    const email = composeFollowUpEmail({ language: "en", callDate: "2026-12-06", customer: "Ms Li", repName: "Wang Wei", items: standing });
    expect(email.subject).toBe("Follow-up on our call of 6 December 2026");
    expect(email.body).toContain("Hi Ms Li,");
    expect(email.body).toContain("1. Send the quote (Send quote) — owner: Wang, by 9 December 2026");
    expect(email.body).toContain("2. Call back, discuss terms (Schedule follow-up)");
    expect(email.body).not.toContain("Rejected one");
    expect(email.body.trimEnd().endsWith("Wang Wei")).toBe(true);
    expect(email.source).toBe("template");
  });

  it("writes Chinese for a Chinese call", () => {
    const email = composeFollowUpEmail({ language: "zh", callDate: "2026-12-06", customer: null, repName: "王伟", items: standing });
    expect(email.subject).toBe("通话跟进：2026年12月6日沟通要点与后续安排");
    expect(email.body).toContain("1. Send the quote（发送报价） — 负责人：Wang，截止：2026年12月9日");
    expect(email.body.startsWith("您好：")).toBe(true);
  });

  it("names the rep for items the agent owns", () => {
    const [agentItem] = standingActionItems([actionItem("x", { type: "send_quote", title: "Quote", owner: "agent" })], catalogue);
    expect(composeFollowUpEmail({ language: "en", callDate: null, customer: null, repName: "Wang Wei", items: [agentItem] }).body).toContain(
      "1. Quote (Send quote) — owner: Wang Wei",
    );
  });

  it("says so when there is nothing to follow up yet", () => {
    const email = composeFollowUpEmail({ language: "en", callDate: null, customer: null, repName: "R", items: [] });
    expect(email.subject).toBe("Follow-up on our call");
    expect(email.body).toContain("I will be in touch shortly");
    expect(email.body).not.toMatch(/^1\./m);
  });
});

describe("call language", () => {
  it("takes the transcript's, then the upload's, then guesses from the words", () => {
    expect(callLanguage("auto", "en-US", "你好")).toBe("en");
    expect(callLanguage("zh", null, "Hello there")).toBe("zh");
    expect(callLanguage("auto", null, "Hi, thanks for making the time today.")).toBe("en");
    expect(callLanguage("auto", null, "您好，我是小王，今天想跟您聊聊续保的事。OK")).toBe("zh");
  });
});

describe("action items CSV", () => {
  it("has a BOM, CRLF, quoted fields and 1-based utterances", () => {
    const csv = formatActionItemsCsv(standingActionItems(items, catalogue));
    const lines = csv.slice(1).split("\r\n");
    expect(csv.startsWith("\ufeff")).toBe(true);
    expect(lines[0]).toBe("type,type_en,type_zh,title,owner,due_date,customer,notes,status,origin,utterances");
    expect(lines[1]).toBe("send_quote,Send quote,发送报价,Send the quote,Wang,2026-12-09,,,accepted,engine,4 5");
    expect(lines[2]).toBe("schedule_follow_up,Schedule follow-up,安排跟进,\"Call back, discuss terms\",,,,,pending,engine,1");
    expect(lines).toHaveLength(4);
  });
});

describe("call summary", () => {
  it("groups the customer's substantive utterances by intent and names the engine", () => {
    const intentItem = (id: string, segment: number, intent: string, status: DraftItemLike["status"] = "pending"): DraftItemLike => ({
      id, kind: "intent", content: { segment, intent, confidence: 0.8 }, currentContent: null, status,
    });
    const summary = summariseCall({
      engine: "local",
      model: "local-intent@3",
      intents,
      catalogue,
      segments: [
        { ordinal: 0, speaker: "customer", text: "Hello" },
        { ordinal: 1, speaker: "customer", text: "Too expensive" },
        { ordinal: 2, speaker: "Agent", text: "Our price is fair" },
        { ordinal: 3, speaker: "Customer", text: "Still pricey" },
        { ordinal: 4, speaker: "customer", text: "Does it export?" },
      ],
      items: [
        intentItem("i0", 0, "greeting"),
        intentItem("i1", 1, "pricing_objection"),
        intentItem("i2", 2, "pricing_objection"),
        intentItem("i3", 3, "pricing_objection"),
        { ...intentItem("i4", 4, "pricing_objection"), currentContent: { segment: 4, intent: "product_question" }, status: "overridden" },
        ...items,
        { id: "t1", kind: "talk_track", content: {}, currentContent: null, status: "pending" },
      ],
    });
    expect(summary.engine).toBe("local");
    expect(summary.model).toBe("local-intent@3");
    expect(summary.raised.map((topic) => [topic.intent, topic.segments])).toEqual([
      ["pricing_objection", [1, 3]],
      ["product_question", [4]],
    ]);
    expect(summary.raised[0].example).toBe("Too expensive");
    expect(summary.nextSteps.map((item) => item.id)).toEqual(["a1", "a2"]);
    expect(summary.talkTracks).toBe(1);
  });

  it("leaves out the rep's lines in Chinese transcripts too (坐席, 销售)", () => {
    const summary = summariseCall({
      engine: "local",
      model: "local-intent@3",
      intents,
      catalogue,
      segments: [
        { ordinal: 0, speaker: "坐席", text: "我等下给您算具体金额。" },
        { ordinal: 1, speaker: "客户", text: "怎么涨这么多，太贵了吧。" },
        { ordinal: 2, speaker: "销售", text: "今年的优惠系数会受一点影响。" },
      ],
      items: [0, 1, 2].map((segment) => ({
        id: `i${segment}`, kind: "intent", content: { segment, intent: "pricing_objection", confidence: 0.8 }, currentContent: null, status: "pending" as const,
      })),
    });
    expect(summary.raised.map((topic) => [topic.intent, topic.segments])).toEqual([["pricing_objection", [1]]]);
  });
});
