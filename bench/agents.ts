/**
 * The agent pipeline (issue 12), against the local OpenAI-compatible server (answers at once, so
 * what remains is Calibrate's own work). The server runs in a child process, so this process's CPU
 * time is Calibrate's (and, on PGlite, the database's) alone.
 *
 *   1. orchestration overhead per agent invocation, excluding the model: a whole `agent-run` job as
 *      a worker runs it in production — the claim (embedded transport), the job row going active and
 *      completed with its events, the stored connector (API key decrypted), the shared limiter
 *      (database leases, or Redis on the BullMQ path), loading the call, rendering, validating,
 *      storing items, the database trace write, fan-out/fan-in and the hand-over of the next jobs —
 *      minus the time spent inside the model's HTTP requests (fetch called → response body read).
 *      p50/p95 wall time and the process's CPU time per invocation; target < 20 ms; for a 40- and a
 *      400-utterance call;
 *   2. a 5-agent pipeline on a 400-utterance call end to end through the real runtime and workers:
 *      from the `draft` job enqueued to the recording ready.
 *
 * Each on PostgreSQL with the embedded transport, PostgreSQL with BullMQ (Redis limiter, events and
 * queues; the BullMQ claim itself is not in the per-invocation figure) and PGlite (embedded).
 *
 * Per invocation it also counts the SQL statements and the time spent waiting for them;
 * `--statements` prints where that time goes, statement by statement (the profile of an agent run).
 *
 *   npx tsx bench/agents.ts [--only=postgres,bullmq,pglite] [--calls=10] [--statements]
 */
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { pino } from "pino";
import { agentRegistry, agentsDirectory } from "../agents/registry.ts";
import { syncAgentsFromFiles } from "../core/agents/agent-store.ts";
import { startPipeline } from "../core/agents/pipeline.ts";
import { createSecretBox } from "../core/auth/secret-box.ts";
import { createTeam, defaultWorkspaceId } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import { loadConfig } from "../core/config.ts";
import { bootstrapConnectors } from "../core/connectors/bootstrap.ts";
import { createConnectorDirectory } from "../core/connectors/connectors.ts";
import { createDatabaseLimiter, createRedisLimiter, type ManagedLimiter } from "../core/connectors/limiter.ts";
import type { Db, Queryable } from "../core/db/database.ts";
import { createLocalEmbedder } from "../core/engine/index.ts";
import { syncPromptSetsFromFiles } from "../core/draft/prompt-set-store.ts";
import { prepareWorkspace } from "../core/draft/workspace-preparation.ts";
import { jobOptions } from "../core/jobs/contracts.ts";
import { createDispatcher, type JobTransport } from "../core/jobs/dispatch.ts";
import type { EventPublisher } from "../core/jobs/events.ts";
import { claimJobs, type Job } from "../core/jobs/job-store.ts";
import { runJob } from "../core/jobs/runner.ts";
import { createDatabaseTracer } from "../core/traces/trace-store.ts";
import { storeTranscript } from "../core/upload/recordings.ts";
import { parseTranscript } from "../core/upload/transcript-formats.ts";
import { openRuntime } from "../server/runtime.ts";
import { createBullTransport } from "../workers/bullmq-transport.ts";
import { createDatabaseEvents } from "../workers/database-events.ts";
import { agentRunHandler } from "../workers/processors/agent-run.ts";
import type { HandlerDependencies } from "../workers/processors/dependencies.ts";
import { createRedisPublisher } from "../workers/redis-events.ts";
import type { DatabaseKind } from "./support.ts";
import { benchRedisUrl, deleteRedisKeys, describeMachine, printTable, randomSuffix, roundMs, summarise, withBenchDatabase } from "./support.ts";

type Path = "postgres" | "bullmq" | "pglite";
const { values } = parseArgs({
  options: { only: { type: "string", default: "postgres,bullmq,pglite" }, calls: { type: "string", default: "10" }, statements: { type: "boolean", default: false } },
});
const paths = values.only.split(",").map((name) => name.trim()) as Path[];
const calls = Number(values.calls);
const embedder = createLocalEmbedder();
const kindOf = (route: Path): DatabaseKind => (route === "pglite" ? "pglite" : "postgres");
const transportOf = (route: Path) => (route === "bullmq" ? "BullMQ" : "embedded");

