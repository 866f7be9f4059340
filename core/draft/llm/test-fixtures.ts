/**
 * Test data for the LLM drafter tests: a short mixed Chinese/English sales call, a small
 * taxonomy and catalogue, and a model output that fits them. Not used by production code.
 */
import type { ActionType, DraftInput, IntentDefinition, TranscriptSegment } from "../schema.ts";
import type { ModelDraftOutput } from "./model-output.ts";

export const testIntents: IntentDefinition[] = [
  { id: "greeting", name: { en: "Greeting", zh: "寒暄" }, description: "Opening or small talk" },
  {
    id: "price_objection",
    name: { en: "Price objection", zh: "价格异议" },
    description: "Customer says the price is too high",
  },
  {
    id: "budget_question",
    name: { en: "Budget question", zh: "预算询问" },
    description: "Rep asks about budget",
  },
  {
    id: "technical_concern",
    name: { en: "Technical concern", zh: "技术顾虑" },
    description: "Worries about implementation",
  },
  {
    id: "request_material",
    name: { en: "Request for material", zh: "索要资料" },
    description: "Customer asks for documents",
  },
  {
    id: "next_step_agreement",
    name: { en: "Next step agreed", zh: "约定下一步" },
    description: "A next step is agreed",
  },
];

export const testActionTypes: ActionType[] = [
  {
    id: "send_material",
    name: { en: "Send material", zh: "发送资料" },
    fields: ["owner", "dueDate", "customer", "notes"],
    examples: { en: ["I'll send you the case study"], zh: ["我把案例发给您"] },
  },
  {
    id: "schedule_meeting",
    name: { en: "Schedule a meeting", zh: "约会议" },
    fields: ["owner", "dueDate", "customer"],
    examples: { en: ["Let's meet next Wednesday"], zh: ["下周三再约个时间"] },
  },
  {
    id: "prepare_quote",
    name: { en: "Prepare a quote", zh: "准备报价" },
    fields: ["owner", "dueDate", "customer"],
    examples: { en: ["I'll prepare a revised quote"], zh: ["我重新做一份报价"] },
  },
];

const lines: Array<[string, string]> = [
  ["销售 王磊", "您好张总，我是云帆科技的王磊，上周我们聊过 CRM 升级的事情。"],
  ["客户 张总", "对，我记得。不过说实话，你们的报价比我们预算高了不少。"],
  ["销售 王磊", "I understand. Could you share what budget range you had in mind?"],
  ["客户 张总", "大概每年二十万左右吧。另外我们的 IT 团队担心数据迁移会很麻烦。"],
  ["销售 王磊", "数据迁移我们有专门的团队负责，一般两周内完成。"],
  ["客户 张总", "OK, can you send me a case study from a similar manufacturing company?"],
  ["销售 王磊", "没问题，我今天下班前发给您，顺便附上分阶段付款的方案。"],
  ["客户 张总", "好的，那下周三我们再约个时间，我把财务总监也叫上。"],
  ["销售 王磊", "好，我来发会议邀请。"],
];

export function testSegments(): TranscriptSegment[] {
  return lines.map(([speaker, text], ordinal) => ({
    ordinal,
    speaker,
    text,
    startMs: ordinal * 6000,
    endMs: ordinal * 6000 + 5500,
  }));
}

export function testDraftInput(overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    language: "mixed",
    customerStage: "negotiation",
    segments: testSegments(),
    intents: testIntents,
    actionTypes: testActionTypes,
    fewShot: [
      {
        text: "这个价格我们老板肯定不会批",
        intent: "price_objection",
        customerStage: "negotiation",
      },
      {
        text: "Can you send over the security whitepaper?",
        intent: "request_material",
        customerStage: "discovery",
      },
    ],
    ...overrides,
  };
}

/** A model answer that fits the test transcript, taxonomy and catalogue. */
export function validModelOutput(): ModelDraftOutput {
  return {
    intents: [
      { segment: 0, intent: "greeting", confidence: 0.93 },
      { segment: 1, intent: "price_objection", confidence: 0.9 },
      { segment: 2, intent: "budget_question", confidence: 0.88 },
      { segment: 3, intent: "technical_concern", confidence: 0.8 },
      { segment: 5, intent: "request_material", confidence: 0.91 },
      { segment: 7, intent: "next_step_agreement", confidence: 0.86 },
    ],
    actionItems: [
      {
        type: "send_material",
        title: "发送同行业制造企业案例和分阶段付款方案",
        owner: "王磊",
        dueDate: null,
        customer: "张总",
        notes: "今天下班前发送",
        evidence: [5, 6],
        confidence: 0.9,
      },
      {
        type: "schedule_meeting",
        title: "发送下周三会议邀请（含财务总监）",
        owner: "王磊",
        dueDate: null,
        customer: "张总",
        notes: null,
        evidence: [7, 8],
        confidence: 0.87,
      },
    ],
    talkTracks: [
      {
        moment: "objection",
        evidence: [1],
        suggestion:
          "理解预算压力。我们可以按模块分阶段上线，首年投入控制在二十万以内，您看这样是否可行？",
        rationale:
          "Acknowledges the objection and reframes price as a phased investment within the stated budget.",
        confidence: 0.72,
      },
    ],
    notes: [],
  };
}
