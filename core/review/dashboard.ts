/**
 * Trainer calibration figures: per trainer and per team, decisions per day, override rate, median
 * time to decide ("calibration response time"), and agreement with other trainers (Cohen's kappa on
 * double-labelled intent items).
 */
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { ForbiddenError } from "../errors.ts";
import { cohensKappa } from "./agreement.ts";

export interface TrainerFigures {
  userId: string;
  name: string;
  teamName: string;
  decisions: number;
  decisionsPerDay: number;
  overrideRate: number | null;
  rejectRate: number | null;
  medianDecisionMs: number | null;
  kappa: number | null;
  kappaItems: number;
}

export interface DashboardRange {
  from: Date;
  to: Date;
}

/** Trainers see themselves; managers and admins see their subtree's trainers. */
export async function trainerDashboard(db: Queryable, actor: Actor, range: DashboardRange): Promise<{ trainers: TrainerFigures[]; daily: Array<{ day: string; userId: string; decisions: number }> }> {
  if (actor.role === "rep") throw new ForbiddenError("The calibration dashboard is for trainers, managers and admins.");
  const scopeSql = actor.role === "trainer" ? "x.user_id = $3" : "t.path LIKE $3";
  const scopeParam = actor.role === "trainer" ? actor.id : `${actor.teamPath}%`;
  const days = Math.max(1, (range.to.getTime() - range.from.getTime()) / 86_400_000);
  const { rows } = await db.query<Omit<TrainerFigures, "kappa" | "kappaItems" | "decisionsPerDay">>(
    `SELECT x.user_id AS "userId", u.display_name AS name, t.name AS "teamName", count(*)::int AS decisions,
            avg(CASE WHEN x.action = 'override' THEN 1.0 ELSE 0.0 END)::float8 AS "overrideRate",
            avg(CASE WHEN x.action = 'reject' THEN 1.0 ELSE 0.0 END)::float8 AS "rejectRate",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.decision_ms)::float8 AS "medianDecisionMs"
     FROM decisions x JOIN users u ON u.id = x.user_id JOIN teams t ON t.id = u.team_id
     WHERE x.action <> 'undo' AND x.decided_at >= $1 AND x.decided_at < $2 AND ${scopeSql}
       AND NOT EXISTS (SELECT 1 FROM decisions z WHERE z.undoes_decision_id = x.id)
     GROUP BY x.user_id, u.display_name, t.name ORDER BY decisions DESC`,
    [range.from, range.to, scopeParam],
  );
  const daily = await db.query<{ day: string; userId: string; decisions: number }>(
    `SELECT to_char(date_trunc('day', x.decided_at), 'YYYY-MM-DD') AS day, x.user_id AS "userId", count(*)::int AS decisions
     FROM decisions x JOIN users u ON u.id = x.user_id JOIN teams t ON t.id = u.team_id
     WHERE x.action <> 'undo' AND x.decided_at >= $1 AND x.decided_at < $2 AND ${scopeSql}
       AND NOT EXISTS (SELECT 1 FROM decisions z WHERE z.undoes_decision_id = x.id)
     GROUP BY 1, 2 ORDER BY 1`,
    [range.from, range.to, scopeParam],
  );
  // The label each trainer gave on double-labelled intent items (their latest standing decision).
  const labels = await db.query<{ itemId: string; userId: string; label: string }>(
    `SELECT DISTINCT ON (x.draft_item_id, x.user_id) x.draft_item_id AS "itemId", x.user_id AS "userId",
            CASE WHEN x.action = 'reject' THEN '∅rejected' WHEN x.action = 'no_fit' THEN '∅no_fit' ELSE coalesce(x.after_content->>'intent', i.content->>'intent') END AS label
     FROM decisions x JOIN draft_items i ON i.id = x.draft_item_id
     WHERE i.double_label AND i.kind = 'intent' AND x.action <> 'undo' AND x.decided_at >= $1 AND x.decided_at < $2
       AND NOT EXISTS (SELECT 1 FROM decisions z WHERE z.undoes_decision_id = x.id)
     ORDER BY x.draft_item_id, x.user_id, x.decided_at DESC`,
    [range.from, range.to],
  );
  const byItem = new Map<string, Array<{ userId: string; label: string }>>();
  for (const row of labels.rows) byItem.set(row.itemId, [...(byItem.get(row.itemId) ?? []), row]);
  const trainers = rows.map((row) => {
    const pairs: Array<[string, string]> = [];
    for (const raters of byItem.values()) {
      const mine = raters.find((rater) => rater.userId === row.userId);
      const other = raters.find((rater) => rater.userId !== row.userId);
      if (mine && other) pairs.push([mine.label, other.label]);
    }
    return { ...row, decisionsPerDay: row.decisions / days, kappa: cohensKappa(pairs), kappaItems: pairs.length };
  });
  return { trainers, daily: daily.rows };
}
