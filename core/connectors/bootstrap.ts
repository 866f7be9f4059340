/**
 * Connectors from the environment, made at start for every workspace, so `OPENAI_BASE_URL` &
 * co. keep working and show up in the UI: one chat connector (OPENAI_BASE_URL/OPENAI_API_KEY), one
 * embeddings connector (EMBEDDER=openai, on the same endpoint, EMBEDDING_MODEL) and one transcription
 * connector (TRANSCRIPTION_BASE_URL/…_API_KEY/…_MODEL).
 *
 * Idempotent. The environment owns the endpoint, the key and (embeddings, transcription) the model:
 * those are brought in line at every start. What an admin tunes (limits, prices, models list,
 * unredacted) is left alone. A variable that was removed disables its connector; it comes back on
 * only if Calibrate, not an admin, had turned it off.
 */
import type { SecretBox } from "../auth/secret-box.ts";
import type { Config } from "../config.ts";
import type { Db, Queryable } from "../db/database.ts";
import { ConflictError } from "../errors.ts";
import type { ConnectorPurpose } from "./connector.ts";
import { applyConnectorChanges, createConnectorRequest, insertConnector } from "./connectors.ts";

export type BootstrapConfig = Pick<
  Config,
  | "OPENAI_BASE_URL"
  | "OPENAI_API_KEY"
  | "LLM_CONCURRENCY"
  | "LLM_TIMEOUT_MS"
  | "EMBEDDER"
  | "EMBEDDING_MODEL"
  | "TRANSCRIPTION_BASE_URL"
  | "TRANSCRIPTION_API_KEY"
  | "TRANSCRIPTION_MODEL"
>;

interface BootstrapSpec {
  source: string;
  name: string;
  purpose: ConnectorPurpose;
  /** Null: the variable is unset, the connector (if any) is disabled. */
  endpoint: { baseUrl: string; apiKey?: string; defaultModel: string; ownsModel: boolean; timeoutMs: number; maxConcurrency: number } | null;
}

/** The drafter's model in the shipped prompt set; the admin changes it on the connector. */
const defaultChatModel = "gpt-4o-mini";

export function bootstrapSpecs(config: BootstrapConfig): BootstrapSpec[] {
  const openAi = config.OPENAI_BASE_URL;
  return [
    {
      source: "OPENAI_BASE_URL",
      name: "Environment (OPENAI_BASE_URL)",
      purpose: "chat",
      endpoint: openAi
        ? { baseUrl: openAi, apiKey: config.OPENAI_API_KEY, defaultModel: defaultChatModel, ownsModel: false, timeoutMs: config.LLM_TIMEOUT_MS, maxConcurrency: config.LLM_CONCURRENCY }
        : null,
    },
    {
      source: "EMBEDDER",
      name: "Environment (EMBEDDER=openai)",
      purpose: "embeddings",
      endpoint:
        openAi && config.EMBEDDER === "openai"
          ? { baseUrl: openAi, apiKey: config.OPENAI_API_KEY, defaultModel: config.EMBEDDING_MODEL, ownsModel: true, timeoutMs: config.LLM_TIMEOUT_MS, maxConcurrency: config.LLM_CONCURRENCY }
          : null,
    },
    {
      source: "TRANSCRIPTION_BASE_URL",
      name: "Environment (TRANSCRIPTION_BASE_URL)",
      purpose: "transcription",
      endpoint: config.TRANSCRIPTION_BASE_URL
        ? {
            baseUrl: config.TRANSCRIPTION_BASE_URL,
            apiKey: config.TRANSCRIPTION_API_KEY,
            defaultModel: config.TRANSCRIPTION_MODEL,
            ownsModel: true,
            // As the transcriber (core/transcribe/openai-compatible-transcriber.ts): a chunk takes minutes.
            timeoutMs: 5 * 60_000,
            maxConcurrency: 4,
          }
        : null,
    },
  ];
}

export interface BootstrapReport {
  created: string[];
  updated: string[];
  disabled: string[];
  enabled: string[];
}

