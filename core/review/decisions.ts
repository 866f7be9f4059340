/**
 * Human decisions on draft items: accept, reject, override (with the corrected content), undo, and
 * "none of these fits" (`no_fit`, intent items only: the utterance fits no intent of the taxonomy;
 * it teaches the classifier no label and is listed for the trainer, see new-intents.ts).
 * Every decision records who, when, the content before and after, and the milliseconds from the
 * item being shown to the decision ("calibration response time"). Saving over someone else's newer
 * decision is refused (409): each decision names the item revision it was made on.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import type { Db, Queryable } from "../db/database.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { actionItemSchema, talkTrackSchema } from "../draft/schema.ts";
import { workspaceDraftSettings } from "../draft/workspace-settings.ts";
import type { Dispatcher } from "../jobs/dispatch.ts";
import type { Job } from "../jobs/job-store.ts";
import { recordDecisionEvents } from "../webhooks/call-events.ts";
import { handOverAll } from "../webhooks/outbox.ts";
import type { ItemKind, ItemStatus, ReviewItem } from "./items.ts";
import { getItem } from "./items.ts";

export const decisionRequestSchema = z.object({
  action: z.enum(["accept", "reject", "override", "no_fit"]),
  /** The corrected content, for `override`. */
  after: z.record(z.string(), z.unknown()).optional(),
  /** The item revision the decision was made on. */
  revision: z.number().int().min(0),
  /** When the item was shown to the person deciding (client clock, ISO). */
  shownAt: z.coerce.date(),
});
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

export interface DecisionOutcome {
  item: ReviewItem;
  decisionId: string;
  /** True for the second, independent label of a double-labelled item. */
  independent: boolean;
  /** What changed that other parts of the system care about. */
  effects: { intentLabelChanged: boolean; approvedSample: boolean; approvedTalkTrack: boolean };
}

// A decision "took" longer than this is someone who walked away: cap it so medians stay honest.
export const maximumDecisionMs = 30 * 60_000;

/** Which side of the loop a decision comes from: the call's own rep, or a trainer (admins calibrate as trainers). */
export type DecidedAs = "rep" | "trainer";

export function decidedAs(actor: Actor): DecidedAs {
  return actor.role === "rep" ? "rep" : "trainer";
}

export function canDecide(actor: Actor, item: Pick<ReviewItem, "ownerId">): boolean {
  if (actor.role === "trainer" || actor.role === "admin") return true;
  // Reps use (accept/correct) drafts of their own calls; managers read.
  return actor.role === "rep" && item.ownerId === actor.id;
}

async function overrideContent(db: Queryable, item: ReviewItem, after: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  if (!after) throw new ValidationError("An override needs the corrected content in `after`.");
  const merged = { ...item.content, ...after };
  switch (item.kind as ItemKind) {
    case "intent": {
      const intent = String(after.intent ?? "");
      const settings = await workspaceDraftSettings(db, item.workspaceId);
      if (!settings.intents.some((definition) => definition.id === intent)) {
        throw new ValidationError(`"${intent}" is not an intent of this workspace.`);
      }
      return { segment: item.segmentOrdinal, intent, confidence: 1 };
    }
    case "action_item": {
      const parsed = actionItemSchema.safeParse(merged);
      if (!parsed.success) throw new ValidationError("The corrected action item is not valid.", parsed.error.issues);
      const settings = await workspaceDraftSettings(db, item.workspaceId);
      if (parsed.data.type !== null && !settings.actionCatalogue.some((action) => action.id === parsed.data.type)) {
        throw new ValidationError(`"${parsed.data.type}" is not in the sales-action catalogue.`);
      }
      return { ...parsed.data, flagged: parsed.data.type === null };
    }
    case "talk_track": {
      const parsed = talkTrackSchema.safeParse(merged);
      if (!parsed.success) throw new ValidationError("The corrected talk track is not valid.", parsed.error.issues);
      return parsed.data;
    }
  }
}

const statusOf: Record<DecisionRequest["action"], ItemStatus> = { accept: "accepted", reject: "rejected", override: "overridden", no_fit: "rejected" };

