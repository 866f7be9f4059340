/**
 * Agents in the database: immutable versions of each definition (with a content hash) and labels
 * (`production`, `staging`) that point at them, like prompt sets. `agents/<agent>/agent.json` is
 * loaded at start-up (a new content becomes a new version; labels are set only where missing, so an
 * admin's binding is never undone by a restart); an admin's change in the UI — a connector and
 * model, enabling, scope — is a new version that `production` moves to.
 */
import type { Queryable } from "../db/database.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { AgentDefinition, AgentKind } from "./definition.ts";
import { z } from "zod";
import { agentEngineSchema, agentScopeSchema, definitionHash, parseAgentDefinition } from "./definition.ts";

export interface StoredAgentVersion {
  id: string;
  agent: string;
  version: number;
  /** `"<agent>@v<version>"`, as runs and traces record it. */
  reference: string;
  definition: AgentDefinition;
  contentHash: string;
  source: "file" | "api";
  createdBy: string | null;
  createdAt: Date;
  labels: string[];
}

const selectVersion = `
  SELECT v.id, a.name AS agent, v.version, 'v' || v.version AS "versionName", v.definition, v.content_hash AS "contentHash", v.source,
         v.created_by AS "createdBy", v.created_at AS "createdAt",
         coalesce((SELECT array_agg(l.label ORDER BY l.label) FROM agent_labels l WHERE l.version_id = v.id), '{}') AS labels
  FROM agent_versions v JOIN agents a ON a.id = v.agent_id`;

function toStored(row: Omit<StoredAgentVersion, "reference"> & { versionName: string }): StoredAgentVersion {
  const { versionName, ...rest } = row;
  return { ...rest, reference: `${row.agent}@${versionName}` };
}

async function agentId(db: Queryable, workspaceId: string, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO agents (workspace_id, name) VALUES ($1, $2)
     ON CONFLICT (workspace_id, name) DO UPDATE SET name = excluded.name RETURNING id`,
    [workspaceId, name],
  );
  return rows[0].id;
}

async function insertVersion(
  db: Queryable,
  id: string,
  definition: AgentDefinition,
  options: { source: "file" | "api"; createdBy?: string | null; parentVersionId?: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO agent_versions (agent_id, version, definition, content_hash, source, parent_version_id, created_by)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6 FROM agent_versions WHERE agent_id = $1 RETURNING id`,
    [id, JSON.stringify(definition), definitionHash(definition), options.source, options.parentVersionId ?? null, options.createdBy ?? null],
  );
  return rows[0].id;
}

async function setLabel(db: Queryable, id: string, label: string, versionId: string, updatedBy: string | null, onlyIfMissing: boolean) {
  await db.query(
    `INSERT INTO agent_labels (agent_id, label, version_id, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agent_id, label) DO ${onlyIfMissing ? "NOTHING" : "UPDATE SET version_id = excluded.version_id, updated_by = excluded.updated_by, updated_at = now()"}`,
    [id, label, versionId, updatedBy],
  );
}

export interface AgentSyncReport {
  added: string[];
}

/** Stores each registered agent's file definition as a version when its content is new; sets missing labels. */
export async function syncAgentsFromFiles(db: Queryable, workspaceId: string, registry: readonly AgentKind<any>[]): Promise<AgentSyncReport> {
  const report: AgentSyncReport = { added: [] };
  for (const agent of registry) {
    const id = await agentId(db, workspaceId, agent.name);
    const hash = definitionHash(agent.definition);
    const existing = await db.query<{ id: string }>("SELECT id FROM agent_versions WHERE agent_id = $1 AND content_hash = $2 ORDER BY version DESC LIMIT 1", [id, hash]);
    let versionId = existing.rows[0]?.id;
    if (!versionId) {
      versionId = await insertVersion(db, id, agent.definition, { source: "file" });
      report.added.push(agent.name);
    }
    for (const label of ["production", "staging"]) await setLabel(db, id, label, versionId, null, true);
  }
  return report;
}

