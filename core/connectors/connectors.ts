/**
 * The connector store: per workspace, admins only (trainers read the choices an agent may bind).
 * The API key is sealed with the installation's secret box before it reaches SQL and is opened only
 * by the directory, for the call itself; everything else sees `apiKeyHint`. Every change writes an
 * audit row naming the fields that changed, never their values.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import { requireRole } from "../auth/actor.ts";
import type { SecretBox } from "../auth/secret-box.ts";
import type { Queryable } from "../db/database.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Connector, ConnectorDirectory, ConnectorPurpose, ConnectorWithKey } from "./connector.ts";

export const connectorPurposes = ["chat", "embeddings", "transcription"] as const satisfies readonly ConnectorPurpose[];
export const connectorAuditActions = ["created", "updated", "disabled", "enabled", "tested"] as const;
export type ConnectorAuditAction = (typeof connectorAuditActions)[number];

const baseUrl = z
  .url()
  .max(2000)
  // zod runs refinements even after the URL check failed: parse defensively.
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "Use an http:// or https:// URL.")
  // `…/v1/` and `…/v1` are the same endpoint; store one spelling.
  .transform((value) => value.replace(/\/+$/, ""));
const modelName = z.string().trim().min(1).max(200);
const price = z.number().min(0).max(100_000);

const connectorFields = {
  name: z.string().trim().min(1).max(200),
  kind: z.literal("openai-compatible"),
  baseUrl,
  purposes: z.array(z.enum(connectorPurposes)).min(1, "Choose at least one purpose."),
  models: z.array(modelName).max(1000),
  defaultModel: modelName,
  timeoutMs: z.number().int().min(1000).max(600_000),
  maxConcurrency: z.number().int().min(1).max(256),
  priceInputPerMTokUsd: price,
  priceOutputPerMTokUsd: price,
  allowUnredacted: z.boolean(),
  enabled: z.boolean(),
};

export const createConnectorRequest = z.object({
  ...connectorFields,
  kind: connectorFields.kind.default("openai-compatible"),
  /** Omitted: the endpoint needs none (a local Ollama, vLLM or LocalAI). */
  apiKey: z.string().trim().min(1).max(4000).optional(),
  purposes: connectorFields.purposes.default(["chat"]),
  models: connectorFields.models.default([]),
  timeoutMs: connectorFields.timeoutMs.default(60_000),
  maxConcurrency: connectorFields.maxConcurrency.default(4),
  priceInputPerMTokUsd: price.default(0),
  priceOutputPerMTokUsd: price.default(0),
  allowUnredacted: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type CreateConnectorInput = z.input<typeof createConnectorRequest>;