// Time inside the model's HTTP requests: from fetch called to the response body read (the body is
// read here, inside the measured span, and handed on as a fresh Response). Runs are sequential, so
// one counter serves.
let httpMs = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const started = performance.now();
  try {
    const response = await realFetch(input, init);
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } finally {
    httpMs += performance.now() - started;
  }
};

// SQL statements issued while a job is timed: how many, and the time waited for them, per statement.
let counting = false;
let statementCount = 0;
let statementMs = 0;
const statementStats = new Map<string, { count: number; ms: number }>();
/** Overheads by database, transport, utterances and agent. */
const byAgent = new Map<string, number[]>();
function record(sql: string, ms: number) {
  if (!counting) return;
  statementCount += 1;
  statementMs += ms;
  // The per-statement profile only when asked: normalising every statement's text costs CPU that would count as the job's.
  if (!values.statements) return;
  const label = sql.replace(/\s+/g, " ").trim().slice(0, 90);
  const entry = statementStats.get(label) ?? { count: 0, ms: 0 };
  entry.count += 1;
  entry.ms += ms;
  statementStats.set(label, entry);
}
function timed(queryable: Queryable): Queryable {
  return {
    async query(sql, params) {
      const started = performance.now();
      try {
        return await queryable.query(sql, params);
      } finally {
        record(sql, performance.now() - started);
      }
    },
    exec: (sql) => queryable.exec(sql),
  } as Queryable;
}
/** The database with every statement timed (transactions included: BEGIN and COMMIT count as statements). */
function instrument(db: Db): Db {
  const outer = timed(db);
  return {
    kind: db.kind,
    query: outer.query,
    exec: outer.exec,
    listen: (channel, onMessage) => db.listen(channel, onMessage),
    close: () => db.close(),
    async transaction(work) {
      const started = performance.now();
      let body = 0;
      try {
        return await db.transaction(async (transaction) => {
          record("BEGIN", 0);
          const bodyStarted = performance.now();
          try {
            return await work(timed(transaction));
          } finally {
            body = performance.now() - bodyStarted;
          }
        });
      } finally {
        // BEGIN + COMMIT: the transaction's time outside its statements.
        record("BEGIN … COMMIT (outside the statements)", performance.now() - started - body);
      }
    },
  } as Db;
}

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

