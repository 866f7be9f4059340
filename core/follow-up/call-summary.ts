/**
 * The call summary the local engine can honestly give (no language model): what the customer
 * raised, grouped by the intent drafted for each of their utterances (every speaker but the rep's) (objections, questions,
 * concerns — small talk, greetings and closings left out), and the next steps from the action items
 * that still stand. It says which engine and model drafted what it is made of.
 */
import { speakerRole } from "../draft/local/moments.ts";
import type { ActionType, IntentDefinition } from "../draft/schema.ts";
import type { DraftItemLike, FollowUpActionItem } from "./follow-up-item.ts";
import { standingActionItems } from "./follow-up-item.ts";


/** Intents that say nothing about the customer's needs; a workspace may not have them at all. */
const notSubstantive = new Set(["greeting", "small_talk", "closing"]);

export interface SummaryUtterance {
  ordinal: number;
  speaker: string;
  text: string;
}

export interface RaisedTopic {
  intent: string;
  name: { en: string; zh: string };
  /** Customer utterances with this intent, in call order. */
  segments: number[];
  /** The first of them, as an example. */
  example: string;
}

export interface CallSummary {
  engine: string;
  model: string;
  raised: RaisedTopic[];
  nextSteps: FollowUpActionItem[];
  talkTracks: number;
}

/** What the customer raised: their utterances grouped by drafted intent, most frequent first. */
export function raisedTopics(input: {
  items: readonly DraftItemLike[];
  segments: readonly SummaryUtterance[];
  intents: readonly IntentDefinition[];
}): RaisedTopic[] {
  const byOrdinal = new Map(input.segments.map((segment) => [segment.ordinal, segment]));
  const topics = new Map<string, RaisedTopic>();
  for (const item of input.items) {
    if (item.kind !== "intent" || item.status === "rejected") continue;
    const content = item.currentContent ?? item.content;
    const intent = typeof content.intent === "string" ? content.intent : null;
    const ordinal = typeof content.segment === "number" ? content.segment : null;
    if (!intent || ordinal === null || notSubstantive.has(intent)) continue;
    const segment = byOrdinal.get(ordinal);
    // The rep's side as the drafter reads it ("agent", "rep", "销售", "坐席"…); anyone else is the customer.
    if (!segment || speakerRole(segment.speaker) === "agent") continue;
    const definition = input.intents.find((candidate) => candidate.id === intent);
    if (!definition) continue;
    const topic = topics.get(intent) ?? { intent, name: definition.name, segments: [], example: segment.text };
    topic.segments.push(ordinal);
    topics.set(intent, topic);
  }
  const raised = [...topics.values()]
    .map((topic) => ({ ...topic, segments: topic.segments.sort((a, b) => a - b) }))
    .sort((a, b) => b.segments.length - a.segments.length || a.segments[0] - b.segments[0]);
  for (const topic of raised) topic.example = byOrdinal.get(topic.segments[0])?.text ?? topic.example;
  return raised;
}

/**
 * The whole summary. `raised` may come precomputed (the server sends it, so the browser need not
 * load every intent of an hour-long call); next steps and talk tracks follow the rep's decisions.
 */
export function summariseCall(input: {
  engine: string;
  model: string;
  items: readonly DraftItemLike[];
  catalogue: readonly ActionType[];
  raised?: RaisedTopic[];
  segments?: readonly SummaryUtterance[];
  intents?: readonly IntentDefinition[];
}): CallSummary {
  return {
    engine: input.engine,
    model: input.model,
    raised: input.raised ?? raisedTopics({ items: input.items, segments: input.segments ?? [], intents: input.intents ?? [] }),
    nextSteps: standingActionItems(input.items, input.catalogue),
    talkTracks: input.items.filter((item) => item.kind === "talk_track" && item.status !== "rejected").length,
  };
}
