/**
 * Reading draft items: their content is JSON from the server (`content` as drafted,
 * `currentContent` after a human decided), so these helpers read it defensively and say what an
 * item currently means. Pure functions, no React.
 */
import type { Locale } from "../../api/types.ts";
import type {
  ActionType,
  DecisionAction,
  IntentDefinition,
  ItemStatus,
  ReviewItem,
} from "./review-types.ts";

export interface ActionItemContent {
  type: string | null;
  flagged: boolean;
  title: string;
  owner: string | null;
  dueDate: string | null;
  customer: string | null;
  notes: string | null;
  evidence: number[];
  confidence: number | null;
}

export const talkTrackMoments = ["objection", "question", "hesitation"] as const;
export type TalkTrackMoment = (typeof talkTrackMoments)[number];

export interface TalkTrackContent {
  moment: TalkTrackMoment;
  suggestion: string;
  rationale: string;
  evidence: number[];
  confidence: number | null;
}

type Content = Record<string, unknown>;

/** What the item says now: the human's version once decided, else the draft. */
export function effectiveContent(item: Pick<ReviewItem, "content" | "currentContent">): Content {
  return item.currentContent ?? item.content;
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value : null;
const numbers = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((entry): entry is number => Number.isInteger(entry)) : [];
const fraction = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** The intent an intent item stands for now (the override once there is one), or null. */
export function currentIntent(item: Pick<ReviewItem, "content" | "currentContent">): string | null {
  return text(effectiveContent(item).intent);
}

/** The intent the model predicted. */
export function predictedIntent(item: Pick<ReviewItem, "content">): string | null {
  return text(item.content.intent);
}

export function readActionItem(content: Content): ActionItemContent {
  return {
    type: text(content.type),
    flagged: content.flagged === true || text(content.type) === null,
    title: text(content.title) ?? "",
    owner: text(content.owner),
    dueDate: text(content.dueDate),
    customer: text(content.customer),
    notes: text(content.notes),
    evidence: numbers(content.evidence),
    confidence: fraction(content.confidence),
  };
}

export function readTalkTrack(content: Content): TalkTrackContent {
  const moment = talkTrackMoments.find((candidate) => candidate === content.moment) ?? "question";
  return {
    moment,
    suggestion: text(content.suggestion) ?? "",
    rationale: text(content.rationale) ?? "",
    evidence: numbers(content.evidence),
    confidence: fraction(content.confidence),
  };
}

/** The segment ordinals an item rests on, first one first. */
export function evidenceOf(item: Pick<ReviewItem, "evidence" | "segmentOrdinal">): number[] {
  if (item.evidence.length > 0) return item.evidence;
  return item.segmentOrdinal === null ? [] : [item.segmentOrdinal];
}

/** A `{ en, zh }` name in the UI language. */
export function localName(name: { en: string; zh: string }, locale: Locale): string {
  return locale === "zh-CN" ? name.zh || name.en : name.en || name.zh;
}

export function intentName(
  intents: readonly IntentDefinition[],
  id: string | null,
  locale: Locale,
): string | null {
  if (id === null) return null;
  const definition = intents.find((intent) => intent.id === id);
  return definition ? localName(definition.name, locale) : id;
}

export function actionTypeName(
  catalogue: readonly ActionType[],
  id: string | null,
  locale: Locale,
): string | null {
  if (id === null) return null;
  const type = catalogue.find((entry) => entry.id === id);
  return type ? localName(type.name, locale) : id;
}

/**
 * The intents on keys 1–9. They follow the taxonomy's order, which the workspace curates with the
 * most common intents first, and never the item's prediction: a digit that always means the same
 * intent is what lets trainers label without looking.
 */
export function quickIntents(intents: readonly IntentDefinition[], count = 9): IntentDefinition[] {
  return intents.slice(0, count);
}

function normalise(value: string): string {
  return value
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_-]+/g, " ")
    .trim();
}

/**
 * Intents matching what was typed into the picker, best first: a match in the name in the UI
 * language, then in the other language, the id, and the description. Chinese has no spaces, so
 * matching is by substring, never by word.
 */
export function searchIntents(
  intents: readonly IntentDefinition[],
  query: string,
  locale: Locale,
): IntentDefinition[] {
  const needle = normalise(query);
  if (needle === "") return [...intents];
  const scored: Array<{
    intent: IntentDefinition;
    score: number;
    index: number;
  }> = [];
  intents.forEach((intent, index) => {
    const own = normalise(localName(intent.name, locale));
    const other = normalise(locale === "zh-CN" ? intent.name.en : intent.name.zh);
    const id = normalise(intent.id);
    const description = normalise(intent.description ?? "");
    let score = -1;
    if (own.startsWith(needle)) score = 0;
    else if (own.includes(needle)) score = 1;
    else if (other.startsWith(needle) || id.startsWith(needle)) score = 2;
    else if (other.includes(needle) || id.includes(needle)) score = 3;
    else if (description.includes(needle)) score = 4;
    if (score >= 0) scored.push({ intent, score, index });
  });
  scored.sort((first, second) => first.score - second.score || first.index - second.index);
  return scored.map((entry) => entry.intent);
}

/**
 * The decision that picking `intentId` means for an intent item: agreeing with what it says now is
 * an accept (so override rates stay honest), anything else an override to that intent.
 */
export function decisionForIntent(
  item: Pick<ReviewItem, "content" | "currentContent">,
  intentId: string,
): { action: DecisionAction; after?: Record<string, unknown> } {
  return currentIntent(item) === intentId
    ? { action: "accept" }
    : { action: "override", after: { intent: intentId } };
}

export const statusOfAction: Record<DecisionAction, ItemStatus> = {
  accept: "accepted",
  reject: "rejected",
  override: "overridden",
  no_fit: "rejected",
};

/** How a decision changes an item, as far as the browser can tell before the server answers. */
export function applyDecisionLocally(
  item: ReviewItem,
  action: DecisionAction,
  after: Record<string, unknown> | undefined,
): ReviewItem {
  const currentContent =
    action === "reject"
      ? null
      : action === "no_fit"
        ? { segment: item.segmentOrdinal, intent: null, noFit: true }
      : action === "accept"
        ? effectiveContent(item)
        : item.kind === "intent"
          ? { ...item.content, ...after, confidence: 1 }
          : { ...effectiveContent(item), ...after };
  return { ...item, status: statusOfAction[action], currentContent };
}
