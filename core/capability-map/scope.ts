/**
 * Who may read the capability map, and which teams they see. Managers see their own team's subtree,
 * admins the whole workspace. Reps and trainers get a 403: the map compares teams and people's
 * intervention rates, which is a management view (trainers' own dashboards live elsewhere).
 * A team outside the caller's view is "not found", so ids cannot be probed.
 */
import type { Actor } from "../auth/actor.ts";
import { requireRole } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { NotFoundError } from "../errors.ts";
import type { TeamRow } from "./team-tree.ts";

export const mapRoles = ["manager", "admin"] as const;

export interface MapScope {
  /** Path prefix every visible team shares ('/' for a whole workspace). */
  pathPrefix: string;
  /** Visible teams, parents before children. */
  teams: TeamRow[];
  /** The team asked for, or null for the caller's whole view. */
  focus: TeamRow | null;
}

export function requireMapAccess(actor: Actor): void {
  requireRole(actor, ...mapRoles);
}

/** The visible teams: the caller's view, narrowed to `teamId`'s subtree when one is given. */
export async function resolveScope(
  db: Queryable,
  actor: Actor,
  teamId?: string,
): Promise<MapScope> {
  requireMapAccess(actor);
  const ownPrefix = actor.role === "admin" ? "/" : actor.teamPath;
  let pathPrefix = ownPrefix;
  let focus: TeamRow | null = null;
  if (teamId !== undefined) {
    const { rows } = await db.query<TeamRow>(
      `SELECT id, name, parent_id AS "parentId", path FROM teams WHERE id = $1 AND workspace_id = $2`,
      [teamId, actor.workspaceId],
    );
    focus = rows[0] ?? null;
    if (!focus || !focus.path.startsWith(ownPrefix)) throw new NotFoundError("Team not found.");
    pathPrefix = focus.path;
  }
  const { rows: teams } = await db.query<TeamRow>(
    `SELECT id, name, parent_id AS "parentId", path FROM teams
      WHERE workspace_id = $1 AND path LIKE $2 ORDER BY path`,
    [actor.workspaceId, `${pathPrefix}%`],
  );
  return { pathPrefix, teams, focus };
}
