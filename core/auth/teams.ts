import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";

export interface Team {
  id: string;
  workspaceId: string;
  parentId: string | null;
  name: string;
  path: string;
  agentChannel: "left" | "right";
}

const columns = `id, workspace_id AS "workspaceId", parent_id AS "parentId", name, path, agent_channel AS "agentChannel"`;

export async function defaultWorkspaceId(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM workspaces WHERE slug = 'default'");
  if (!rows[0]) throw new NotFoundError("The default workspace is missing: run the migrations.");
  return rows[0].id;
}

export async function createTeam(
  db: Queryable,
  input: { workspaceId: string; name: string; parentId?: string | null; agentChannel?: "left" | "right" },
): Promise<Team> {
  const name = input.name.trim();
  if (!name) throw new ValidationError("A team needs a name.");
  let parentPath = "/";
  if (input.parentId) {
    const parent = await getTeam(db, input.parentId);
    if (parent.workspaceId !== input.workspaceId) throw new NotFoundError("Parent team not found.");
    parentPath = parent.path;
  }
  const id = randomUUID();
  try {
    const { rows } = await db.query<Team>(
      `INSERT INTO teams (id, workspace_id, parent_id, name, path, agent_channel)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [id, input.workspaceId, input.parentId ?? null, name, `${parentPath}${id}/`, input.agentChannel ?? "left"],
    );
    return rows[0];
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new ConflictError(`A team named "${name}" already exists here.`, undefined, { key: "teams.name_taken", params: { name } });
    }
    throw error;
  }
}

/**
 * Renames a team. (Moving a team would rewrite the materialised paths of its subtree and of every
 * recording scope built on them; teams are nested when created instead.)
 */
export async function renameTeam(db: Queryable, workspaceId: string, id: string, name: string): Promise<Team> {
  const trimmed = name.trim();
  if (!trimmed) throw new ValidationError("A team needs a name.");
  const team = await getTeam(db, id);
  if (team.workspaceId !== workspaceId) throw new NotFoundError("Team not found.");
  try {
    const { rows } = await db.query<Team>(`UPDATE teams SET name = $2 WHERE id = $1 RETURNING ${columns}`, [id, trimmed]);
    return rows[0];
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new ConflictError(`A team named "${trimmed}" already exists here.`, undefined, { key: "teams.name_taken", params: { name: trimmed } });
    }
    throw error;
  }
}

export async function getTeam(db: Queryable, id: string): Promise<Team> {
  const { rows } = await db.query<Team>(`SELECT ${columns} FROM teams WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError("Team not found.");
  return rows[0];
}

export async function findTeamByName(db: Queryable, workspaceId: string, name: string): Promise<Team | null> {
  const { rows } = await db.query<Team>(
    `SELECT ${columns} FROM teams WHERE workspace_id = $1 AND lower(name) = lower($2) ORDER BY length(path) LIMIT 1`,
    [workspaceId, name],
  );
  return rows[0] ?? null;
}

/** The team with `path` and every team below it. */
export async function listSubtree(db: Queryable, path: string): Promise<Team[]> {
  const { rows } = await db.query<Team>(`SELECT ${columns} FROM teams WHERE path LIKE $1 ORDER BY path`, [`${path}%`]);
  return rows;
}
