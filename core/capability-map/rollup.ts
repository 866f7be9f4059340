/**
 * Refreshes `capability_rollup`: one row per workspace × day × team × customer stage, counting the
 * drafts made that day and the fate of their items. See README.md for the definitions.
 *
 * - Attribution: an item belongs to the day its draft was made (in the rollup's time zone), and so
 *   do all its decisions, however late they come. Its team and stage are its recording's.
 * - Outcome: an item's outcome is its latest accept/reject/override decision that no undo cancels.
 *   An undo decision never counts itself; to re-decide, a reviewer makes a new decision.
 * - Incremental refresh recomputes whole days: every day with a draft made, a recording changed, or
 *   a decision taken since the last refresh (less a safety overlap for transactions that were still
 *   open). Deletions (an erased recording) and rows written with back-dated timestamps are not
 *   seen by it; the full rebuild that "auto" mode runs at least daily catches them.
 * - Each refresh runs in one transaction under a per-workspace advisory lock: readers keep seeing
 *   the previous rollup until it commits, and two refreshes never interleave.
 */
import type { Db, Queryable } from "../db/database.ts";
import { NotFoundError, UnprocessableError } from "../errors.ts";
import { histogramLayout, responseBoundariesMs } from "./response-histogram.ts";

export type RefreshMode = "auto" | "full" | "incremental";

export interface RollupReport {
  workspaceId: string;
  mode: "full" | "incremental";
  /** Days recomputed (for a full rebuild: days that have data). */
  days: number;
  /** Rollup rows written. */
  rows: number;
  timeZone: string;
  refreshedAt: Date;
  durationMs: number;
}

export interface RollupState {
  timeZone: string;
  layout: string;
  refreshedAt: Date;
  fullRebuiltAt: Date;
  lastMode: "full" | "incremental";
}

/** Bump when what a rollup row means changes: the next refresh then rebuilds every row. */
// 2: the rep / trainer split of calibration (rep_* columns, migration 006).
const rollupVersion = 2;
/** A full rebuild at least this often catches what incremental refreshes cannot see (deletions). */
export const fullRebuildIntervalMs = 24 * 60 * 60_000;
/** Rows committed late by transactions that began before the previous refresh are still picked up. */
const overlapMs = 10 * 60_000;

export async function getRollupState(
  db: Queryable,
  workspaceId: string,
): Promise<RollupState | null> {
  const { rows } = await db.query<RollupState>(
    `SELECT time_zone AS "timeZone", layout, refreshed_at AS "refreshedAt", full_rebuilt_at AS "fullRebuiltAt",
            last_mode AS "lastMode"
       FROM capability_rollup_state WHERE workspace_id = $1`,
    [workspaceId],
  );
  return rows[0] ?? null;
}

/**
 * The time zone whose calendar days (and so quarters) the rollup uses: the workspace setting
 * `settings.timeZone` (an IANA name such as "Asia/Shanghai"), UTC when unset.
 */
export async function workspaceTimeZone(db: Queryable, workspaceId: string): Promise<string> {
  const { rows } = await db.query<{ timeZone: string | null }>(
    `SELECT settings->>'timeZone' AS "timeZone" FROM workspaces WHERE id = $1`,
    [workspaceId],
  );
  if (!rows[0]) throw new NotFoundError("Workspace not found.");
  const timeZone = rows[0].timeZone?.trim() || "UTC";
  const known = await db.query("SELECT 1 FROM pg_timezone_names WHERE name = $1", [timeZone]);
  if (known.rows.length === 0) {
    // A setting that names no zone will not start naming one on retry.
    throw new UnprocessableError(
      `The workspace time zone "${timeZone}" is not a time zone name such as Asia/Shanghai or UTC.`,
    );
  }
  return timeZone;
}

/**
 * Brings the workspace's rollup up to date. `full` rebuilds every row; `incremental` recomputes the
 * touched days only; `auto` (the default, and what the job runs) is incremental unless there is no
 * rollup yet, the layout (version, histogram, time zone) changed, or the last full rebuild is more
 * than a day old. `incremental` still rebuilds fully when there is nothing valid to build on.
 */
