/**
 * Semantic checks a schema cannot express: intent labels must be in the taxonomy, action types
 * in the catalogue, evidence ordinals in the transcript. Problems are repaired conservatively
 * (drop, or type → null + flagged) and each one leaves a note for the trainer, so nothing the
 * model said disappears silently and nothing invented reaches the review screen.
 */
import { draftContentSchema, type DraftContent, type DraftInput } from "../schema.ts";
import type { ModelDraftOutput } from "./model-output.ts";

function isIsoCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function emptyToNull(value: string | null): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

export function reconcileDraft(output: ModelDraftOutput, input: DraftInput): DraftContent {
  const ordinals = new Set(input.segments.map((segment) => segment.ordinal));
  const intentIds = new Set(input.intents.map((intent) => intent.id));
  const actionTypeIds = new Set(input.actionTypes.map((actionType) => actionType.id));
  const notes = output.notes.map((note) => note.trim()).filter((note) => note !== "");

  /** Known ordinals, sorted; one note per item, whether some or all evidence was unknown. */
  function keepKnownEvidence(evidence: number[], what: string): number[] {
    const unique = [...new Set(evidence)];
    const known = unique.filter((ordinal) => ordinals.has(ordinal));
    const unknown = unique.filter((ordinal) => !ordinals.has(ordinal));
    if (unknown.length > 0 && known.length === 0) {
      notes.push(`${what}: evidence ${unknown.join(", ")} not in the transcript; item dropped`);
    } else if (unknown.length > 0) {
      notes.push(`${what}: evidence ${unknown.join(", ")} not in the transcript; removed`);
    }
    return known.sort((left, right) => left - right);
  }

  // One intent per utterance: keep the most confident when the model repeats a segment.
  const intentsBySegment = new Map<number, DraftContent["intents"][number]>();
  for (const prediction of output.intents) {
    const intent = prediction.intent.trim();
    if (!ordinals.has(prediction.segment)) {
      notes.push(
        `intent "${intent}" on utterance ${prediction.segment + 1}: no such utterance in the transcript; dropped`,
      );
      continue;
    }
    if (!intentIds.has(intent)) {
      notes.push(
        `utterance ${prediction.segment + 1}: intent "${intent}" is not in the taxonomy; dropped`,
      );
      continue;
    }
    const existing = intentsBySegment.get(prediction.segment);
    if (existing) {
      const [kept, dropped] =
        prediction.confidence > existing.confidence
          ? [{ ...prediction, intent }, existing]
          : [existing, { ...prediction, intent }];
      notes.push(
        `utterance ${prediction.segment + 1}: several intents proposed; kept "${kept.intent}", dropped "${dropped.intent}"`,
      );
      intentsBySegment.set(prediction.segment, kept);
      continue;
    }
    intentsBySegment.set(prediction.segment, {
      segment: prediction.segment,
      intent,
      confidence: prediction.confidence,
    });
  }
  const intents = [...intentsBySegment.values()].sort(
    (left, right) => left.segment - right.segment,
  );

  const actionItems: DraftContent["actionItems"] = [];
  for (const item of output.actionItems) {
    const title = item.title.trim();
    const evidence = keepKnownEvidence(item.evidence, `action "${title}"`);
    if (evidence.length === 0) continue;
    let type = emptyToNull(item.type);
    if (type !== null && !actionTypeIds.has(type)) {
      notes.push(`action "${title}": type "${type}" is not in the catalogue; flagged for review`);
      type = null;
    }
    let dueDate = emptyToNull(item.dueDate);
    if (dueDate !== null && !isIsoCalendarDate(dueDate)) {
      notes.push(`action "${title}": due date "${dueDate}" is not a YYYY-MM-DD date; cleared`);
      dueDate = null;
    }
    actionItems.push({
      type,
      // Nothing in the catalogue fits: a trainer must look, and a new type is theirs to add.
      flagged: type === null,
      title,
      owner: emptyToNull(item.owner),
      dueDate,
      customer: emptyToNull(item.customer),
      notes: emptyToNull(item.notes),
      evidence,
      confidence: item.confidence,
    });
  }

  const talkTracks: DraftContent["talkTracks"] = [];
  for (const track of output.talkTracks) {
    const evidence = keepKnownEvidence(track.evidence, `talk track (${track.moment})`);
    if (evidence.length === 0) continue;
    talkTracks.push({
      moment: track.moment,
      evidence,
      suggestion: track.suggestion.trim(),
      rationale: track.rationale.trim(),
      confidence: track.confidence,
    });
  }

  // The shared schema is the last word on shape, so both engines produce the same thing.
  return draftContentSchema.parse({ intents, actionItems, talkTracks, notes });
}