/** The version each registered agent's label points at (file definitions are synced first when missing). */
export async function labelledVersions(
  db: Queryable,
  workspaceId: string,
  registry: readonly AgentKind<any>[],
  label = "production",
): Promise<Map<string, StoredAgentVersion>> {
  const query = () =>
    db.query<Omit<StoredAgentVersion, "reference"> & { versionName: string }>(
      `${selectVersion} JOIN agent_labels l ON l.version_id = v.id WHERE a.workspace_id = $1 AND l.label = $2`,
      [workspaceId, label],
    );
  let { rows } = await query();
  if (registry.some((agent) => !rows.some((row) => row.agent === agent.name))) {
    await syncAgentsFromFiles(db, workspaceId, registry);
    ({ rows } = await query());
  }
  const registered = new Set(registry.map((agent) => agent.name));
  return new Map(rows.filter((row) => registered.has(row.agent)).map((row) => [row.agent, toStored(row)]));
}

export async function getAgentVersion(db: Queryable, workspaceId: string, agent: string, version: number): Promise<StoredAgentVersion> {
  const { rows } = await db.query<Omit<StoredAgentVersion, "reference"> & { versionName: string }>(
    `${selectVersion} WHERE a.workspace_id = $1 AND a.name = $2 AND v.version = $3`,
    [workspaceId, agent, version],
  );
  if (!rows[0]) throw new NotFoundError(`There is no version ${version} of the agent "${agent}".`);
  return toStored(rows[0]);
}

export async function getAgentVersionById(db: Queryable, id: string): Promise<StoredAgentVersion | null> {
  const { rows } = await db.query<Omit<StoredAgentVersion, "reference"> & { versionName: string }>(`${selectVersion} WHERE v.id = $1`, [id]);
  return rows[0] ? toStored(rows[0]) : null;
}

export async function listAgentVersions(db: Queryable, workspaceId: string, agent: string): Promise<StoredAgentVersion[]> {
  const { rows } = await db.query<Omit<StoredAgentVersion, "reference"> & { versionName: string }>(
    `${selectVersion} WHERE a.workspace_id = $1 AND a.name = $2 ORDER BY v.version DESC LIMIT 100`,
    [workspaceId, agent],
  );
  return rows.map(toStored);
}

/** What an admin may change in the UI; everything else of a definition comes from its files. */
export const agentChangeSchema = z.strictObject({
  enabled: z.boolean().optional(),
  enabledFor: agentScopeSchema.optional(),
  engine: agentEngineSchema.optional(),
  /** The production version the admin saw; a newer one means someone else changed it (409). */
  expectedVersion: z.number().int().positive().optional(),
});
export type AgentChange = z.infer<typeof agentChangeSchema>;

/**
 * Saves an admin's change as a new version and points `production` (and `staging`) at it. Refused
 * with 409 when `expectedVersion` is given and production has moved on meanwhile.
 */
export async function updateAgent(
  db: Queryable,
  workspaceId: string,
  registry: readonly AgentKind<any>[],
  input: {
    agent: string;
    changes: Partial<Pick<AgentDefinition, "enabled" | "enabledFor" | "engine">>;
    expectedVersion?: number;
    updatedBy: string;
  },
): Promise<StoredAgentVersion> {
  if (!registry.some((agent) => agent.name === input.agent)) throw new NotFoundError(`There is no agent "${input.agent}".`);
  const current = (await labelledVersions(db, workspaceId, registry)).get(input.agent);
  if (!current) throw new NotFoundError(`The agent "${input.agent}" has no production version.`);
  if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
    throw new ConflictError(`${input.agent} was changed to version ${current.version} by someone else meanwhile; reload and try again.`, {
      currentVersion: current.version,
    });
  }
  const next = parseAgentDefinition({ ...current.definition, ...input.changes }, input.agent);
  if (next.engine.kind === "local" && (next.engine.connectorId || next.engine.model)) {
    throw new ValidationError("The local engine takes no connector or model; choose auto or llm to bind one.");
  }
  if (definitionHash(next) === current.contentHash) return current;
  const id = await agentId(db, workspaceId, input.agent);
  const versionId = await insertVersion(db, id, next, { source: "api", createdBy: input.updatedBy, parentVersionId: current.id });
  for (const label of ["production", "staging"]) await setLabel(db, id, label, versionId, input.updatedBy, false);
  const stored = await getAgentVersionById(db, versionId);
  return stored!;
}
