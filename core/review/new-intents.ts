/**
 * Long tails (issue 14 §3): utterances that may belong to an intent the taxonomy does not have yet.
 *
 * The queue marks an intent item "maybe a new intent" when the engine's confidence in its top label
 * is under the workspace's new-intent threshold. The threshold comes from the workspace's own data
 * when it has enough: over the intent items trainers decided, "confidence ≥ t" should keep the
 * drafts that were right (accepted) and flag the ones that were not (overridden, rejected or "none
 * of these fits"); t is the grid value that maximises the mean of those two rates — the criterion
 * bench/local-engine.ts uses to choose CLINC150's out-of-scope threshold on validation (0.93 there,
 * for 150 intents; a workspace has a dozen or so, and its own calibration). The model's training
 * records no held-out confidences, and trainers' decisions on drafts the model actually made are
 * the better held-out set anyway: they are the workspace's real traffic.
 *
 * Until a workspace has `minimumDecided` such decisions, with at least `minimumEachSide` right and
 * wrong, the documented default 0.5 applies: under it the calibrated top probability says the
 * draft is more likely wrong than right, which is when a trainer should consider that no listed
 * intent fits.
 */
import type { Actor } from "../auth/actor.ts";
import { recordingScope } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { noFitSql } from "../draft/intent-models.ts";

export const defaultNewIntentThreshold = 0.5;
export const minimumDecided = 20;
export const minimumEachSide = 5;

export interface NewIntentThreshold {
  threshold: number;
  /** "decisions" when derived from the workspace's trainer decisions, else "default". */
  source: "decisions" | "default";
  /** How many decided intent items it was derived from (0 for the default). */
  decided: number;
}

/** The threshold for `(confidence, right)` pairs: pure, so it is tested without a database. */
export function chooseNewIntentThreshold(samples: ReadonlyArray<{ confidence: number; right: boolean }>): NewIntentThreshold {
  const right = samples.filter((sample) => sample.right);
  const wrong = samples.filter((sample) => !sample.right);
  if (samples.length < minimumDecided || right.length < minimumEachSide || wrong.length < minimumEachSide) {
    return { threshold: defaultNewIntentThreshold, source: "default", decided: 0 };
  }
  let best = { threshold: defaultNewIntentThreshold, score: -1 };
  for (let step = 1; step < 100; step++) {
    const threshold = step / 100;
    const kept = right.filter((sample) => sample.confidence >= threshold).length / right.length;
    const flagged = wrong.filter((sample) => sample.confidence < threshold).length / wrong.length;
    const score = (kept + flagged) / 2;
    if (score > best.score) best = { threshold, score };
  }
  return { threshold: best.threshold, source: "decisions", decided: samples.length };
}

/** The workspace's threshold, from the standing trainer decisions on its intent items. */
export async function newIntentThreshold(db: Queryable, workspaceId: string): Promise<NewIntentThreshold> {
  const { rows } = await db.query<{ confidence: number; right: boolean }>(
    `SELECT i.confidence::float8 AS confidence, i.status = 'accepted' AS right
     FROM draft_items i JOIN recordings r ON r.id = i.recording_id
     WHERE r.workspace_id = $1 AND i.kind = 'intent' AND i.status <> 'pending' AND i.decided_as = 'trainer' AND i.confidence IS NOT NULL`,
    [workspaceId],
  );
  return chooseNewIntentThreshold(rows);
}

/** SQL for "this item is a likely new intent": `alias` is the draft_items alias, `threshold` a placeholder. */
export function likelyNewIntentSql(alias: string, threshold: string): string {
  return `(${alias}.kind = 'intent' AND ${alias}.confidence < ${threshold})`;
}


export interface NoFitUtterance {
  itemId: string;
  recordingId: string;
  recordingTitle: string;
  segmentOrdinal: number | null;
  text: string | null;
  /** The intent the engine had drafted, and its confidence. */
  draftedIntent: string | null;
  confidence: number | null;
  decidedAt: Date;
  decidedBy: string;
}

/** Utterances trainers said fit no intent, newest first, in the caller's scope. */
export async function listNoFitUtterances(db: Queryable, actor: Actor, page: { limit: number }): Promise<{ items: NoFitUtterance[]; total: number }> {
  const scope = recordingScope(actor, "r", 1);
  const where = `i.kind = 'intent' AND ${noFitSql("i")} AND ${scope.sql}`;
  const total = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM draft_items i JOIN recordings r ON r.id = i.recording_id WHERE ${where}`,
    scope.params,
  );
  const { rows } = await db.query<NoFitUtterance>(
    `SELECT i.id AS "itemId", i.recording_id AS "recordingId", r.title AS "recordingTitle", i.segment_ordinal AS "segmentOrdinal",
            s.text, i.content->>'intent' AS "draftedIntent", i.confidence::float8 AS confidence,
            x.decided_at AS "decidedAt", u.display_name AS "decidedBy"
     FROM draft_items i
     JOIN drafts d ON d.id = i.draft_id
     JOIN recordings r ON r.id = i.recording_id
     LEFT JOIN segments s ON s.transcript_id = d.transcript_id AND s.ordinal = i.segment_ordinal
     JOIN LATERAL (SELECT decided_at, user_id FROM decisions WHERE draft_item_id = i.id AND action = 'no_fit' ORDER BY decided_at DESC LIMIT 1) x ON true
     JOIN users u ON u.id = x.user_id
     WHERE ${where}
     ORDER BY x.decided_at DESC, i.id
     LIMIT $${scope.params.length + 1}`,
    [...scope.params, page.limit],
  );
  return { items: rows, total: total.rows[0].count };
}
