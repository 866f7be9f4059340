/**
 * The per-call agent pipeline. When a transcript is ready, the `draft` job starts it: one `drafts`
 * row is the container (so "the latest draft of a recording" keeps its meaning everywhere), with one
 * `agent_runs` row per agent enabled for the call (team, customer stage, language). Runs without
 * dependencies are queued as `agent-run` jobs at once (fan-out); a finishing run queues the runs that
 * waited for it once all they wait for has succeeded (fan-in), or skips them when one of those
 * failed. When every run is final the recording becomes ready, exactly once (a conditional UPDATE),
 * and `call.ready` goes out — or failed, when no agent succeeded and at least one failed.
 *
 * Every change of a pipeline happens in a transaction that first locks its `drafts` row, so two runs
 * finishing at the same moment on two workers see each other's results; a second delivery of a job
 * finds its run final and changes nothing.
 */
import path from "node:path";
import type { Actor } from "../auth/actor.ts";
import type { ConnectorDirectory, ConnectorLimiter, ConnectorLookup, ConnectorWithKey } from "../connectors/connector.ts";
import { costUsd } from "../connectors/connector.ts";
import { connectorStampSql } from "../connectors/connectors.ts";
import { asyncCommit } from "../db/async-commit.ts";
import type { Db, Queryable } from "../db/database.ts";
import { loadCallForDrafting, type CallContext } from "../draft/drafting.ts";
import type { Embedder } from "../draft/embeddings.ts";
import { callVector, nearestNeighbours } from "../draft/embeddings.ts";
import type { RetryPolicy } from "../draft/llm/retry.ts";
import { estimateCostUsd } from "../draft/llm/provenance.ts";
import { getVersionById, syncPromptSetsFromFiles, versionForLabel, type StoredPromptSetVersion } from "../draft/prompt-set-store.ts";
import { formatPromptSetReference } from "../draft/prompt-sets.ts";
import { actionItemSchema, type ActionItem, type FewShotExample } from "../draft/schema.ts";
import { CalibrateError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../errors.ts";
import { insertJob, type Job } from "../jobs/job-store.ts";
import type { TraceHandle, Tracer } from "../traces/trace.ts";
import { getRecording } from "../upload/recordings.ts";
import { recordCallReady } from "../webhooks/call-events.ts";
import { getAgentVersion, getAgentVersionById, labelledVersions, type StoredAgentVersion } from "./agent-store.ts";
import type { AgentCall, AgentDefinition, AgentItem, AgentKind, AgentProduct } from "./definition.ts";
import { dependenciesOf } from "./definition.ts";
import { renderAgentPrompt } from "./render.ts";

export interface AgentDependencies {
  db: Db;
  embedder: Embedder;
  registry: readonly AgentKind<any>[];
  connectors: ConnectorDirectory;
  limiter: ConnectorLimiter;
  tracer: Tracer;
  /** Per model call (default: 4 attempts, backoff from 1 s, at most 30 s). */
  retryPolicy?: RetryPolicy;
  /** Share of intent items a second trainer labels too (DOUBLE_LABEL_SHARE). */
  doubleLabelShare?: number;
}

/** What the pipeline runs with besides the database, built once per process (server/runtime.ts). */
export type AgentServices = Omit<AgentDependencies, "db" | "doubleLabelShare">;

export const agentRunStatuses = ["waiting", "queued", "running", "succeeded", "failed", "skipped", "needs_connector"] as const;
export type AgentRunStatus = (typeof agentRunStatuses)[number];
const finalStatuses: ReadonlySet<AgentRunStatus> = new Set(["succeeded", "failed", "skipped", "needs_connector"]);
export const needsConnectorMessage = "needs an LLM connector";

const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

interface RunRow {
  id: string;
  workspaceId: string;
  recordingId: string;
  draftId: string;
  agent: string;
  agentVersion: string;
  agentVersionId: string | null;
  status: AgentRunStatus;
  dependsOn: string[];
  createdAt: Date;
}

const runColumns = `id, workspace_id AS "workspaceId", recording_id AS "recordingId", draft_id AS "draftId", agent,
  agent_version AS "agentVersion", agent_version_id AS "agentVersionId", status, depends_on AS "dependsOn", created_at AS "createdAt"`;

interface RecordingForPipeline {
  id: string;
  workspaceId: string;
  ownerId: string;
  teamId: string;
  teamPath: string;
  status: string;
}

async function lockRecording(db: Queryable, recordingId: string): Promise<RecordingForPipeline | null> {
  const { rows } = await db.query<RecordingForPipeline>(
    `SELECT r.id, r.workspace_id AS "workspaceId", r.owner_id AS "ownerId", r.team_id AS "teamId", t.path AS "teamPath", r.status
     FROM recordings r JOIN teams t ON t.id = r.team_id WHERE r.id = $1 FOR UPDATE OF r`,
    [recordingId],
  );
  return rows[0] ?? null;
}

function agentRunJob(recording: Pick<RecordingForPipeline, "id" | "workspaceId" | "ownerId" | "teamPath">, runId: string) {
  return {
    queue: "agent-run" as const,
    payload: { agentRunId: runId },
    dedupeKey: `agent-run:${runId}`,
    workspaceId: recording.workspaceId,
    ownerId: recording.ownerId,
    teamPath: recording.teamPath,
    subject: { type: "recording", id: recording.id },
  };
}

/** Whether an agent version runs on this call: enabled, triggered by the pipeline, and in scope. */
async function inScope(db: Queryable, definition: AgentDefinition, call: { teamId: string; customerStage: string; language: string | null }): Promise<boolean> {
  if (!definition.enabled || definition.trigger.after === "on-demand") return false;
  const scope = definition.enabledFor;
  if (scope.customerStages && !scope.customerStages.includes(call.customerStage)) return false;
  if (scope.languages && !scope.languages.includes((call.language ?? "unknown") as "zh")) return false;
  if (scope.teams) {
    const { rows } = await db.query(
      `SELECT 1 FROM teams scope, teams call_team WHERE call_team.id = $1 AND scope.id = ANY($2::uuid[]) AND call_team.path LIKE scope.path || '%' LIMIT 1`,
      [call.teamId, scope.teams],
    );
    if (rows.length === 0) return false;
  }
  return true;
}

/**
 * The `draft` job: creates the pipeline of a recording (once per job; a second delivery of the same
 * job finds it) and returns the jobs to hand over after the commit.
 */
export async function startPipeline(
  deps: Pick<AgentDependencies, "db" | "registry">,
  recordingId: string,
  options: { jobId: string },
): Promise<{ draftId: string | null; jobs: Job[] }> {
  const { db, registry } = deps;
  return db.transaction(async (transaction) => {
    const recording = await lockRecording(transaction, recordingId);
    if (!recording) return { draftId: null, jobs: [] }; // Erased meanwhile.
    const existing = await transaction.query<{ id: string }>("SELECT id FROM drafts WHERE pipeline_job_id = $1", [options.jobId]);
    if (existing.rows[0]) return { draftId: existing.rows[0].id, jobs: await advance(transaction, existing.rows[0].id) };

    const call = await loadCallForDrafting(transaction, recordingId);
    // As the one-shot drafter did: a new pipeline replaces drafts nobody decided anything on.
    await transaction.query(
      `DELETE FROM drafts d WHERE d.recording_id = $1
       AND NOT EXISTS (SELECT 1 FROM decisions x JOIN draft_items i ON i.id = x.draft_item_id WHERE i.draft_id = d.id)`,
      [recordingId],
    );
    await transaction.query("UPDATE recordings SET status = 'drafting', progress = 0, failure_reason = NULL, updated_at = now() WHERE id = $1", [recordingId]);
    const versions = await labelledVersions(transaction, recording.workspaceId, registry);
    const planned: Array<{ agent: AgentKind; version: StoredAgentVersion }> = [];
    for (const agent of registry) {
      const version = versions.get(agent.name);
      if (!version) continue;
      if (await inScope(transaction, version.definition, { teamId: recording.teamId, customerStage: call.customerStage, language: call.input.language })) {
        planned.push({ agent, version });
      }
    }
    const { rows } = await transaction.query<{ id: string }>(
      `INSERT INTO drafts (recording_id, transcript_id, engine, model, pipeline_job_id) VALUES ($1, $2, 'local', 'pipeline', $3) RETURNING id`,
      [recordingId, call.transcriptId, options.jobId],
    );
    const draftId = rows[0].id;
    const plannedNames = new Set(planned.map((entry) => entry.agent.name));
    const jobs: Job[] = [];
    for (const { agent, version } of planned) {
      const dependsOn = dependenciesOf(version.definition);
      const missing = dependsOn.filter((name) => !plannedNames.has(name));
      const status: AgentRunStatus = missing.length > 0 ? "skipped" : dependsOn.length > 0 ? "waiting" : "queued";
      const { rows: runs } = await transaction.query<{ id: string }>(
        `INSERT INTO agent_runs (workspace_id, recording_id, draft_id, agent, agent_version, agent_version_id, status, depends_on, error, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $7 = 'skipped' THEN now() END) RETURNING id`,
        [recording.workspaceId, recordingId, draftId, agent.name, version.reference, version.id, status, dependsOn,
          missing.length > 0 ? `waits for ${missing.join(", ")}, which is not enabled for this call` : null],
      );
      if (status === "queued") jobs.push((await insertJob(transaction, agentRunJob(recording, runs[0].id))).job);
    }
    return { draftId, jobs: [...jobs, ...(await advance(transaction, draftId))] };
  });
}

/** The latest run of each agent in a pipeline. */
async function latestRuns(db: Queryable, draftId: string): Promise<Array<RunRow & { error: string | null }>> {
  const { rows } = await db.query<RunRow & { error: string | null }>(
    `SELECT DISTINCT ON (agent) ${runColumns}, error FROM agent_runs WHERE draft_id = $1 ORDER BY agent, created_at DESC, id`,
    [draftId],
  );
  return rows;
}

const skipReason: Partial<Record<AgentRunStatus, string>> = {
  failed: "failed",
  skipped: "was skipped",
  needs_connector: needsConnectorMessage,
};

/**
 * Moves a pipeline on (the caller holds the lock on its draft, inside a transaction): queues waiting
 * runs whose dependencies all succeeded, skips those with a dependency that did not, and when every
 * run is final sums the draft up and makes the recording ready (or failed) — once.
 */
async function advance(
  db: Queryable,
  draftId: string,
  report: { became?: "ready" | "failed" } = {},
  /** The recording when the caller already holds the locks of the recording and this draft (`lockRun`). */
  lockedRecording?: RecordingForPipeline,
  /** The latest run of each agent when the caller has just read them under those locks (`storeResults`). */
  currentRuns?: Array<RunRow & { error: string | null }>,
  /** The recording's progress as the caller already wrote it from `currentRuns` (`storeResults`). */
  writtenProgress?: number,
): Promise<Job[]> {
  let recording = lockedRecording ?? null;
  if (!recording) {
    // Locks in one order everywhere — the recording, then its draft — so two pipelines' transactions never deadlock.
    const { rows: drafts } = await db.query<{ recordingId: string }>(`SELECT recording_id AS "recordingId" FROM drafts WHERE id = $1`, [draftId]);
    if (!drafts[0]) return [];
    recording = await lockRecording(db, drafts[0].recordingId);
    if (!recording) return [];
    await db.query("SELECT id FROM drafts WHERE id = $1 FOR UPDATE", [draftId]);
  }
  const runs = currentRuns ?? (await latestRuns(db, draftId));
  const byAgent = new Map(runs.map((run) => [run.agent, run]));
  const jobs: Job[] = [];
  // Skips cascade (a skipped run skips what waits for it), so repeat until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const run of runs) {
      if (run.status !== "waiting") continue;
      const dependencies = run.dependsOn.map((name) => byAgent.get(name));
      const blocked = dependencies.find((dependency) => !dependency || (finalStatuses.has(dependency.status) && dependency.status !== "succeeded"));
      if (blocked !== undefined || dependencies.some((dependency) => !dependency)) {
        const reason = blocked ? `${blocked.agent} ${skipReason[blocked.status] ?? blocked.status}` : "a dependency is missing";
        await db.query("UPDATE agent_runs SET status = 'skipped', error = $2, finished_at = now() WHERE id = $1", [run.id, `skipped: ${reason}`]);
        run.status = "skipped";
        run.error = `skipped: ${reason}`;
        changed = true;
      } else if (dependencies.every((dependency) => dependency!.status === "succeeded")) {
        await db.query("UPDATE agent_runs SET status = 'queued' WHERE id = $1", [run.id]);
        run.status = "queued";
        jobs.push((await insertJob(db, agentRunJob(recording, run.id))).job);
        changed = true;
      }
    }
  }
  const finished = runs.filter((run) => finalStatuses.has(run.status)).length;
  if (finished < runs.length) {
    // The same division as storeResults' in SQL (both IEEE doubles): equal unless skips were added above.
    const progress = finished / Math.max(1, runs.length);
    if (progress !== writtenProgress) {
      await db.query("UPDATE recordings SET progress = $2, updated_at = now() WHERE id = $1 AND status = 'drafting'", [recording.id, progress]);
    }
    return jobs;
  }
  await summariseDraft(db, draftId);
  const succeeded = runs.some((run) => run.status === "succeeded");
  const failed = runs.filter((run) => run.status === "failed");
  const outcome = !succeeded && failed.length > 0 ? "failed" : "ready";
  const reason = outcome === "failed" ? `Every agent failed: ${failed.map((run) => `${run.agent}: ${run.error ?? "failed"}`).join("; ")}`.slice(0, 2000) : null;
  // Only a pipeline still drafting becomes ready: a re-run on a ready call, or a second delivery, does nothing here.
  const { rows: changed } = await db.query<{ id: string }>(
    `UPDATE recordings SET status = $2, progress = 1, failure_reason = $3, updated_at = now() WHERE id = $1 AND status = 'drafting' RETURNING id`,
    [recording.id, outcome, reason],
  );
  if (changed[0]) report.became = outcome;
  if (changed[0] && outcome === "ready") jobs.push(...(await recordCallReady(db, recording.id)));
  return jobs;
}