export async function refreshCapabilityRollup(
  db: Db,
  options: { workspaceId: string; mode?: RefreshMode },
): Promise<RollupReport> {
  const started = performance.now();
  return db.transaction(async (transaction) => {
    await transaction.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `capability-rollup:${options.workspaceId}`,
    ]);
    const timeZone = await workspaceTimeZone(transaction, options.workspaceId);
    const layout = `v${rollupVersion};${histogramLayout};tz=${timeZone}`;
    const state = await getRollupState(transaction, options.workspaceId);
    const { rows: clock } = await transaction.query<{ now: Date }>("SELECT now() AS now");
    const now = clock[0].now;

    const canBeIncremental = state !== null && state.layout === layout;
    const mode: "full" | "incremental" =
      options.mode === "full" || !canBeIncremental
        ? "full"
        : options.mode === "incremental" ||
            now.getTime() - new Date(state.fullRebuiltAt).getTime() < fullRebuildIntervalMs
          ? "incremental"
          : "full";

    let days: number;
    let rows: number;
    if (mode === "full") {
      await transaction.query("DELETE FROM capability_rollup WHERE workspace_id = $1", [
        options.workspaceId,
      ]);
      rows = await insertRollupRows(transaction, options.workspaceId, timeZone, null);
      await refreshMonths(transaction, options.workspaceId, null);
      // Fresh statistics, or the planner guesses "one row" for a table that just grew by thousands.
      await transaction.exec("ANALYZE capability_rollup; ANALYZE capability_rollup_monthly;");
      const counted = await transaction.query<{ days: number }>(
        "SELECT count(DISTINCT day)::integer AS days FROM capability_rollup WHERE workspace_id = $1",
        [options.workspaceId],
      );
      days = counted.rows[0].days;
    } else {
      const since = new Date(new Date(state!.refreshedAt).getTime() - overlapMs);
      const touched = await touchedDays(transaction, options.workspaceId, timeZone, since);
      days = touched.length;
      rows = 0;
      if (touched.length > 0) {
        await transaction.query(
          "DELETE FROM capability_rollup WHERE workspace_id = $1 AND day = ANY($2::date[])",
          [options.workspaceId, touched],
        );
        rows = await insertRollupRows(transaction, options.workspaceId, timeZone, touched);
        await refreshMonths(transaction, options.workspaceId, [
          ...new Set(touched.map((day) => `${day.slice(0, 7)}-01`)),
        ]);
      }
    }

    const durationMs = Math.round(performance.now() - started);
    await transaction.query(
      `INSERT INTO capability_rollup_state
         (workspace_id, time_zone, layout, refreshed_at, full_rebuilt_at, last_mode, last_days, last_duration_ms)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7)
       ON CONFLICT (workspace_id) DO UPDATE SET
         time_zone = excluded.time_zone, layout = excluded.layout, refreshed_at = excluded.refreshed_at,
         full_rebuilt_at = CASE WHEN excluded.last_mode = 'full' THEN excluded.refreshed_at
                                ELSE capability_rollup_state.full_rebuilt_at END,
         last_mode = excluded.last_mode, last_days = excluded.last_days, last_duration_ms = excluded.last_duration_ms`,
      [options.workspaceId, timeZone, layout, now, mode, days, durationMs],
    );
    return {
      workspaceId: options.workspaceId,
      mode,
      days,
      rows,
      timeZone,
      refreshedAt: new Date(now),
      durationMs,
    };
  });
}

/** Local days (YYYY-MM-DD) whose rollup rows may have changed since `since`. */
async function touchedDays(
  db: Queryable,
  workspaceId: string,
  timeZone: string,
  since: Date,
): Promise<string[]> {
  const { rows } = await db.query<{ day: string }>(
    `SELECT DISTINCT day::text AS day FROM (
       SELECT (draft.created_at AT TIME ZONE $2)::date AS day
         FROM drafts draft JOIN recordings recording ON recording.id = draft.recording_id
        WHERE recording.workspace_id = $1 AND draft.created_at >= $3
       UNION
       -- A recording moved to another team or stage moves all its items.
       SELECT (draft.created_at AT TIME ZONE $2)::date
         FROM recordings recording JOIN drafts draft ON draft.recording_id = recording.id
        WHERE recording.workspace_id = $1 AND recording.updated_at >= $3
       UNION
       SELECT (draft.created_at AT TIME ZONE $2)::date
         FROM decisions decision
         JOIN draft_items item ON item.id = decision.draft_item_id
         JOIN drafts draft ON draft.id = item.draft_id
        WHERE decision.workspace_id = $1 AND decision.decided_at >= $3
     ) touched ORDER BY day`,
    [workspaceId, timeZone, since.toISOString()],
  );
  return rows.map((row) => row.day);
}

/**
 * Computes and inserts the rollup rows of `days` (all days when null). Returns the rows written.
 * When days are given, the created_at range lets the drafts_created index narrow the scan first.
 */
