/**
 * Outcomes as training signal: filter review items and approved talk tracks by what happened to the
 * customer after the call ("talk tracks on calls that advanced"), and count, for each approved talk
 * track (grouped by its wording, since the local engine reuses approved wording verbatim), how many
 * of the calls it was approved on were followed by an advance.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import { recordingScope } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { advancedSql } from "./outcomes.ts";

export const outcomeFilters = ["advanced", "not_advanced", "won", "lost", "replied", "meeting_booked", "any", "none"] as const;
export type OutcomeFilter = (typeof outcomeFilters)[number];
export const outcomeFilterSchema = z.enum(outcomeFilters);

/** SQL: the recording `alias` matches the outcome filter. */
export function outcomeFilterSql(filter: OutcomeFilter, alias: string): string {
  const has = (condition: string) =>
    `EXISTS (SELECT 1 FROM outcome_event_calls filter_link JOIN outcome_events filter_outcome ON filter_outcome.id = filter_link.outcome_event_id
              WHERE filter_link.recording_id = ${alias}.id${condition ? ` AND ${condition}` : ""})`;
  switch (filter) {
    case "advanced":
      return advancedSql(alias);
    case "not_advanced":
      return `NOT ${advancedSql(alias)}`;
    case "won":
      return has("filter_outcome.type = 'deal_won'");
    case "lost":
      return has("(filter_outcome.type = 'deal_lost' OR (filter_outcome.type = 'stage_changed' AND filter_outcome.stage ILIKE '%lost%'))");
    case "replied":
      return has("filter_outcome.type = 'customer_replied'");
    case "meeting_booked":
      return has("filter_outcome.type = 'meeting_booked'");
    case "any":
      return has("");
    case "none":
      return `NOT ${has("")}`;
  }
}

export interface ApprovedTalkTrack {
  suggestion: string;
  moment: string;
  /** Calls this wording was approved (accepted or corrected into) on. */
  calls: number;
  /** Of those, calls followed by an advance. */
  advancedCalls: number;
  lastApprovedAt: Date;
  exampleRecordingId: string;
}

/** Approved talk tracks in the actor's view, most used first, optionally only on calls matching `outcome`. */
export async function approvedTalkTracks(db: Queryable, actor: Actor, options: { outcome?: OutcomeFilter; limit?: number } = {}): Promise<ApprovedTalkTrack[]> {
  const scope = recordingScope(actor, "r", 1);
  const { rows } = await db.query<ApprovedTalkTrack>(
    `WITH approved AS (
       SELECT r.id AS recording_id, coalesce(i.current_content, i.content) AS content, i.created_at, ${advancedSql("r")} AS advanced
         FROM draft_items i JOIN recordings r ON r.id = i.recording_id
        WHERE i.kind = 'talk_track' AND i.status IN ('accepted', 'overridden') AND ${scope.sql}
          ${options.outcome ? `AND ${outcomeFilterSql(options.outcome, "r")}` : ""}
     )
     SELECT content->>'suggestion' AS suggestion, min(content->>'moment') AS moment,
            count(DISTINCT recording_id)::int AS calls,
            count(DISTINCT recording_id) FILTER (WHERE advanced)::int AS "advancedCalls",
            max(created_at) AS "lastApprovedAt", (array_agg(recording_id::text))[1] AS "exampleRecordingId"
       FROM approved WHERE content->>'suggestion' IS NOT NULL
      GROUP BY content->>'suggestion'
      ORDER BY calls DESC, "advancedCalls" DESC, "lastApprovedAt" DESC LIMIT $${scope.params.length + 1}`,
    [...scope.params, Math.min(options.limit ?? 100, 500)],
  );
  return rows;
}
