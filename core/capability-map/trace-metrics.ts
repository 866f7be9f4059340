/**
 * Agent invocations and AI cost per team × customer stage, from the traces (one trace = one agent
 * invocation, LLM or local engine). Read live, like the outcome view: one grouped query over the
 * traces of both periods, using the traces' (workspace, started_at) index; the team and stage are
 * the call's, copied onto the trace when it was written. A trace belongs to the local day (in the
 * map's time zone) on which it started.
 */
import type { Queryable } from "../db/database.ts";
import type { Period } from "./period.ts";

export interface TraceCellCounts {
  period: "current" | "previous";
  teamId: string;
  stage: string;
  invocations: number;
  costUsd: number;
}

export async function readTraceCells(
  db: Queryable,
  options: { workspaceId: string; pathPrefix: string; timeZone: string; current: Period; previous: Period },
): Promise<TraceCellCounts[]> {
  const { rows } = await db.query<TraceCellCounts>(
    `SELECT CASE WHEN day >= $3::date THEN 'current' ELSE 'previous' END AS period, team_id AS "teamId",
            customer_stage AS stage, count(*)::integer AS invocations, coalesce(sum(cost_usd), 0)::numeric AS "costUsd"
       FROM (SELECT (started_at AT TIME ZONE $2)::date AS day, team_id, customer_stage, cost_usd
               FROM traces
              WHERE workspace_id = $1 AND team_id IS NOT NULL AND team_path LIKE $7
                AND started_at >= ($5::date::timestamp AT TIME ZONE $2)
                AND started_at < (($4::date + 1)::timestamp AT TIME ZONE $2)) trace
      WHERE day BETWEEN $3::date AND $4::date OR day BETWEEN $5::date AND $6::date
      GROUP BY 1, 2, 3`,
    [
      options.workspaceId,
      options.timeZone,
      options.current.from,
      options.current.to,
      options.previous.from,
      options.previous.to,
      `${options.pathPrefix}%`,
    ],
  );
  return rows.map((row) => ({ ...row, costUsd: Number(row.costUsd) }));
}
