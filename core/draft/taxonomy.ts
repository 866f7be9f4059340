/**
 * The default intent taxonomy a new workspace starts from. Each workspace stores its own copy
 * and may rename, reorder, add or remove intents; `parseIntentTaxonomy` is the one gate every
 * edited copy passes through before it is stored or used.
 *
 * Order matters: the review UI binds hotkeys 1–9 to the first nine intents, so the list is
 * ordered by how often each intent occurs per utterance in a typical sales call (discovery and
 * product talk fill most of a call; greeting and closing happen once).
 *
 * Topics, not turns: a question and the rep's answer to it carry the same intent ("Does it work
 * offline?" and "It does, it syncs once you're back online" are both `product_question`). A
 * trainer reads a call by what is being discussed, and the sales-call evaluation set
 * (datasets/sales-calls) is labelled this way; a separate "rep answers" intent would put a tenth
 * of every call under one label that says nothing about its content.
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { intentDefinitionSchema, type IntentDefinition } from "./schema.ts";

/** A taxonomy bigger than this stops being something a trainer can hold in their head. */
export const maximumIntentCount = 64;

export const defaultIntents: IntentDefinition[] = [
  {
    id: "needs_discovery",
    name: { en: "Needs discovery", zh: "需求挖掘" },
    description:
      "The rep asks about, or the customer describes, their situation, needs or pain points / 了解客户现状、需求与痛点",
  },
  {
    id: "product_question",
    name: { en: "Product question", zh: "产品咨询" },
    description:
      "The customer asks, or the rep explains, what the product does, how it works or what it covers / 客户询问或销售讲解产品功能、用法或保障范围",
  },
  {
    id: "small_talk",
    name: { en: "Small talk", zh: "寒暄闲聊" },
    description: "Rapport building unrelated to the sale / 与成交无关的寒暄、拉近关系",
  },
  {
    id: "pricing_question",
    name: { en: "Pricing question", zh: "价格询问" },
    description:
      "The customer asks, or the rep explains, price, plans, discounts or payment terms / 客户询问或销售说明价格、套餐、优惠或付款方式",
  },
  {
    id: "scheduling",
    name: { en: "Scheduling", zh: "约定时间" },
    description:
      "Agreeing on a time for a call, meeting, visit or demo / 约下次通话、见面、上门或演示的时间",
  },
  {
    id: "commitment",
    name: { en: "Commitment", zh: "承诺/确认下一步" },
    description:
      'Either side commits to a concrete next step ("I\'ll send…", "我明天把…发您") / 任一方承诺具体的下一步',
  },
  {
    id: "pricing_objection",
    name: { en: "Pricing objection", zh: "价格异议" },
    description:
      'The customer pushes back on price or budget ("太贵了") / 客户认为价格太高或超出预算',
  },
  {
    id: "greeting",
    name: { en: "Greeting", zh: "开场问候" },
    description:
      "Opening the call, introductions, confirming who is speaking / 开场、自我介绍、确认对方身份",
  },
  {
    id: "closing",
    name: { en: "Closing", zh: "结束通话" },
    description: "Wrapping up the call and saying goodbye / 总结并结束通话",
  },
  {
    id: "competitor_comparison",
    name: { en: "Competitor comparison", zh: "竞品对比" },
    description:
      "The customer compares with a competitor or what they already use, or the rep asks or answers about that comparison / 客户拿竞品或现有方案做比较，或销售就此追问、回应",
  },
  {
    id: "hesitation",
    name: { en: "Hesitation", zh: "犹豫观望" },
    description:
      'The customer stalls without a concrete objection ("let me think about it", "我再考虑一下") / 客户犹豫、拖延但未提出具体异议',
  },
  {
    id: "request_demo_trial",
    name: { en: "Demo or trial request", zh: "要求演示/试用" },
    description:
      "The customer asks for a demo, trial, sample or test drive / 客户要求演示、试用、样品或试驾",
  },
  {
    id: "request_proposal",
    name: { en: "Proposal or quote request", zh: "要求方案/报价" },
    description:
      "The customer asks for a written proposal, plan or quote / 客户要求书面方案、计划书或报价单",
  },
  {
    id: "decision_process",
    name: { en: "Decision process", zh: "决策流程" },
    description:
      "Who decides, budget approval, procurement steps, other stakeholders / 谁拍板、预算审批、采购流程、其他决策人",
  },
  {
    id: "compliance_concern",
    name: { en: "Compliance concern", zh: "合规顾虑" },
    description:
      "Concerns about regulation, certifications, data security, contract terms or disclosures, and the rep's answers to them / 对监管、资质、数据安全、合同条款或信息披露的顾虑，及销售的回应",
  },
];

const intentTaxonomySchema = z.array(intentDefinitionSchema).min(1).max(maximumIntentCount);

export interface ValidationIssue {
  path: Array<string | number>;
  message: string;
}

/** Zod issues in the shape the HTTP layer returns with a 400. */
export function issuesFromZod(error: z.ZodError, prefix: Array<string | number> = []) {
  return error.issues.map((issue): ValidationIssue => ({
    path: [
      ...prefix,
      ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part)),
    ],
    message: issue.message,
  }));
}

/**
 * Issues for repeated keys: two entries with the same id would make stored labels ambiguous,
 * and two with the same visible name would look identical to a trainer picking one.
 */
export function duplicateIssues<Entry>(
  entries: Entry[],
  keys: Array<{
    field: Array<string>;
    read: (entry: Entry) => string;
    label: string;
  }>,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of keys) {
    const firstIndexByValue = new Map<string, number>();
    entries.forEach((entry, index) => {
      const value = key.read(entry).trim().toLowerCase();
      const firstIndex = firstIndexByValue.get(value);
      if (firstIndex === undefined) {
        firstIndexByValue.set(value, index);
        return;
      }
      issues.push({
        path: [index, ...key.field],
        message: `Duplicate ${key.label} "${key.read(entry)}" (already used by entry ${firstIndex})`,
      });
    });
  }
  return issues;
}

/**
 * Validates a workspace's intent taxonomy (as edited in settings or read back from the DB).
 * Returns fresh objects, so callers may mutate the result without touching the input.
 * @throws ValidationError with `details.issues` listing every problem, not just the first.
 */
export function parseIntentTaxonomy(value: unknown): IntentDefinition[] {
  const result = intentTaxonomySchema.safeParse(value);
  if (!result.success) {
    throw new ValidationError("Invalid intent taxonomy", {
      issues: issuesFromZod(result.error),
    });
  }
  const issues = duplicateIssues(result.data, [
    { field: ["id"], read: (intent) => intent.id, label: "intent id" },
    {
      field: ["name", "en"],
      read: (intent) => intent.name.en,
      label: "English intent name",
    },
    {
      field: ["name", "zh"],
      read: (intent) => intent.name.zh,
      label: "Chinese intent name",
    },
  ]);
  if (issues.length > 0) throw new ValidationError("Invalid intent taxonomy", { issues });
  return result.data;
}
