import { describe, expect, it } from "vitest";
import type { TranscriptSegment } from "../schema.ts";
import {
  classifyMoment,
  detectMoments,
  momentQueries,
  momentQueryText,
  speakerRole,
  textLanguage,
} from "./moments.ts";

function transcript(...lines: Array<[speaker: string, text: string]>): TranscriptSegment[] {
  return lines.map(([speaker, text], ordinal) => ({
    ordinal,
    speaker,
    text,
    startMs: ordinal * 3000,
    endMs: ordinal * 3000 + 2500,
  }));
}

describe("classifyMoment", () => {
  it("catches the objections and stalls reps meet most (issue 15), but not a decision already made", () => {
    const cases: Array<[string, string | null]> = [
      ["Honestly the quote is too steep for a team our size.", "objection:price"],
      ["That number is more than we can justify this year.", "objection:price"],
      ["Our IT people are swamped with the migration.", "objection:capacity"],
      ["Our IT team doesn't have bandwidth for another integration.", "objection:capacity"],
      ["Another vendor offered us the same coverage for two thousand less.", "objection:price"],
      ["FreshCo quoted us a lower rate last week.", "objection:competitor"],
      ["A five-year contract is a non-starter for our legal team.", "objection:terms"],
      ["合同三年起签我们接受不了。", "objection:terms"],
      ["We don't have the bandwidth to implement anything new right now.", "objection:capacity"],
      ["我们技术就两个人，实施肯定忙不过来。", "objection:capacity"],
      ["I'd have to run this by my boss first.", "hesitation:consult"],
      ["这个下季度再说吧。", "hesitation:defer"],
      ["Budgets are frozen until the summer.", "hesitation:defer"],
      ["一年三十万，超出我们预算太多了。", "objection:price"],
      ["我们没有超出预算，这个可以定。", null],
      ["That's more than we budgeted for this year.", "objection:price"],
      ["The other shop sells it for two dollars less.", "objection:price"],
      ["金蝶那边也在报价，你们抓紧点。", "objection:competitor"],
      ["我们财务那边报了预算，下周批。", null],
      ["自动续费这个条款我们不接受。", "objection:terms"],
      ["Legal flagged the indemnity clause.", "objection:terms"],
      ["We can't sign a two-year deal right now.", "objection:terms"],
      ["数据必须存在国内，不然我们签不了。", "objection:requirement"],
      ["Security won't approve anything without SOC 2.", "objection:requirement"],
      ["We're not signing anything until the audit is done.", "hesitation:defer"],
      ["这个要上董事会，下个月才开。", "hesitation:consult"],
      ["No rush, we're still deciding.", "hesitation:stall"],
      ["买不买还得再看看。", "hesitation:stall"],
      ["之前那家老出错，你们可别这样。", "objection:trust"],
      ["今年预算已经用完了。", "objection:timing"],
      ["我们已经用完了试用额度。", null],
      ["If the numbers work, we don't need a board vote.", null],
      ["We don't really need another dashboard.", "objection:need"],
      ["Acme quoted us a lower rate for the same volume.", "objection:competitor"],
      ["We're happy with our current supplier.", "objection:incumbent"],
      ["Honestly, the premium you quoted is too high for us.", "objection:price"],
      ["能不能先寄两块样板给我们看看？", null],
      ["Could you send the proposal over by Friday?", null],
      ["我们已经商量好了，就定这个套餐。", null],
    ];
    for (const [text, expected] of cases) {
      const found = classifyMoment(text);
      expect(found ? `${found.moment}:${found.cue}` : null, text).toBe(expected);
    }
  });

  it.each([
    ["太贵了", "objection", "price"],
    ["这个价格有点高啊，超出我们预算了", "objection", "price"],
    ["为什么这么贵？", "objection", "price"], // an objection phrased as a question
    ["That's way too expensive for us.", "objection", "price"],
    ["It's over our budget this year.", "objection", "price"],
    ["我们已经在用平安的了", "objection", "incumbent"],
    ["我们公司现在用的是金蝶", "objection", "incumbent"],
    ["We already use Salesforce for this.", "objection", "incumbent"],
    ["我们不需要", "objection", "need"],
    ["我担心数据安全的问题", "objection", "trust"],
    ["I'm worried about the migration effort.", "objection", "trust"],
    ["我再考虑一下", "hesitation", "stall"],
    ["需要再考虑考虑", "hesitation", "stall"],
    ["我回去跟老婆商量商量", "hesitation", "consult"],
    ["Let me think about it.", "hesitation", "stall"],
    ["I need to talk to my boss first.", "hesitation", "consult"],
    ["理赔要多久能到账？", "question", "question"],
    ["这个车保养一次多少钱", "question", "question"],
    ["你们的APP支持视频问诊吗", "question", "question"],
    ["Does it integrate with Slack?", "question", "integration"],
    ["How long is the contract term", "question", "contract"],
    ["Where is the data hosted?", "question", "data"],
    ["付款能分三期吗？", "question", "payment"],
    ["我们多久能上线？", "question", "rollout"],
    ["这个证书是哪一年发的？", "question", "certification"],
    ["能先试用一个月吗？", "question", "trial"],
  ])("%s → %s (%s)", (text, moment, cue) => {
    expect(classifyMoment(text)).toEqual({ moment, cue });
  });

  it.each([
    "好的",
    "喂，哪位？",
    "Can you hear me?",
    "OK.",
    "Sounds good, thanks.",
    "谢谢你啊",
    "对吧？",
  ])("finds no moment in %s", (text) => {
    expect(classifyMoment(text)).toBeNull();
  });
});

