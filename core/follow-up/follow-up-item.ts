/**
 * The shapes the follow-up parts (summary, e-mail, exports) read: a call's action items as they
 * stand after the rep's decisions, with their catalogue names. Pure data, so the browser and the
 * server build exactly the same e-mail and files.
 */
import type { ActionType } from "../draft/schema.ts";

export type Language = "zh" | "en";
export type ItemStatus = "pending" | "accepted" | "rejected" | "overridden";

export interface FollowUpActionItem {
  id: string;
  type: string | null;
  /** The catalogue's bilingual name, or null when the type is not (or no longer) in the catalogue. */
  typeName: { en: string; zh: string } | null;
  title: string;
  owner: string | null;
  dueDate: string | null;
  customer: string | null;
  notes: string | null;
  evidence: number[];
  status: ItemStatus;
  origin: "engine" | "rep";
}

/** What a draft item row carries (server rows and browser JSON alike). */
export interface DraftItemLike {
  id: string;
  kind: string;
  content: Record<string, unknown>;
  currentContent: Record<string, unknown> | null;
  status: ItemStatus;
  origin?: "engine" | "rep";
}

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

export function toFollowUpActionItem(item: DraftItemLike, catalogue: readonly ActionType[]): FollowUpActionItem {
  const content = item.currentContent ?? item.content;
  const type = text(content.type);
  return {
    id: item.id,
    type,
    typeName: catalogue.find((entry) => entry.id === type)?.name ?? null,
    title: text(content.title) ?? "",
    owner: text(content.owner),
    dueDate: text(content.dueDate),
    customer: text(content.customer),
    notes: text(content.notes),
    evidence: Array.isArray(content.evidence) ? content.evidence.filter((value): value is number => typeof value === "number") : [],
    status: item.status,
    origin: item.origin ?? "engine",
  };
}

/** The call's action items that still stand (not rejected), drafted order kept. */
export function standingActionItems(items: readonly DraftItemLike[], catalogue: readonly ActionType[]): FollowUpActionItem[] {
  return items.filter((item) => item.kind === "action_item" && item.status !== "rejected").map((item) => toFollowUpActionItem(item, catalogue));
}

/** "Send quote · 发送报价" in the order of the language asked for. */
export function typeLabel(item: Pick<FollowUpActionItem, "typeName" | "type">, language: Language): string {
  if (!item.typeName) return item.type ?? "";
  return language === "zh" ? `${item.typeName.zh} · ${item.typeName.en}` : `${item.typeName.en} · ${item.typeName.zh}`;
}

/**
 * The call's language for what is written to the customer: the transcript's, else the one chosen
 * at upload, else what the words look like (mostly Han characters: Chinese).
 */
export function callLanguage(declared: string, transcribed: string | null, sampleText = ""): Language {
  for (const language of [transcribed, declared]) {
    if (language?.startsWith("en")) return "en";
    if (language?.startsWith("zh")) return "zh";
  }
  const han = sampleText.match(/\p{Script=Han}/gu)?.length ?? 0;
  const latin = sampleText.match(/[A-Za-z]/g)?.length ?? 0;
  // A Han character carries about a word; Latin letters come five or so to a word.
  return han * 4 >= latin ? "zh" : "en";
}