async function lastSwitchWasCalibrate(db: Queryable, connectorId: string): Promise<boolean> {
  const { rows } = await db.query<{ actorId: string | null }>(
    `SELECT actor_id AS "actorId" FROM connector_audit WHERE connector_id = $1 AND action IN ('enabled', 'disabled', 'created')
      ORDER BY at DESC, id DESC LIMIT 1`,
    [connectorId],
  );
  return rows[0] !== undefined && rows[0].actorId === null;
}

export async function bootstrapConnectors(deps: { db: Db; secrets: SecretBox }, workspaceId: string, config: BootstrapConfig): Promise<BootstrapReport> {
  const report: BootstrapReport = { created: [], updated: [], disabled: [], enabled: [] };
  await deps.db.transaction(async (transaction) => {
    // Several processes starting together: one at a time, so each connector is made once.
    await transaction.query("SELECT pg_advisory_xact_lock(hashtext('calibrate:connector-bootstrap'))");
    const store = { db: transaction, secrets: deps.secrets };
    for (const spec of bootstrapSpecs(config)) {
      const { rows } = await transaction.query<{ id: string; enabled: boolean }>(
        "SELECT id, enabled FROM connectors WHERE workspace_id = $1 AND bootstrap_source = $2",
        [workspaceId, spec.source],
      );
      const existing = rows[0];
      const endpoint = spec.endpoint;
      if (!endpoint) {
        if (existing?.enabled) {
          await applyConnectorChanges(store, { workspaceId, actorId: null, id: existing.id }, { enabled: false });
          report.disabled.push(spec.name);
        }
        continue;
      }
      if (!existing) {
        const input = createConnectorRequest.parse({
          name: spec.name,
          baseUrl: endpoint.baseUrl,
          apiKey: endpoint.apiKey || undefined,
          purposes: [spec.purpose],
          models: [endpoint.defaultModel],
          defaultModel: endpoint.defaultModel,
          timeoutMs: Math.min(Math.max(endpoint.timeoutMs, 1000), 600_000),
          maxConcurrency: endpoint.maxConcurrency,
        });
        await insertUnderFreeName(store, workspaceId, spec.source, input);
        report.created.push(spec.name);
        continue;
      }
      const changed = await applyConnectorChanges(
        store,
        { workspaceId, actorId: null, id: existing.id },
        {
          baseUrl: createConnectorRequest.shape.baseUrl.parse(endpoint.baseUrl),
          apiKey: endpoint.apiKey || null,
          ...(endpoint.ownsModel ? { defaultModel: endpoint.defaultModel } : {}),
          ...(!existing.enabled && (await lastSwitchWasCalibrate(transaction, existing.id)) ? { enabled: true } : {}),
        },
      );
      if (changed.includes("enabled")) report.enabled.push(spec.name);
      if (changed.some((field) => field !== "enabled")) report.updated.push(spec.name);
    }
  });
  return report;
}

/** An admin may already use the name: then "… 2", "… 3". */
async function insertUnderFreeName(
  store: { db: Queryable; secrets: SecretBox },
  workspaceId: string,
  source: string,
  input: ReturnType<typeof createConnectorRequest.parse>,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const name = attempt === 1 ? input.name : `${input.name} ${attempt}`;
    try {
      // A savepoint: a unique violation must not abort the surrounding transaction.
      await store.db.query("SAVEPOINT connector_name");
      await insertConnector(store, { workspaceId, actorId: null, bootstrapSource: source }, { ...input, name });
      await store.db.query("RELEASE SAVEPOINT connector_name");
      return;
    } catch (error) {
      await store.db.query("ROLLBACK TO SAVEPOINT connector_name");
      if (!(error instanceof ConflictError) || attempt >= 10) throw error;
    }
  }
}

/** Every workspace's bootstrap connectors (there is one workspace today; the loop keeps it true later). */
export async function bootstrapAllWorkspaces(deps: { db: Db; secrets: SecretBox }, config: BootstrapConfig): Promise<BootstrapReport> {
  const { rows } = await deps.db.query<{ id: string }>("SELECT id FROM workspaces ORDER BY created_at, id");
  const total: BootstrapReport = { created: [], updated: [], disabled: [], enabled: [] };
  for (const { id } of rows) {
    const report = await bootstrapConnectors(deps, id, config);
    for (const key of Object.keys(total) as Array<keyof BootstrapReport>) total[key].push(...report[key]);
  }
  return total;
}