export const updateConnectorRequest = z.object({
  name: connectorFields.name.optional(),
  baseUrl: baseUrl.optional(),
  /** Omitted: unchanged; null: removed (the endpoint needs none). */
  apiKey: z.string().trim().min(1).max(4000).nullable().optional(),
  purposes: connectorFields.purposes.optional(),
  models: connectorFields.models.optional(),
  defaultModel: modelName.optional(),
  timeoutMs: connectorFields.timeoutMs.optional(),
  maxConcurrency: connectorFields.maxConcurrency.optional(),
  priceInputPerMTokUsd: price.optional(),
  priceOutputPerMTokUsd: price.optional(),
  allowUnredacted: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type UpdateConnectorInput = z.input<typeof updateConnectorRequest>;

/** A connector as the admin page lists it. */
export interface ConnectorListing extends Connector {
  /** The environment variable a bootstrap connector comes from, e.g. `OPENAI_BASE_URL`. */
  bootstrapSource: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a trainer binding an agent may see of a connector. */
export type ConnectorChoice = Pick<Connector, "id" | "name" | "models" | "defaultModel" | "enabled" | "purposes">;

export interface ConnectorAuditEntry {
  id: number;
  connectorId: string;
  actor: { id: string; displayName: string } | null;
  at: Date;
  action: ConnectorAuditAction;
  fields: string[];
  detail: Record<string, unknown> | null;
}

/** `sk-…a1b2`: the first 3 and last 4 characters; keys shorter than 12 characters show nothing of themselves. */
export function apiKeyHint(apiKey: string | null | undefined): string | null {
  if (!apiKey) return null;
  if (apiKey.length < 12) return "••••";
  return `${apiKey.slice(0, 3)}…${apiKey.slice(-4)}`;
}

const selectColumns = `
  c.id, c.workspace_id AS "workspaceId", c.name, c.kind, c.base_url AS "baseUrl", c.purposes, c.models,
  c.default_model AS "defaultModel", c.timeout_ms AS "timeoutMs", c.max_concurrency AS "maxConcurrency",
  c.price_input_per_mtok_usd::float8 AS "priceInputPerMTokUsd", c.price_output_per_mtok_usd::float8 AS "priceOutputPerMTokUsd",
  c.allow_unredacted AS "allowUnredacted", c.enabled, c.api_key_hint AS "apiKeyHint",
  c.bootstrap_source IS NOT NULL AS bootstrap, c.bootstrap_source AS "bootstrapSource",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

export async function listConnectors(db: Queryable, actor: Actor): Promise<ConnectorListing[]> {
  requireRole(actor, "admin");
  const { rows } = await db.query<ConnectorListing>(
    `SELECT ${selectColumns} FROM connectors c WHERE c.workspace_id = $1 ORDER BY c.created_at, c.id`,
    [actor.workspaceId],
  );
  return rows;
}

/** For the agents page: which connectors and models an agent may run on. */
export async function listConnectorChoices(db: Queryable, actor: Actor): Promise<ConnectorChoice[]> {
  requireRole(actor, "admin", "trainer");
  const { rows } = await db.query<ConnectorChoice>(
    `SELECT c.id, c.name, c.models, c.default_model AS "defaultModel", c.enabled, c.purposes
       FROM connectors c WHERE c.workspace_id = $1 ORDER BY c.created_at, c.id`,
    [actor.workspaceId],
  );
  return rows;
}

export async function getConnector(db: Queryable, actor: Actor, id: string): Promise<ConnectorListing> {
  requireRole(actor, "admin");
  const connector = await findConnector(db, actor.workspaceId, id);
  if (!connector) throw new NotFoundError("Connector not found.", undefined, { key: "connectors.not_found" });
  return connector;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findConnector(db: Queryable, workspaceId: string, id: string): Promise<ConnectorListing | null> {
  if (!uuidPattern.test(id)) return null;
  const { rows } = await db.query<ConnectorListing>(`SELECT ${selectColumns} FROM connectors c WHERE c.id = $1 AND c.workspace_id = $2`, [id, workspaceId]);
  return rows[0] ?? null;
}

/** The default model is always one of the models, first when the list was empty. */
function withDefaultModel(models: string[], defaultModel: string): string[] {
  const unique = [...new Set(models)];
  return unique.includes(defaultModel) ? unique : [defaultModel, ...unique];
}

function nameTaken(error: unknown, name: string): never {
  if ((error as { code?: string }).code === "23505") {
    throw new ConflictError(`A connector named “${name}” already exists in this workspace.`, undefined, {
      key: "connectors.name_taken",
      params: { name },
    });
  }
  throw error;
}

export async function recordConnectorAudit(
  db: Queryable,
  entry: { connectorId: string; actorId: string | null; action: ConnectorAuditAction; fields?: string[]; detail?: Record<string, unknown> | null },
): Promise<void> {
  await db.query("INSERT INTO connector_audit (connector_id, actor_id, action, fields, detail, at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())", [
    entry.connectorId,
    entry.actorId,
    entry.action,
    entry.fields ?? [],
    entry.detail ? JSON.stringify(entry.detail) : null,
  ]);
}

/** Inserts a connector; the caller decides who acts (an admin, or null for the bootstrap). */
export async function insertConnector(
  deps: { db: Queryable; secrets: SecretBox },
  target: { workspaceId: string; actorId: string | null; bootstrapSource?: string | null },
  input: z.output<typeof createConnectorRequest>,
): Promise<string> {
  const { rows } = await deps.db
    .query<{ id: string }>(
      `INSERT INTO connectors (workspace_id, name, kind, base_url, purposes, models, default_model, timeout_ms, max_concurrency,
         price_input_per_mtok_usd, price_output_per_mtok_usd, allow_unredacted, enabled, api_key_sealed, api_key_hint, bootstrap_source, created_by, created_at, updated_at)
       -- clock_timestamp(): connectors made in one transaction (the bootstrap) keep their order.
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, clock_timestamp(), clock_timestamp()) RETURNING id`,
      [
        target.workspaceId,
        input.name,
        input.kind,
        input.baseUrl,
        [...new Set(input.purposes)],
        withDefaultModel(input.models, input.defaultModel),
        input.defaultModel,
        input.timeoutMs,
        input.maxConcurrency,
        input.priceInputPerMTokUsd,
        input.priceOutputPerMTokUsd,
        input.allowUnredacted,
        input.enabled,
        input.apiKey ? deps.secrets.encrypt(input.apiKey) : null,
        apiKeyHint(input.apiKey),
        target.bootstrapSource ?? null,
        target.actorId,
      ],
    )
    .catch((error: unknown) => nameTaken(error, input.name));
  const id = rows[0]!.id;
  const fields = Object.keys(input).filter((field) => field !== "apiKey" || input.apiKey);
  await recordConnectorAudit(deps.db, { connectorId: id, actorId: target.actorId, action: "created", fields });
  return id;
}

export async function createConnector(
  deps: { db: Queryable; secrets: SecretBox },
  actor: Actor,
  input: CreateConnectorInput,
): Promise<ConnectorListing> {
  requireRole(actor, "admin");
  const parsed = createConnectorRequest.parse(input);
  const id = await insertConnector(deps, { workspaceId: actor.workspaceId, actorId: actor.id }, parsed);
  return getConnector(deps.db, actor, id);
}

const columnOf: Record<Exclude<keyof z.output<typeof updateConnectorRequest>, "apiKey">, string> = {
  name: "name",
  baseUrl: "base_url",
  purposes: "purposes",
  models: "models",
  defaultModel: "default_model",
  timeoutMs: "timeout_ms",
  maxConcurrency: "max_concurrency",
  priceInputPerMTokUsd: "price_input_per_mtok_usd",
  priceOutputPerMTokUsd: "price_output_per_mtok_usd",
  allowUnredacted: "allow_unredacted",
  enabled: "enabled",
};

const sameValue = (left: unknown, right: unknown) => JSON.stringify(left) === JSON.stringify(right);

/**
 * Applies the fields given and audits what really changed: one `updated` row with the field names
 * (`apiKey` when a key was set or removed), and `enabled`/`disabled` for the switch.
 */
export async function applyConnectorChanges(
  deps: { db: Queryable; secrets: SecretBox },
  target: { workspaceId: string; actorId: string | null; id: string },
  input: z.output<typeof updateConnectorRequest>,
): Promise<string[]> {
  const current = await findConnector(deps.db, target.workspaceId, target.id);
  if (!current) throw new NotFoundError("Connector not found.", undefined, { key: "connectors.not_found" });
  const next: z.output<typeof updateConnectorRequest> = { ...input };
  if (next.purposes) next.purposes = [...new Set(next.purposes)];
  const defaultModel = next.defaultModel ?? current.defaultModel;
  if (next.models || next.defaultModel) next.models = withDefaultModel(next.models ?? current.models, defaultModel);

  const assignments: string[] = [];
  const values: unknown[] = [target.id];
  const changed: string[] = [];
  for (const [field, column] of Object.entries(columnOf) as Array<[keyof typeof columnOf, string]>) {
    const value = next[field];
    if (value === undefined || sameValue(value, current[field])) continue;
    values.push(value);
    assignments.push(`${column} = $${values.length}`);
    changed.push(field);
  }
  if (next.apiKey !== undefined) {
    // A key is compared by opening the stored one: the audit must not claim a change that did not happen.
    const stored = await sealedKeyOf(deps.db, target.id);
    let storedKey: string | null | undefined = null;
    try {
      storedKey = stored ? deps.secrets.decrypt(stored) : null;
    } catch {
      // Sealed under another installation key (the key file was lost): the new key replaces it.
      storedKey = undefined;
    }
    if (storedKey !== next.apiKey) {
      values.push(next.apiKey ? deps.secrets.encrypt(next.apiKey) : null, apiKeyHint(next.apiKey));
      assignments.push(`api_key_sealed = $${values.length - 1}`, `api_key_hint = $${values.length}`);
      changed.push("apiKey");
    }
  }
  if (changed.length === 0) return [];
  await deps.db
    .query(`UPDATE connectors SET ${assignments.join(", ")}, updated_at = now() WHERE id = $1`, values)
    .catch((error: unknown) => nameTaken(error, next.name ?? current.name));
  const updatedFields = changed.filter((field) => field !== "enabled");
  if (updatedFields.length > 0) {
    await recordConnectorAudit(deps.db, { connectorId: target.id, actorId: target.actorId, action: "updated", fields: updatedFields });
  }
  if (changed.includes("enabled")) {
    await recordConnectorAudit(deps.db, { connectorId: target.id, actorId: target.actorId, action: next.enabled ? "enabled" : "disabled", fields: ["enabled"] });
  }
  return changed;
}

export async function updateConnector(
  deps: { db: Queryable; secrets: SecretBox },
  actor: Actor,
  id: string,
  input: UpdateConnectorInput,
): Promise<ConnectorListing> {
  requireRole(actor, "admin");
  await applyConnectorChanges(deps, { workspaceId: actor.workspaceId, actorId: actor.id, id }, updateConnectorRequest.parse(input));
  return getConnector(deps.db, actor, id);
}

async function sealedKeyOf(db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ sealed: string | null }>("SELECT api_key_sealed AS sealed FROM connectors WHERE id = $1", [id]);
  return rows[0]?.sealed ?? null;
}

/** The connector with its key opened, for a call made on the server's side (test, model list, agents). */
export async function connectorWithKey(deps: { db: Queryable; secrets: SecretBox }, workspaceId: string, id: string): Promise<ConnectorWithKey | null> {
  const connector = await findConnector(deps.db, workspaceId, id);
  if (!connector) return null;
  const sealed = await sealedKeyOf(deps.db, id);
  return withKey(connector, sealed ? deps.secrets.decrypt(sealed) : "");
}

function withKey(connector: ConnectorListing, apiKey: string): ConnectorWithKey {
  const { bootstrapSource: _source, createdAt: _created, updatedAt: _updated, ...plain } = connector;
  return { ...plain, apiKey };
}

export async function listConnectorAudit(db: Queryable, actor: Actor, id: string, options: { limit?: number } = {}): Promise<ConnectorAuditEntry[]> {
  await getConnector(db, actor, id);
  const { rows } = await db.query<ConnectorAuditEntry>(
    `SELECT a.id, a.connector_id AS "connectorId",
            CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'displayName', u.display_name) END AS actor,
            a.at, a.action, a.fields, a.detail
       FROM connector_audit a LEFT JOIN users u ON u.id = a.actor_id
      WHERE a.connector_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2`,
    [id, Math.min(options.limit ?? 100, 500)],
  );
  return rows;
}

/**
 * A workspace's connectors as of the statement that reads this: each row's id and version (its
 * `xmin`, which every UPDATE of the row changes, whoever writes it — an admin's edit, the start-up
 * bootstrap), in id order. A statement that already runs per invocation selects it (the agent run's
 * claim), so the directory can tell whether what it keeps is still what is stored without asking
 * again. `workspace` is an SQL expression.
 */
export const connectorStampSql = (workspace: string) =>
  `(SELECT coalesce(string_agg(stamped.id::text || ':' || stamped.xmin::text, ',' ORDER BY stamped.id), '') FROM connectors stamped WHERE stamped.workspace_id = ${workspace})`;

type StoredConnector = ConnectorListing & { sealed: string | null };

/**
 * The connectors the server and workers call through. `defaultFor`: the enabled bootstrap connector
 * for the purpose (the environment's endpoint keeps its meaning), else the oldest enabled one.
 *
 * Without a `stamp` each lookup is one statement (the row with its sealed key) and reads the row as
 * it is now. With one (`connectorStampSql`, read by the caller in a statement of its own), the
 * workspace's connectors are kept in memory, keys opened, for as long as the stamp is unchanged:
 * an edited, added, disabled or deleted connector changes it, so the next invocation reads them
 * again — never a stale connector after the edit committed, and no statement of its own otherwise.
 */
export function createConnectorDirectory(db: Queryable, secrets: SecretBox): ConnectorDirectory {
  const open = (row: StoredConnector | undefined): ConnectorWithKey | null => {
    if (!row) return null;
    const { sealed, ...connector } = row;
    return withKey(connector, sealed ? secrets.decrypt(sealed) : "");
  };
  // Per workspace: its connectors, oldest first, with the stamp of the statement that read them.
  const kept = new Map<string, { stamp: string; connectors: ConnectorWithKey[]; bootstrap: Set<string> }>();
  const maxWorkspaces = 1000;
  const workspaceConnectors = async (workspaceId: string, stamp: string) => {
    const current = kept.get(workspaceId);
    if (current?.stamp === stamp) return current;
    const { rows } = await db.query<StoredConnector & { stamp: string }>(
      `SELECT ${selectColumns}, c.api_key_sealed AS sealed, ${connectorStampSql("$1")} AS stamp
         FROM connectors c WHERE c.workspace_id = $1 ORDER BY c.created_at, c.id`,
      [workspaceId],
    );
    const entry = {
      // No rows: nothing to read a stamp from; an empty workspace's stamp is ''.
      stamp: rows[0]?.stamp ?? "",
      connectors: rows.map((row) => open(row)!),
      bootstrap: new Set(rows.filter((row) => row.bootstrapSource !== null).map((row) => row.id)),
    };
    if (kept.size >= maxWorkspaces && !kept.has(workspaceId)) kept.delete(kept.keys().next().value!);
    kept.set(workspaceId, entry);
    return entry;
  };
  return {
    async get(workspaceId, connectorId, options) {
      if (!uuidPattern.test(connectorId)) return null;
      if (options?.stamp !== undefined) {
        return (await workspaceConnectors(workspaceId, options.stamp)).connectors.find((connector) => connector.id === connectorId) ?? null;
      }
      const { rows } = await db.query<StoredConnector>(
        `SELECT ${selectColumns}, c.api_key_sealed AS sealed FROM connectors c WHERE c.id = $1 AND c.workspace_id = $2`,
        [connectorId, workspaceId],
      );
      return open(rows[0]);
    },
    async defaultFor(workspaceId, purpose, options) {
      if (options?.stamp !== undefined) {
        // The same choice as the statement below: enabled, for the purpose, bootstrap first, then oldest (the list's order).
        const { connectors, bootstrap } = await workspaceConnectors(workspaceId, options.stamp);
        const candidates = connectors.filter((connector) => connector.enabled && connector.purposes.includes(purpose));
        return candidates.find((connector) => bootstrap.has(connector.id)) ?? candidates[0] ?? null;
      }
      const { rows } = await db.query<StoredConnector>(
        `SELECT ${selectColumns}, c.api_key_sealed AS sealed FROM connectors c WHERE c.workspace_id = $1 AND c.enabled AND $2 = ANY(c.purposes)
          ORDER BY (c.bootstrap_source IS NOT NULL) DESC, c.created_at, c.id LIMIT 1`,
        [workspaceId, purpose],
      );
      return open(rows[0]);
    },
  };
}