async function insertRollupRows(
  db: Queryable,
  workspaceId: string,
  timeZone: string,
  days: string[] | null,
): Promise<number> {
  const first = days?.[0] ?? null;
  const last = days?.[days.length - 1] ?? null;
  const result = await db.query(
    `INSERT INTO capability_rollup
       (workspace_id, day, team_id, customer_stage, invocations, drafted_items, decided_items, accepted_items,
        rejected_items, overridden_items, intent_decisions, intent_accepted, timed_decisions, response_ms_sum,
        response_buckets, response_counts, rep_decided_items, rep_intervened_items, rep_timed_decisions, rep_response_ms_sum)
     WITH cell_drafts AS (
       SELECT draft.id, recording.team_id, recording.customer_stage, (draft.created_at AT TIME ZONE $2)::date AS day
         FROM drafts draft JOIN recordings recording ON recording.id = draft.recording_id
        WHERE recording.workspace_id = $1 AND recording.status <> 'erased'
          AND ($4::date[] IS NULL OR (
                draft.created_at >= ($5::date::timestamp AT TIME ZONE $2)
            AND draft.created_at < (($6::date + 1)::timestamp AT TIME ZONE $2)
            AND (draft.created_at AT TIME ZONE $2)::date = ANY($4::date[])))
     ),
     items AS (
       SELECT item.id, item.kind, cell_drafts.day, cell_drafts.team_id, cell_drafts.customer_stage
         FROM draft_items item JOIN cell_drafts ON cell_drafts.id = item.draft_id
     ),
     -- Decisions that still stand: not undo decisions themselves, and not cancelled by one.
     live_decisions AS (
       SELECT decision.id, decision.draft_item_id, decision.action, decision.decision_ms, decision.decided_at,
              decision.decided_as
         FROM decisions decision JOIN items ON items.id = decision.draft_item_id
        WHERE decision.action <> 'undo'
          AND NOT EXISTS (
                SELECT 1 FROM decisions undo
                 WHERE undo.undoes_decision_id = decision.id AND undo.action = 'undo')
     ),
     latest AS (
       SELECT DISTINCT ON (draft_item_id) draft_item_id, action, decided_as
         FROM live_decisions ORDER BY draft_item_id, decided_at DESC, id DESC
     ),
     item_counts AS (
       SELECT items.day, items.team_id, items.customer_stage,
              count(*)::integer AS drafted_items,
              count(latest.action)::integer AS decided_items,
              (count(*) FILTER (WHERE latest.action = 'accept'))::integer AS accepted_items,
              (count(*) FILTER (WHERE latest.action = 'reject'))::integer AS rejected_items,
              (count(*) FILTER (WHERE latest.action = 'override'))::integer AS overridden_items,
              (count(latest.action) FILTER (WHERE items.kind = 'intent'))::integer AS intent_decisions,
              (count(*) FILTER (WHERE items.kind = 'intent' AND latest.action = 'accept'))::integer AS intent_accepted,
              -- The rep's share: items whose standing decision is the call's rep's.
              (count(*) FILTER (WHERE latest.decided_as = 'rep'))::integer AS rep_decided_items,
              (count(*) FILTER (WHERE latest.decided_as = 'rep' AND latest.action IN ('reject', 'override')))::integer AS rep_intervened_items
         FROM items LEFT JOIN latest ON latest.draft_item_id = items.id
        GROUP BY items.day, items.team_id, items.customer_stage
     ),
     draft_counts AS (
       SELECT day, team_id, customer_stage, count(*)::integer AS invocations
         FROM cell_drafts GROUP BY day, team_id, customer_stage
     ),
     bucketed AS (
       SELECT items.day, items.team_id, items.customer_stage,
              width_bucket(live.decision_ms, $3::integer[]) AS bucket,
              count(*)::integer AS decisions, sum(live.decision_ms)::bigint AS total_ms
         FROM live_decisions live JOIN items ON items.id = live.draft_item_id
        GROUP BY items.day, items.team_id, items.customer_stage, bucket
     ),
     timing AS (
       SELECT day, team_id, customer_stage, sum(decisions)::integer AS timed, sum(total_ms)::bigint AS ms_sum,
              array_agg(bucket::smallint ORDER BY bucket) AS buckets, array_agg(decisions ORDER BY bucket) AS counts
         FROM bucketed GROUP BY day, team_id, customer_stage
     ),
     rep_timing AS (
       SELECT items.day, items.team_id, items.customer_stage,
              count(*)::integer AS timed, sum(live.decision_ms)::bigint AS ms_sum
         FROM live_decisions live JOIN items ON items.id = live.draft_item_id
        WHERE live.decided_as = 'rep'
        GROUP BY items.day, items.team_id, items.customer_stage
     )
     SELECT $1::uuid, draft_counts.day, draft_counts.team_id, draft_counts.customer_stage, draft_counts.invocations,
            coalesce(item_counts.drafted_items, 0), coalesce(item_counts.decided_items, 0),
            coalesce(item_counts.accepted_items, 0), coalesce(item_counts.rejected_items, 0),
            coalesce(item_counts.overridden_items, 0), coalesce(item_counts.intent_decisions, 0),
            coalesce(item_counts.intent_accepted, 0), coalesce(timing.timed, 0), coalesce(timing.ms_sum, 0),
            coalesce(timing.buckets, '{}'), coalesce(timing.counts, '{}'),
            coalesce(item_counts.rep_decided_items, 0), coalesce(item_counts.rep_intervened_items, 0),
            coalesce(rep_timing.timed, 0), coalesce(rep_timing.ms_sum, 0)
       FROM draft_counts
       LEFT JOIN item_counts USING (day, team_id, customer_stage)
       LEFT JOIN timing USING (day, team_id, customer_stage)
       LEFT JOIN rep_timing USING (day, team_id, customer_stage)`,
    [workspaceId, timeZone, responseBoundariesMs, days, first, last],
  );
  return result.rowCount;
}

