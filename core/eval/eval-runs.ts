/**
 * Eval runs in the database: what was run (a dataset version and a target), how far it got, one
 * `eval_results` row per case and the run's metrics. The pure pieces (metrics, comparison, gate,
 * cache keys, the bounded case runner) live beside this file; this module wires them to the
 * database, the local intent classifier and the LLM drafter.
 *
 * Targets:
 * - `local`: train the local intent classifier on the version's train split, classify the test
 *   split. Free and deterministic.
 * - `prompt_set`: one case is one utterance, classified by the LLM drafter with the previous
 *   utterance as context. Answers are cached in `llm_cache` under `llmCacheKey`, so re-running an
 *   unchanged prompt set over an unchanged dataset makes no request and costs nothing.
 *
 * - `agent`: a stored agent version (core/agents), on the engine its binding resolves to now (a
 *   connector of the workspace's directory, or the local engine), traced like any invocation.
 *   `intent-tagger` is scored per utterance as above; `action-items` needs a dataset of call-level
 *   cases (core/dataset/action-item-cases.ts) and is scored item by item (action-item-scores.ts):
 *   precision / recall / F1 overall and per type, with the type-only and due-date variants. Other
 *   agents have no scorer yet and are refused when the run is created.
 *
 * A failing case is an error row (predicted null, error text), never a crashed run.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config.ts";
import { loadSamples, getDatasetVersion, type StoredSample } from "../dataset/datasets.ts";
import type { Db, Queryable } from "../db/database.ts";
import type { LlmDraftFailureDetails } from "../draft/llm/drafter-options.ts";
import type { LlmDrafter } from "../draft/llm/index.ts";
import { validateDraftOutput } from "../draft/llm/validate-draft-output.ts";
import { findVersion, versionForLabel } from "../draft/prompt-set-store.ts";
import {
  formatPromptSetReference,
  loadPromptSetLabelsFromDirectory,
  loadPromptSetsFromDirectory,
  type PromptSetVersion,
} from "../draft/prompt-sets.ts";
import type {
  DraftContent,
  DraftInput,
  IntentDefinition,
  TranscriptSegment,
} from "../draft/schema.ts";
import {
  CalibrateError,
  ConflictError,
  NotFoundError,
  TransientError,
  UnprocessableError,
  ValidationError,
} from "../errors.ts";
import { hashInput, llmCacheKey } from "./cache-key.ts";
import {
  compareRuns,
  summarizeRun,
  type RunComparison,
  type RunMetricName,
  type RunMetrics,
} from "./compare.ts";
import { gate, type GateResult } from "./gate.ts";
import type { ConfusionMatrix, LabelMetrics } from "./metrics.ts";
import { runCases, type CaseResult, type ProviderResult } from "./run-cases.ts";
import type { ConnectorWithKey } from "../connectors/connector.ts";
import { getAgentVersion, type StoredAgentVersion } from "../agents/agent-store.ts";
import type { AgentServices } from "../agents/pipeline.ts";
import { isActionItemVersion } from "../dataset/action-item-cases.ts";
import { runAgentCases, type AgentCasesResult } from "./agent-cases.ts";
import type { ActionItemScores } from "./action-item-scores.ts";

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

export type EvalTarget =
  | { kind: "local" }
  | { kind: "prompt_set"; set: string; version: string }
  | { kind: "agent"; agent: string; version: string };

/** Agents the harness can score, and how (see the file header). */
export const scoredAgents = { "intent-tagger": "intents", "action-items": "action_items" } as const;

