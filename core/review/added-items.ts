/**
 * Action items a rep adds to their own call: what the drafting engine missed. The item joins the
 * call's latest draft with origin 'rep', and adding it is the rep's accept decision (before: nothing,
 * after: the item), with who, when and the time from opening the form — so it reaches trainers in the
 * "corrected by the rep" queue like any other rep correction.
 */
import type { Dispatcher } from "../jobs/dispatch.ts";
import type { Job } from "../jobs/job-store.ts";
import { recordDecisionEvents } from "../webhooks/call-events.ts";
import { handOverAll } from "../webhooks/outbox.ts";
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import type { Db } from "../db/database.ts";
import { ForbiddenError, UnprocessableError, ValidationError } from "../errors.ts";
import { actionItemSchema } from "../draft/schema.ts";
import { workspaceDraftSettings } from "../draft/workspace-settings.ts";
import { getRecording } from "../upload/recordings.ts";
import type { DecisionOutcome } from "./decisions.ts";
import { canDecide, decidedAs, maximumDecisionMs } from "./decisions.ts";
import { getItem } from "./items.ts";

export const addedActionItemSchema = z.object({
  type: z.string().min(1),
  title: z.string().trim().min(1).max(500),
  owner: z.string().trim().max(200).nullable().default(null),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().default(null),
  customer: z.string().trim().max(200).nullable().default(null),
  notes: z.string().trim().max(2000).nullable().default(null),
  /** Segment ordinals the item comes from; at least one, as for drafted items. */
  evidence: z.array(z.number().int().nonnegative()).min(1).max(50),
  /** When the rep opened the form (client clock, ISO). */
  shownAt: z.coerce.date(),
});
export type AddedActionItem = z.infer<typeof addedActionItemSchema>;

/** `options.dispatcher` hands the decision's webhook deliveries over at once, as `decide` does. */
export async function addActionItem(
  db: Db,
  actor: Actor,
  recordingId: string,
  input: AddedActionItem,
  options: { dispatcher?: Dispatcher } = {},
): Promise<DecisionOutcome> {
  const decidedAt = new Date();
  const decisionMs = Math.min(maximumDecisionMs, Math.max(0, decidedAt.getTime() - input.shownAt.getTime()));
  let webhookJobs: Job[] = [];
  const outcome = await db.transaction(async (transaction) => {
    const recording = await getRecording(transaction, actor, recordingId);
    if (!canDecide(actor, recording)) throw new ForbiddenError("Only the call's rep or a trainer can add action items to it.");
    const settings = await workspaceDraftSettings(transaction, recording.workspaceId);
    if (!settings.actionCatalogue.some((action) => action.id === input.type)) {
      throw new ValidationError(`"${input.type}" is not in the sales-action catalogue.`);
    }
    const { rows: drafts } = await transaction.query<{ id: string; segments: number }>(
      `SELECT d.id, (SELECT count(*)::int FROM segments s WHERE s.transcript_id = d.transcript_id) AS segments
       FROM drafts d WHERE d.recording_id = $1 ORDER BY d.created_at DESC LIMIT 1 FOR UPDATE`,
      [recording.id],
    );
    const draft = drafts[0];
    if (!draft) throw new UnprocessableError("This call has no draft yet; wait until it is ready.");
    const outside = input.evidence.find((ordinal) => ordinal >= draft.segments);
    if (outside !== undefined) throw new ValidationError(`The call has no utterance ${outside + 1}.`);
    const evidence = [...new Set(input.evidence)].sort((a, b) => a - b);
    const content = actionItemSchema.parse({ ...input, evidence, flagged: false, confidence: 1 });
    const role = decidedAs(actor);
    const { rows: items } = await transaction.query<{ id: string }>(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence,
         revision, status, current_content, origin, decided_as)
       SELECT $1, $2, 'action_item', coalesce(max(position), -1) + 1, $3, $4, $5, NULL, 1, 'accepted', $5, 'rep', $6
       FROM draft_items WHERE draft_id = $1 AND kind = 'action_item'
       RETURNING id`,
      [draft.id, recording.id, evidence[0], evidence, JSON.stringify(content), role],
    );
    const itemId = items[0].id;
    const { rows: decisions } = await transaction.query<{ id: string }>(
      `INSERT INTO decisions (draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action, before_content,
         after_content, revision, shown_at, decided_at, decision_ms, decided_as)
       VALUES ($1, $2, $3, $4, $5, $6, 'accept', NULL, $7, 1, $8, $9, $10, $11) RETURNING id`,
      [itemId, recording.id, recording.workspaceId, recording.teamId, recording.customerStage, actor.id,
        JSON.stringify(content), input.shownAt, decidedAt, decisionMs, role],
    );
    const item = await getItem(transaction, actor, itemId);
    // An added item is an accepted one: the same "decision made" and "action item accepted" events.
    webhookJobs = await recordDecisionEvents(transaction, actor, {
      decisionId: decisions[0].id, action: "accept", independent: false, decisionMs, item, content,
    });
    return {
      item,
      decisionId: decisions[0].id,
      independent: false,
      effects: { intentLabelChanged: false, approvedSample: false, approvedTalkTrack: false },
    };
  });
  await handOverAll(options.dispatcher, webhookJobs);
  return outcome;
}
