/**
 * Outcome metrics of the capability map, per team (rolled up over its subtree) × customer stage:
 * next-stage conversion of calls whose talk tracks the rep accepted, against calls where the rep did
 * not, each with its count and a 95 % Wilson interval. An association, not proof: reps choose what
 * to accept, and better calls may both get accepted talk tracks and advance.
 *
 * - Population: calls with a customer reference (their outcomes can come back) and at least one
 *   drafted talk track, drafted in the period (local days in the rollup's time zone), read live.
 * - Accepted: at least one of the call's talk tracks has as its standing decision (latest, not undone,
 *   not an independent second label) an accept or override made by the call's own rep.
 * - Converted: the call advanced (core/outcomes/outcomes.ts: won, or moved to a later stage that is
 *   not a lost stage).
 * - Too little data: fewer than `minimumCalls` calls in either group → rates and intervals are null.
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { ValidationError } from "../errors.ts";
import { advancedSql } from "../outcomes/outcomes.ts";
import { workspaceStages } from "./capability-map.ts";
import type { PeriodInput } from "./period.ts";
import { resolvePeriods, todayIn } from "./period.ts";
import { getRollupState, workspaceTimeZone } from "./rollup.ts";
import { resolveScope } from "./scope.ts";
import type { MapScope } from "./scope.ts";
import type { MapTeam } from "./team-tree.ts";
import { rollUpSubtrees, toMapTeams } from "./team-tree.ts";
import { wilsonInterval } from "./wilson.ts";

export const defaultMinimumOutcomeCalls = 10;

export interface ConversionGroup {
  calls: number;
  converted: number;
  /** converted / calls; null with too little data. */
  rate: number | null;
  interval: { low: number; high: number } | null;
}

export interface OutcomeCell {
  teamId: string;
  stage: string;
  accepted: ConversionGroup;
  notAccepted: ConversionGroup;
  /** accepted.rate − notAccepted.rate; null with too little data. */
  difference: number | null;
  insufficientData: boolean;
}

export interface OutcomeMap {
  quarter: string | null;
  period: { from: string; to: string };
  timeZone: string;
  minimumCalls: number;
  teams: MapTeam[];
  stages: string[];
  cells: OutcomeCell[];
  /** Shown with the numbers, always. */
  caveat: "association, not proof";
}

export interface OutcomeQuery extends PeriodInput {
  teamId?: string;
  minimumCalls?: number;
}

interface CallRow {
  id: string;
  teamId: string;
  stage: string;
  accepted: boolean;
  advanced: boolean;
}

async function periodAndScope(db: Queryable, actor: Actor, query: OutcomeQuery) {
  const scope = await resolveScope(db, actor, query.teamId);
  const state = await getRollupState(db, actor.workspaceId);
  const timeZone = state?.timeZone ?? (await workspaceTimeZone(db, actor.workspaceId));
  const { current } = resolvePeriods(query, todayIn(timeZone));
  return { scope, timeZone, period: current };
}

/** The population's calls with their two flags (optionally one stage only). */
async function readCalls(db: Queryable, workspaceId: string, scope: MapScope, period: { from: string; to: string }, timeZone: string, stage?: string): Promise<CallRow[]> {
  const { rows } = await db.query<CallRow>(
    `SELECT r.id, r.team_id AS "teamId", r.customer_stage AS stage,
            EXISTS (
              SELECT 1 FROM draft_items item
              CROSS JOIN LATERAL (
                SELECT decision.action, decision.user_id FROM decisions decision
                 WHERE decision.draft_item_id = item.id AND decision.action <> 'undo' AND NOT decision.independent
                   AND NOT EXISTS (SELECT 1 FROM decisions undo WHERE undo.undoes_decision_id = decision.id)
                 ORDER BY decision.decided_at DESC, decision.id DESC LIMIT 1
              ) standing
              WHERE item.recording_id = r.id AND item.kind = 'talk_track'
                AND standing.action IN ('accept', 'override') AND standing.user_id = r.owner_id
            ) AS accepted,
            ${advancedSql("r")} AS advanced
       FROM recordings r
      WHERE r.workspace_id = $1 AND r.customer_reference IS NOT NULL AND r.customer_reference <> ''
        AND r.team_id IN (SELECT id FROM teams WHERE workspace_id = $1 AND path LIKE $2)
        AND ($6::text IS NULL OR r.customer_stage = $6)
        AND EXISTS (SELECT 1 FROM drafts draft WHERE draft.recording_id = r.id
                     AND draft.created_at >= ($3::date::timestamp AT TIME ZONE $5)
                     AND draft.created_at < (($4::date + 1)::timestamp AT TIME ZONE $5))
        AND EXISTS (SELECT 1 FROM draft_items item WHERE item.recording_id = r.id AND item.kind = 'talk_track')`,
    [workspaceId, `${scope.pathPrefix}%`, period.from, period.to, timeZone, stage ?? null],
  );
  return rows;
}

