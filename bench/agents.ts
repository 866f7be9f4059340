/**
 * The agent pipeline (issue 12), against the local OpenAI-compatible server (answers at once, so
 * what remains is Calibrate's own work):
 *   1. orchestration overhead per agent invocation, excluding the model: an `agent-run` from claim
 *      to stored items and the next runs queued (load the call, resolve the connector, render the
 *      prompt, validate, store, trace, fan-out/fan-in), minus the time of its HTTP model calls as
 *      the trace measured them — p50/p95, target < 20 ms; for a 40- and a 400-utterance call;
 *   2. a 5-agent pipeline on a 400-utterance call end to end through the embedded job transport and
 *      workers: from the `draft` job enqueued to the recording ready.
 *
 *   npx tsx bench/agents.ts [--pglite] [--calls=10]
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { agentRegistry, agentsDirectory } from "../agents/registry.ts";
import { syncAgentsFromFiles } from "../core/agents/agent-store.ts";
import { createInProcessLimiter } from "../core/agents/in-process-limiter.ts";
import type { AgentDependencies } from "../core/agents/pipeline.ts";
import { runAgent, startPipeline } from "../core/agents/pipeline.ts";
import { createTeam, defaultWorkspaceId } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import { loadConfig } from "../core/config.ts";
import { envConnectorDirectory } from "../core/connectors/env-directory.ts";
import type { Db } from "../core/db/database.ts";
import { createLocalEmbedder } from "../core/draft/local/local-embedder.ts";
import { syncPromptSetsFromFiles } from "../core/draft/prompt-set-store.ts";
import { prepareWorkspace } from "../core/draft/workspace-preparation.ts";
import type { Job } from "../core/jobs/job-store.ts";
import { createMemoryTracer } from "../core/traces/memory-tracer.ts";
import { storeTranscript } from "../core/upload/recordings.ts";
import { parseTranscript } from "../core/upload/transcript-formats.ts";
import { openRuntime } from "../server/runtime.ts";
import { agentModel } from "../tests/support/agent-model.ts";
import { startOpenAiCompatibleServer } from "../tests/support/openai-compatible-server.ts";
import type { DatabaseKind } from "./support.ts";
import { describeMachine, printTable, roundMs, summarise, withBenchDatabase } from "./support.ts";

const { values } = parseArgs({ options: { pglite: { type: "boolean", default: false }, calls: { type: "string", default: "10" } } });
const kinds: DatabaseKind[] = values.pglite ? ["postgres", "pglite"] : ["postgres"];
const calls = Number(values.calls);
const embedder = createLocalEmbedder();

/** `length` utterances from the shipped demo calls, repeated, with increasing times. */
function callOf(length: number) {
  const directory = path.resolve(import.meta.dirname, "../datasets/seed/calls");
  const segments = fs
    .readdirSync(directory)
    .flatMap((file) => parseTranscript(fs.readFileSync(path.join(directory, file), "utf8"), { fileName: file }).segments);
  return Array.from({ length }, (_, index) => {
    const segment = segments[index % segments.length];
    return { ...segment, startMs: index * 4000, endMs: index * 4000 + 3500 };
  });
}

