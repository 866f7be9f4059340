/**
 * The review queue: draft items that still need a human, in the caller's scope, ordered by the
 * model's uncertainty (by default "balanced": every predicted intent in turn, each turn least
 * confident first, which beats random picks at every label count on CLINC150 while plain
 * uncertainty lost below 20 labels per intent; core/engine/README.md) or by date. Claiming items takes a
 * lease, so two trainers working the same queue never get the same item at once; a lease expires
 * on its own when a trainer walks away. Double-labelled items come back once to a second trainer.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import { recordingScope } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { outcomeFilterSchema, outcomeFilterSql } from "../outcomes/training-signal.ts";
import type { ReviewItem } from "./items.ts";
import { selectItems } from "./items.ts";
import { likelyNewIntentSql, newIntentThreshold } from "./new-intents.ts";

export const queueFiltersSchema = z.object({
  order: z.enum(["uncertainty", "balanced", "newest", "oldest"]).default("balanced"),
  kind: z.enum(["intent", "action_item", "talk_track"]).optional(),
  teamId: z.uuid().optional(),
  // Bounded like every other text input: a 1 MB "filter" is bad input, not a query.
  customerStage: z.string().max(200).optional(),
  intent: z.string().max(200).optional(),
  engine: z.enum(["llm", "local"]).optional(),
  promptSetVersion: z.string().max(200).optional(),
  recordingId: z.uuid().optional(),
  /** "Corrected by the rep": items standing on a rep's decision, for a trainer to approve or fix. */
  correctedByRep: z.stringbool().optional(),
  /** What happened to the customer after the call (e.g. "advanced"). */
  outcome: outcomeFilterSchema.optional(),
  /** "Likely new intents": intent items under the workspace's new-intent threshold (new-intents.ts). */
  likelyNewIntent: z.stringbool().optional(),
});
export type QueueFilters = z.infer<typeof queueFiltersSchema>;

export const defaultLeaseMs = 5 * 60_000;

/** A queue item as the queue hands it out: marked when it may belong to an intent the taxonomy lacks. */
export type QueueItem = ReviewItem & { likelyNewIntent: boolean };

function markLikelyNewIntents(items: ReviewItem[], threshold: number): QueueItem[] {
  return items.map((item) => ({ ...item, likelyNewIntent: item.kind === "intent" && item.confidence !== null && item.confidence < threshold }));
}

