import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors.ts";
import { defaultActionCatalogue, parseActionCatalogue } from "../action-catalogue.ts";
import { actionItemSchema, type TranscriptSegment } from "../schema.ts";
import {
  createCatalogueMatcher,
  extractActionItems,
  findCommitments,
  stemEnglishWord,
  textFeatures,
} from "./action-items.ts";

const reference = new Date("2025-03-12"); // a Wednesday

function transcript(...lines: Array<[speaker: string, text: string]>): TranscriptSegment[] {
  return lines.map(([speaker, text], ordinal) => ({
    ordinal,
    speaker,
    text,
    startMs: ordinal * 4000,
    endMs: ordinal * 4000 + 3500,
  }));
}

function itemsFrom(speaker: string, text: string) {
  return extractActionItems(transcript([speaker, text]), defaultActionCatalogue, { reference });
}

describe("findCommitments", () => {
  it("counts a rep offering their own next call with a time as a commitment, even as a question", () => {
    for (const text of ["Sure, can I call you back on Thursday?", "Shall we book a call in early May?", "那我下周二再给您打个电话？", "好的，那我五月初再联系您"]) {
      expect(findCommitments(text).length, text).toBeGreaterThan(0);
    }
    for (const text of ["Can I call you back?", "Can I ask what budget you have in mind?", "你下周二能给我打个电话吗？"]) {
      expect(findCommitments(text), text).toEqual([]);
    }
  });

  it.each([
    "我明天把对比表发给您",
    "好的，我来约一下三方视频",
    "我们这边安排一下试驾",
    "明天发您", // Chinese drops the subject
    "合同我周五之前发过去",
    "我会尽快提交合规审批",
    "我去跟领导申请一下",
    "含税价我核算好了发您微信", // sending to the listener is the promise
    "这个条款我得先报法务审批，周五前答复您",
    "这个技术问题我请我们的工程师直接联系您",
    "我发几个医院的使用案例给您参考",
    "I'll send over the quote by Friday",
    "Sure, I'll set up the trial account today",
    "We'll get the contract over to you by Thursday",
    "Let me book a test drive for you on Saturday",
    "I will ask my manager about the discount",
    "I can send it tomorrow",
    "Will do.",
  ])("finds the commitment in %s", (text) => {
    expect(findCommitments(text)).toHaveLength(1);
  });

  it.each([
    "你们能发一份对比表给我吗？",
    "Can you send me the quote?",
    "要不要我帮您约个试驾？",
    "我们这款产品支持开发票",
    "我觉得你们的报价太高了",
    "我再考虑一下",
    "Let me think about it",
    "I'll think about it",
    "I'll be honest, the price is high",
    "Let me know if you have questions",
    "I'll let you get back to work.",
    "I'll note that down.",
    "我们一般三天就能发货。",
    "麻烦您把营业执照发我一下。",
    "我们可以安排试驾", // an offer, not yet a promise
    "We can arrange a test drive",
    "我已经把报价发给您了", // done, not to do
    "I sent it yesterday",
    "您明天把资料发我一下", // asks the other side
    "麻烦您把身份证发我",
    "我们一般三天内发货", // habit
    "Let me walk you through the dashboard", // happens on the call
    "我给您介绍一下我们的产品",
    "大约三万块",
    "我今天早上堵车了",
  ])("finds no commitment in %s", (text) => {
    expect(findCommitments(text)).toEqual([]);
  });

  it("keeps an enumeration (、) in the clause that promises it", () => {
    expect(findCommitments("我把价格、交期、售后逐项列个对比，周四发您。")[0].text).toBe("我把价格、交期、售后逐项列个对比，");
    expect(itemsFrom("销售", "我把价格、交期、售后逐项列个对比，周四发您。")).toEqual([
      expect.objectContaining({ type: "send_comparison_sheet", dueDate: "2025-03-13" }),
    ]);
  });

  it("gives a promise without an object the clauses before it in its sentence, but not an acknowledgement", () => {
    expect(findCommitments("那我把年费去掉，重新核一版价格，明天发您。").map((c) => c.text)).toEqual([
      "那我把年费去掉，重新核一版价格，明天发您。",
    ]);
    expect(findCommitments("没问题，我整理好今晚发您。").map((c) => c.text)).toEqual(["我整理好今晚发您。"]);
    // A question before it is not the speaker's action.
    expect(findCommitments("价格您觉得怎么样？我明天发您。").map((c) => c.text)).toEqual(["我明天发您。"]);
  });

  it("keeps the purpose of a step with it (看能不能…争取…)", () => {
    expect(findCommitments("我回去走一下公司审批，看能不能给您争取个优惠，周五前给您答复。").map((c) => c.text)).toEqual([
      "我回去走一下公司审批，看能不能给您争取个优惠，",
      "周五前给您答复。",
    ]);
  });

  it("counts handing a question to a colleague as the speaker's commitment", () => {
    expect(findCommitments("具体参数我请工程师给您书面解释一下。")).toHaveLength(1);
    expect(findCommitments("我们工程师之前解释过这个问题。")).toEqual([]);
  });

  it("reads English promises without 'I'll + verb', and follow-up offers on any date the parser reads", () => {
    for (const text of [
      "Let me see what I can do with my director on the price.",
      "You'll have the revised quote from me by Thursday.",
      "I'll take this to our legal team and come back with a redline.",
      "Could we pencil in a call for May 4th?",
    ]) {
      expect(findCommitments(text).length, text).toBeGreaterThan(0);
    }
    for (const text of ["Let me see, the Pro plan has SSO.", "Could we pencil something in?", "You'll have to ask your IT team."]) {
      expect(findCommitments(text), text).toEqual([]);
    }
  });

  it("does not end a sentence at an abbreviation", () => {
    expect(findCommitments("I'll send you the report from Dr. Moss tomorrow.").map((c) => c.text)).toEqual([
      "I'll send you the report from Dr. Moss tomorrow.",
    ]);
  });

  it("keeps two actions of one sentence apart", () => {
    expect(findCommitments("我明天把报价发您，再约个时间做三方视频。").map((c) => c.text)).toEqual([
      "我明天把报价发您，",
      "再约个时间做三方视频。",
    ]);
  });
});

