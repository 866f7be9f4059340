/**
 * Eval accuracy next to the decisions. An eval run is workspace-wide (a model scored on a dataset
 * version), so the run chosen for a period is the latest one completed by the period's end, and its
 * accuracy (`eval_runs.metrics.accuracy`) is returned as workspace-level context. Only runs on the
 * workspace's own data count: a public benchmark (CLINC150, a general assistant's intents) says
 * nothing about how the sales agent does, so its runs never stand in for the map's accuracy.
 *
 * It can also be sliced cleanly: a dataset sample drawn from a call keeps its `recording_id`, so each
 * eval result joins (run's dataset version, case key) → sample → recording → team and stage. Cells
 * get the share of correct cases (predicted = expected, a failed prediction counts as wrong, as in
 * the eval metrics) among the run's cases from their calls. Samples that came from no call
 * (imported files) count only at workspace level. The samples are not filtered by the period: the
 * run measures today's model on the dataset, whatever the calls' dates.
 */
import type { Queryable } from "../db/database.ts";

export interface WorkspaceEval {
  runId: string;
  targetKind: "local" | "prompt_set";
  targetDescription: string;
  finishedAt: Date;
  /** `metrics.accuracy` as the run recorded it; null when the run recorded none. */
  accuracy: number | null;
  /** Cases in the run. */
  cases: number;
  /** Cases whose sample came from a call, which is what cells are computed from. */
  casesFromCalls: number;
  /** Whether the run finished inside the period (otherwise it is the latest before it). */
  withinPeriod: boolean;
}

export interface EvalCellCounts {
  teamId: string;
  stage: string;
  cases: number;
  correct: number;
}

/** The latest completed run finished before the end of `to` (a local date), with its cases by cell. */
export async function evalForPeriod(
  db: Queryable,
  workspaceId: string,
  period: { from: string; to: string },
  timeZone: string,
): Promise<{ run: WorkspaceEval; cells: EvalCellCounts[] } | null> {
  const { rows } = await db.query<
    Omit<WorkspaceEval, "cases" | "casesFromCalls"> & { datasetVersionId: string }
  >(
    `SELECT id AS "runId", target_kind AS "targetKind", target_description AS "targetDescription",
            finished_at AS "finishedAt", dataset_version_id AS "datasetVersionId",
            CASE WHEN jsonb_typeof(metrics->'accuracy') = 'number' THEN (metrics->>'accuracy')::float8 END AS accuracy,
            finished_at >= ($2::date::timestamp AT TIME ZONE $4) AS "withinPeriod"
       FROM eval_runs
      WHERE workspace_id = $1 AND status = 'completed' AND finished_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM dataset_versions version JOIN datasets dataset ON dataset.id = version.dataset_id
                         WHERE version.id = eval_runs.dataset_version_id AND dataset.source LIKE 'public:%')
        AND finished_at < (($3::date + 1)::timestamp AT TIME ZONE $4)
      ORDER BY finished_at DESC, id DESC LIMIT 1`,
    [workspaceId, period.from, period.to, timeZone],
  );
  const found = rows[0];
  if (!found) return null;
  const { rows: cells } = await db.query<EvalCellCounts>(
    `SELECT recording.team_id AS "teamId", recording.customer_stage AS stage,
            count(*)::integer AS cases,
            (count(*) FILTER (WHERE result.predicted = result.expected))::integer AS correct
       FROM eval_results result
       JOIN dataset_samples sample ON sample.dataset_version_id = $2 AND sample.case_key = result.case_key
       JOIN recordings recording ON recording.id = sample.recording_id
      WHERE result.run_id = $1 AND recording.workspace_id = $3 AND recording.status <> 'erased'
      GROUP BY recording.team_id, recording.customer_stage`,
    [found.runId, found.datasetVersionId, workspaceId],
  );
  const { rows: totals } = await db.query<{ cases: number }>(
    "SELECT count(*)::integer AS cases FROM eval_results WHERE run_id = $1",
    [found.runId],
  );
  const { datasetVersionId: _datasetVersionId, ...run } = found;
  return {
    run: {
      ...run,
      cases: totals[0].cases,
      casesFromCalls: cells.reduce((sum, cell) => sum + cell.cases, 0),
    },
    cells,
  };
}