/** `local`, `<set>@<version>` (e.g. `sales-call@v2`) or `agent:<agent>@v<n>` (e.g. `agent:action-items@v1`). */
export function parseEvalTarget(text: string): EvalTarget {
  const trimmed = text.trim();
  if (trimmed === "local") return { kind: "local" };
  if (trimmed.startsWith("agent:")) {
    const agent = /^agent:([a-z0-9][a-z0-9-]*)@v(\d{1,6})$/.exec(trimmed);
    if (!agent) {
      throw new ValidationError(`Target "${text}" must name an agent version such as "agent:action-items@v1".`);
    }
    return { kind: "agent", agent: agent[1], version: `v${Number(agent[2])}` };
  }
  const match = /^([a-z0-9][a-z0-9-]*)@([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(trimmed);
  if (!match) {
    throw new ValidationError(
      `Target "${text}" must be "local" or a prompt-set version such as "sales-call@v1".`,
    );
  }
  return { kind: "prompt_set", set: match[1], version: match[2] };
}

export function describeEvalTarget(target: EvalTarget): string {
  if (target.kind === "agent") return `agent:${target.agent}@${target.version}`;
  return target.kind === "local" ? "local" : `${target.set}@${target.version}`;
}

/** Prompt sets are files in the repository (see prompts/README.md). */
export const defaultPromptsDirectory = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../prompts",
);

/**
 * Where prompt-set versions and labels come from: the workspace's copies in the database first
 * (versions trainers created in the app, labels moved by publishing), then the files of the
 * prompts directory (a CLI against a database the server never synced, or a directory of drafts).
 */
export interface PromptSource {
  db: Queryable;
  workspaceId: string;
  promptsDirectory?: string;
}

/** One version of a prompt set; NotFoundError when neither the database nor the files have it. */
export async function loadPromptSetVersion(
  source: PromptSource,
  set: string,
  version: string,
): Promise<PromptSetVersion & { id?: string }> {
  const stored = await findVersion(source.db, source.workspaceId, set, version);
  if (stored) return stored;
  const directory = source.promptsDirectory ?? defaultPromptsDirectory;
  const versions = await loadPromptSetsFromDirectory(directory);
  const found = versions.find((entry) => entry.set === set && entry.version === version);
  if (!found) {
    const known = versions.filter((entry) => entry.set === set).map((entry) => entry.version);
    throw new NotFoundError(
      known.length > 0
        ? `Prompt set "${set}" has no version "${version}" (versions: ${known.join(", ")}).`
        : `There is no prompt set "${set}" in the workspace or in ${directory}.`,
    );
  }
  return found;
}

/**
 * The version a label (`production`, `staging`) of a set points at, or null when the set has no
 * such label yet (a first version has nothing to regress from).
 */
export async function resolvePromptSetLabelVersion(
  source: PromptSource,
  set: string,
  label: string,
): Promise<string | null> {
  const stored = await versionForLabel(source.db, source.workspaceId, set, label);
  if (stored) return stored.version;
  // A set the database does not know at all: its labels.json decides.
  const known = await source.db.query(
    "SELECT 1 FROM prompt_sets WHERE workspace_id = $1 AND name = $2",
    [source.workspaceId, set],
  );
  if (known.rows.length > 0) return null;
  const labels = await loadPromptSetLabelsFromDirectory(
    source.promptsDirectory ?? defaultPromptsDirectory,
  );
  return labels[set]?.[label] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Runs and results in the database
// ---------------------------------------------------------------------------------------------

export type EvalRunStatus = "queued" | "running" | "completed" | "failed";

export interface EvalRunOptions {
  /** Cases in flight at once (LLM targets; default: the endpoint's concurrency). */
  concurrency?: number;
  /** Upper bound on model requests started per minute (LLM targets). */
  requestsPerMinute?: number;
  /** Evaluate only the first N test cases (a quick look before paying for all of them). */
  limit?: number;
}

export interface EvalMetrics extends RunMetrics {
  caseCount: number;
  correct: number;
  errors: number;
  macroPrecision: number | null;
  macroRecall: number | null;
  labels: string[];
  perLabel: Record<string, LabelMetrics>;
  confusion: ConfusionMatrix;
  /** Predictions outside the dataset's labels, e.g. `(none)` when the model chose no intent. */
  unknownPredictions: string[];
  /** Tokens of every case, cached or not: what the target costs on this dataset. */
  tokens: { input: number; output: number; total: number };
  /** What this run actually spent: cache hits cost nothing. */
  spent: { inputTokens: number; outputTokens: number; costUsd: number };
  cachedCases: number;
  /** HTTP requests made to the model by this run (0 for a fully cached re-run). */
  modelRequests: number;
  /** Action-items agent targets: item-level precision / recall / F1 (see action-item-scores.ts). */
  actionItems?: ActionItemScores;
  /** Agent targets: the engine the version's binding resolved to. */
  engine?: { kind: string | null; connectorId: string | null; model: string | null };
  /** Local target: the classifier's training. */
  training: { samples: number; durationMs: number; useContext: boolean } | null;
  durationMs: number;
}

export interface EvalRun {
  id: string;
  workspaceId: string;
  datasetVersionId: string;
  datasetName: string;
  datasetVersion: number;
  target: EvalTarget & { model?: string; contentHash?: string };
  targetDescription: string;
  /** Equal fingerprints on one dataset version measure the same thing (see targetFingerprint). */
  fingerprint: string | null;
  status: EvalRunStatus;
  progress: number;
  metrics: EvalMetrics | null;
  error: string | null;
  options: EvalRunOptions;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface EvalResult {
  caseKey: string;
  /** The case's utterance from the dataset version (null if the sample is gone). */
  text: string | null;
  expected: string;
  predicted: string | null;
  confidence: number | null;
  error: string | null;
  latencyMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  cached: boolean;
}

const runColumns = `r.id, r.workspace_id AS "workspaceId", r.dataset_version_id AS "datasetVersionId",
  d.name AS "datasetName", v.version AS "datasetVersion", r.target, r.target_description AS "targetDescription",
  r.fingerprint, r.status, r.progress, r.metrics, r.error, r.options, r.created_by AS "createdBy",
  r.created_at AS "createdAt", r.started_at AS "startedAt", r.finished_at AS "finishedAt"`;
const runJoins = `eval_runs r JOIN dataset_versions v ON v.id = r.dataset_version_id
  JOIN datasets d ON d.id = v.dataset_id`;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getEvalRun(
  db: Queryable,
  workspaceId: string,
  runId: string,
): Promise<EvalRun> {
  if (!uuidPattern.test(runId)) throw new NotFoundError(`No eval run "${runId}".`);
  const { rows } = await db.query<EvalRun>(
    `SELECT ${runColumns} FROM ${runJoins} WHERE r.workspace_id = $1 AND r.id = $2`,
    [workspaceId, runId],
  );
  if (!rows[0]) throw new NotFoundError(`No eval run "${runId}".`);
  return rows[0];
}

export async function listEvalRuns(
  db: Queryable,
  workspaceId: string,
  filters: { datasetVersionId?: string; datasetId?: string; limit?: number } = {},
): Promise<EvalRun[]> {
  const params: unknown[] = [workspaceId];
  const conditions = ["r.workspace_id = $1"];
  if (filters.datasetVersionId) {
    params.push(filters.datasetVersionId);
    conditions.push(`r.dataset_version_id = $${params.length}`);
  }
  if (filters.datasetId) {
    params.push(filters.datasetId);
    conditions.push(`v.dataset_id = $${params.length}`);
  }
  params.push(Math.min(Math.max(filters.limit ?? 100, 1), 1000));
  // The list leaves out the per-label table and confusion matrix: they are for one run's page.
  const { rows } = await db.query<EvalRun>(
    `SELECT ${runColumns.replace("r.metrics", `r.metrics - 'perLabel' - 'confusion' AS metrics`)}
     FROM ${runJoins} WHERE ${conditions.join(" AND ")}
     ORDER BY r.created_at DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** A run's results in dataset order. */
export async function loadEvalResults(db: Queryable, runId: string): Promise<EvalResult[]> {
  const { rows } = await db.query<EvalResult>(
    `SELECT e.case_key AS "caseKey", s.text, e.expected, e.predicted, e.confidence, e.error,
       e.latency_ms AS "latencyMs", e.input_tokens AS "inputTokens", e.output_tokens AS "outputTokens",
       e.cost_usd AS "costUsd", e.cached
     FROM eval_results e JOIN eval_runs r ON r.id = e.run_id
     LEFT JOIN dataset_samples s ON s.dataset_version_id = r.dataset_version_id AND s.case_key = e.case_key
     WHERE e.run_id = $1 ORDER BY e.position, e.case_key`,
    [runId],
  );
  return rows;
}

function checkOptions(options: EvalRunOptions): EvalRunOptions {
  const checked: EvalRunOptions = {};
  for (const [name, value] of Object.entries(options) as Array<[keyof EvalRunOptions, unknown]>) {
    if (value === undefined) continue;
    if (!["concurrency", "requestsPerMinute", "limit"].includes(name)) {
      throw new ValidationError(`Unknown eval run option "${name}".`);
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw new ValidationError(`Option ${name} must be a whole number ≥ 1, got ${String(value)}.`);
    }
    checked[name] = value;
  }
  if ((checked.concurrency ?? 0) > 64) throw new ValidationError("concurrency must be at most 64.");
  return checked;
}

/** What a target resolves to right now: its fingerprint and what the run should record. */
async function resolveTarget(
  source: PromptSource,
  target: EvalTarget,
): Promise<{
  target: EvalRun["target"];
  fingerprint: string;
  promptSet: (PromptSetVersion & { id?: string }) | null;
  agentVersion?: StoredAgentVersion;
}> {
  if (target.kind === "agent") {
    if (!Object.hasOwn(scoredAgents, target.agent)) {
      throw new UnprocessableError(
        `The agent "${target.agent}" has no scorer yet: the eval harness scores ${Object.keys(scoredAgents).join(" and ")}.`,
      );
    }
    const agentVersion = await getAgentVersion(source.db, source.workspaceId, target.agent, Number(target.version.slice(1)));
    return {
      target: { kind: "agent", agent: target.agent, version: target.version, contentHash: agentVersion.contentHash },
      fingerprint: `agent:${agentVersion.reference}:${agentVersion.contentHash}`,
      promptSet: null,
      agentVersion,
    };
  }
  if (target.kind === "local") {
    // The classifier lives in code, not in a versioned file: a gate reusing a local run trusts
    // that the code has not changed since (pass reuse: false, or --fresh, to be sure).
    return { target: { kind: "local" }, fingerprint: "local", promptSet: null };
  }
  const promptSet = await loadPromptSetVersion(source, target.set, target.version);
  return {
    target: {
      kind: "prompt_set",
      set: target.set,
      version: target.version,
      model: promptSet.manifest.model,
      contentHash: promptSet.contentHash,
    },
    fingerprint: `prompt_set:${formatPromptSetReference(promptSet)}:${promptSet.contentHash}`,
    promptSet,
  };
}

/** Records a queued run; the caller executes it (CLI) or enqueues an `eval-run` job (API). */
export async function createEvalRun(
  db: Queryable,
  input: {
    workspaceId: string;
    datasetVersionId: string;
    target: EvalTarget;
    options?: EvalRunOptions;
    createdBy?: string | null;
    promptsDirectory?: string;
  },
): Promise<EvalRun> {
  const options = checkOptions(input.options ?? {});
  const version = await getDatasetVersion(db, input.workspaceId, input.datasetVersionId);
  if (version.counts.test === 0) {
    throw new ValidationError(
      `Dataset ${version.datasetName}@${version.version} has no test samples to evaluate.`,
    );
  }
  const resolved = await resolveTarget(
    { db, workspaceId: input.workspaceId, promptsDirectory: input.promptsDirectory },
    input.target,
  );
  checkDatasetFits(version, input.target);
  // Linked when the version is the workspace's database copy (the app's prompt-set pages).
  const promptSetVersionId = resolved.promptSet?.id ?? null;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO eval_runs (workspace_id, dataset_version_id, target_kind, prompt_set_version_id,
       target_description, target, fingerprint, options, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      input.workspaceId,
      input.datasetVersionId,
      input.target.kind,
      promptSetVersionId,
      describeEvalTarget(input.target),
      JSON.stringify(resolved.target),
      resolved.fingerprint,
      JSON.stringify(options),
      input.createdBy ?? null,
    ],
  );
  return getEvalRun(db, input.workspaceId, rows[0].id);
}

/** An action-item agent reads whole calls; every other target reads utterances with intent labels. */
function checkDatasetFits(version: { datasetName: string; version: number; filters: Record<string, unknown> }, target: EvalTarget): void {
  const wantsCalls = target.kind === "agent" && scoredAgents[target.agent as keyof typeof scoredAgents] === "action_items";
  if (wantsCalls === isActionItemVersion(version)) return;
  throw new UnprocessableError(
    wantsCalls
      ? `Dataset ${version.datasetName}@${version.version} holds intent labels; the action-items agent needs a dataset of action-item decisions (kind "action_items").`
      : `Dataset ${version.datasetName}@${version.version} holds action-item decisions; only the action-items agent can be evaluated on it.`,
  );
}

/** Marks a run failed, keeping whatever it had (used when a job gives up for good). */
export async function failEvalRun(db: Queryable, runId: string, message: string): Promise<void> {
  await db.query(
    `UPDATE eval_runs SET status = 'failed', error = $2, finished_at = now()
     WHERE id = $1 AND status <> 'completed'`,
    [runId, message.slice(0, 2000)],
  );
}

/**
 * What identifies a target's behaviour: `local`, or the prompt-set version with the hash of its
 * files as they are now (a version edited in place gets a new fingerprint).
 */
export async function targetFingerprint(source: PromptSource, target: EvalTarget): Promise<string> {
  return (await resolveTarget(source, target)).fingerprint;
}

/** A queued or running run with this fingerprint on this dataset version, if any. */
export async function findRunInFlight(
  db: Queryable,
  input: { workspaceId: string; datasetVersionId: string; fingerprint: string },
): Promise<EvalRun | null> {
  const { rows } = await db.query<EvalRun>(
    `SELECT ${runColumns} FROM ${runJoins}
     WHERE r.workspace_id = $1 AND r.dataset_version_id = $2 AND r.fingerprint = $3
       AND r.status IN ('queued', 'running') AND (r.options->>'limit') IS NULL
     ORDER BY r.created_at DESC LIMIT 1`,
    [input.workspaceId, input.datasetVersionId, input.fingerprint],
  );
  return rows[0] ?? null;
}

/** The latest completed run with this fingerprint on this dataset version, if any. */
export async function findReusableRun(
  db: Queryable,
  input: { workspaceId: string; datasetVersionId: string; fingerprint: string },
): Promise<EvalRun | null> {
  const { rows } = await db.query<EvalRun>(
    `SELECT ${runColumns} FROM ${runJoins}
     WHERE r.workspace_id = $1 AND r.dataset_version_id = $2 AND r.fingerprint = $3
       AND r.status = 'completed' AND (r.options->>'limit') IS NULL
     ORDER BY r.finished_at DESC LIMIT 1`,
    [input.workspaceId, input.datasetVersionId, input.fingerprint],
  );
  return rows[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Executing a run
// ---------------------------------------------------------------------------------------------

/** How to reach the model for prompt-set targets; see `llmSettingsFromConfig`. */
export interface LlmSettings {
  baseUrl: string;
  apiKey: string;
  /** Concurrent requests to the endpoint (default 4). */
  concurrency?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  /** Upper bound on requests started per minute, for endpoints with a rate limit. */
  requestsPerMinute?: number;
}

/** A stored connector (core/connectors) as eval settings: its endpoint, key, concurrency and timeout. */
export function llmSettingsFromConnector(connector: ConnectorWithKey | null): LlmSettings | null {
  if (!connector || !connector.enabled) return null;
  return { baseUrl: connector.baseUrl, apiKey: connector.apiKey, concurrency: connector.maxConcurrency, timeoutMs: connector.timeoutMs };
}

/**
 * OPENAI_BASE_URL / OPENAI_API_KEY / LLM_CONCURRENCY / LLM_TIMEOUT_MS as eval settings, or null when
 * no endpoint is configured. The fallback behind the stored connectors: the eval worker uses it only
 * when the workspace has no enabled chat connector (workers/processors/eval-run.ts), and the
 * in-process eval CLI (evals/cli-context.ts), which opens no connector store, uses it directly.
 * The same variables also become a bootstrap connector at start (core/connectors/bootstrap.ts).
 */
export function llmSettingsFromConfig(config: Config): LlmSettings | null {
  if (!config.OPENAI_BASE_URL) return null;
  return {
    baseUrl: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY ?? "",
    concurrency: config.LLM_CONCURRENCY,
    timeoutMs: config.LLM_TIMEOUT_MS,
  };
}

export interface EvalEnvironment {
  db: Db;
  /** Where prompt sets live (default: the repository's `prompts/`). */
  promptsDirectory?: string;
  /** Null or absent: prompt-set runs can only use cached answers. */
  llm?: LlmSettings | null;
  /** The agents and what they run with (connector directory, limiter, tracer): agent targets need them. */
  agents?: AgentServices;
}

export interface EvalProgress {
  stage: "load" | "train" | "cases" | "store";
  done: number;
  total: number;
  errors: number;
}

/** Shown as the prediction when the model chose none of the intents for the utterance. */
export const noIntentPrediction = "(none)";

interface CaseOutcome extends ProviderResult {
  confidence?: number | null;
}

interface Engine {
  provide(
    sample: StoredSample,
    index: number,
    signal: AbortSignal | undefined,
  ): Promise<CaseOutcome>;
  concurrency: number;
  training: EvalMetrics["training"];
  modelRequests(): number;
}

/**
 * Runs a queued (or failed, or interrupted) run to completion: results and metrics are written
 * in one transaction at the end, so a run is either complete or has no results. Running a
 * completed run again returns it unchanged: a duplicate job delivery does nothing.
 */
export async function executeEvalRun(
  environment: EvalEnvironment,
  runId: string,
  options: {
    onProgress?: (progress: EvalProgress) => void;
    signal?: AbortSignal;
    workspaceId?: string;
  } = {},
): Promise<EvalRun> {
  const { db } = environment;
  const workspaceId =
    options.workspaceId ??
    (
      await db.query<{ workspaceId: string }>(
        `SELECT workspace_id AS "workspaceId" FROM eval_runs WHERE id = $1`,
        [runId],
      )
    ).rows[0]?.workspaceId;
  if (!workspaceId) throw new NotFoundError(`No eval run "${runId}".`);
  const run = await getEvalRun(db, workspaceId, runId);
  if (run.status === "completed") return run;

  const started = performance.now();
  await db.query(
    `UPDATE eval_runs SET status = 'running', progress = 0, error = NULL, started_at = now(), finished_at = NULL
     WHERE id = $1`,
    [runId],
  );
  let lastProgressWrite = 0;
  const report = (progress: EvalProgress) => {
    options.onProgress?.(progress);
    const now = performance.now();
    if (progress.stage !== "cases" || now - lastProgressWrite < 500) return;
    lastProgressWrite = now;
    const fraction = progress.total === 0 ? 0 : progress.done / progress.total;
    void db
      .query("UPDATE eval_runs SET progress = $2 WHERE id = $1 AND status = 'running'", [
        runId,
        fraction,
      ])
      .catch(() => {});
  };

  report({ stage: "load", done: 0, total: 1, errors: 0 });
  const [version, resolved] = await Promise.all([
    getDatasetVersion(db, workspaceId, run.datasetVersionId),
    resolveTarget({ db, workspaceId, promptsDirectory: environment.promptsDirectory }, run.target),
  ]);
  // An LLM target needs only the test split; the local engine trains on train and makes its
  // choices (context or not) on validation, never on test.
  const samples = await loadSamples(db, run.datasetVersionId, {
    splits: resolved.promptSet === null && !resolved.agentVersion ? ["train", "validation", "test"] : ["test"],
  });
  let cases = samples.filter((sample) => sample.split === "test");
  if (run.options.limit) cases = cases.slice(0, run.options.limit);
  if (cases.length === 0) throw new ValidationError("The dataset version has no test samples.");
  const labels = version.labels;

  if (resolved.agentVersion) {
    if (!environment.agents) throw new UnprocessableError("This process cannot run agents (no agent services were given).");
    checkDatasetFits(version, run.target);
    const agentRun = await runAgentCases(
      { ...environment.agents, db },
      { workspaceId, runId, version: resolved.agentVersion, cases, labels, options: run.options, signal: options.signal, report },
    );
    report({ stage: "store", done: 0, total: 1, errors: 0 });
    const metrics = agentMetrics(agentRun, labels, performance.now() - started);
    await db.transaction(async (transaction) => {
      await transaction.query("DELETE FROM eval_results WHERE run_id = $1", [runId]);
      await insertResults(transaction, runId, agentRun.rows, agentRun.results, agentRun.confidences);
      await transaction.query(
        `UPDATE eval_runs SET status = 'completed', progress = 1, metrics = $2, error = NULL,
           finished_at = now(), target = $3, fingerprint = $4
         WHERE id = $1`,
        [runId, JSON.stringify(metrics), JSON.stringify(resolved.target), resolved.fingerprint],
      );
    });
    report({ stage: "store", done: 1, total: 1, errors: 0 });
    return getEvalRun(db, workspaceId, runId);
  }

  const engine =
    resolved.promptSet === null
      ? await localEngine(
          samples.filter((sample) => sample.split === "train"),
          samples.filter((sample) => sample.split === "validation"),
          report,
        )
      : await llmEngine(environment, resolved.promptSet, labels, cases, run.options);

  // runCases keeps only the provider fields it knows, so confidences travel beside it.
  const confidences: Array<number | null> = cases.map(() => null);
  const { results, aborted } = await runCases({
    cases,
    concurrency: engine.concurrency,
    signal: options.signal,
    provider: async (sample, context) => {
      const outcome = await engine.provide(sample, context.index, context.signal);
      confidences[context.index] = outcome.confidence ?? null;
      return outcome;
    },
    onProgress: ({ done, total, errors }) => report({ stage: "cases", done, total, errors }),
  });
  if (aborted) {
    // Retryable: the job runner starts the run again, and cached answers make that cheap.
    throw new TransientError("The eval run was interrupted before every case ran.");
  }

  report({ stage: "store", done: 0, total: 1, errors: 0 });
  const metrics = computeMetrics(cases, results, labels, {
    training: engine.training,
    modelRequests: engine.modelRequests(),
    durationMs: performance.now() - started,
  });
  await db.transaction(async (transaction) => {
    await transaction.query("DELETE FROM eval_results WHERE run_id = $1", [runId]);
    await insertResults(transaction, runId, cases, results, confidences);
    await transaction.query(
      `UPDATE eval_runs SET status = 'completed', progress = 1, metrics = $2, error = NULL,
         finished_at = now(), target = $3, fingerprint = $4
       WHERE id = $1`,
      [runId, JSON.stringify(metrics), JSON.stringify(resolved.target), resolved.fingerprint],
    );
  });
  report({ stage: "store", done: 1, total: 1, errors: 0 });
  return getEvalRun(db, workspaceId, runId);
}

/**
 * Creates and executes a run in this process (the CLI, benchmarks and tests; the server
 * enqueues a job instead). A run that fails is marked failed and the error is rethrown.
 */
export async function runEval(
  environment: EvalEnvironment,
  input: {
    workspaceId: string;
    datasetVersionId: string;
    target: EvalTarget;
    options?: EvalRunOptions;
    createdBy?: string | null;
    /** Reuse the latest completed run with the same fingerprint instead of running again. */
    reuse?: boolean;
    onProgress?: (progress: EvalProgress) => void;
    signal?: AbortSignal;
  },
): Promise<EvalRun> {
  const promptsDirectory = environment.promptsDirectory;
  if (input.reuse && !input.options?.limit) {
    const { fingerprint } = await resolveTarget(
      { db: environment.db, workspaceId: input.workspaceId, promptsDirectory },
      input.target,
    );
    const reusable = await findReusableRun(environment.db, {
      workspaceId: input.workspaceId,
      datasetVersionId: input.datasetVersionId,
      fingerprint,
    });
    if (reusable) return reusable;
  }
  const run = await createEvalRun(environment.db, { ...input, promptsDirectory });
  try {
    return await executeEvalRun(environment, run.id, {
      workspaceId: input.workspaceId,
      onProgress: input.onProgress,
      signal: input.signal,
    });
  } catch (error) {
    await failEvalRun(environment.db, run.id, messageOf(error));
    throw error;
  }
}

async function localEngine(
  train: StoredSample[],
  validation: StoredSample[],
  report: (progress: EvalProgress) => void,
): Promise<Engine> {
  if (train.length === 0) {
    throw new ValidationError(
      "The dataset version has no train samples to train the local engine on.",
    );
  }
  report({ stage: "train", done: 0, total: 1, errors: 0 });
  // Loaded here so that LLM-only callers (the API, cached re-runs) never load the local engine.
  const { trainIntentClassifier, chooseContext } = await import("../engine/index.ts");
  const trainingStarted = performance.now();
  const toExample = (sample: StoredSample) => ({
    text: sample.text,
    label: sample.label,
    previousText: sample.previousText,
  });
  const examples = train.map(toExample);
  // Dialogue acts may depend on what was just said: context is used when it scores better on the
  // validation split (or, without one, on a held-out fifth of train).
  const { useContext } = chooseContext(examples, validation.map(toExample));
  const classifier = trainIntentClassifier(examples, { useContext });
  const training = {
    samples: train.length,
    durationMs: performance.now() - trainingStarted,
    useContext,
  };
  report({ stage: "train", done: 1, total: 1, errors: 0 });
  return {
    // The classifier is synchronous CPU work: running cases "in parallel" would only interleave.
    concurrency: 1,
    training,
    modelRequests: () => 0,
    async provide(sample) {
      const started = performance.now();
      const prediction = classifier.predict(sample.text, sample.previousText ?? null);
      return {
        output: prediction.label,
        error: null,
        confidence: prediction.confidence,
        latencyMs: performance.now() - started,
      };
    },
  };
}

/** Dataset labels as the drafter's taxonomy. Ids must be snake_case; labels keep their names. */
export function intentTaxonomyForLabels(labels: readonly string[]): {
  intents: IntentDefinition[];
  labelOfId: Map<string, string>;
} {
  const used = new Set<string>();
  const labelOfId = new Map<string, string>();
  const intents = labels.map((label, index) => {
    let base = /^[a-z][a-z0-9_]*$/.test(label)
      ? label
      : label
          .normalize("NFKD")
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "_")
          .replace(/^_+|_+$/g, "");
    if (!/^[a-z]/.test(base)) base = base ? `intent_${base}` : `intent_${index + 1}`;
    let id = base;
    for (let repeat = 2; used.has(id); repeat++) id = `${base}_${repeat}`;
    used.add(id);
    labelOfId.set(id, label);
    return { id, name: { en: label, zh: label }, description: "" };
  });
  return { intents, labelOfId };
}

/** One case as the drafter sees it: the utterance, after the previous one when there is one. */
export function intentCaseInput(
  sample: StoredSample,
  intents: IntentDefinition[],
): {
  input: DraftInput;
  targetOrdinal: number;
} {
  const segments: TranscriptSegment[] = [];
  if (sample.previousText) {
    segments.push({
      ordinal: 0,
      speaker: "previous speaker",
      text: sample.previousText,
      startMs: 0,
      endMs: 0,
    });
  }
  const speaker = typeof sample.metadata.speaker === "string" ? sample.metadata.speaker : "speaker";
  segments.push({ ordinal: segments.length, speaker, text: sample.text, startMs: 0, endMs: 0 });
  const customerStage =
    typeof sample.metadata.customerStage === "string" ? sample.metadata.customerStage : null;
  return {
    input: { language: null, customerStage, segments, intents, actionTypes: [], fewShot: [] },
    targetOrdinal: segments.length - 1,
  };
}

interface CacheEntry {
  output: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number | null;
}

const cacheLookupBatchSize = 1_000;

async function readCache(db: Queryable, keys: readonly string[]): Promise<Map<string, CacheEntry>> {
  const entries = new Map<string, CacheEntry>();
  const unique = [...new Set(keys)];
  for (let start = 0; start < unique.length; start += cacheLookupBatchSize) {
    const { rows } = await db.query<CacheEntry & { key: string }>(
      `SELECT key, output, input_tokens AS "inputTokens", output_tokens AS "outputTokens",
         latency_ms AS "latencyMs"
       FROM llm_cache WHERE key = ANY($1::text[])`,
      [unique.slice(start, start + cacheLookupBatchSize)],
    );
    for (const row of rows) entries.set(row.key, row);
  }
  return entries;
}

function estimateCost(
  promptSet: PromptSetVersion,
  inputTokens: number,
  outputTokens: number,
): number {
  const prices = promptSet.manifest.pricePer1kTokensUsd;
  return (
    Math.round(
      ((inputTokens / 1000) * prices.input + (outputTokens / 1000) * prices.output) * 1e6,
    ) / 1e6
  );
}

/** Spaces request starts so that no more than `perMinute` begin in any minute. */
function requestSpacer(perMinute: number | undefined): (signal?: AbortSignal) => Promise<void> {
  if (!perMinute) return async () => {};
  const intervalMs = 60_000 / perMinute;
  let nextStart = 0;
  return (signal) => {
    const now = Date.now();
    const start = Math.max(now, nextStart);
    nextStart = start + intervalMs;
    if (start <= now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, start - now);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };
}

async function llmEngine(
  environment: EvalEnvironment,
  promptSet: PromptSetVersion,
  labels: string[],
  cases: StoredSample[],
  options: EvalRunOptions,
): Promise<Engine> {
  const { db } = environment;
  const { intents, labelOfId } = intentTaxonomyForLabels(labels);
  const promptSetReference = formatPromptSetReference(promptSet);
  // The taxonomy is the same for every case: hash it once rather than 4,500 times.
  const taxonomyHash = hashInput(intents);
  const parameters = {
    task: "intent-per-utterance",
    temperature: promptSet.manifest.temperature,
    maxTokens: promptSet.manifest.maxTokens,
    structuredOutput: promptSet.manifest.structuredOutput,
    contentHash: promptSet.contentHash,
  };
  const prepared = cases.map((sample) => {
    const { input, targetOrdinal } = intentCaseInput(sample, intents);
    const inputHash = hashInput({
      segments: input.segments.map(({ ordinal, speaker, text }) => ({ ordinal, speaker, text })),
      customerStage: input.customerStage,
      language: input.language,
      taxonomy: taxonomyHash,
    });
    const key = llmCacheKey({
      promptSetVersion: promptSetReference,
      model: promptSet.manifest.model,
      parameters,
      inputHash,
    });
    return { input, targetOrdinal, key };
  });
  const cache = await readCache(
    db,
    prepared.map((entry) => entry.key),
  );
  const misses = prepared.filter((entry) => !cache.has(entry.key)).length;
  const settings = environment.llm ?? null;
  if (misses > 0 && !settings) {
    throw new ValidationError(
      `${misses} of ${cases.length} cases are not cached and no LLM endpoint is configured: add a chat connector (Admin → Connectors) or set OPENAI_BASE_URL (and OPENAI_API_KEY).`,
    );
  }
  // LangChain takes seconds to load: a fully cached re-run never loads it.
  const drafter: LlmDrafter | null =
    misses === 0
      ? null
      : (await import("../draft/llm/index.ts")).createLlmDrafter({
          baseUrl: settings!.baseUrl,
          apiKey: settings!.apiKey,
          promptSet,
          concurrency: settings!.concurrency,
          timeoutMs: settings!.timeoutMs,
          maxAttempts: settings!.maxAttempts,
          retryBaseDelayMs: settings!.retryBaseDelayMs,
        });
  const waitForSlot = requestSpacer(options.requestsPerMinute ?? settings?.requestsPerMinute);
  let modelRequests = 0;

  const predictionOf = (content: DraftContent, targetOrdinal: number) => {
    const intent = content.intents.find((entry) => entry.segment === targetOrdinal);
    return intent
      ? { output: labelOfId.get(intent.intent) ?? intent.intent, confidence: intent.confidence }
      : { output: noIntentPrediction, confidence: null };
  };

  return {
    concurrency: options.concurrency ?? settings?.concurrency ?? 4,
    training: null,
    modelRequests: () => modelRequests,
    async provide(_sample, index, signal) {
      const { input, targetOrdinal, key } = prepared[index];
      const hit = cache.get(key);
      if (hit) {
        const check = validateDraftOutput(hit.output, input);
        if (check.ok) {
          return {
            ...predictionOf(check.content, targetOrdinal),
            error: null,
            tokenUsage: { input: hit.inputTokens, output: hit.outputTokens },
            costUsd: estimateCost(promptSet, hit.inputTokens, hit.outputTokens),
            latencyMs: hit.latencyMs ?? 0,
            cached: true,
          };
        }
        // An entry that no longer validates (the validator became stricter): ask again.
      }
      await waitForSlot(signal);
      const started = performance.now();
      try {
        // A cache entry that stopped validating is the only way to get here without a drafter.
        if (!drafter)
          throw new UnprocessableError(
            "The cached answer is no longer valid and no LLM endpoint is configured.",
          );
        // A signal per case: the model client leaves its abort listeners on the signal it is
        // given, and thousands of cases must not pile them onto the run's one signal.
        const result = await drafter.draft(input, {
          signal: signal ? AbortSignal.any([signal]) : undefined,
        });
        modelRequests += result.stats.modelCalls;
        const latencyMs = performance.now() - started;
        const { inputTokens, outputTokens } = result.provenance;
        await db.query(
          `INSERT INTO llm_cache (key, output, input_tokens, output_tokens, latency_ms)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (key) DO UPDATE SET output = EXCLUDED.output, input_tokens = EXCLUDED.input_tokens,
             output_tokens = EXCLUDED.output_tokens, latency_ms = EXCLUDED.latency_ms, created_at = now()`,
          [key, result.raw, inputTokens, outputTokens, latencyMs],
        );
        return {
          ...predictionOf(result.content, targetOrdinal),
          error: null,
          tokenUsage: { input: inputTokens, output: outputTokens },
          costUsd: result.provenance.estimatedCostUsd,
          latencyMs,
          cached: false,
        };
      } catch (error) {
        // Failures are data: the case becomes an error row and is not cached, so a re-run asks again.
        const details =
          error instanceof UnprocessableError
            ? (error.details as LlmDraftFailureDetails | undefined)
            : undefined;
        modelRequests += details?.stats?.modelCalls ?? 1;
        const spent = details?.provenance;
        return {
          output: null,
          error: messageOf(error),
          latencyMs: performance.now() - started,
          ...(spent
            ? {
                tokenUsage: { input: spent.inputTokens, output: spent.outputTokens },
                costUsd: spent.estimatedCostUsd,
              }
            : {}),
          cached: false,
        };
      }
    },
  };
}

function computeMetrics(
  cases: readonly StoredSample[],
  results: readonly CaseResult[],
  labels: readonly string[],
  extra: Pick<EvalMetrics, "training" | "modelRequests" | "durationMs">,
): EvalMetrics {
  const costKnown = results.some((result) => typeof result.costUsd === "number");
  const { report, metrics } = summarizeRun(
    results.map((result, index) => ({
      caseId: cases[index].caseKey,
      expected: cases[index].label,
      predicted: result.status === "ok" ? result.output : null,
      latencyMs: result.latencyMs,
      costUsd: costKnown ? (result.costUsd ?? 0) : null,
    })),
    { labels },
  );
  const tokens = { input: 0, output: 0, total: 0 };
  const spent = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let cachedCases = 0;
  for (const result of results) {
    const input = result.tokenUsage?.input ?? 0;
    const output = result.tokenUsage?.output ?? 0;
    tokens.input += input;
    tokens.output += output;
    if (result.cached) {
      cachedCases++;
      continue;
    }
    spent.inputTokens += input;
    spent.outputTokens += output;
    spent.costUsd += result.costUsd ?? 0;
  }
  tokens.total = tokens.input + tokens.output;
  spent.costUsd = Math.round(spent.costUsd * 1e6) / 1e6;
  return {
    ...metrics,
    costUsd: metrics.costUsd === null ? null : Math.round(metrics.costUsd * 1e6) / 1e6,
    caseCount: report.count,
    correct: report.correct,
    errors: report.errors,
    macroPrecision: report.macroPrecision,
    macroRecall: report.macroRecall,
    labels: report.labels,
    perLabel: { ...report.perLabel },
    confusion: report.confusion,
    unknownPredictions: report.unknownPredictions,
    tokens,
    spent,
    cachedCases,
    ...extra,
  };
}

/**
 * An agent run's metrics. Intents: as any intent run. Action items: the item-level figures under
 * `actionItems`, and the run-level names the list, compare and gate use, read as — microF1: the
 * item-level F1; macroF1: the mean F1 over catalogue types; accuracy: the share of calls whose items
 * all matched; perLabel: per type.
 */
function agentMetrics(agentRun: AgentCasesResult, labels: readonly string[], durationMs: number): EvalMetrics {
  const extra = { training: null, modelRequests: agentRun.modelRequests, durationMs };
  const engine = { engine: agentRun.engine };
  const scores = agentRun.actionItems;
  if (!scores) return { ...computeMetrics(agentRun.rows, agentRun.results, labels, extra), ...engine };
  const expectedLines = [...new Set(agentRun.rows.map((row) => row.label))];
  const base = computeMetrics(agentRun.rows, agentRun.results, expectedLines, extra);
  const types = Object.keys(scores.perType);
  const f1s = types.map((type) => scores.perType[type].f1);
  return {
    ...base,
    ...engine,
    accuracy: scores.calls === 0 ? null : scores.exactCalls / scores.calls,
    correct: scores.exactCalls,
    microF1: scores.strict.f1,
    macroF1: f1s.length === 0 ? null : f1s.reduce((sum, value) => sum + value, 0) / f1s.length,
    macroPrecision: scores.strict.precision,
    macroRecall: scores.strict.recall,
    labels: types,
    perLabel: scores.perType,
    confusion: { rows: [], columns: [], counts: [] },
    unknownPredictions: [],
    actionItems: scores,
  };
}

const resultBatchSize = 5_000;

async function insertResults(
  db: Queryable,
  runId: string,
  cases: readonly StoredSample[],
  results: readonly CaseResult[],
  confidences: ReadonlyArray<number | null>,
): Promise<void> {
  for (let start = 0; start < results.length; start += resultBatchSize) {
    const batch = results.slice(start, start + resultBatchSize);
    await db.query(
      `INSERT INTO eval_results (run_id, case_key, expected, predicted, confidence, error, latency_ms,
         input_tokens, output_tokens, cost_usd, cached, position)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::real[], $6::text[], $7::real[],
         $8::int[], $9::int[], $10::numeric[], $11::boolean[], $12::int[])`,
      [
        runId,
        batch.map((result) => cases[result.index].caseKey),
        batch.map((result) => cases[result.index].label),
        batch.map((result) => (result.status === "ok" ? result.output : null)),
        batch.map((result) => (result.status === "ok" ? confidences[result.index] : null)),
        batch.map((result) => (result.status === "ok" ? null : (result.error ?? "failed"))),
        batch.map((result) => result.latencyMs),
        batch.map((result) => result.tokenUsage?.input ?? 0),
        batch.map((result) => result.tokenUsage?.output ?? 0),
        batch.map((result) => result.costUsd ?? 0),
        batch.map((result) => result.cached ?? false),
        batch.map((result) => result.index),
      ],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing and gating
// ---------------------------------------------------------------------------------------------

export interface EvalRunComparison extends RunComparison {
  baselineRun: EvalRun;
  candidateRun: EvalRun;
}

/** Compares two completed runs of the workspace case by case (see compare.ts). */
export async function compareEvalRuns(
  db: Queryable,
  workspaceId: string,
  baselineRunId: string,
  candidateRunId: string,
): Promise<EvalRunComparison> {
  const [baselineRun, candidateRun] = await Promise.all([
    getEvalRun(db, workspaceId, baselineRunId),
    getEvalRun(db, workspaceId, candidateRunId),
  ]);
  for (const run of [baselineRun, candidateRun]) {
    if (run.status !== "completed") {
      throw new ConflictError(
        `Eval run ${run.id} is ${run.status}; only completed runs can be compared.`,
      );
    }
  }
  const [baselineResults, candidateResults] = await Promise.all([
    loadEvalResults(db, baselineRunId),
    loadEvalResults(db, candidateRunId),
  ]);
  const asCases = (results: EvalResult[]) =>
    results.map((result) => ({
      caseId: result.caseKey,
      text: result.text,
      expected: result.expected,
      predicted: result.predicted,
      latencyMs: result.latencyMs,
      costUsd: result.costUsd,
    }));
  const comparison = compareRuns(asCases(baselineResults), asCases(candidateResults));
  return { ...comparison, baselineRun, candidateRun };
}

export const gateMetricNames: RunMetricName[] = [
  "accuracy",
  "macroF1",
  "microF1",
  "errorRate",
  "latencyP50Ms",
  "latencyP95Ms",
  "costUsd",
];

export interface GateOutcome extends GateResult {
  metric: RunMetricName;
  margin: number;
  candidateRun: EvalRun;
  /** Null when there is no baseline (e.g. the set has no production version yet). */
  baselineRun: EvalRun | null;
}

/** The gate over two completed runs; both must be on the same dataset version. */
export function gateEvalRuns(input: {
  candidateRun: EvalRun;
  baselineRun: EvalRun | null;
  margin: number;
  metric: RunMetricName;
}): GateOutcome {
  const { candidateRun, baselineRun } = input;
  if (baselineRun && baselineRun.datasetVersionId !== candidateRun.datasetVersionId) {
    throw new ValidationError(
      "The candidate and baseline runs must be on the same dataset version.",
    );
  }
  const result = gate({
    candidate: candidateRun.metrics ?? {},
    baseline: baselineRun?.metrics ?? null,
    margin: input.margin,
    metric: input.metric,
  });
  return { ...result, metric: input.metric, margin: input.margin, candidateRun, baselineRun };
}

/**
 * The baseline target for a gate: `production` / `staging` (a label of the candidate's set),
 * `local`, or `<set>@<version>`. Null when the label does not exist yet.
 */
export async function resolveBaselineTarget(
  source: PromptSource,
  candidate: EvalTarget,
  baseline: string,
): Promise<EvalTarget | null> {
  if (baseline === "local" || baseline.includes("@")) return parseEvalTarget(baseline);
  if (candidate.kind !== "prompt_set") {
    throw new ValidationError(
      `Baseline "${baseline}" is a label; name the baseline as local or <set>@<version>.`,
    );
  }
  const version = await resolvePromptSetLabelVersion(source, candidate.set, baseline);
  return version === null ? null : { kind: "prompt_set", set: candidate.set, version };
}

/**
 * Runs (or reuses) the candidate and the baseline on one dataset version and applies the gate.
 * Used by the CLI; the API looks for completed runs and enqueues the missing ones instead.
 */
export async function runGate(
  environment: EvalEnvironment,
  input: {
    workspaceId: string;
    datasetVersionId: string;
    candidate: EvalTarget;
    /** A label, `local` or `<set>@<version>` (see resolveBaselineTarget). */
    baseline: string;
    margin: number;
    metric: RunMetricName;
    createdBy?: string | null;
    reuse?: boolean;
    onProgress?: (which: "candidate" | "baseline", progress: EvalProgress) => void;
  },
): Promise<GateOutcome> {
  if (!gateMetricNames.includes(input.metric)) {
    throw new ValidationError(
      `Unknown metric "${input.metric}"; use ${gateMetricNames.join(", ")}.`,
    );
  }
  if (!(Number.isFinite(input.margin) && input.margin >= 0)) {
    throw new ValidationError(`The margin must be a number ≥ 0, got ${input.margin}.`);
  }
  const baselineTarget = await resolveBaselineTarget(
    {
      db: environment.db,
      workspaceId: input.workspaceId,
      promptsDirectory: environment.promptsDirectory,
    },
    input.candidate,
    input.baseline,
  );
  const common = {
    workspaceId: input.workspaceId,
    datasetVersionId: input.datasetVersionId,
    createdBy: input.createdBy,
    reuse: input.reuse ?? true,
  };
  const candidateRun = await runEval(environment, {
    ...common,
    target: input.candidate,
    onProgress: (progress) => input.onProgress?.("candidate", progress),
  });
  const baselineRun = baselineTarget
    ? await runEval(environment, {
        ...common,
        target: baselineTarget,
        onProgress: (progress) => input.onProgress?.("baseline", progress),
      })
    : null;
  return gateEvalRuns({ candidateRun, baselineRun, margin: input.margin, metric: input.metric });
}

// ---------------------------------------------------------------------------------------------

function messageOf(error: unknown): string {
  if (error instanceof CalibrateError || error instanceof Error) return error.message || error.name;
  return String(error);
}
