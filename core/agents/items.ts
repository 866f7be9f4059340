/** Draft content (the shape both engines share, `core/draft/schema.ts`) as the items an agent stores. */
import type { DraftContent } from "../draft/schema.ts";
import type { AgentItem } from "./definition.ts";

export function intentItems(intents: DraftContent["intents"]): AgentItem[] {
  return intents.map((intent) => ({ kind: "intent", ordinal: intent.segment, evidence: [intent.segment], content: { ...intent }, confidence: intent.confidence }));
}

export function actionItemItems(actionItems: DraftContent["actionItems"]): AgentItem[] {
  return actionItems.map((item) => ({ kind: "action_item", ordinal: item.evidence[0], evidence: item.evidence, content: { ...item }, confidence: item.confidence }));
}

export function talkTrackItems(talkTracks: DraftContent["talkTracks"]): AgentItem[] {
  return talkTracks.map((track) => ({ kind: "talk_track", ordinal: track.evidence[0], evidence: track.evidence, content: { ...track }, confidence: track.confidence }));
}

/** Evidence ordinals the call has, sorted and unique (unknown ones dropped). */
export function knownEvidence(evidence: readonly number[], ordinals: ReadonlySet<number>): number[] {
  return [...new Set(evidence)].filter((ordinal) => ordinals.has(ordinal)).sort((left, right) => left - right);
}
