/**
 * The quarterly capability map: per team (rolled up over its subtree) × customer stage, how much the
 * AI assists and how much people intervene, with the previous period alongside. Reads only the
 * pre-aggregated rollup (monthly rows, daily ones at a custom range's edges; both periods in one
 * grouped query) plus the chosen eval run's results, so its cost does not grow with the number of
 * decisions stored.
 * Definitions: README.md and metrics.ts.
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { ValidationError } from "../errors.ts";
import type { EvalCellCounts, WorkspaceEval } from "./eval-context.ts";
import { evalForPeriod } from "./eval-context.ts";
import type { CellCounts, CellSummary, MetricName } from "./metrics.ts";
import {
  addCounts,
  defaultMinimumDecidedItems,
  emptyCounts,
  metricDeltas,
  metricNames,
  summariseCell,
} from "./metrics.ts";
import type { Period, PeriodInput } from "./period.ts";
import { periodSegments, resolvePeriods, todayIn } from "./period.ts";
import { getRollupState, workspaceTimeZone } from "./rollup.ts";
import type { MapScope } from "./scope.ts";
import { resolveScope } from "./scope.ts";
import type { MapTeam } from "./team-tree.ts";
import { readTraceCells } from "./trace-metrics.ts";
import { rollUpSubtrees, toMapTeams } from "./team-tree.ts";

export interface CapabilityMapQuery extends PeriodInput {
  /** Show only this team's subtree (it must be inside the caller's view). */
  teamId?: string;
  /** Metrics that get a delta against the previous period; all when omitted. */
  metrics?: MetricName[];
  /** Cells with fewer decided items have null metrics; default 20. */
  minimumDecidedItems?: number;
}

export interface CapabilityCell extends CellSummary {
  teamId: string;
  stage: string;
  /** The same cell in the previous period (previous quarter, or the same number of days before). */
  previous: CellSummary;
  /** current − previous for each requested metric; null where either side is null. */
  delta: Partial<Record<MetricName, number | null>>;
}

export interface CapabilityMap {
  /** "2026-Q3", or null for a custom range that is not a whole quarter. */
  quarter: string | null;
  previousQuarter: string | null;
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  /** Calendar days (and so quarter boundaries) are cut in this zone. */
  timeZone: string;
  minimumDecidedItems: number;
  /** The metrics that have deltas. */
  metrics: MetricName[];
  teams: MapTeam[];
  /** The workspace's stages in pipeline order, then any other stage found in the data. */
  stages: string[];
  /** One per team × stage, teams in tree order. */
  cells: CapabilityCell[];
  /** The eval run behind `evalAccuracy`: workspace-wide context, see eval-context.ts. */
  workspaceEval: WorkspaceEval | null;
  previousWorkspaceEval: WorkspaceEval | null;
  /** When the rollup was last refreshed; null if never (every cell is then empty). */
  refreshedAt: Date | null;
}

interface LeafRow {
  period: "current" | "previous";
  teamId: string;
  stage: string;
  invocations: number;
  draftedItems: number;
  decidedItems: number;
  acceptedItems: number;
  rejectedItems: number;
  overriddenItems: number;
  intentDecisions: number;
  intentAccepted: number;
  timedDecisions: number;
  responseMsSum: number;
  buckets: number[] | null;
  counts: number[] | null;
  repDecidedItems: number;
  repIntervenedItems: number;
  repTimedDecisions: number;
  repResponseMsSum: number;
}