describe("detectMoments", () => {
  it("looks at customer lines only and joins a moment split across segments", () => {
    const moments = detectMoments(
      transcript(
        ["销售", "您好，这款产品您觉得价格怎么样？"],
        ["客户", "嗯，这个价格"],
        ["客户", "有点贵了，别家便宜不少"],
        ["销售", "我理解。"],
        ["客户", "我再考虑一下吧。"],
      ),
    );
    expect(moments).toEqual([
      {
        moment: "objection",
        cue: "price",
        evidence: [1, 2],
        speaker: "客户",
        text: "嗯，这个价格有点贵了，别家便宜不少",
      },
      {
        moment: "hesitation",
        cue: "stall",
        evidence: [4],
        speaker: "客户",
        text: "我再考虑一下吧。",
      },
    ]);
  });

  it("uses agentSpeaker for diarised labels, and every line when roles are unknown", () => {
    const segments = transcript(
      ["SPEAKER_00", "Is the price too high for you?"],
      ["SPEAKER_01", "Honestly, it's too expensive."],
    );
    expect(detectMoments(segments, { agentSpeaker: "SPEAKER_00" }).map((m) => m.evidence)).toEqual([
      [1],
    ]);
    expect(detectMoments(segments).map((m) => m.evidence)).toEqual([[0], [1]]);
  });

  it("gives query texts without fillers", () => {
    const [query] = momentQueries(transcript(["customer", "嗯，那个，这个价格太贵了"]));
    expect(query).toMatchObject({ moment: "objection", evidence: [0], query: "这个价格太贵了" });
    expect(momentQueryText("Um, you know, it's pricey")).toBe("it's pricey");
    expect(momentQueryText("I would like a discount")).toBe("I would like a discount");
    expect(momentQueryText("嗯")).toBe("嗯");
  });
});

describe("speakerRole and textLanguage", () => {
  it("reads roles from labels or from the agent's label", () => {
    expect(speakerRole("agent")).toBe("agent");
    expect(speakerRole("销售顾问")).toBe("agent");
    expect(speakerRole("Customer")).toBe("customer");
    expect(speakerRole("客户")).toBe("customer");
    expect(speakerRole("SPEAKER_01")).toBeNull();
    expect(speakerRole("SPEAKER_01", "SPEAKER_00")).toBe("customer");
    expect(speakerRole("SPEAKER_00", "SPEAKER_00")).toBe("agent");
  });

  it("tells Chinese from English, including mixed lines", () => {
    expect(textLanguage("我明天把PPT发给您")).toBe("zh");
    expect(textLanguage("I'll send the 报价 tomorrow")).toBe("en");
    expect(textLanguage("")).toBe("en");
  });
});