async function newRecording(db: Db, owner: { workspaceId: string; teamId: string; userId: string }, utterances: number): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size, customer_stage, consent_confirmed_at, status)
     VALUES ($1, $2, $3, 'transcript', 'bench call', 'bench.vtt', $4, 1, 'demo', now(), 'drafting') RETURNING id`,
    [owner.workspaceId, owner.teamId, owner.userId, randomUUID()],
  );
  await storeTranscript(db, rows[0].id, { language: "en", transcriber: "import:vtt", model: null, segments: callOf(utterances) });
  return rows[0].id;
}

async function prepare(db: Db) {
  const workspaceId = await defaultWorkspaceId(db);
  await prepareWorkspace(db, workspaceId, embedder);
  await syncPromptSetsFromFiles(db, workspaceId, agentsDirectory);
  await syncAgentsFromFiles(db, workspaceId, agentRegistry);
  const team = await createTeam(db, { workspaceId, name: "Bench" });
  const user = await createUser(db, { workspaceId, teamId: team.id, email: "bench@example.com", role: "rep", password: "benchmark password" });
  return { workspaceId, teamId: team.id, userId: user.id };
}

async function overhead(kind: DatabaseKind, model: { baseUrl: string; apiKey: string }) {
  return withBenchDatabase(kind, async ({ db }) => {
    const owner = await prepare(db);
    const tracer = createMemoryTracer();
    const config = loadConfig({ NODE_ENV: "test", OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: model.apiKey, LLM_CONCURRENCY: "8" });
    const deps: AgentDependencies = {
      db,
      embedder,
      registry: agentRegistry,
      connectors: envConnectorDirectory(config),
      limiter: createInProcessLimiter(),
      tracer,
    };
    const rows = [];
    for (const utterances of [40, 400]) {
      const overheads: number[] = [];
      const models: number[] = [];
      // One warm-up call (LangChain's first import, prepared statements), then the measured ones.
      for (let call = 0; call <= calls; call++) {
        const recordingId = await newRecording(db, owner, utterances);
        let queue: Job[] = (await startPipeline(deps, recordingId, { jobId: randomUUID() })).jobs;
        while (queue.length > 0) {
          const next: Job[] = [];
          // One at a time: the overhead of an invocation, not of invocations competing for two cores.
          for (const job of queue.filter((queued) => queued.queue === "agent-run")) {
            await (async () => {
                const started = performance.now();
                const outcome = await runAgent(deps, (job.payload as { agentRunId: string }).agentRunId);
                const wallMs = performance.now() - started;
                const trace = outcome.traceId ? tracer.get(outcome.traceId) : null;
                const modelMs = (trace?.spans ?? [])
                  .filter((span) => span.kind === "model_call")
                  .reduce((sum, span) => sum + Number(span.attributes.latencyMs ?? 0), 0);
                if (call > 0) {
                  overheads.push(wallMs - modelMs);
                  models.push(modelMs);
                }
                next.push(...outcome.jobs);
            })();
          }
          queue = next;
        }
      }
      const summary = summarise(overheads);
      rows.push({
        kind,
        utterances,
        invocations: summary.n,
        "overhead p50 (ms)": summary["p50 ms"],
        "overhead p95 (ms)": summary["p95 ms"],
        "model p50 (ms)": summarise(models)["p50 ms"],
        target: "< 20 ms",
      });
    }
    return rows;
  });
}

async function endToEnd(kind: DatabaseKind, model: { baseUrl: string; apiKey: string }) {
  return withBenchDatabase(kind, async ({ db }) => {
    const owner = await prepare(db);
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: model.apiKey,
      LLM_CONCURRENCY: "8",
      WORKER_CONCURRENCY: "4",
      JOB_POLL_INTERVAL_MS: "250",
      DATA_DIR: `/tmp/calibrate-bench-agents-${randomUUID()}`,
    });
    const runtime = await openRuntime(config, pino({ level: "silent" }), { serve: false, work: true, db, agents: { embedder } });
    const times: number[] = [];
    try {
      for (let call = 0; call < 4; call++) {
        const recordingId = await newRecording(db, owner, 400);
        const started = performance.now();
        await runtime.dispatcher.enqueue({ queue: "draft", payload: { recordingId }, workspaceId: owner.workspaceId, subject: { type: "recording", id: recordingId } });
        for (;;) {
          const { rows } = await db.query<{ status: string }>("SELECT status FROM recordings WHERE id = $1", [recordingId]);
          if (rows[0].status === "ready" || rows[0].status === "failed") {
            if (rows[0].status === "failed") throw new Error("the bench pipeline failed");
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        times.push(performance.now() - started);
      }
    } finally {
      await runtime.close();
      fs.rmSync(config.DATA_DIR, { recursive: true, force: true });
    }
    // The first call pays LangChain's import and the first connections.
    const warm = summarise(times.slice(1));
    return { kind, utterances: 400, agents: agentRegistry.length, "cold (ms)": roundMs(times[0]), "warm p50 (ms)": warm["p50 ms"], "warm max (ms)": warm["max ms"] };
  });
}

console.log(`Agents benchmark. ${describeMachine()}`);
const server = await startOpenAiCompatibleServer({ fallback: agentModel(new Map()) });
const model = { baseUrl: server.baseUrl, apiKey: server.apiKey };
const overheadRows = [];
const endToEndRows = [];
try {
  for (const kind of kinds) {
    overheadRows.push(...(await overhead(kind, model)));
    endToEndRows.push(await endToEnd(kind, model));
  }
} finally {
  await server.close();
}
printTable("Orchestration overhead per agent invocation, excluding the model (claim → stored items and next runs queued, minus HTTP model time)", overheadRows);
printTable("A 5-agent pipeline on a 400-utterance call, end to end (draft job enqueued → recording ready; embedded transport, local OpenAI-compatible server)", endToEndRows);