/** The container's totals and provenance, from its runs (engine, model and prompt-set version of the intent tagger, else the first run that succeeded). */
async function summariseDraft(db: Queryable, draftId: string): Promise<void> {
  await db.query(
    `WITH latest AS (SELECT DISTINCT ON (agent) * FROM agent_runs WHERE draft_id = $1 ORDER BY agent, created_at DESC, id),
          lead AS (SELECT engine, model, prompt_set_version FROM latest WHERE status = 'succeeded' AND engine IS NOT NULL
                   ORDER BY (agent = 'intent-tagger') DESC, created_at LIMIT 1)
     UPDATE drafts d SET
       engine = coalesce((SELECT engine FROM lead), d.engine),
       model = coalesce((SELECT model FROM lead), d.model),
       prompt_set_version = (SELECT prompt_set_version FROM lead),
       prompt_set_version_id = (SELECT v.id FROM prompt_set_versions v JOIN prompt_sets s ON s.id = v.prompt_set_id
                                JOIN recordings r ON r.id = d.recording_id
                                WHERE s.workspace_id = r.workspace_id AND s.name || '@' || v.version = (SELECT prompt_set_version FROM lead)),
       input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM latest),
       output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM latest),
       estimated_cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM latest),
       latency_ms = (SELECT coalesce(round(extract(epoch FROM max(finished_at) - min(started_at)) * 1000), 0) FROM latest),
       notes = coalesce((SELECT jsonb_agg(note) FROM latest, jsonb_array_elements_text(coalesce(output->'notes', '[]'::jsonb)) AS note), '[]'::jsonb)
     WHERE d.id = $1`,
    [draftId],
  );
}