/** The local model server in its own process. */
async function startModelServer(): Promise<{ baseUrl: string; apiKey: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve(import.meta.dirname, "helpers/model-server.ts")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { value: line } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  if (typeof line !== "string") throw new Error("the model server did not start");
  const address = JSON.parse(line) as { baseUrl: string; apiKey: string };
  return {
    ...address,
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

async function overhead(route: Path, model: { baseUrl: string; apiKey: string }) {
  return withBenchDatabase(kindOf(route), async (database) => {
    const db = instrument(database.db);
    const owner = await prepare(db);
    const prefix = `bench-agents-${randomSuffix()}`;
    const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: model.apiKey, LLM_CONCURRENCY: "8", QUEUE_PREFIX: prefix });
    // The stored connector, as `npm start` makes it from OPENAI_BASE_URL (its key sealed).
    const secrets = createSecretBox(randomBytes(32));
    await bootstrapConnectors({ db, secrets }, owner.workspaceId, config);
    const redis = route === "bullmq" ? new Redis(benchRedisUrl, { maxRetriesPerRequest: 2 }) : null;
    const limiter: ManagedLimiter = redis ? createRedisLimiter(redis, { prefix }) : createDatabaseLimiter(db);
    const tracer = createDatabaseTracer(db);
    const events: EventPublisher & { close(): Promise<void> } =
      route === "bullmq" ? createRedisPublisher(benchRedisUrl, prefix) : await createDatabaseEvents(db, { subscribe: false });
    const { createEmbeddedTransport } = await import("../workers/embedded-transport.ts");
    const transport: JobTransport & { close(): Promise<void> } =
      route === "bullmq" ? createBullTransport({ redisUrl: benchRedisUrl, prefix }) : createEmbeddedTransport(db);
    const dispatcher = createDispatcher({ db, transport, events });
    const handler = agentRunHandler({
      db,
      config,
      dispatcher,
      logger: pino({ level: "silent" }),
      agents: { registry: agentRegistry, embedder, connectors: createConnectorDirectory(db, secrets), limiter, tracer },
    } as unknown as HandlerDependencies);
    const workerId = `bench:${process.pid}`;

    /** The next agent-run job: claimed as the embedded worker claims it; on the BullMQ path BullMQ delivers it (not timed). */
    const nextJob = async (): Promise<Job | null> => {
      if (route !== "bullmq") return (await claimJobs(db, workerId, ["agent-run"], 1))[0] ?? null;
      const { rows } = await db.query<{ id: string; payload: Record<string, unknown>; attempts: number }>(
        "SELECT id, payload, attempts FROM jobs WHERE queue = 'agent-run' AND state = 'queued' ORDER BY created_at LIMIT 1",
      );
      return (rows[0] as Job | undefined) ?? null;
    };

    const rows = [];
    try {
      for (const utterances of [40, 400]) {
        const overheads: number[] = [];
        const cpu: number[] = [];
        const models: number[] = [];
        const statements: number[] = [];
        const statementTimes: number[] = [];
        // One warm-up call (LangChain's first import, prepared statements), then the measured ones.
        for (let call = 0; call <= calls; call++) {
          const recordingId = await newRecording(db, owner, utterances);
          const { jobs } = await startPipeline({ db, registry: agentRegistry }, recordingId, { jobId: randomUUID() });
          for (const job of jobs) await dispatcher.handOver(job);
          for (;;) {
            const timedClaim = route !== "bullmq";
            const startedWall = performance.now();
            const startedCpu = process.cpuUsage();
            const startedHttp = httpMs;
            counting = timedClaim && call > 0;
            const [startedCount, startedStatementMs] = [statementCount, statementMs];
            const job = await nextJob();
            counting = false;
            if (!job) break;
            counting = call > 0;
            const untimedClaimMs = timedClaim ? 0 : performance.now() - startedWall;
            const untimedClaimCpu = timedClaim ? null : process.cpuUsage(startedCpu);
            await runJob({ db, events }, "agent-run", job.payload, handler, {
              // The embedded claim starts the job (counts the attempt), as the embedded worker's does.
              attemptsMade: timedClaim ? job.attempts - 1 : job.attempts,
              attemptsAllowed: jobOptions["agent-run"].attempts,
              lockedBy: timedClaim ? workerId : null,
              started: timedClaim ? job : undefined,
            });
            const wallMs = performance.now() - startedWall - untimedClaimMs;
            const usage = process.cpuUsage(startedCpu);
            const cpuMs = (usage.user + usage.system - (untimedClaimCpu ? untimedClaimCpu.user + untimedClaimCpu.system : 0)) / 1000;
            const modelMs = httpMs - startedHttp;
            counting = false;
            if (call > 0) {
              // Which agent it was (read after the timing): the pipeline's agents do different work.
              const { rows: ran } = await db.query<{ agent: string }>("SELECT agent FROM agent_runs WHERE id = $1", [job.payload.agentRunId]);
              const key = `${kindOf(route)}\t${transportOf(route)}\t${utterances}\t${ran[0]?.agent}`;
              byAgent.set(key, [...(byAgent.get(key) ?? []), wallMs - modelMs]);
              statements.push(statementCount - startedCount);
              statementTimes.push(statementMs - startedStatementMs);
              overheads.push(wallMs - modelMs);
              cpu.push(cpuMs);
              models.push(modelMs);
            }
          }
          // Every run of the call must have succeeded, or the figures measure something else.
          const { rows: states } = await db.query<{ status: string }>("SELECT status FROM recordings WHERE id = $1", [recordingId]);
          if (states[0].status !== "ready") throw new Error(`the bench call ended ${states[0].status}, not ready`);
        }
        await tracer.flush();
        const summary = summarise(overheads);
        const cpuSummary = summarise(cpu);
        rows.push({
          database: kindOf(route),
          transport: transportOf(route),
          utterances,
          invocations: summary.n,
          "overhead p50 (ms)": summary["p50 ms"],
          "overhead p95 (ms)": summary["p95 ms"],
          "CPU p50 (ms)": cpuSummary["p50 ms"],
          "CPU p95 (ms)": cpuSummary["p95 ms"],
          "model HTTP p50 (ms)": summarise(models)["p50 ms"],
          "SQL statements p50": summarise(statements)["p50 ms"],
          "SQL wait p50 (ms)": summarise(statementTimes)["p50 ms"],
          target: "< 20 ms",
        });
      }
    } finally {
      await limiter.close();
      redis?.disconnect();
      await events.close();
      await transport.close();
      if (route === "bullmq") await deleteRedisKeys(prefix);
    }
    return rows;
  });
}