export function summariseGroup(calls: number, converted: number, enough: boolean): ConversionGroup {
  return {
    calls,
    converted,
    rate: enough && calls > 0 ? Math.round((converted / calls) * 10_000) / 10_000 : null,
    interval: enough ? wilsonInterval(converted, calls) : null,
  };
}

export async function getOutcomeMap(db: Queryable, actor: Actor, query: OutcomeQuery = {}): Promise<OutcomeMap> {
  const minimumCalls = query.minimumCalls ?? defaultMinimumOutcomeCalls;
  if (!Number.isInteger(minimumCalls) || minimumCalls < 1) throw new ValidationError("minimumCalls must be a whole number of at least 1.");
  const { scope, timeZone, period } = await periodAndScope(db, actor, query);
  const [calls, stages] = await Promise.all([readCalls(db, actor.workspaceId, scope, period, timeZone), workspaceStages(db, actor.workspaceId)]);
  const teamPaths = new Map(scope.teams.map((team) => [team.id, team.path]));
  const counts = new Map<string, { accepted: [number, number]; notAccepted: [number, number] }>();
  const seenStages = new Set<string>();
  rollUpSubtrees(calls, teamPaths, new Set(teamPaths.keys()), (teamId, call) => {
    seenStages.add(call.stage);
    const key = `${teamId}\u0000${call.stage}`;
    const cell = counts.get(key) ?? { accepted: [0, 0], notAccepted: [0, 0] };
    const group = call.accepted ? cell.accepted : cell.notAccepted;
    group[0] += 1;
    if (call.advanced) group[1] += 1;
    counts.set(key, cell);
  });
  const teams = toMapTeams(scope.teams);
  const allStages = [...stages, ...[...seenStages].filter((stage) => !stages.includes(stage)).sort()];
  const cells: OutcomeCell[] = [];
  for (const team of teams) {
    for (const stage of allStages) {
      const cell = counts.get(`${team.id}\u0000${stage}`) ?? { accepted: [0, 0], notAccepted: [0, 0] };
      const enough = cell.accepted[0] >= minimumCalls && cell.notAccepted[0] >= minimumCalls;
      const accepted = summariseGroup(cell.accepted[0], cell.accepted[1], enough);
      const notAccepted = summariseGroup(cell.notAccepted[0], cell.notAccepted[1], enough);
      cells.push({
        teamId: team.id,
        stage,
        accepted,
        notAccepted,
        difference: accepted.rate !== null && notAccepted.rate !== null ? Math.round((accepted.rate - notAccepted.rate) * 10_000) / 10_000 : null,
        insufficientData: !enough,
      });
    }
  }
  return { quarter: period.quarter, period: { from: period.from, to: period.to }, timeZone, minimumCalls, teams, stages: allStages, cells, caveat: "association, not proof" };
}

export interface OutcomeCellCall {
  recordingId: string;
  title: string;
  owner: { id: string; displayName: string };
  callDate: string | null;
  customerReference: string;
  accepted: boolean;
  advanced: boolean;
  outcomes: string[];
}

/** The drill-down: the calls behind one cell, with both flags and their outcome types. */
export async function getOutcomeCell(db: Queryable, actor: Actor, query: PeriodInput & { teamId: string; stage: string }): Promise<{ team: { id: string; name: string }; stage: string; period: { from: string; to: string }; calls: OutcomeCellCall[] }> {
  const { scope, timeZone, period } = await periodAndScope(db, actor, query);
  const calls = await readCalls(db, actor.workspaceId, scope, period, timeZone, query.stage);
  const flags = new Map(calls.map((call) => [call.id, call]));
  const { rows } = await db.query<Omit<OutcomeCellCall, "accepted" | "advanced" | "owner"> & { ownerId: string; ownerName: string }>(
    `SELECT r.id AS "recordingId", r.title, to_char(r.call_date, 'YYYY-MM-DD') AS "callDate", r.customer_reference AS "customerReference",
            u.id AS "ownerId", u.display_name AS "ownerName",
            coalesce((SELECT array_agg(o.type ORDER BY o.occurred_at) FROM outcome_event_calls link JOIN outcome_events o ON o.id = link.outcome_event_id
                       WHERE link.recording_id = r.id), '{}') AS outcomes
       FROM recordings r JOIN users u ON u.id = r.owner_id WHERE r.id = ANY($1::uuid[])
      ORDER BY coalesce(r.call_date, r.created_at::date) DESC, r.id LIMIT 500`,
    [[...flags.keys()]],
  );
  return {
    team: { id: scope.focus!.id, name: scope.focus!.name },
    stage: query.stage,
    period: { from: period.from, to: period.to },
    calls: rows.map(({ ownerId, ownerName, ...call }) => ({
      ...call,
      owner: { id: ownerId, displayName: ownerName },
      accepted: flags.get(call.recordingId)!.accepted,
      advanced: flags.get(call.recordingId)!.advanced,
    })),
  };
}