/** The standing action items of a pipeline (`draft`: an SQL expression), as one JSON array of their contents. */
const upstreamActionItemsSql = (draft: string) =>
  `(SELECT coalesce(json_agg(coalesce(item.current_content, item.content) ORDER BY item.segment_ordinal NULLS LAST, item.position), '[]'::json)
      FROM draft_items item WHERE item.draft_id = ${draft} AND item.kind = 'action_item' AND item.status <> 'rejected')`;

/** The call as an agent sees it, with the standing action items of its pipeline. */
export async function loadAgentCall(db: Queryable, recordingId: string, draftId: string | null): Promise<AgentCall> {
  const [call, { rows }] = await Promise.all([
    loadCallForDrafting(db, recordingId),
    db.query<{ items: unknown[] }>(`SELECT ${upstreamActionItemsSql("$1")} AS items`, [draftId ?? "00000000-0000-0000-0000-000000000000"]),
  ]);
  return agentCallOf(call, rows[0].items);
}

function agentCallOf(call: CallContext, upstreamActionItems: unknown[]): AgentCall {
  return {
    workspaceId: call.workspaceId,
    recordingId: call.recordingId,
    transcriptId: call.transcriptId,
    teamId: call.teamId,
    customerStage: call.customerStage,
    callDate: call.callDate,
    input: call.input,
    upstreamActionItems: upstreamActionItems.flatMap((item) => {
      const parsed = actionItemSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    }),
  };
}

type Engine =
  | { kind: "local" }
  | { kind: "llm"; connector: ConnectorWithKey; model: string | null }
  | { kind: "needs_connector" }
  | { kind: "unavailable"; reason: string };

/** Which engine a definition runs on now: `auto` takes the LLM when a chat connector exists. */
async function resolveEngine(
  connectors: ConnectorDirectory,
  workspaceId: string,
  agent: AgentKind,
  definition: AgentDefinition,
  lookup?: ConnectorLookup,
): Promise<Engine> {
  if (definition.engine.kind === "local") return agent.local ? { kind: "local" } : { kind: "needs_connector" };
  const connector = definition.engine.connectorId
    ? await connectors.get(workspaceId, definition.engine.connectorId, lookup)
    : await connectors.defaultFor(workspaceId, "chat", lookup);
  if (connector && connector.enabled) return { kind: "llm", connector, model: definition.engine.model };
  if (definition.engine.connectorId && definition.engine.kind === "llm") {
    return { kind: "unavailable", reason: `connector "${definition.engine.connectorId}" is missing or disabled` };
  }
  if (definition.engine.kind === "auto" && agent.local) return { kind: "local" };
  return { kind: "needs_connector" };
}

/** Trainer-approved samples most similar to the call, above the agent's similarity floor. */
async function retrieveExamples(deps: AgentDependencies, call: AgentCall, definition: AgentDefinition, trace: TraceHandle): Promise<FewShotExample[]> {
  const { fewShot, k, minSimilarity } = definition.retrieval;
  if (!fewShot || k === 0) return [];
  const span = trace.span("retrieval", "approved samples", { k, minSimilarity, embedder: deps.embedder.name });
  try {
    const vector = await callVector(deps.embedder, call.input.segments);
    const neighbours = await nearestNeighbours(deps.db, {
      workspaceId: call.workspaceId,
      embedder: deps.embedder,
      vector,
      sourceType: "sample",
      approvedOnly: true,
      limit: k,
    });
    const kept = neighbours.filter((neighbour) => neighbour.label && neighbour.similarity >= minSimilarity);
    span.end({
      output: kept.map((neighbour) => ({ sourceKey: neighbour.sourceKey, text: neighbour.text, label: neighbour.label, similarity: neighbour.similarity })),
      attributes: { found: neighbours.length, kept: kept.length },
    });
    return kept.map((neighbour) => ({ text: neighbour.text, intent: neighbour.label!, customerStage: neighbour.customerStage }));
  } catch (error) {
    span.end({ status: "error", error: (error as Error).message });
    throw error;
  }
}