export async function getCapabilityMap(
  db: Queryable,
  actor: Actor,
  query: CapabilityMapQuery = {},
): Promise<CapabilityMap> {
  const minimumDecidedItems = query.minimumDecidedItems ?? defaultMinimumDecidedItems;
  if (!Number.isInteger(minimumDecidedItems) || minimumDecidedItems < 1) {
    throw new ValidationError("minimumDecidedItems must be a whole number of at least 1.");
  }
  const scope = await resolveScope(db, actor, query.teamId);
  const state = await getRollupState(db, actor.workspaceId);
  // Read with the zone the rows were built with; before the first refresh, the one it will use.
  const timeZone = state?.timeZone ?? (await workspaceTimeZone(db, actor.workspaceId));
  const { current, previous } = resolvePeriods(query, todayIn(timeZone));

  const [leaves, stages, currentEval, previousEval, traceCells] = await Promise.all([
    readLeaves(db, actor.workspaceId, scope, previous, current),
    workspaceStages(db, actor.workspaceId),
    evalForPeriod(db, actor.workspaceId, current, timeZone),
    evalForPeriod(db, actor.workspaceId, previous, timeZone),
    readTraceCells(db, { workspaceId: actor.workspaceId, pathPrefix: scope.pathPrefix, timeZone, current, previous }),
  ]);

  const teams = toMapTeams(scope.teams);
  const teamPaths = new Map(scope.teams.map((team) => [team.id, team.path]));
  const visible = new Set(teamPaths.keys());
  const totals = {
    current: new Map<string, CellCounts>(),
    previous: new Map<string, CellCounts>(),
  };
  const countsAt = (period: "current" | "previous", teamId: string, stage: string) => {
    const key = cellKey(teamId, stage);
    let counts = totals[period].get(key);
    if (!counts) totals[period].set(key, (counts = emptyCounts()));
    return counts;
  };

  const seenStages = new Set<string>();
  rollUpSubtrees(leaves, teamPaths, visible, (teamId, leaf) => {
    seenStages.add(leaf.stage);
    addCounts(countsAt(leaf.period, teamId, leaf.stage), leafCounts(leaf));
  });
  const addEval = (period: "current" | "previous", cells: EvalCellCounts[] | undefined) =>
    rollUpSubtrees(cells ?? [], teamPaths, visible, (teamId, cell) => {
      seenStages.add(cell.stage);
      const counts = countsAt(period, teamId, cell.stage);
      counts.evalCases += cell.cases;
      counts.evalCorrect += cell.correct;
    });
  addEval("current", currentEval?.cells);
  addEval("previous", previousEval?.cells);
  rollUpSubtrees(traceCells, teamPaths, visible, (teamId, cell) => {
    seenStages.add(cell.stage);
    const counts = countsAt(cell.period, teamId, cell.stage);
    counts.agentInvocations += cell.invocations;
    counts.aiCostUsd += cell.costUsd;
  });

  const allStages = [
    ...stages,
    ...[...seenStages].filter((stage) => !stages.includes(stage)).sort(),
  ];
  const metrics = query.metrics && query.metrics.length > 0 ? query.metrics : [...metricNames];
  const summarise = (counts: CellCounts | undefined) =>
    summariseCell(counts ?? emptyCounts(), { minimumDecidedItems });
  const cells: CapabilityCell[] = [];
  for (const team of teams) {
    for (const stage of allStages) {
      const key = cellKey(team.id, stage);
      const now = summarise(totals.current.get(key));
      const before = summarise(totals.previous.get(key));
      cells.push({
        teamId: team.id,
        stage,
        ...now,
        previous: before,
        delta: metricDeltas(now, before, metrics),
      });
    }
  }

  return {
    quarter: current.quarter,
    previousQuarter: previous.quarter,
    period: { from: current.from, to: current.to },
    previousPeriod: { from: previous.from, to: previous.to },
    timeZone,
    minimumDecidedItems,
    metrics,
    teams,
    stages: allStages,
    cells,
    workspaceEval: currentEval?.run ?? null,
    previousWorkspaceEval: previousEval?.run ?? null,
    refreshedAt: state ? new Date(state.refreshedAt) : null,
  };
}

/** The workspace's customer stages in pipeline order. */
export async function workspaceStages(db: Queryable, workspaceId: string): Promise<string[]> {
  const { rows } = await db.query<{ stages: string[] }>(
    "SELECT customer_stages AS stages FROM workspaces WHERE id = $1",
    [workspaceId],
  );
  return rows[0]?.stages ?? [];
}

/**
 * Both periods' rollup rows of the visible teams, summed per team (its own rows, not yet rolled up)
 * and stage: whole months from the monthly rollup, the days at a custom range's edges from the daily
 * one. A quarter and its predecessor are six monthly rows per team × stage.
 */
