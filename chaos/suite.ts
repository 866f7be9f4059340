/**
 * The fault suite: a deployment of real processes (PostgreSQL, Redis, one API server, two workers —
 * or `npm start` all-in-one on the embedded transport), a bounded load, one fault at a time, and
 * after each fault the invariants checked against the database and the blob store. `run.ts` runs the
 * whole list; `tests/chaos.test.ts` runs a short one in `npm test`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { startOpenAiTranscriptionServer } from "../tests/support/openai-transcription-server.ts";
import type { OpenAiTranscriptionServer } from "../tests/support/openai-transcription-server.ts";
import { segmentPerSpeechRegion } from "../tests/support/openai-transcription-server.ts";
import { checkInvariants, unsettled } from "./invariants.ts";
import type { Expectations } from "./invariants.ts";
import type { Client, Tally } from "./load.ts";
import { distinctWav, emptyTally, importBody, sendWithRetries, signIn, speechWav, uploadBody } from "./load.ts";
import type { AppProcess, PostgresCluster, RedisServer } from "./processes.ts";
import { addUser, appProcess, freePort, sleep, startPostgres, startRedis, waitFor } from "./processes.ts";

const password = "chaos-password-1234";

export interface FaultRow {
  fault: string;
  "requests sent": number;
  accepted: number;
  lost: number;
  duplicated: number;
  orphans: number;
  "5xx seen": number;
  "503 seen": number;
  "seconds to recover": number;
  sse: string;
}

export interface Deployment {
  transport: "bullmq" | "embedded";
  baseUrl: string;
  databaseUrl: string;
  storageDirectory: string;
  api: AppProcess;
  workers: AppProcess[];
  redis: RedisServer | null;
  postgres: PostgresCluster;
  rep: Client;
  admin: Client;
  expected: Expectations;
  sse: EventStreamMonitor;
  audio: Buffer;
  uploads: number;
  /** The processes that serve or work, whatever the topology. */
  all(): AppProcess[];
  stop(): Promise<void>;
}

interface Shared {
  workDirectory: string;
  postgres: PostgresCluster;
  transcription: OpenAiTranscriptionServer;
  audio: Buffer;
}

/** The pieces every deployment of a run shares: one PostgreSQL cluster, the transcriber, the audio. */
export async function startShared(workDirectory: string, options: { transcriptionDelayMs: number; audioSeconds: number }): Promise<Shared & { stop(): Promise<void> }> {
  const postgres = await startPostgres(workDirectory);
  const respond = segmentPerSpeechRegion("could you send me the price list by friday");
  // A real transcriber takes a while; the delay is the window in which a worker is killed mid-transcription.
  const transcription = await startOpenAiTranscriptionServer({
    responder: async (request) => {
      await sleep(options.transcriptionDelayMs);
      return respond(request);
    },
  });
  const audio = speechWav(workDirectory, options.audioSeconds);
  return {
    workDirectory,
    postgres,
    transcription,
    audio,
    async stop() {
      await transcription.close();
      postgres.stop();
    },
  };
}

/**
 * A fresh database and storage directory, an admin and a rep created with `npm run user:add`, and
 * the processes: `bullmq` = Redis + `npm run server` + two `npm run worker`; `embedded` = `npm start`.
 */