/** What an item's content becomes after a decision (null: nothing stands, as after a reject). */
async function contentAfter(db: Queryable, item: ReviewItem, request: DecisionRequest): Promise<Record<string, unknown> | null> {
  switch (request.action) {
    case "override":
      return overrideContent(db, item, request.after);
    case "accept":
      return item.currentContent ?? item.content;
    case "reject":
      return null;
    case "no_fit":
      if (item.kind !== "intent") throw new ValidationError("\"None of these fits\" is for intent items only.");
      // No label: trainerLabels() reads only accepted and overridden items, and the unlabelled pool
      // skips these, so neither training nor self-training gives the utterance an intent.
      return { segment: item.segmentOrdinal, intent: null, noFit: true };
  }
}

/** `options.dispatcher` hands the decision's webhook deliveries over at once (else the reconciler does). */
export async function decide(db: Db, actor: Actor, itemId: string, request: DecisionRequest, options: { dispatcher?: Dispatcher } = {}): Promise<DecisionOutcome> {
  const decidedAt = new Date();
  const decisionMs = Math.min(maximumDecisionMs, Math.max(0, decidedAt.getTime() - request.shownAt.getTime()));
  let webhookJobs: Job[] = [];
  const outcome = await db.transaction(async (transaction) => {
    const item = await getItem(transaction, actor, itemId, { forUpdate: true });
    if (!canDecide(actor, item)) throw new ForbiddenError("You can read this draft but not decide on it.");
    // Whether the taxonomy lacks an intent is the trainers' call: the list it feeds is theirs.
    if (request.action === "no_fit" && decidedAs(actor) === "rep") throw new ForbiddenError("\"None of these fits\" is for trainers.");
    const after = await contentAfter(transaction, item, request);
    const recording = await transaction.query<{ teamId: string; customerStage: string }>(
      `SELECT team_id AS "teamId", customer_stage AS "customerStage" FROM recordings WHERE id = $1`,
      [item.recordingId],
    );
    const { teamId, customerStage } = recording.rows[0];

    const role = decidedAs(actor);
    // A double-labelled item already decided by someone else: this is the independent second label
    // (agreement is measured between trainers; a rep's decision on their own call never is one).
    const independent =
      role === "trainer" &&
      item.doubleLabel && item.status !== "pending" && !(await hasDecided(transaction, item.id, actor.id)) && (await decidedByOthers(transaction, item.id, actor.id));
    if (!independent && request.revision !== item.revision) {
      const latest = await transaction.query<{ name: string; action: string; decidedAt: Date }>(
        `SELECT u.display_name AS name, x.action, x.decided_at AS "decidedAt" FROM decisions x JOIN users u ON u.id = x.user_id
         WHERE x.draft_item_id = $1 AND NOT x.independent ORDER BY x.decided_at DESC LIMIT 1`,
        [item.id],
      );
      const who = latest.rows[0];
      throw new ConflictError(
        who
          ? `${who.name} already decided this item (${who.action}) after you opened it. Reload to see their decision.`
          : "This item changed after you opened it. Reload to see the current state.",
        { currentRevision: item.revision, status: item.status, currentContent: item.currentContent },
      );
    }
    const revision = independent ? item.revision : item.revision + 1;
    const { rows } = await transaction.query<{ id: string }>(
      `INSERT INTO decisions (draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action, before_content,
         after_content, revision, shown_at, decided_at, decision_ms, independent, decided_as)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
      [item.id, item.recordingId, item.workspaceId, teamId, customerStage, actor.id, request.action,
        JSON.stringify(item.currentContent ?? item.content), after === null ? null : JSON.stringify(after), revision,
        request.shownAt, decidedAt, decisionMs, independent, role],
    );
    if (!independent) {
      await transaction.query(
        `UPDATE draft_items SET status = $2, current_content = $3, revision = $4, decided_as = $5 WHERE id = $1`,
        [item.id, statusOf[request.action], after === null ? null : JSON.stringify(after), revision, role],
      );
    }
    await transaction.query("DELETE FROM review_leases WHERE draft_item_id = $1", [item.id]);
    webhookJobs = await recordDecisionEvents(transaction, actor, {
      decisionId: rows[0].id, action: request.action, independent, decisionMs, item, content: after ?? item.currentContent ?? item.content,
    });
    const updated = await getItem(transaction, actor, item.id);
    // A rep's decision is not yet training signal: a trainer approves it from the "corrected by the
    // rep" queue, and that decision (a trainer's) is what retrains and embeds.
    const trainerDecision = !independent && role === "trainer";
    const approved = trainerDecision && (request.action === "accept" || request.action === "override");
    return {
      item: updated,
      decisionId: rows[0].id,
      independent,
      effects: {
        intentLabelChanged: trainerDecision && item.kind === "intent",
        approvedSample: approved && item.kind === "intent",
        approvedTalkTrack: approved && item.kind === "talk_track",
      },
    };
  });
  await handOverAll(options.dispatcher, webhookJobs);
  return outcome;
}

async function hasDecided(db: Queryable, itemId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM decisions WHERE draft_item_id = $1 AND user_id = $2 AND action <> 'undo' LIMIT 1", [itemId, userId]);
  return rows.length > 0;
}

async function decidedByOthers(db: Queryable, itemId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM decisions WHERE draft_item_id = $1 AND user_id <> $2 AND action <> 'undo' LIMIT 1", [itemId, userId]);
  return rows.length > 0;
}

/**
 * Undoes a decision: only its author (or an admin), and only while it is the item's latest
 * decision. The item returns to the state before it; the undo itself is recorded.
 */
export async function undoDecision(db: Db, actor: Actor, decisionId: string, options: { dispatcher?: Dispatcher } = {}): Promise<DecisionOutcome> {
  let webhookJobs: Job[] = [];
  const outcome = await db.transaction(async (transaction) => {
    const { rows } = await transaction.query<{ id: string; itemId: string; userId: string; independent: boolean; undone: boolean }>(
      `SELECT x.id, x.draft_item_id AS "itemId", x.user_id AS "userId", x.independent,
              EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_decision_id = x.id) AS undone
       FROM decisions x WHERE x.id = $1 AND x.action <> 'undo'`,
      [decisionId],
    );
    const decision = rows[0];
    if (!decision) throw new NotFoundError("Decision not found.");
    const item = await getItem(transaction, actor, decision.itemId, { forUpdate: true });
    if (decision.userId !== actor.id && actor.role !== "admin") throw new ForbiddenError("You can only undo your own decisions.");
    if (decision.undone) throw new ConflictError("That decision was already undone.");
    // The state to go back to: the latest earlier decision that still stands, or pending.
    const standing = await transaction.query<{ id: string; action: DecisionRequest["action"]; after: Record<string, unknown> | null; decidedAs: DecidedAs }>(
      `SELECT x.id, x.action, x.after_content AS after, x.decided_as AS "decidedAs" FROM decisions x
       WHERE x.draft_item_id = $1 AND x.action <> 'undo' AND NOT x.independent
         AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_decision_id = x.id)
       ORDER BY x.decided_at DESC, x.revision DESC`,
      [item.id],
    );
    if (!decision.independent && standing.rows[0]?.id !== decision.id) {
      throw new ConflictError("Someone decided this item after you; undo is only possible for the latest decision.");
    }
    const previous = decision.independent ? null : standing.rows[1] ?? null;
    const revision = item.revision + 1;
    const undo = await transaction.query<{ id: string }>(
      `INSERT INTO decisions (draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action, before_content,
         after_content, revision, undoes_decision_id, shown_at, decision_ms, independent, decided_as)
       SELECT draft_item_id, recording_id, workspace_id, team_id, customer_stage, $2, 'undo', after_content, $3, $4, id, now(), 0, independent, $5
       FROM decisions WHERE id = $1 RETURNING id`,
      [decision.id, actor.id, previous?.after ? JSON.stringify(previous.after) : null, decision.independent ? item.revision : revision, decidedAs(actor)],
    );
    if (!decision.independent) {
      await transaction.query("UPDATE draft_items SET status = $2, current_content = $3, revision = $4, decided_as = $5 WHERE id = $1", [
        item.id,
        previous ? statusOf[previous.action] : "pending",
        previous?.after ? JSON.stringify(previous.after) : null,
        revision,
        previous?.decidedAs ?? null,
      ]);
    }
    webhookJobs = await recordDecisionEvents(transaction, actor, {
      decisionId: undo.rows[0].id, action: "undo", independent: decision.independent, decisionMs: 0, item, content: previous?.after ?? null,
    });
    return {
      item: await getItem(transaction, actor, item.id),
      decisionId: undo.rows[0].id,
      independent: decision.independent,
      // Undoing a rep's decision changes no training signal (it never was any).
      effects: {
        intentLabelChanged: !decision.independent && item.kind === "intent" && (item.decidedAs === "trainer" || previous?.decidedAs === "trainer"),
        approvedSample: false,
        approvedTalkTrack: false,
      },
    };
  });
  await handOverAll(options.dispatcher, webhookJobs);
  return outcome;
}