async function readLeaves(
  db: Queryable,
  workspaceId: string,
  scope: MapScope,
  previous: Period,
  current: Period,
): Promise<LeafRow[]> {
  const segments = [
    ...periodSegments(current).map((segment) => ({ ...segment, period: "current" })),
    ...periodSegments(previous).map((segment) => ({ ...segment, period: "previous" })),
  ];
  const { rows } = await db.query<LeafRow>(
    `WITH segments AS (
       SELECT * FROM unnest($2::text[], $3::text[], $4::date[], $5::date[]) AS segment(period, grain, first_day, last_day)
     ),
     scope AS (SELECT id FROM teams WHERE workspace_id = $1 AND path LIKE $6),
     slice AS (
       SELECT segment.period, daily.team_id, daily.customer_stage, daily.invocations, daily.drafted_items,
              daily.decided_items, daily.accepted_items, daily.rejected_items, daily.overridden_items,
              daily.intent_decisions, daily.intent_accepted, daily.timed_decisions, daily.response_ms_sum,
              daily.response_buckets, daily.response_counts, daily.rep_decided_items, daily.rep_intervened_items,
              daily.rep_timed_decisions, daily.rep_response_ms_sum
         FROM segments segment
         JOIN capability_rollup daily
           ON daily.workspace_id = $1 AND daily.day BETWEEN segment.first_day AND segment.last_day
        WHERE segment.grain = 'day' AND daily.team_id IN (SELECT id FROM scope)
       UNION ALL
       SELECT segment.period, monthly.team_id, monthly.customer_stage, monthly.invocations, monthly.drafted_items,
              monthly.decided_items, monthly.accepted_items, monthly.rejected_items, monthly.overridden_items,
              monthly.intent_decisions, monthly.intent_accepted, monthly.timed_decisions, monthly.response_ms_sum,
              monthly.response_buckets, monthly.response_counts, monthly.rep_decided_items, monthly.rep_intervened_items,
              monthly.rep_timed_decisions, monthly.rep_response_ms_sum
         FROM segments segment
         JOIN capability_rollup_monthly monthly
           ON monthly.workspace_id = $1 AND monthly.month BETWEEN segment.first_day AND segment.last_day
        WHERE segment.grain = 'month' AND monthly.team_id IN (SELECT id FROM scope)
     ),
     totals AS (
       SELECT period, team_id, customer_stage,
              sum(invocations)::integer AS invocations, sum(drafted_items)::integer AS drafted_items,
              sum(decided_items)::integer AS decided_items, sum(accepted_items)::integer AS accepted_items,
              sum(rejected_items)::integer AS rejected_items, sum(overridden_items)::integer AS overridden_items,
              sum(intent_decisions)::integer AS intent_decisions, sum(intent_accepted)::integer AS intent_accepted,
              sum(timed_decisions)::integer AS timed_decisions, sum(response_ms_sum)::bigint AS response_ms_sum,
              sum(rep_decided_items)::integer AS rep_decided_items, sum(rep_intervened_items)::integer AS rep_intervened_items,
              sum(rep_timed_decisions)::integer AS rep_timed_decisions, sum(rep_response_ms_sum)::bigint AS rep_response_ms_sum
         FROM slice GROUP BY period, team_id, customer_stage
     ),
     buckets AS (
       SELECT period, team_id, customer_stage, histogram.bucket, sum(histogram.decisions)::integer AS decisions
         FROM slice, unnest(slice.response_buckets, slice.response_counts) AS histogram(bucket, decisions)
        GROUP BY period, team_id, customer_stage, histogram.bucket
     ),
     histograms AS (
       SELECT period, team_id, customer_stage,
              array_agg(bucket ORDER BY bucket) AS buckets, array_agg(decisions ORDER BY bucket) AS counts
         FROM buckets GROUP BY period, team_id, customer_stage
     )
     SELECT totals.period, totals.team_id AS "teamId", totals.customer_stage AS stage,
            totals.invocations, totals.drafted_items AS "draftedItems", totals.decided_items AS "decidedItems",
            totals.accepted_items AS "acceptedItems", totals.rejected_items AS "rejectedItems",
            totals.overridden_items AS "overriddenItems", totals.intent_decisions AS "intentDecisions",
            totals.intent_accepted AS "intentAccepted", totals.timed_decisions AS "timedDecisions",
            totals.response_ms_sum AS "responseMsSum", histograms.buckets, histograms.counts,
            totals.rep_decided_items AS "repDecidedItems", totals.rep_intervened_items AS "repIntervenedItems",
            totals.rep_timed_decisions AS "repTimedDecisions", totals.rep_response_ms_sum AS "repResponseMsSum"
       FROM totals LEFT JOIN histograms USING (period, team_id, customer_stage)`,
    [
      workspaceId,
      segments.map((segment) => segment.period),
      segments.map((segment) => segment.grain),
      segments.map((segment) => segment.from),
      segments.map((segment) => segment.to),
      `${scope.pathPrefix}%`,
    ],
  );
  return rows;
}

function leafCounts(leaf: LeafRow): CellCounts {
  const histogram = new Map<number, number>();
  leaf.buckets?.forEach((bucket, index) =>
    histogram.set(Number(bucket), Number(leaf.counts![index])),
  );
  return {
    invocations: leaf.invocations,
    draftedItems: leaf.draftedItems,
    decidedItems: leaf.decidedItems,
    acceptedItems: leaf.acceptedItems,
    rejectedItems: leaf.rejectedItems,
    overriddenItems: leaf.overriddenItems,
    intentDecisions: leaf.intentDecisions,
    intentAccepted: leaf.intentAccepted,
    timedDecisions: leaf.timedDecisions,
    responseMsSum: Number(leaf.responseMsSum),
    responseHistogram: histogram,
    evalCases: 0,
    evalCorrect: 0,
    repDecidedItems: leaf.repDecidedItems,
    repIntervenedItems: leaf.repIntervenedItems,
    repTimedDecisions: leaf.repTimedDecisions,
    repResponseMsSum: Number(leaf.repResponseMsSum),
    agentInvocations: 0,
    aiCostUsd: 0,
  };
}

function cellKey(teamId: string, stage: string): string {
  return `${teamId}\u0000${stage}`;
}