/**
 * Rewrites the monthly rows of `months` (first days; all months when null) as sums of their daily
 * rows, histograms included, so the two tables can never disagree.
 */
async function refreshMonths(
  db: Queryable,
  workspaceId: string,
  months: string[] | null,
): Promise<void> {
  const first = months ? months.reduce((a, b) => (a < b ? a : b)) : null;
  const last = months ? months.reduce((a, b) => (a > b ? a : b)) : null;
  await db.query(
    "DELETE FROM capability_rollup_monthly WHERE workspace_id = $1 AND ($2::date[] IS NULL OR month = ANY($2::date[]))",
    [workspaceId, months],
  );
  await db.query(
    `INSERT INTO capability_rollup_monthly
       (workspace_id, month, team_id, customer_stage, invocations, drafted_items, decided_items, accepted_items,
        rejected_items, overridden_items, intent_decisions, intent_accepted, timed_decisions, response_ms_sum,
        response_buckets, response_counts, rep_decided_items, rep_intervened_items, rep_timed_decisions, rep_response_ms_sum)
     WITH source AS (
       SELECT date_trunc('month', daily.day::timestamp)::date AS month, daily.*
         FROM capability_rollup daily
        WHERE daily.workspace_id = $1
          AND ($2::date[] IS NULL OR (
                daily.day >= $3::date AND daily.day < ($4::date + interval '1 month')
            AND date_trunc('month', daily.day::timestamp)::date = ANY($2::date[])))
     ),
     totals AS (
       SELECT month, team_id, customer_stage,
              sum(invocations)::integer AS invocations, sum(drafted_items)::integer AS drafted_items,
              sum(decided_items)::integer AS decided_items, sum(accepted_items)::integer AS accepted_items,
              sum(rejected_items)::integer AS rejected_items, sum(overridden_items)::integer AS overridden_items,
              sum(intent_decisions)::integer AS intent_decisions, sum(intent_accepted)::integer AS intent_accepted,
              sum(timed_decisions)::integer AS timed_decisions, sum(response_ms_sum)::bigint AS response_ms_sum,
              sum(rep_decided_items)::integer AS rep_decided_items, sum(rep_intervened_items)::integer AS rep_intervened_items,
              sum(rep_timed_decisions)::integer AS rep_timed_decisions, sum(rep_response_ms_sum)::bigint AS rep_response_ms_sum
         FROM source GROUP BY month, team_id, customer_stage
     ),
     buckets AS (
       SELECT month, team_id, customer_stage, histogram.bucket, sum(histogram.decisions)::integer AS decisions
         FROM source, unnest(source.response_buckets, source.response_counts) AS histogram(bucket, decisions)
        GROUP BY month, team_id, customer_stage, histogram.bucket
     ),
     histograms AS (
       SELECT month, team_id, customer_stage,
              array_agg(bucket ORDER BY bucket) AS buckets, array_agg(decisions ORDER BY bucket) AS counts
         FROM buckets GROUP BY month, team_id, customer_stage
     )
     SELECT $1::uuid, totals.month, totals.team_id, totals.customer_stage, totals.invocations, totals.drafted_items,
            totals.decided_items, totals.accepted_items, totals.rejected_items, totals.overridden_items,
            totals.intent_decisions, totals.intent_accepted, totals.timed_decisions, totals.response_ms_sum,
            coalesce(histograms.buckets, '{}'), coalesce(histograms.counts, '{}'), totals.rep_decided_items,
            totals.rep_intervened_items, totals.rep_timed_decisions, totals.rep_response_ms_sum
       FROM totals LEFT JOIN histograms USING (month, team_id, customer_stage)`,
    [workspaceId, months, first, last],
  );
}