interface Invocation {
  status: "succeeded" | "needs_connector";
  engine: "llm" | "local" | null;
  connectorId: string | null;
  model: string | null;
  promptSetVersion: string | null;
  product: AgentProduct;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

// Loaded on first use: LangChain costs about a second of start-up that the local engine never needs.
// The promise is kept: a dynamic import() of a loaded module still goes through the module loader
// (and tsx's hooks) on every call, about a millisecond each.
let llmAgentModuleLoading: Promise<typeof import("../draft/llm/invoke-llm-agent.ts")> | null = null;
function llmAgentModule() {
  llmAgentModuleLoading ??= import("../draft/llm/invoke-llm-agent.ts");
  // A failed load is tried again next time.
  llmAgentModuleLoading.catch(() => (llmAgentModuleLoading = null));
  return llmAgentModuleLoading;
}

async function invoke(
  deps: AgentDependencies,
  agent: AgentKind,
  definition: AgentDefinition,
  call: AgentCall,
  engine: Exclude<Engine, { kind: "unavailable" }>,
  trace: TraceHandle,
  signal?: AbortSignal,
  /** The prompt set's labelled version, when the caller already asked for it (in parallel with loading the call). */
  prefetchedPromptSet?: Promise<StoredPromptSetVersion | null>,
): Promise<Invocation> {
  const empty: AgentProduct = { items: [], output: null, notes: [] };
  if (engine.kind === "needs_connector") {
    return { status: "needs_connector", engine: null, connectorId: null, model: null, promptSetVersion: null, product: empty, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  }
  if (engine.kind === "local") {
    const { product, model } = await agent.local!({ db: deps.db, embedder: deps.embedder, call, trace });
    return { status: "succeeded", engine: "local", connectorId: null, model, promptSetVersion: null, product, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  }
  let promptSet = await (prefetchedPromptSet ?? versionForLabel(deps.db, call.workspaceId, definition.promptSet.name, definition.promptSet.label));
  if (!promptSet) {
    // Agents' prompt sets are synced at start-up; a database prepared without them gets them now.
    await syncPromptSetsFromFiles(deps.db, call.workspaceId, path.dirname(agent.folder));
    promptSet = await versionForLabel(deps.db, call.workspaceId, definition.promptSet.name, definition.promptSet.label);
  }
  if (!promptSet) throw new UnprocessableError(`The prompt set "${definition.promptSet.name}" has no ${definition.promptSet.label} version; publish one first.`);
  const fewShot = await retrieveExamples(deps, call, definition, trace);
  const prompt = renderAgentPrompt(promptSet, { ...call, input: { ...call.input, fewShot } });
  const { connector } = engine;
  const model = engine.model ?? (connector.defaultModel || promptSet.manifest.model);
  // A connector without prices (e.g. the one from OPENAI_BASE_URL) falls back to the prompt manifest's.
  const priced = connector.priceInputPerMTokUsd > 0 || connector.priceOutputPerMTokUsd > 0;
  const costOf = (usage: { inputTokens: number; outputTokens: number }) => (priced ? costUsd(connector, usage) : estimateCostUsd(promptSet, usage));
  const { invokeLlmAgent } = await llmAgentModule();
  const result = await invokeLlmAgent<AgentProduct>({
    baseUrl: connector.baseUrl,
    apiKey: connector.apiKey,
    model,
    temperature: promptSet.manifest.temperature,
    maxTokens: promptSet.manifest.maxTokens,
    timeoutMs: connector.timeoutMs,
    structuredOutput: promptSet.manifest.structuredOutput,
    outputJsonSchema: agent.outputJsonSchema,
    outputName: agent.outputName,
    messages: prompt,
    validate: (raw) => agent.validate(raw, call),
    acquire: (abort) => deps.limiter.acquire(connector.id, connector.maxConcurrency, abort),
    retryPolicy: deps.retryPolicy ?? defaultRetryPolicy,
    signal,
    trace,
    costOf,
  });
  return {
    status: "succeeded",
    engine: "llm",
    connectorId: connector.id,
    model,
    promptSetVersion: formatPromptSetReference(promptSet),
    product: result.value,
    inputTokens: result.usage.inputTokens,
    outputTokens: result.usage.outputTokens,
    costUsd: costOf(result.usage),
  };
}

/** A stable key per item, so a re-run does not add again what people already decided. */
function itemKey(item: { kind: string; evidence: number[]; content: Record<string, unknown> }): string {
  if (item.kind === "intent") return `intent:${item.evidence[0]}`;
  if (item.kind === "action_item") return `action:${String(item.content.type)}:${item.evidence.join(",")}`;
  return `talk:${String(item.content.moment)}:${item.evidence.join(",")}`;
}

/** `itemKey` of a stored item `i`, in SQL (JSON null and a missing field spelt as String() spells them). */
const storedItemKey = `CASE i.kind
    WHEN 'intent' THEN 'intent:' || coalesce(i.evidence[1]::text, 'undefined')
    WHEN 'action_item' THEN 'action:' || coalesce(i.content->>'type', CASE WHEN i.content ? 'type' THEN 'null' ELSE 'undefined' END) || ':' || array_to_string(i.evidence, ',')
    ELSE 'talk:' || coalesce(i.content->>'moment', CASE WHEN i.content ? 'moment' THEN 'null' ELSE 'undefined' END) || ':' || array_to_string(i.evidence, ',')
  END`;

/**
 * One round trip for what a finished run writes and what `advance` reads next. Its items (all of
 * them as one JSON parameter, however many) replace this agent's undecided items in the pipeline:
 * those are deleted; the new ones people already decided (same `itemKey` as an item left standing)
 * are left out, the others numbered per kind after the items left. Then the run's final row, the
 * recording's progress, and the latest run of each agent of the pipeline — as the statement's
 * snapshot shows them (a data-modifying CTE's changes are invisible to its siblings, so deleted rows
 * are left out by id, and this run's own new status is put in here rather than read back).
 */
async function storeResults(
  db: Queryable,
  run: RunRow,
  /** Null: nothing to replace (the run made nothing: needs a connector). */
  items: AgentItem[] | null,
  doubleLabelShare: number,
  result: Pick<Invocation, "status" | "engine" | "connectorId" | "model" | "promptSetVersion" | "inputTokens" | "outputTokens" | "costUsd"> & {
    error: string | null;
    traceId: string;
    durationMs: number;
    output: Record<string, unknown> | null;
  },
): Promise<{ itemIds: string[]; runs: Array<RunRow & { error: string | null }>; progress: number }> {
  const { rows } = await db.query<RunRow & { error: string | null; itemIds: string[]; progress: number }>(
    `WITH latest AS (SELECT DISTINCT ON (agent) ${runColumns}, error FROM agent_runs WHERE draft_id = $2 ORDER BY agent, created_at DESC, id),
     -- Final runs over all runs, this run counted with its new status, as advance counts them.
     share AS (
       SELECT (count(*) FILTER (WHERE CASE WHEN latest.id = $1 THEN $5 ELSE latest.status END = ANY($17::text[])))::float8
              / greatest(1, count(*)) AS progress FROM latest
     ),
     progressed AS (
       UPDATE recordings SET progress = share.progress, updated_at = now() FROM share WHERE recordings.id = $3 AND recordings.status = 'drafting'
     ),
     deleted AS (
       DELETE FROM draft_items i WHERE $19 AND i.draft_id = $2 AND i.origin = 'engine' AND i.status = 'pending'
         AND i.agent_run_id IN (SELECT id FROM agent_runs WHERE draft_id = $2 AND agent = $18)
         AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.draft_item_id = i.id)
       RETURNING i.id
     ),
     kept AS (
       SELECT ${storedItemKey} AS key FROM draft_items i
       WHERE i.draft_id = $2 AND i.agent_run_id IN (SELECT id FROM agent_runs WHERE draft_id = $2 AND agent = $18)
         AND i.id NOT IN (SELECT id FROM deleted)
     ),
     positions AS (
       SELECT kind, coalesce(max(position), -1) + 1 AS next FROM draft_items
       WHERE draft_id = $2 AND id NOT IN (SELECT id FROM deleted) GROUP BY kind
     ),
     fresh AS (
       SELECT item.*, coalesce(positions.next, 0) + row_number() OVER (PARTITION BY item.kind ORDER BY item.seq) - 1 AS position
         FROM jsonb_to_recordset($4::jsonb) AS item (seq integer, key text, kind text, ordinal integer, evidence jsonb, content jsonb,
                                                     confidence real, "doubleLabel" boolean)
         LEFT JOIN positions ON positions.kind = item.kind
        WHERE item.key NOT IN (SELECT key FROM kept WHERE key IS NOT NULL)
     ),
     inserted AS (
       INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence, double_label, agent_run_id)
       SELECT $2, $3, fresh.kind, fresh.position, fresh.ordinal, ARRAY(SELECT jsonb_array_elements_text(fresh.evidence)::integer),
              fresh.content, fresh.confidence, fresh."doubleLabel", $1
         FROM fresh ORDER BY fresh.seq
       RETURNING id
     ),
     finished AS (
       UPDATE agent_runs SET status = $5, error = $6, engine = $7, connector_id = $8, model = $9, prompt_set_version = $10, trace_id = $11,
         finished_at = now(), duration_ms = $12, input_tokens = $13, output_tokens = $14, cost_usd = $15, output = $16,
         items = (SELECT count(*) FROM inserted)
       WHERE id = $1 RETURNING id
     ),
     ids AS (SELECT coalesce(json_agg(id), '[]'::json) AS ids FROM inserted)
     SELECT latest.*, ids.ids AS "itemIds", share.progress FROM latest, ids, share`,
    [run.id, run.draftId, run.recordingId, JSON.stringify(
      (items ?? []).map((item, seq) => ({
        seq,
        key: itemKey(item),
        kind: item.kind,
        ordinal: item.ordinal,
        evidence: item.evidence,
        content: item.content,
        confidence: item.confidence,
        doubleLabel: item.kind === "intent" && Math.random() < doubleLabelShare,
      })),
    ), result.status, result.error, result.engine, result.connectorId, result.model,
      result.promptSetVersion, result.traceId, result.durationMs, result.inputTokens, result.outputTokens, result.costUsd,
      result.output === null ? null : JSON.stringify(result.output), [...finalStatuses], run.agent, items !== null],
  );
  const runs = rows.map(({ itemIds: _ids, progress: _progress, ...latest }) => (latest.id === run.id ? { ...latest, status: result.status, error: result.error } : latest));
  return { itemIds: rows[0]?.itemIds ?? [], runs, progress: rows[0]?.progress ?? 0 };
}

/**
 * Locks the run's pipeline (its recording, then its draft) and the run; null when the run is already
 * final (a second delivery). `recording` is for `advance`, which then need not lock them again.
 */
async function lockRun(db: Queryable, runId: string): Promise<(RunRow & { recording: RecordingForPipeline | undefined }) | null> {
  // One round trip for the three locks. PostgreSQL takes a statement's row locks in the order of its
  // FOR UPDATE OF list (the rowmarks keep the clause's order), so this is still recording, then
  // draft, then run — the order every other transaction of a pipeline follows.
  const { rows } = await db.query<RunRow & { recording: RecordingForPipeline }>(
    `SELECT a.id, a.workspace_id AS "workspaceId", a.recording_id AS "recordingId", a.draft_id AS "draftId", a.agent,
            a.agent_version AS "agentVersion", a.agent_version_id AS "agentVersionId", a.status, a.depends_on AS "dependsOn",
            a.created_at AS "createdAt",
            json_build_object('id', r.id, 'workspaceId', r.workspace_id, 'ownerId', r.owner_id, 'teamId', r.team_id,
                              'teamPath', t.path, 'status', r.status) AS recording
     FROM agent_runs a JOIN recordings r ON r.id = a.recording_id JOIN teams t ON t.id = r.team_id JOIN drafts d ON d.id = a.draft_id
     WHERE a.id = $1 FOR UPDATE OF r, d, a`,
    [runId],
  );
  const run = rows[0];
  return run && !finalStatuses.has(run.status) ? run : null;
}

// Agent versions and prompt-set versions are immutable (never updated; a change is a new version),
// so a process keeps those it has read, by version id; which version a label points at is asked of
// the database every time (in the statement that claims the run). Bounded: the oldest entry goes first.
const versionCacheSize = 1000;
const definitionsById = new Map<string, AgentDefinition>();
const promptSetsById = new Map<string, StoredPromptSetVersion>();

function remember<Value>(cache: Map<string, Value>, id: string, value: Value): Value {
  if (cache.size >= versionCacheSize) cache.delete(cache.keys().next().value!);
  cache.set(id, value);
  return value;
}

async function agentDefinitionById(db: Queryable, versionId: string): Promise<AgentDefinition | null> {
  const cached = definitionsById.get(versionId);
  if (cached) return cached;
  const version = await getAgentVersionById(db, versionId);
  return version ? remember(definitionsById, versionId, version.definition) : null;
}

/**
 * The prompt-set version the run's label points at (`versionId`, read when the run was claimed), or
 * null when it points at none. A kept version's `labels` may be out of date; nothing here reads them.
 */
async function labelledPromptSet(db: Queryable, workspaceId: string, versionId: string | null): Promise<StoredPromptSetVersion | null> {
  if (!versionId) return null;
  return promptSetsById.get(versionId) ?? remember(promptSetsById, versionId, await getVersionById(db, workspaceId, versionId));
}

export interface AgentRunOutcome {
  status: AgentRunStatus;
  /** Jobs to hand over after the commit: runs that waited for this one, and `call.ready` webhooks. */
  jobs: Job[];
  traceId: string | null;
  /** Set when this run was the last of its pipeline: the recording became ready (or failed). */
  recordingBecame?: "ready" | "failed";
  /** The run's job as `completeJob` completed it, in the transaction that committed the results. */
  completedJob?: Job;
}

/**
 * The `agent-run` job: runs one agent on one call and stores what it made. A model error (already
 * retried with backoff per request) or invalid output fails the run for good — retrying the job
 * would repeat it; other errors (the database went away) are thrown for the job to retry, and on
 * its last attempt they fail the run too. A second delivery of a final run does nothing.
 */
export async function runAgent(
  deps: AgentDependencies,
  runId: string,
  options: {
    signal?: AbortSignal;
    finalAttempt?: boolean;
    /** The run's recording as its job names it (the job's subject): the call is then read while the run is claimed. */
    recordingId?: string | null;
    /** Completes the run's job inside the transaction that stores the run's results (`JobContext.complete`). */
    completeJob?: (transaction: Queryable) => Promise<Job | null>;
  } = {},
): Promise<AgentRunOutcome> {
  const { db } = deps;
  // Read at once with the claim (two connections, one round trip of waiting); a wrong or missing
  // hint is read again below, and a failure surfaces where the call is awaited.
  const callPrefetch = options.recordingId ? loadCallForDrafting(db, options.recordingId) : null;
  callPrefetch?.catch(() => {});
  const { rows: claimed } = await db.query<RunRow & { promptSetVersionId: string | null; connectorStamp: string; upstreamActionItems: unknown[] }>(
    // No fsync for this one (core/db/async-commit.ts): forgotten in a database crash, the run is still
    // `queued` and the redelivered job claims it again. It also says which version the agent's
    // prompt-set label points at now (its content is kept in memory by version id), and the
    // workspace's connectors' stamp (the directory keeps them while it holds: an admin's edit
    // committed before this statement is seen by this invocation), and the pipeline's standing action items.
    `WITH sync AS (SELECT ${asyncCommit})
     UPDATE agent_runs SET status = 'running', started_at = now(), error = NULL FROM sync
     WHERE id = $1 AND status IN ('queued', 'running')
     RETURNING ${runColumns},
       (SELECT label.version_id FROM agent_versions version
          JOIN prompt_sets prompt_set ON prompt_set.workspace_id = agent_runs.workspace_id AND prompt_set.name = version.definition->'promptSet'->>'name'
          JOIN prompt_set_labels label ON label.prompt_set_id = prompt_set.id AND label.label = version.definition->'promptSet'->>'label'
         WHERE version.id = agent_runs.agent_version_id) AS "promptSetVersionId",
       ${connectorStampSql("agent_runs.workspace_id")} AS "connectorStamp",
       ${upstreamActionItemsSql("agent_runs.draft_id")} AS "upstreamActionItems"`,
    [runId],
  );
  const run = claimed[0];
  if (!run) {
    const { rows } = await db.query<{ status: AgentRunStatus; traceId: string | null }>(`SELECT status, trace_id AS "traceId" FROM agent_runs WHERE id = $1`, [runId]);
    return { status: rows[0]?.status ?? "skipped", jobs: [], traceId: rows[0]?.traceId ?? null };
  }
  const started = performance.now();
  const agent = deps.registry.find((candidate) => candidate.name === run.agent);
  const definition = run.agentVersionId ? await agentDefinitionById(db, run.agentVersionId) : null;
  if (!agent || !definition) return failRun(deps, run, null, `the agent ${run.agent} (${run.agentVersion}) is no longer registered`, started, null);

  // The call, the connector and the prompt set do not depend on each other: asked for at once. A
  // failure of the call's or prompt set's read surfaces where it is awaited, as before.
  const callLoading = (callPrefetch && options.recordingId === run.recordingId ? callPrefetch : loadCallForDrafting(db, run.recordingId)).then((call) =>
    agentCallOf(call, run.upstreamActionItems),
  );
  const promptSetLoading = definition.engine.kind === "local" ? null : labelledPromptSet(db, run.workspaceId, run.promptSetVersionId);
  callLoading.catch(() => {});
  promptSetLoading?.catch(() => {});
  let engine: Engine;
  try {
    engine = await resolveEngine(deps.connectors, run.workspaceId, agent, definition, { stamp: run.connectorStamp });
  } catch (error) {
    return afterError(deps, run, null, error, started, options);
  }
  const trace = deps.tracer.start({
    workspaceId: run.workspaceId,
    recordingId: run.recordingId,
    agent: run.agent,
    agentVersion: run.agentVersion,
    agentRunId: run.id,
    engine: engine.kind === "llm" ? "llm" : "local",
    connectorId: engine.kind === "llm" ? engine.connector.id : null,
    model: engine.kind === "llm" ? (engine.model ?? engine.connector.defaultModel) || null : null,
  });
  if (engine.kind === "unavailable") return afterError(deps, run, trace, new UnprocessableError(engine.reason), started, options, engine);
  try {
    const call = await callLoading;
    const invocation = await invoke(deps, agent, definition, call, engine, trace, options.signal, promptSetLoading ?? undefined);
    const report: { became?: "ready" | "failed" } = {};
    let completedJob: Job | null = null;
    const stored = await db.transaction(async (transaction) => {
      const resultSpan = trace.span("result", invocation.status === "needs_connector" ? needsConnectorMessage : "stored");
      // Synchronous (it waits for the WAL to reach the disk): this commit is the job's completion
      // too, and the pipeline's next jobs — handed over after it — run on what it stored. Why not
      // `synchronous_commit = off` here: workers/processors/agent-run.ts.
      const locked = await lockRun(transaction, run.id);
      let result: { itemIds: string[]; jobs: Job[] } | null = null;
      if (locked) {
        const output =
          invocation.product.output !== null || invocation.product.notes.length > 0
            ? { ...(invocation.product.output ?? {}), ...(invocation.product.notes.length > 0 ? { notes: invocation.product.notes } : {}) }
            : null;
        const items = invocation.status === "succeeded" ? invocation.product.items : null;
        const { itemIds, runs, progress } = await storeResults(transaction, locked, items, deps.doubleLabelShare ?? 0, {
          ...invocation,
          error: invocation.status === "needs_connector" ? needsConnectorMessage : null,
          traceId: trace.id,
          durationMs: Math.round(performance.now() - started),
          output,
        });
        result = { itemIds, jobs: await advance(transaction, run.draftId, report, locked.recording, runs, progress) };
      }
      resultSpan.end({ output: { items: result?.itemIds.length ?? 0, draftItemIds: result?.itemIds ?? [], output: invocation.product.output } });
      // The trace commits with what it describes: a crash loses both or neither.
      await trace.finish({ status: "ok", output: { status: invocation.status, items: result?.itemIds.length ?? 0 } }, { transaction });
      // The job's completion too: committed with the results, or rolled back with them.
      completedJob = (await options.completeJob?.(transaction)) ?? null;
      return result;
    });
    return {
      status: stored ? invocation.status : "skipped",
      jobs: stored?.jobs ?? [],
      traceId: trace.id,
      recordingBecame: report.became,
      ...(completedJob ? { completedJob } : {}),
    };
  } catch (error) {
    return afterError(deps, run, trace, error, started, options, engine);
  }
}

async function afterError(
  deps: AgentDependencies,
  run: RunRow,
  trace: TraceHandle | null,
  error: unknown,
  started: number,
  options: { signal?: AbortSignal; finalAttempt?: boolean },
  engine?: Engine,
): Promise<AgentRunOutcome> {
  const message = error instanceof Error ? error.message || error.name : String(error);
  // Shutting down, or a failure of ours rather than the model's: let the job run again.
  if (options.signal?.aborted || (!(error instanceof CalibrateError) && !options.finalAttempt)) {
    await trace?.finish({ status: "error", error: message });
    throw error;
  }
  return failRun(deps, run, trace, message, started, engine ?? null, error);
}

async function failRun(
  deps: AgentDependencies,
  run: RunRow,
  trace: TraceHandle | null,
  message: string,
  started: number,
  engine: Engine | null,
  error?: unknown,
): Promise<AgentRunOutcome> {
  // Tokens were spent even when the output stayed invalid after the repair.
  const usage = ((error as CalibrateError | undefined)?.details as { usage?: { inputTokens: number; outputTokens: number } } | undefined)?.usage;
  const report: { became?: "ready" | "failed" } = {};
  const jobs = await deps.db.transaction(async (transaction) => {
    const locked = await lockRun(transaction, run.id);
    // The trace commits with the failure it explains.
    await trace?.finish({ status: "error", error: message }, { transaction });
    if (!locked) return [];
    await transaction.query(
      `UPDATE agent_runs SET status = 'failed', error = $2, trace_id = $3, finished_at = now(), duration_ms = $4,
         engine = $5, connector_id = $6, model = $7, input_tokens = $8, output_tokens = $9 WHERE id = $1`,
      [run.id, message.slice(0, 2000), trace?.id ?? null, Math.round(performance.now() - started),
        engine?.kind === "llm" ? "llm" : engine?.kind === "local" ? "local" : null,
        engine?.kind === "llm" ? engine.connector.id : null,
        engine?.kind === "llm" ? (engine.model ?? engine.connector.defaultModel) || null : null,
        usage?.inputTokens ?? 0, usage?.outputTokens ?? 0],
    );
    return advance(transaction, run.draftId, report, locked.recording);
  }).catch(async (failure: unknown) => {
    // Rolled back: the trace still says what happened, on its own.
    await trace?.finish({ status: "error", error: message });
    throw failure;
  });
  return { status: "failed", jobs, traceId: trace?.id ?? null, recordingBecame: report.became };
}

/** For a job that failed for good outside `runAgent`'s own handling (its time limit, say). */
export async function failAgentRun(deps: Pick<AgentDependencies, "db">, runId: string, message: string): Promise<Job[]> {
  return deps.db.transaction(async (transaction) => {
    const locked = await lockRun(transaction, runId);
    if (!locked) return [];
    await transaction.query("UPDATE agent_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", [runId, message.slice(0, 2000)]);
    return advance(transaction, locked.draftId, {}, locked.recording);
  });
}

/**
 * Runs one agent again on a call (its current production version): the new run replaces the
 * agent's undecided items when it succeeds; decided items stay. Trainers and admins in scope, and
 * the call's own rep, may ask.
 */
export async function rerunAgent(
  deps: Pick<AgentDependencies, "db" | "registry">,
  actor: Actor,
  recordingId: string,
  agentName: string,
): Promise<{ runId: string; jobs: Job[] }> {
  const recording = await getRecording(deps.db, actor, recordingId);
  if (!(actor.role === "trainer" || actor.role === "admin" || (actor.role === "rep" && recording.ownerId === actor.id))) {
    throw new ForbiddenError("Only the call's rep, a trainer or an admin can re-run an agent on it.");
  }
  if (!deps.registry.some((agent) => agent.name === agentName)) throw new NotFoundError(`There is no agent "${agentName}".`);
  return deps.db.transaction(async (transaction) => {
    const locked = await lockRecording(transaction, recordingId);
    if (!locked) throw new NotFoundError("Recording not found.");
    const { rows: drafts } = await transaction.query<{ id: string }>(
      "SELECT id FROM drafts WHERE recording_id = $1 ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
      [recordingId],
    );
    if (!drafts[0]) throw new UnprocessableError("This call has no drafts yet; wait until its transcript is ready.");
    const draftId = drafts[0].id;
    const runs = await latestRuns(transaction, draftId);
    const current = runs.find((run) => run.agent === agentName);
    if (current && !finalStatuses.has(current.status)) throw new ConflictError(`${agentName} is already ${current.status} on this call.`);
    const version = (await labelledVersions(transaction, recording.workspaceId, deps.registry)).get(agentName);
    if (!version) throw new NotFoundError(`The agent "${agentName}" has no production version.`);
    const dependsOn = dependenciesOf(version.definition);
    const unmet = dependsOn.filter((name) => runs.find((run) => run.agent === name)?.status !== "succeeded");
    if (unmet.length > 0) throw new UnprocessableError(`${agentName} builds on ${unmet.join(", ")}, which has not succeeded on this call; re-run that first.`);
    const { rows } = await transaction.query<{ id: string }>(
      `INSERT INTO agent_runs (workspace_id, recording_id, draft_id, agent, agent_version, agent_version_id, status, depends_on, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8) RETURNING id`,
      [recording.workspaceId, recordingId, draftId, agentName, version.reference, version.id, dependsOn, actor.id],
    );
    const { job } = await insertJob(transaction, agentRunJob(locked, rows[0].id));
    return { runId: rows[0].id, jobs: [job] };
  });
}

export interface AgentRunView {
  id: string;
  agent: string;
  purpose: { en: string; zh: string } | null;
  agentVersion: string;
  engine: "llm" | "local" | null;
  connectorId: string | null;
  /** The connector's name as it is now (null: local engine, or a connector no longer stored). */
  connectorName: string | null;
  model: string | null;
  promptSetVersion: string | null;
  status: AgentRunStatus;
  dependsOn: string[];
  traceId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  error: string | null;
  output: Record<string, unknown> | null;
  items: number;
  createdAt: Date;
}

/** The pipeline of a recording's latest draft: the latest run of each agent, in registry order. */
export async function listAgentRuns(
  deps: Pick<AgentDependencies, "db" | "registry">,
  actor: Actor,
  recordingId: string,
): Promise<{ draftId: string | null; runs: AgentRunView[] }> {
  const recording = await getRecording(deps.db, actor, recordingId);
  const { rows: drafts } = await deps.db.query<{ id: string }>("SELECT id FROM drafts WHERE recording_id = $1 ORDER BY created_at DESC LIMIT 1", [recording.id]);
  if (!drafts[0]) return { draftId: null, runs: [] };
  const { rows } = await deps.db.query<Omit<AgentRunView, "purpose">>(
    `SELECT DISTINCT ON (run.agent) run.id, run.agent, run.agent_version AS "agentVersion", run.engine, run.connector_id AS "connectorId",
            connector.name AS "connectorName", run.model, run.prompt_set_version AS "promptSetVersion", run.status,
            run.depends_on AS "dependsOn", run.trace_id AS "traceId", run.started_at AS "startedAt", run.finished_at AS "finishedAt",
            run.duration_ms AS "durationMs", run.input_tokens AS "inputTokens", run.output_tokens AS "outputTokens",
            run.cost_usd::float8 AS "costUsd", run.error, run.output, run.items, run.created_at AS "createdAt"
     FROM agent_runs run LEFT JOIN connectors connector ON connector.id::text = run.connector_id::text
     WHERE run.draft_id = $1 ORDER BY run.agent, run.created_at DESC, run.id`,
    [drafts[0].id],
  );
  const order = new Map(deps.registry.map((agent, index) => [agent.name, index]));
  const runs = rows
    .map((row) => ({ ...row, purpose: deps.registry.find((agent) => agent.name === row.agent)?.definition.purpose ?? null }))
    .sort((left, right) => (order.get(left.agent) ?? 99) - (order.get(right.agent) ?? 99));
  return { draftId: drafts[0].id, runs };
}

export interface AgentTryResult {
  /** `"<agent>@v<n>"`. */
  version: string;
  status: "succeeded" | "failed" | "needs_connector";
  engine: "llm" | "local" | null;
  connectorId: string | null;
  connectorName: string | null;
  model: string | null;
  promptSetVersion: string | null;
  product: AgentProduct | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  traceId: string | null;
  error: string | null;
}

/**
 * The sandbox: runs versions of one agent on a call side by side and returns what each made,
 * storing nothing (each invocation is traced, without a run). The agents it waits for are read
 * from the call's latest draft.
 */
export async function tryAgentVersions(
  deps: AgentDependencies,
  actor: Actor,
  input: { recordingId: string; agent: string; versions: number[] },
  signal?: AbortSignal,
): Promise<AgentTryResult[]> {
  const recording = await getRecording(deps.db, actor, input.recordingId);
  const agent = deps.registry.find((candidate) => candidate.name === input.agent);
  if (!agent) throw new NotFoundError(`There is no agent "${input.agent}".`);
  const versions = await Promise.all(input.versions.map((version) => getAgentVersion(deps.db, recording.workspaceId, input.agent, version)));
  const { rows: drafts } = await deps.db.query<{ id: string }>("SELECT id FROM drafts WHERE recording_id = $1 ORDER BY created_at DESC LIMIT 1", [recording.id]);
  const call = await loadAgentCall(deps.db, recording.id, drafts[0]?.id ?? null);
  return Promise.all(
    versions.map(async (version): Promise<AgentTryResult> => {
      const started = performance.now();
      const engine = await resolveEngine(deps.connectors, recording.workspaceId, agent, version.definition);
      const trace = deps.tracer.start({
        workspaceId: recording.workspaceId,
        recordingId: recording.id,
        agent: agent.name,
        agentVersion: version.reference,
        agentRunId: null,
        engine: engine.kind === "llm" ? "llm" : "local",
        connectorId: engine.kind === "llm" ? engine.connector.id : null,
        model: engine.kind === "llm" ? (engine.model ?? engine.connector.defaultModel) || null : null,
        input: { sandbox: true },
      });
      const base = {
        version: version.reference,
        traceId: trace.id,
        connectorName: engine.kind === "llm" ? engine.connector.name : null,
        promptSetVersion: null,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      };
      try {
        if (engine.kind === "unavailable") throw new UnprocessableError(engine.reason);
        const invocation = await invoke(deps, agent, version.definition, call, engine, trace, signal);
        trace.span("result", "sandbox (not stored)").end({ output: { items: invocation.product.items.length, output: invocation.product.output } });
        await trace.finish({ status: "ok", output: { status: invocation.status } });
        return { ...base, ...invocation, error: invocation.status === "needs_connector" ? needsConnectorMessage : null, latencyMs: Math.round(performance.now() - started) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await trace.finish({ status: "error", error: message });
        if (!(error instanceof CalibrateError)) throw error;
        return {
          ...base,
          status: "failed",
          engine: engine.kind === "llm" ? "llm" : engine.kind === "local" ? "local" : null,
          connectorId: engine.kind === "llm" ? engine.connector.id : null,
          model: null,
          product: null,
          latencyMs: Math.round(performance.now() - started),
          error: message,
        };
      }
    }),
  );
}

/**
 * One stored agent version on one call, outside any pipeline (the eval harness): the engine its
 * binding resolves to now, traced, nothing stored. Throws what `invoke` throws; a missing connector
 * is a `needs_connector` result.
 */
export async function invokeAgentVersion(
  deps: AgentDependencies,
  version: StoredAgentVersion,
  call: AgentCall,
  options: { signal?: AbortSignal; traceInput?: Record<string, unknown> } = {},
): Promise<Invocation & { traceId: string }> {
  const agent = deps.registry.find((candidate) => candidate.name === version.agent);
  if (!agent) throw new NotFoundError(`There is no agent "${version.agent}".`);
  const engine = await resolveEngine(deps.connectors, call.workspaceId, agent, version.definition);
  const trace = deps.tracer.start({
    workspaceId: call.workspaceId,
    recordingId: call.recordingId || null,
    agent: agent.name,
    agentVersion: version.reference,
    agentRunId: null,
    engine: engine.kind === "llm" ? "llm" : "local",
    connectorId: engine.kind === "llm" ? engine.connector.id : null,
    model: engine.kind === "llm" ? (engine.model ?? engine.connector.defaultModel) || null : null,
    input: options.traceInput ?? {},
  });
  try {
    if (engine.kind === "unavailable") throw new UnprocessableError(engine.reason);
    const invocation = await invoke(deps, agent, version.definition, call, engine, trace, options.signal);
    await trace.finish({ status: "ok", output: { status: invocation.status, items: invocation.product.items.length } });
    return { ...invocation, traceId: trace.id };
  } catch (error) {
    await trace.finish({ status: "error", error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