async function endToEnd(route: Path, model: { baseUrl: string; apiKey: string }) {
  return withBenchDatabase(kindOf(route), async ({ db }) => {
    const owner = await prepare(db);
    const prefix = `bench-agents-${randomSuffix()}`;
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: model.apiKey,
      LLM_CONCURRENCY: "8",
      WORKER_CONCURRENCY: "4",
      JOB_POLL_INTERVAL_MS: "250",
      DATA_DIR: `/tmp/calibrate-bench-agents-${randomUUID()}`,
      QUEUE_PREFIX: prefix,
      ...(route === "bullmq" ? { REDIS_URL: benchRedisUrl } : {}),
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
      if (route === "bullmq") await deleteRedisKeys(prefix);
    }
    // The first call pays LangChain's import and the first connections.
    const warm = summarise(times.slice(1));
    return {
      database: kindOf(route),
      transport: transportOf(route),
      utterances: 400,
      agents: agentRegistry.length,
      "cold (ms)": roundMs(times[0]),
      "warm p50 (ms)": warm["p50 ms"],
      "warm max (ms)": warm["max ms"],
    };
  });
}

console.log(`Agents benchmark. ${describeMachine()}`);
const server = await startModelServer();
const model = { baseUrl: server.baseUrl, apiKey: server.apiKey };
const overheadRows = [];
const endToEndRows = [];
try {
  for (const route of paths) {
    overheadRows.push(...(await overhead(route, model)));
    endToEndRows.push(await endToEnd(route, model));
  }
} finally {
  await server.close();
}
console.log(`Done. ${describeMachine()}`);
if (values.statements) {
  const invocations = overheadRows.reduce((total, row) => total + row.invocations, 0);
  printTable(
    `Where the SQL time of an agent-run job goes (all paths measured together, ${invocations} invocations; per invocation)`,
    [...statementStats]
      .sort(([, left], [, right]) => right.ms - left.ms)
      .slice(0, 40)
      .map(([statement, entry]) => ({ statement, "count / invocation": roundMs(entry.count / invocations), "ms / invocation": roundMs(entry.ms / invocations) })),
  );
}
printTable(
  "Orchestration overhead per agent invocation, excluding the model (a whole agent-run job: claim → stored items, trace written, next jobs handed over; minus time inside the model's HTTP requests)",
  overheadRows,
);
printTable(
  "The same overhead by agent (the intent tagger also embeds the call for its few-shot lookup and hands over the agents that wait for it)",
  [...byAgent].map(([key, overheads]) => {
    const [database, transport, utterances, agent] = key.split("\t");
    const summary = summarise(overheads);
    return { database, transport, utterances: Number(utterances), agent, invocations: summary.n, "p50 (ms)": summary["p50 ms"], "p95 (ms)": summary["p95 ms"] };
  }),
);
printTable("A 5-agent pipeline on a 400-utterance call, end to end (draft job enqueued → recording ready; real runtime and workers, local OpenAI-compatible server)", endToEndRows);