export async function deploy(shared: Shared, transport: "bullmq" | "embedded"): Promise<Deployment> {
  const name = `calibrate_chaos_${transport}`;
  await shared.postgres.createDatabase(name);
  const databaseUrl = shared.postgres.url(name);
  const directory = path.join(shared.workDirectory, transport);
  const storageDirectory = path.join(directory, "storage");
  const redis = transport === "bullmq" ? await startRedis() : null;
  const port = await freePort();
  const environment: Record<string, string> = {
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DATA_DIR: directory,
    STORAGE_DIR: storageDirectory,
    REDIS_URL: redis?.url ?? "",
    TRANSCRIBER: "openai",
    TRANSCRIPTION_BASE_URL: shared.transcription.baseUrl,
    TRANSCRIPTION_API_KEY: "chaos",
    OPENAI_BASE_URL: "",
    WORKER_CONCURRENCY: "2",
    // Faster than the production defaults, so a run takes minutes: a killed worker's jobs go back
    // after 5 s of silence, and the reconciler looks for jobs Redis lost every 2 s.
    JOB_STALLED_AFTER_MS: "5000",
    RECONCILE_INTERVAL_MS: "2000",
    RECONCILE_GRACE_MS: "3000",
    JOB_POLL_INTERVAL_MS: "1000",
    LOGIN_RATE_LIMIT_PER_15_MINUTES: "1000",
    // What a killed upload leaves behind is swept after 10 s instead of 15 minutes.
    UPLOAD_ABANDONED_AFTER_MS: "10000",
  };
  mkdirSync(directory, { recursive: true });
  for (const [role, email] of [["admin", "admin@chaos.test"], ["rep", "rep@chaos.test"]]) addUser(environment, { role, email, password });
  const baseUrl = `http://127.0.0.1:${port}`;
  const logs = { logDirectory: directory };
  const api = transport === "bullmq"
    ? appProcess("api", "server/main.ts", environment, { ...logs, healthUrl: `${baseUrl}/healthz` })
    : appProcess("all-in-one", "server/start.ts", environment, { ...logs, healthUrl: `${baseUrl}/healthz` });
  const workers = transport === "bullmq" ? [1, 2].map((index) => appProcess(`worker-${index}`, "workers/main.ts", environment, logs)) : [];
  await Promise.all([api.start(), ...workers.map((worker) => worker.start())]);
  const rep = await signIn(baseUrl, "rep@chaos.test", password);
  const admin = await signIn(baseUrl, "admin@chaos.test", password);
  const sse = watchEvents({ ...rep });
  return {
    transport,
    baseUrl,
    databaseUrl,
    storageDirectory,
    api,
    workers,
    redis,
    postgres: shared.postgres,
    rep,
    admin,
    expected: { recordingIds: new Set(), decisionIds: new Set() },
    sse,
    audio: shared.audio,
    uploads: 0,
    all: () => [api, ...workers],
    async stop() {
      sse.stop();
      await Promise.all([api, ...workers].map((process_) => process_.terminate(30_000)));
      await redis?.stop();
    },
  };
}

/** An SSE client that behaves like the browser's EventSource: it reconnects after the `retry:` hint. */
export interface EventStreamMonitor {
  connections: number;
  events: number;
  lastEventAt: number;
  connected: boolean;
  stop(): void;
}

function watchEvents(client: Client): EventStreamMonitor {
  const controller = new AbortController();
  const monitor: EventStreamMonitor = { connections: 0, events: 0, lastEventAt: 0, connected: false, stop: () => controller.abort() };
  void (async () => {
    while (!controller.signal.aborted) {
      let retryMs = 3000;
      try {
        const response = await fetch(`${client.baseUrl}/api/events`, { headers: { cookie: client.cookie ?? "" }, signal: controller.signal });
        if (response.status !== 200 || !response.body) throw new Error(`SSE answered ${response.status}`);
        const decoder = new TextDecoder();
        let buffer = "";
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const retry = /^retry: (\d+)/m.exec(message);
            if (retry) retryMs = Number(retry[1]);
            if (message.includes(": connected")) {
              monitor.connections += 1;
              monitor.connected = true;
            }
            if (message.startsWith("event: job")) {
              monitor.events += 1;
              monitor.lastEventAt = Date.now();
            }
          }
        }
      } catch {
        // reconnect below, as EventSource does
      }
      monitor.connected = false;
      if (!controller.signal.aborted) await sleep(retryMs);
    }
  })();
  return monitor;
}

/** The load of one phase: `uploads` audio files, `imports` transcripts, `decisions` review decisions. */
export interface LoadSpec {
  uploads: number;
  imports: number;
  decisions: number;
  utterances: number;
  /** Upload speed, bytes per 20 ms (slow enough that a kill lands mid-upload). */
  uploadBytesPerTick: number;
}

async function driveLoad(deployment: Deployment, spec: LoadSpec, tally: Tally, deadline: number): Promise<void> {
  const record = (answer: { status: number; json: any } | null) => {
    if (answer && (answer.status === 201 || answer.status === 200) && answer.json?.recording?.id) deployment.expected.recordingIds.add(answer.json.recording.id);
  };
  const uploads = Array.from({ length: spec.uploads }, async (_, index) => {
    await sleep(index * 150);
    const number = deployment.uploads++;
    const wav = distinctWav(deployment.audio, number);
    record(await sendWithRetries(deployment.rep, tally, "POST", "/api/recordings", uploadBody(wav, `call-${number}`, spec.uploadBytesPerTick), deadline));
  });
  const imports = Array.from({ length: spec.imports }, async (_, index) => {
    await sleep(index * 100);
    const number = deployment.uploads++;
    record(await sendWithRetries(deployment.rep, tally, "POST", "/api/recordings/import", importBody(`import-${number}`, spec.utterances), deadline));
  });
  const decisions = (async () => {
    let made = 0;
    while (made < spec.decisions && Date.now() < deadline) {
      const claimed = await sendWithRetries(deployment.admin, tally, "POST", "/api/review/claim", { kind: "json", value: { count: Math.min(5, spec.decisions - made), leaseSeconds: 60 } }, deadline);
      const items: Array<{ id: string; revision: number }> = claimed?.json?.items ?? [];
      if (items.length === 0) {
        await sleep(500);
        continue;
      }
      for (const item of items) {
        const answer = await sendWithRetries(deployment.admin, tally, "POST", `/api/review/items/${item.id}/decisions`, {
          kind: "json",
          value: { action: "accept", revision: item.revision, shownAt: new Date(Date.now() - 1500).toISOString() },
        }, deadline);
        if (answer?.status === 201) deployment.expected.decisionIds.add(answer.json.decisionId);
        made += 1;
      }
    }
  })();
  await Promise.all([...uploads, ...imports, decisions]);
}

