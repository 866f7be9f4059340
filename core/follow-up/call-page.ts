/**
 * What the rep's call page loads: the latest draft's action items and talk tracks (the items the
 * rep works), what the customer raised (computed here from the draft's intents, so an hour-long
 * call does not send ~800 intent items to a phone), and the workspace's vocabulary.
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import type { ActionType, IntentDefinition } from "../draft/schema.ts";
import { workspaceDraftSettings } from "../draft/workspace-settings.ts";
import { getRecordingDraft } from "../review/items.ts";
import { getRecording } from "../upload/recordings.ts";
import type { RaisedTopic, SummaryUtterance } from "./call-summary.ts";
import { raisedTopics } from "./call-summary.ts";
import type { DraftItemLike } from "./follow-up-item.ts";

export interface CallPage {
  draft: Awaited<ReturnType<typeof getRecordingDraft>>;
  raised: RaisedTopic[];
  intents: IntentDefinition[];
  actionCatalogue: ActionType[];
}

export async function getCallPage(db: Queryable, actor: Actor, recordingId: string): Promise<CallPage> {
  const recording = await getRecording(db, actor, recordingId);
  const [draft, settings] = await Promise.all([
    getRecordingDraft(db, actor, recording.id, { kinds: ["action_item", "talk_track"] }),
    workspaceDraftSettings(db, recording.workspaceId),
  ]);
  if (!draft) return { draft, raised: [], intents: settings.intents, actionCatalogue: settings.actionCatalogue };
  const [intentItems, segments] = await Promise.all([
    db.query<DraftItemLike>(
      `SELECT id, kind, content, current_content AS "currentContent", status FROM draft_items WHERE draft_id = $1 AND kind = 'intent'`,
      [draft.id],
    ),
    db.query<SummaryUtterance>(
      `SELECT s.ordinal, s.speaker, s.text FROM segments s JOIN drafts d ON d.transcript_id = s.transcript_id WHERE d.id = $1`,
      [draft.id],
    ),
  ]);
  return {
    draft,
    raised: raisedTopics({ items: intentItems.rows, segments: segments.rows, intents: settings.intents }),
    intents: settings.intents,
    actionCatalogue: settings.actionCatalogue,
  };
}