describe("catalogue matcher", () => {
  const matcher = createCatalogueMatcher(defaultActionCatalogue);

  it.each([
    ["我回头把我们跟平安那款的保障对比整理成表格发您", "send_comparison_sheet"],
    ["没问题，我下午给您出一份报价，按二十个账号算", "send_quote"],
    ["我这边约一下核保专家，周四一起开个三方视频", "book_three_way_video_consult"],
    ["Let me set up a pilot for your team next week", "arrange_trial_or_sample"],
    ["I'll get legal to look at the data processing addendum", "trigger_compliance_approval"],
    ["I'll loop in our technical architect", "escalate_to_specialist"],
    ["我把合同发您邮箱，您盖个章", "send_contract"],
    ["我周五再给您打个电话", "schedule_follow_up"],
    ["我先把这个客户案例发给您参考一下", "send_case_study"],
    ["我把你的资料更新到系统里", "update_crm_stage"],
    ["我去跟经理申请一个特价", "request_discount_approval"],
  ])("%s → %s", (text, expected) => {
    const [best, second] = matcher.match(text);
    expect(best.id).toBe(expected);
    expect(best.score).toBeGreaterThan(second.score);
  });

  it("uses character bigrams for Chinese and stems for English", () => {
    expect([...textFeatures("对比表").keys()]).toEqual(
      expect.arrayContaining(["b:对比", "b:比表", "c:对"]),
    );
    expect(stemEnglishWord("comparison")).toBe(stemEnglishWord("compare"));
    expect(stemEnglishWord("quotation")).toBe(stemEnglishWord("quote"));
    // Amounts and dates say nothing about which action it is.
    expect([...textFeatures("I'll send 50 quotes tomorrow").keys()].sort()).toEqual([
      "p:send quot",
      "w:quot",
      "w:send",
    ]);
  });
});