export interface Fault {
  name: string;
  load: LoadSpec;
  /**
   * Injects the fault while the load runs and resolves when it is over (the process restarted, the
   * dependency back): recovery is measured from then.
   */
  inject(deployment: Deployment): Promise<void>;
}

/** Runs one fault: load + injection, then waits until everything settles and checks the invariants. */
export async function runFault(deployment: Deployment, fault: Fault, options: { settleTimeoutMs?: number } = {}): Promise<{ row: FaultRow; problems: string[]; notes: string[] }> {
  const tally = emptyTally();
  const deadline = Date.now() + 90_000;
  const eventsBefore = deployment.sse.events;
  const load = driveLoad(deployment, fault.load, tally, deadline);
  const injectionProblems: string[] = [];
  await fault.inject(deployment).catch((error: unknown) => {
    injectionProblems.push(`the fault could not be injected as planned: ${error instanceof Error ? error.message : String(error)}`);
  });
  const faultOverAt = Date.now();
  await load;
  const settleTimeoutMs = options.settleTimeoutMs ?? 120_000;
  let recoveredAt = Number.NaN;
  try {
    await waitFor(`the work of "${fault.name}" to settle`, async () => {
      const health = await fetch(`${deployment.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (health.status !== 200) return false;
      return (await unsettled(deployment.databaseUrl, deployment.storageDirectory, deployment.expected.recordingIds)) === 0;
    }, settleTimeoutMs, 250);
    recoveredAt = Date.now();
  } catch {
    // reported through the invariants below (recordings not final, jobs unfinished)
  }
  // Let the SSE client reconnect if the fault dropped it (EventSource waits for the retry hint).
  await waitFor("the SSE stream to be connected", () => deployment.sse.connected, 10_000).catch(() => {});
  const report = await checkInvariants(deployment.databaseUrl, deployment.storageDirectory, deployment.expected);
  const sse = !deployment.sse.connected ? "disconnected" : deployment.sse.events > eventsBefore ? "ok" : "no events";
  return {
    row: {
      fault: fault.name,
      "requests sent": tally.sent,
      accepted: tally.accepted,
      lost: report.lost,
      duplicated: report.duplicated,
      orphans: report.orphans,
      "5xx seen": tally.serverErrors,
      "503 seen": tally.unavailable,
      "seconds to recover": Number.isNaN(recoveredAt) ? Number.NaN : Math.round((recoveredAt - faultOverAt) / 100) / 10,
      sse,
    },
    problems: [...injectionProblems, ...report.problems],
    notes: [...tally.notes, ...(tally.unanswered ? [`${tally.unanswered} request(s) never answered`] : []), ...(tally.refused ? [`${tally.refused} request(s) refused with 4xx`] : [])],
  };
}

// ── the faults ────────────────────────────────────────────────────────────────────────────────

async function activeJobs(deployment: Deployment, queue: string): Promise<number> {
  const client = new pg.Client({ connectionString: deployment.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>("SELECT count(*)::int AS count FROM jobs WHERE queue = $1 AND state = 'active'", [queue]);
    return rows[0].count;
  } finally {
    await client.end();
  }
}

/**
 * The process running an active job of `queue`, if any: on the embedded transport the job row's lock
 * names the worker (`job_workers.pid`); on BullMQ the job's hash in Redis names it (`pb`, the worker
 * name, `calibrate-<pid>`).
 */
async function processRunning(deployment: Deployment, queue: string): Promise<AppProcess | null> {
  const client = new pg.Client({ connectionString: deployment.databaseUrl });
  await client.connect();
  let pids: number[];
  try {
    if (!deployment.redis) {
      const { rows } = await client.query<{ pid: number }>(
        "SELECT w.pid FROM jobs j JOIN job_workers w ON w.id = j.locked_by WHERE j.queue = $1 AND j.state = 'active'",
        [queue],
      );
      pids = rows.map((row) => row.pid);
    } else {
      const { rows } = await client.query<{ id: string }>("SELECT id FROM jobs WHERE queue = $1 AND state = 'active'", [queue]);
      pids = rows.map((row) => {
        const name = spawnSync("redis-cli", ["-p", String(deployment.redis!.port), "HGET", `calibrate:${queue}:${row.id}`, "pb"], { encoding: "utf8" }).stdout.trim();
        return Number(/^calibrate-(\d+)$/.exec(name)?.[1] ?? -1);
      });
    }
  } finally {
    await client.end();
  }
  return deployment.all().find((process_) => pids.includes(process_.pid)) ?? null;
}

/** kill -9 the process that runs a job of `queue` (a worker, or the all-in-one process), then start it again. */
function killWorkerDuring(queue: "transcribe" | "draft", label: string): Fault {
  return {
    name: label,
    load: queue === "transcribe"
      ? { uploads: 6, imports: 2, decisions: 10, utterances: 120, uploadBytesPerTick: 256 * 1024 }
      : { uploads: 1, imports: 8, decisions: 10, utterances: 400, uploadBytesPerTick: 256 * 1024 },
    async inject(deployment) {
      let victim: AppProcess | null = null;
      await waitFor(`a ${queue} job to be running`, async () => (victim = await processRunning(deployment, queue)) !== null, 60_000, 50);
      await victim!.kill();
      await sleep(1000);
      await victim!.start();
    },
  };
}

export const faults = {
  killWorkerMidTranscription: killWorkerDuring("transcribe", "kill -9 worker mid-transcription"),
  killWorkerMidDraft: killWorkerDuring("draft", "kill -9 worker mid-draft"),
  killApiMidUpload: {
    name: "kill -9 API mid-upload",
    // 64 KB per 20 ms: each upload takes about half a second to arrive.
    load: { uploads: 6, imports: 2, decisions: 10, utterances: 60, uploadBytesPerTick: 64 * 1024 },
    async inject(deployment) {
      await sleep(600);
      await deployment.api.kill();
      await sleep(1000);
      await deployment.api.start();
    },
  } satisfies Fault,
  flushRedis: {
    name: "FLUSHALL + restart Redis",
    load: { uploads: 4, imports: 6, decisions: 10, utterances: 120, uploadBytesPerTick: 256 * 1024 },
    async inject(deployment) {
      if (!deployment.redis) throw new Error("no Redis in this deployment");
      await waitFor("jobs in flight", async () => (await activeJobs(deployment, "transcribe")) + (await activeJobs(deployment, "draft")) > 0, 60_000, 50);
      const flushed = spawnSync("redis-cli", ["-p", String(deployment.redis.port), "FLUSHALL"], { encoding: "utf8" });
      if (flushed.stdout.trim() !== "OK") throw new Error(`FLUSHALL: ${flushed.stdout}${flushed.stderr}`);
      await sleep(500);
      await deployment.redis.restart();
    },
  } satisfies Fault,
  restartPostgres: (label: string): Fault => ({
    name: label,
    load: { uploads: 4, imports: 6, decisions: 10, utterances: 120, uploadBytesPerTick: 128 * 1024 },
    async inject(deployment) {
      await sleep(800);
      deployment.postgres.restart();
    },
  }),
  gracefulStop: {
    name: "SIGTERM everything, start again",
    load: { uploads: 4, imports: 4, decisions: 10, utterances: 120, uploadBytesPerTick: 256 * 1024 },
    async inject(deployment) {
      await waitFor("jobs in flight", async () => (await activeJobs(deployment, "transcribe")) + (await activeJobs(deployment, "draft")) > 0, 60_000, 50);
      const exits = await Promise.all(deployment.all().map(async (process_) => ({ name: process_.name, ...(await process_.terminate(60_000)) })));
      await Promise.all(deployment.all().map((process_) => process_.start()));
      const bad = exits.filter((exit) => exit.code !== 0 || exit.forced);
      if (bad.length > 0) throw new Error(`not every process stopped by itself with code 0: ${JSON.stringify(bad)}`);
    },
  } satisfies Fault,
  killAllInOne: {
    name: "kill -9 npm start mid-work (embedded)",
    load: { uploads: 6, imports: 6, decisions: 10, utterances: 200, uploadBytesPerTick: 128 * 1024 },
    async inject(deployment) {
      await waitFor("jobs in flight", async () => (await activeJobs(deployment, "transcribe")) + (await activeJobs(deployment, "draft")) > 0, 60_000, 50);
      await deployment.api.kill();
      await sleep(1000);
      await deployment.api.start();
    },
  } satisfies Fault,
};
