/** A call's standing action items for the exports, read in the caller's scope. */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { workspaceDraftSettings } from "../draft/workspace-settings.ts";
import { getRecordingDraft } from "../review/items.ts";
import type { Recording } from "../upload/recordings.ts";
import { getRecording } from "../upload/recordings.ts";
import type { FollowUpActionItem, Language } from "./follow-up-item.ts";
import { callLanguage, standingActionItems } from "./follow-up-item.ts";

export interface CallActionItems {
  recording: Recording;
  language: Language;
  items: FollowUpActionItem[];
}

export async function callActionItems(db: Queryable, actor: Actor, recordingId: string): Promise<CallActionItems> {
  const recording = await getRecording(db, actor, recordingId);
  const [draft, settings, transcript] = await Promise.all([
    // Only the action items: an hour-long call has hundreds of intent items the exports never use.
    getRecordingDraft(db, actor, recording.id, { kinds: ["action_item"] }),
    workspaceDraftSettings(db, recording.workspaceId),
    db.query<{ language: string | null; sample: string | null }>(
      `SELECT t.language, (SELECT string_agg(s.text, ' ') FROM (SELECT text FROM segments WHERE transcript_id = t.id ORDER BY ordinal LIMIT 20) s) AS sample
       FROM transcripts t WHERE t.recording_id = $1`,
      [recording.id],
    ),
  ]);
  return {
    recording,
    language: callLanguage(recording.language, transcript.rows[0]?.language ?? null, transcript.rows[0]?.sample ?? ""),
    items: draft ? standingActionItems(draft.items, settings.actionCatalogue) : [],
  };
}