describe("extractActionItems", () => {
  it("drafts typed, owned and dated items from a Chinese insurance call", () => {
    const items = extractActionItems(
      transcript(
        ["agent", "王先生您好，我是安心保险的小李。"],
        ["customer", "你好。你们这个重疾险和别家的比有什么区别？"],
        ["agent", "我们的保障范围更广，特别是轻症这块赔得多。"],
        ["customer", "能不能发个对比表给我看看？"],
        ["agent", "好的，我明天把对比表发给您。"],
        ["customer", "行，那我今晚把体检报告拍照发给你。"],
        ["agent", "没问题，对比表明天一定发您微信。"],
        ["agent", "另外，我约一下我们的核保老师，下周三开个三方视频一起聊聊。"],
        ["customer", "好的，谢谢。"],
      ),
      defaultActionCatalogue,
      { reference },
    );
    for (const item of items) expect(actionItemSchema.parse(item)).toEqual(item);
    expect(
      items.map(({ type, owner, dueDate, evidence, flagged, title }) => ({
        type,
        owner,
        dueDate,
        evidence,
        flagged,
        title,
      })),
    ).toEqual([
      {
        type: "send_comparison_sheet",
        owner: "agent",
        dueDate: "2025-03-13",
        evidence: [4, 6], // restated two lines later: one item
        flagged: false,
        title: "发送产品对比表",
      },
      {
        type: "collect_customer_documents",
        owner: "customer",
        dueDate: "2025-03-12",
        evidence: [5],
        flagged: false,
        title: "收集客户资料",
      },
      {
        type: "book_three_way_video_consult",
        owner: "agent",
        dueDate: "2025-03-19",
        evidence: [7],
        flagged: false,
        title: "预约三方视频会诊",
      },
    ]);
    for (const item of items) expect(item.confidence).toBeGreaterThanOrEqual(0.32);
  });

  it("drafts items from an English SaaS call with diarised speakers", () => {
    const items = extractActionItems(
      transcript(
        ["SPEAKER_01", "Can you send me a quote for fifty seats?"],
        ["SPEAKER_00", "Sure, I'll send it over by Friday."],
        ["SPEAKER_01", "Great. Also, we're worried about where the data is stored."],
        [
          "SPEAKER_00",
          "Understood. I'll get our compliance team to review the data processing terms this week.",
        ],
        ["SPEAKER_00", "And I'll set up a two-week pilot for your team starting Monday."],
        ["SPEAKER_01", "Let me think about it and talk to my CFO."],
        ["SPEAKER_01", "I'll send you our security questionnaire tomorrow."],
      ),
      defaultActionCatalogue,
      { reference, agentSpeaker: "SPEAKER_00" },
    );
    expect(
      items.map(({ type, owner, dueDate, evidence, title }) => ({
        type,
        owner,
        dueDate,
        evidence,
        title,
      })),
    ).toEqual([
      // "it" is the quote the customer asked for: typed through the previous line.
      {
        type: "send_quote",
        owner: "agent",
        dueDate: "2025-03-14",
        evidence: [0, 1],
        title: "Send quote",
      },
      {
        type: "trigger_compliance_approval",
        owner: "agent",
        dueDate: "2025-03-14",
        evidence: [3],
        title: "Trigger compliance approval",
      },
      {
        type: "arrange_trial_or_sample",
        owner: "agent",
        dueDate: "2025-03-17",
        evidence: [4],
        title: "Arrange trial, sample or test drive",
      },
      {
        type: "collect_customer_documents",
        owner: "customer",
        dueDate: "2025-03-13",
        evidence: [6],
        title: "Collect customer documents",
      },
    ]);
  });

  it("keeps a customer's promises to their own decision process out of the action items", () => {
    for (const text of [
      "I'll talk to my CFO and get back to you next week.",
      "Let me run it by my boss first.",
      "We'll discuss it internally on Monday.",
      "我们这周开会定一下。",
      "我让IT的同事联系你。",
    ]) {
      expect(itemsFrom("customer", text), text).toEqual([]);
    }
  });

  it("gives a customer only the actions a customer can own (documents, a signed contract)", () => {
    // "book a room for the demo" reads like arranging a trial, which is the rep's step.
    expect(itemsFrom("customer", "I'll book a room for the demo.")).toEqual([]);
    expect(itemsFrom("agent", "I'll book a demo unit for your clinic.")).toEqual([
      expect.objectContaining({ type: "arrange_trial_or_sample", owner: "agent" }),
    ]);
    expect(itemsFrom("customer", "好，我明天把营业执照拍照发给你。")).toEqual([
      expect.objectContaining({ type: "collect_customer_documents", owner: "customer", dueDate: "2025-03-13" }),
    ]);
    // With unknown roles every entry competes, as before.
    expect(itemsFrom("SPEAKER_01", "I'll book a demo unit for your clinic.")).toEqual([
      expect.objectContaining({ type: "arrange_trial_or_sample", owner: "SPEAKER_01" }),
    ]);
  });

  it("books a call the rep offers as a ring, but not an overview they give", () => {
    expect(itemsFrom("agent", "I'll give you a ring on Thursday to see where things stand.")).toEqual([
      expect.objectContaining({ type: "schedule_follow_up", dueDate: "2025-03-13" }),
    ]);
    expect(itemsFrom("agent", "I'll give you a quick overview of the dashboard.")).toEqual([]);
  });

  it("keeps the speaker label as owner when roles are unknown", () => {
    const [item] = extractActionItems(
      transcript(["SPEAKER_00", "我明天把报价单发给您"]),
      defaultActionCatalogue,
      { reference },
    );
    expect(item).toMatchObject({ type: "send_quote", owner: "SPEAKER_00" });
  });

  it("flags a commitment the catalogue does not cover instead of inventing a type", () => {
    const items = extractActionItems(
      transcript(
        ["agent", "我明天给您寄一份新年礼品，再把报价发您。"],
        ["customer", "好的。"],
        ["agent", "I'll also put you on the guest list for our user conference by Friday."],
      ),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([
      expect.objectContaining({
        type: null,
        flagged: true,
        title: "我明天给您寄一份新年礼品",
        owner: "agent",
        dueDate: "2025-03-13",
        evidence: [0],
        notes: expect.stringContaining("No catalogue action matched"),
      }),
      expect.objectContaining({ type: "send_quote", flagged: false, evidence: [0] }),
      expect.objectContaining({
        type: null,
        flagged: true,
        title: "I'll also put you on the guest list for our user conference by Friday",
        dueDate: "2025-03-14",
        evidence: [2],
      }),
    ]);
    expect(items[0].confidence).toBeLessThan(0.32);
  });

  it("leaves out undated promises the catalogue does not cover, and any of the customer's", () => {
    for (const text of ["We'll handle the installation ourselves.", "I'll send everything in writing. Thanks Marcus.", "我给您演示一下后台怎么用。"]) {
      expect(itemsFrom("agent", text), text).toEqual([]);
    }
    expect(itemsFrom("customer", "我明天给你寄一份新年礼品。")).toEqual([]);
  });

  it("does not guess the type of a bare commitment without context", () => {
    const [item] = itemsFrom("agent", "Sure, I'll send it over tomorrow.");
    expect(item).toMatchObject({
      type: null,
      flagged: true,
      title: "I'll send it over tomorrow",
      dueDate: "2025-03-13",
    });
  });

  it("folds a clause without an object into its neighbour", () => {
    expect(itemsFrom("agent", "我把两款车的配置差异整理成表格，今晚发您。")).toEqual([
      expect.objectContaining({
        type: "send_comparison_sheet",
        dueDate: "2025-03-12",
        evidence: [0],
      }),
    ]);
  });

  it("joins the clause that names the object to the promise after it (我算好价格，明天发您)", () => {
    const items = itemsFrom("销售", "好的，我算好含送货安装的价格，明天中午前发您微信。");
    expect(items).toEqual([expect.objectContaining({ type: "send_quote", dueDate: "2025-03-13", evidence: [0] })]);
  });

  it("types a commitment that only says how from the request it answers, and keeps its owner", () => {
    const items = extractActionItems(
      transcript(["销售", "麻烦您这两天把最近的体检报告拍照发我一下。"], ["客户", "好，我明天去医院拿了就发给你。"]),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([
      expect.objectContaining({ type: "collect_customer_documents", owner: "customer", dueDate: "2025-03-13", evidence: [0, 1] }),
    ]);
  });

  it("reads a promise that only says when (我整理好今晚发您) by the request it answers", () => {
    const answer = (request: string, promise: string) =>
      extractActionItems(transcript(["客户", request], ["销售", promise]), defaultActionCatalogue, { reference }).map((item) => item.type);
    expect(answer("那你把你们和海康的对比发我看看。", "没问题，我整理好今晚发您。")).toEqual(["send_comparison_sheet"]);
    expect(answer("你们能先寄个样品吗？", "可以，我这周内寄给您。")).toEqual(["arrange_trial_or_sample"]);
  });

  it("takes the day the other side names in answer to a follow-up offer", () => {
    const items = extractActionItems(
      transcript(["agent", "Understood, shall I call you in early April when the new budget opens?"], ["customer", "April 6th works."]),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([expect.objectContaining({ type: "schedule_follow_up", dueDate: "2025-04-06", evidence: [0, 1] })]);
  });

  it("types a one-word commitment by its entry's cue, and folds a later detail into it", () => {
    const items = itemsFrom("agent", "Let's talk again on Monday and I'll bring a rollout plan that needs almost nothing from IT.");
    expect(items).toEqual([expect.objectContaining({ type: "schedule_follow_up", flagged: false, dueDate: "2025-03-17" })]);
  });

  it("does not read wanting to check something as a commitment (想跟您确认一下)", () => {
    expect(itemsFrom("销售", "孙总您好，我是易签的小赵，合同的事想跟您再确认一下。")).toEqual([]);
  });

  it("keeps two different actions of one utterance", () => {
    expect(
      itemsFrom("agent", "我明天把报价发您，再约个时间做三方视频。").map((item) => item.type),
    ).toEqual(["send_quote", "book_three_way_video_consult"]);
  });

  it("produces nothing for questions and chit-chat", () => {
    const items = extractActionItems(
      transcript(
        ["agent", "您好，请问是张女士吗？"],
        ["customer", "是我，什么事？"],
        ["agent", "最近天气挺热的，您那边怎么样？"],
        ["customer", "还行。你们这个车油耗多少？"],
        ["agent", "百公里六个油左右，落地价大概十五万。"],
        ["customer", "How much is the premium per year?"],
        ["agent", "It depends on your age, roughly 3,000 yuan a year."],
        ["customer", "Can you send me the brochure?"],
        ["customer", "我再考虑一下吧。"],
      ),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([]);
  });

  it("dates a promise by the last day it names (改好今天，发明天)", () => {
    expect(itemsFrom("销售", "我让法务今天改好，明天上午把合同发您。")).toEqual([
      expect.objectContaining({ type: "send_contract", dueDate: "2025-03-13" }),
    ]);
  });

  it("reads the object a sentence names first when the promise after it names none of the catalogue's", () => {
    // Chinese fronts the topic: the promise ("拍清楚发您微信") has words of its own, none of them an object.
    const text = "有的，产品说明书和规格参数，我下午拍清楚发您微信。";
    expect(findCommitments(text)).toEqual([{ text: "我下午拍清楚发您微信。", lead: "产品说明书和规格参数，" }]);
    expect(itemsFrom("销售", text)).toEqual([
      expect.objectContaining({ type: "send_product_materials", dueDate: "2025-03-12", evidence: [0] }),
    ]);
  });

  it("keeps a fronted object and the steps after a set-up with the promise (…对齐，做成表，周五之前发您)", () => {
    expect(itemsFrom("销售", "我先把两家的课时和价格一条条对齐，做成表，周五之前发您。")).toEqual([
      expect.objectContaining({ type: "send_comparison_sheet", dueDate: "2025-03-14" }),
    ]);
    expect(itemsFrom("销售", "保密协议我报给法务审一下，下周一之前给您。")).toEqual([
      expect.objectContaining({ type: "trigger_compliance_approval", dueDate: "2025-03-17" }),
    ]);
  });

  it("reads 特别 as 'special', not as 别 ('don't')", () => {
    expect(itemsFrom("销售", "这条特别条款我先报合规审一下。")).toEqual([
      expect.objectContaining({ type: "trigger_compliance_approval", dueDate: null }),
    ]);
    expect(itemsFrom("销售", "合规那边我先别报，等您定了再说。")).toEqual([]);
  });

  it("dates a promise by the day it is sent, not the day it is prepared (今天整理，明天发到您邮箱)", () => {
    expect(itemsFrom("销售", "好的，八台的配置和报价我今天整理，明天上午发到您邮箱。")).toEqual([
      expect.objectContaining({ type: "send_quote", dueDate: "2025-03-13" }),
    ]);
  });

  it("keeps the type of the clause that names the object when a bare one follows", () => {
    const items = itemsFrom("agent", "Let me see what I can do with my manager on the price. I'll have an answer for you on Friday.");
    expect(items).toEqual([expect.objectContaining({ type: "request_discount_approval", dueDate: "2025-03-14", evidence: [0] })]);
  });

  it("types a customer's dated promise to send what the rep asked for", () => {
    const items = extractActionItems(
      transcript(["销售", "另外麻烦您把开票信息发我一下。"], ["客户", "好，我让财务周五前发你。"]),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([
      expect.objectContaining({ type: "collect_customer_documents", owner: "customer", dueDate: "2025-03-14" }),
    ]);
  });

  it("merges a promise to reply on the day an earlier promise is due into it, however far apart", () => {
    const items = extractActionItems(
      transcript(
        ["销售", "我跟领导申请一下特价，周五前给您答复。"],
        ["客户", "好的。"],
        ["销售", "您那边还有别的问题吗？"],
        ["客户", "暂时没有。"],
        ["销售", "好的。"],
        ["客户", "嗯。"],
        ["销售", "那就这样，周五前我给您回话。"],
      ),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([
      expect.objectContaining({ type: "request_discount_approval", dueDate: "2025-03-14", evidence: [0, 6] }),
    ]);
    // On another day it is a promise of its own (kept flagged for a trainer to name).
    const other = extractActionItems(
      transcript(["销售", "我跟领导申请一下特价，周五前给您答复。"], ["客户", "好的。"], ["销售", "下周一我给您回话。"]),
      defaultActionCatalogue,
      { reference },
    );
    expect(other).toHaveLength(2);
  });

  it("does not merge the same action by different owners or far apart", () => {
    const items = extractActionItems(
      transcript(
        ["agent", "我明天把合同发给您。"],
        ["customer", "好，我签好字把合同发回给你。"],
        ["agent", "价格就按刚才说的。"],
        ["customer", "嗯。"],
        ["agent", "还有保障责任也一样。"],
        ["customer", "明白。"],
        ["agent", "对了，合同我下周一再重新发您一版。"],
      ),
      defaultActionCatalogue,
      { reference },
    );
    expect(items.map(({ type, owner, evidence }) => ({ type, owner, evidence }))).toEqual([
      { type: "send_contract", owner: "agent", evidence: [0] },
      { type: "send_contract", owner: "customer", evidence: [1] },
      { type: "send_contract", owner: "agent", evidence: [6] },
    ]);
  });

  it("keeps the refined date when a restatement changes it", () => {
    const items = extractActionItems(
      transcript(
        ["agent", "我明天把报价单发您。"],
        ["customer", "明天我不在。"],
        ["agent", "那报价单后天发您。"],
      ),
      defaultActionCatalogue,
      { reference },
    );
    expect(items).toEqual([
      expect.objectContaining({ type: "send_quote", evidence: [0, 2], dueDate: "2025-03-14" }),
    ]);
  });

  it("recognises actions of an edited catalogue", () => {
    const catalogue = parseActionCatalogue([
      ...defaultActionCatalogue,
      {
        id: "send_gift",
        name: { en: "Send gift", zh: "寄送礼品" },
        fields: ["owner", "dueDate"],
        examples: {
          zh: ["我给您寄一份礼品", "节日礼品我安排快递寄给您"],
          en: ["I'll mail you a small gift"],
        },
      },
    ]);
    const items = extractActionItems(
      transcript(["agent", "我明天给您寄一份新年礼品。"]),
      catalogue,
      { reference },
    );
    expect(items).toEqual([
      expect.objectContaining({ type: "send_gift", flagged: false, title: "寄送礼品" }),
    ]);
  });

  it("turns typed items into flagged ones when the threshold is raised", () => {
    const [item] = extractActionItems(
      transcript(["agent", "我把两款车的配置差异整理成表格，今晚发您。"]),
      defaultActionCatalogue,
      { reference, threshold: 0.95 },
    );
    expect(item).toMatchObject({ type: null, flagged: true });
    expect(item.notes).toContain("send_comparison_sheet");
  });

  it("rejects invalid options", () => {
    expect(() =>
      extractActionItems([], defaultActionCatalogue, { reference, threshold: 2 }),
    ).toThrow(ValidationError);
    expect(() =>
      extractActionItems([], defaultActionCatalogue, { reference: new Date("nope") }),
    ).toThrow(ValidationError);
  });
});