function queueConditions(actor: Actor, filters: QueueFilters, firstParameter: number, threshold: number) {
  const scope = recordingScope(actor, "r", firstParameter);
  const conditions = [scope.sql];
  const params: unknown[] = [...scope.params];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${firstParameter + params.length - 1}`));
  };
  // Needs a human: undecided, or double-labelled and decided by exactly one other person so far —
  // or, in the "corrected by the rep" queue, decided by the call's rep and not yet by a trainer.
  if (filters.correctedByRep) conditions.push("i.decided_as = 'rep'");
  else add(
    (me) => `(i.status = 'pending' OR (i.double_label AND
      (SELECT count(DISTINCT x.user_id) FROM decisions x WHERE x.draft_item_id = i.id AND x.action <> 'undo') = 1
      AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.draft_item_id = i.id AND x.user_id = ${me})))`,
    actor.id,
  );
  add((me) => `NOT EXISTS (SELECT 1 FROM review_leases l WHERE l.draft_item_id = i.id AND l.expires_at > now() AND l.user_id <> ${me})`, actor.id);
  // Only the latest draft of each recording is reviewed.
  conditions.push("d.created_at = (SELECT max(d2.created_at) FROM drafts d2 WHERE d2.recording_id = d.recording_id)");
  if (filters.kind) add((value) => `i.kind = ${value}`, filters.kind);
  if (filters.teamId) add((value) => `r.team_id IN (SELECT id FROM teams WHERE path LIKE (SELECT path FROM teams WHERE id = ${value}) || '%')`, filters.teamId);
  if (filters.customerStage) add((value) => `r.customer_stage = ${value}`, filters.customerStage);
  if (filters.intent) add((value) => `i.kind = 'intent' AND i.content->>'intent' = ${value}`, filters.intent);
  // Items an agent made carry their run's engine and prompt-set version; older ones their draft's.
  if (filters.engine) add((value) => `coalesce((SELECT ar.engine FROM agent_runs ar WHERE ar.id = i.agent_run_id), d.engine) = ${value}`, filters.engine);
  if (filters.promptSetVersion) {
    add(
      (value) => `(CASE WHEN i.agent_run_id IS NULL THEN d.prompt_set_version ELSE (SELECT ar.prompt_set_version FROM agent_runs ar WHERE ar.id = i.agent_run_id) END) = ${value}`,
      filters.promptSetVersion,
    );
  }
  if (filters.recordingId) add((value) => `i.recording_id = ${value}`, filters.recordingId);
  if (filters.outcome) conditions.push(outcomeFilterSql(filters.outcome, "r"));
  if (filters.likelyNewIntent) add((value) => likelyNewIntentSql("i", `${value}::real`), threshold);
  return { where: conditions.join(" AND "), params };
}

const orderBy: Record<QueueFilters["order"], string> = {
  uncertainty: "i.confidence ASC NULLS FIRST, i.created_at ASC, i.id",
  // Round-robin over the predicted intents, least confident first within each: while labels are
  // few, every intent gets its first examples early instead of the queue piling up where the model
  // is most confused (on CLINC150 plain uncertainty is worse than random below 20 labels per
  // intent; see core/eval/label-efficiency.ts "balanced" and bench/local-engine.ts).
  balanced: `row_number() OVER (PARTITION BY i.kind, i.content->>'intent' ORDER BY i.confidence ASC NULLS FIRST, i.created_at ASC, i.id),
    i.confidence ASC NULLS FIRST, i.created_at ASC, i.id`,
  newest: "i.created_at DESC, i.recording_id, i.kind, i.position",
  oldest: "i.created_at ASC, i.recording_id, i.kind, i.position",
};

export async function listQueue(
  db: Queryable,
  actor: Actor,
  filters: QueueFilters,
  page: { limit: number; offset?: number },
): Promise<{ items: QueueItem[]; total: number; newIntentThreshold: number }> {
  const { threshold } = await newIntentThreshold(db, actor.workspaceId);
  const { where, params } = queueConditions(actor, filters, 1, threshold);
  const total = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM draft_items i JOIN drafts d ON d.id = i.draft_id JOIN recordings r ON r.id = i.recording_id WHERE ${where}`,
    params,
  );
  const items = await db.query<ReviewItem>(
    `${selectItems} WHERE ${where} ORDER BY ${orderBy[filters.order]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.limit, page.offset ?? 0],
  );
  return { items: markLikelyNewIntents(items.rows, threshold), total: total.rows[0].count, newIntentThreshold: threshold };
}

/**
 * Leases up to `count` items to the caller. Items the caller already holds come first, so a reload
 * gives the same work back; a lease that races with another trainer's is simply not taken.
 */
export async function claimItems(
  db: Queryable,
  actor: Actor,
  filters: QueueFilters,
  options: { count: number; leaseMs?: number },
): Promise<QueueItem[]> {
  const leaseMs = options.leaseMs ?? defaultLeaseMs;
  const { threshold } = await newIntentThreshold(db, actor.workspaceId);
  const { where, params } = queueConditions(actor, filters, 1, threshold);
  const candidates = await db.query<{ id: string }>(
    `SELECT i.id FROM draft_items i JOIN drafts d ON d.id = i.draft_id JOIN recordings r ON r.id = i.recording_id
     WHERE ${where}
     ORDER BY EXISTS (SELECT 1 FROM review_leases l WHERE l.draft_item_id = i.id AND l.user_id = $${params.length + 1} AND l.expires_at > now()) DESC,
              ${orderBy[filters.order]}
     LIMIT $${params.length + 2}`,
    [...params, actor.id, options.count * 3],
  );
  const claimed: string[] = [];
  for (const { id } of candidates.rows) {
    if (claimed.length >= options.count) break;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO review_leases (draft_item_id, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (draft_item_id) DO UPDATE SET user_id = excluded.user_id, leased_at = now(), expires_at = excluded.expires_at
         WHERE review_leases.expires_at <= now() OR review_leases.user_id = excluded.user_id
       RETURNING draft_item_id AS id`,
      [id, actor.id, leaseMs],
    );
    if (rows[0]) claimed.push(rows[0].id);
  }
  if (claimed.length === 0) return [];
  const items = await db.query<ReviewItem>(`${selectItems} WHERE i.id = ANY($1::uuid[])`, [claimed]);
  const byId = new Map(items.rows.map((item) => [item.id, item]));
  return markLikelyNewIntents(claimed.map((id) => byId.get(id)!).filter(Boolean), threshold);
}

export async function releaseLeases(db: Queryable, actor: Actor, itemIds: string[]): Promise<void> {
  await db.query("DELETE FROM review_leases WHERE user_id = $1 AND draft_item_id = ANY($2::uuid[])", [actor.id, itemIds]);
}
