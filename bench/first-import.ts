/**
 * Issue 10's first-import figure, tried as a newcomer would: `npm start` (a real child process,
 * `server/start.ts`, with whatever job transport the runtime uses) on a fresh data directory, the
 * first admin created through the setup token, then a 3-utterance transcript imported through
 * `POST /api/recordings/import` until the recording is "ready" with its drafts (target < 3 s).
 * A second import shows the steady state, and a restart on the same data directory the start-up
 * of a workspace that already exists.
 *
 * Stages come from the server's own log lines (pino, `time` in epoch ms on the same clock): the
 * start-up milestones `server/start.ts` logs once listening, and the per-stage `timings` the draft
 * job logs with "Draft ready". "queue and job bookkeeping" is what is left between the import's
 * response and the stored draft: the transport's latency, claiming the job row, status writes.
 *
 *   npx tsx bench/first-import.ts [--runs=1]
 *
 * PGlite always; PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (an empty
 * `calibrate_bench_<random>` database is created next to it and dropped). Redis: the runtime's
 * REDIS_URL, under a random QUEUE_PREFIX, while the runtime still needs it.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { administer, deleteRedisKeys, describeMachine, printTable, randomSuffix, roundMs } from "./support.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" } } });
const runs = Math.max(1, Number(values.runs));
const root = path.resolve(import.meta.dirname, "..");
const tsxLoader = import.meta.resolve("tsx");
const password = "first import benchmark";

/** Three utterances; `call` makes each import's content (and so its SHA-256) its own. */
const threeUtterances = (call: string) =>
  [
    `Agent: 您好，我是云帆软件的小王，今天想聊聊${call}。`,
    "Customer: 价格有点高，超出我们今年的预算了。",
    "Agent: I'll send the comparison sheet and a quote by Friday.",
  ].join("\n");

interface LogLine {
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** A running `npm start`: its log lines as they arrive, and the setup token it printed. */
interface Server {
  child: ChildProcess;
  spawnedAt: number;
  baseUrl: string;
  logs: LogLine[];
  setupToken: string | null;
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(environment: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ["--import", tsxLoader, "server/start.ts"], {
    cwd: root,
    env: { ...process.env, ...environment, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server: Server = {
    child,
    spawnedAt,
    baseUrl: `http://127.0.0.1:${port}`,
    logs: [],
    setupToken: null,
    async waitFor(predicate, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = server.logs.find(predicate);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${stderr.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for a log line:\n${stderr.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
  let pending = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  child.stdout!.on("data", (chunk) => {
    pending += String(chunk);
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const token = /setup\?token=(\S+)/.exec(line);
      if (token) server.setupToken = token[1];
      if (line.startsWith("{")) server.logs.push(JSON.parse(line) as LogLine);
    }
  });
  return server;
}

async function request(server: Server, method: string, route: string, options: { body?: unknown; form?: FormData; session?: Session } = {}) {
  const headers: Record<string, string> = {};
  if (options.session) Object.assign(headers, { cookie: options.session.cookie, "x-csrf-token": options.session.csrfToken });
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.baseUrl}${route}`, {
    method,
    headers,
    body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const body = (await response.json().catch(() => null)) as any;
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(body)}`);
  return { response, body };
}

interface Session {
  cookie: string;
  csrfToken: string;
}

async function createAdminAndSignIn(server: Server): Promise<Session> {
  // The token is printed right after the "running" log line, maybe in a later chunk.
  for (let waited = 0; !server.setupToken && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!server.setupToken) throw new Error("npm start printed no setup token: the database is not fresh.");
  await request(server, "POST", "/api/setup", { body: { token: server.setupToken, email: "admin@example.com", password } });
  const { response, body } = await request(server, "POST", "/api/auth/sign-in", { body: { email: "admin@example.com", password } });
  return { cookie: response.headers.get("set-cookie")!.split(";")[0], csrfToken: body.csrfToken };
}

/** Imports the 3-utterance call and follows it to "ready"; returns the stages in ms. */
async function importUntilReady(server: Server, session: Session, name: string): Promise<Record<string, number>> {
  const form = new FormData();
  form.append("customerStage", "discovery");
  form.append("consent", "true");
  form.append("file", new Blob([threeUtterances(name)], { type: "text/plain" }), name);
  const started = Date.now();
  const { body } = await request(server, "POST", "/api/recordings/import", { form, session });
  const answered = Date.now();
  const id: string = body.recording.id;
  let status = body.recording.status as string;
  while (status !== "ready") {
    if (status === "failed") throw new Error(`the import failed: ${JSON.stringify(body)}`);
    if (Date.now() - started > 120_000) throw new Error("the import did not become ready within 2 minutes");
    await new Promise((resolve) => setTimeout(resolve, 10));
    status = (await request(server, "GET", `/api/recordings/${id}`, { session })).body.recording.status;
  }
  const ready = Date.now();
  const drafted = await server.waitFor((line) => line.msg === "Draft ready" && line.recordingId === id, 5_000);
  // Older servers log no timings: their rows read NaN.
  const timings = (drafted.timings ?? {}) as Record<string, number>;
  const draftTotal = (timings.loadMs ?? Number.NaN) + (timings.draftMs ?? 0) + (timings.storeMs ?? 0);
  const items = (await request(server, "GET", `/api/recordings/${id}/draft`, { session })).body;
  const itemCount = Array.isArray(items?.draft?.items) ? items.draft.items.length : Number.NaN;
  return {
    "import request (HTTP 201)": answered - started,
    "queue and job bookkeeping": drafted.time - draftTotal - answered,
    "draft: load the call": timings.loadMs,
    "draft: intent model (waits for the start-up training)": timings.modelMs ?? Number.NaN,
    "draft: intents + action items": timings.intentsAndActionsMs ?? Number.NaN,
    "draft: talk tracks (pgvector)": timings.talkTracksMs ?? Number.NaN,
    "draft: store": timings.storeMs,
    "seen ready by a 10 ms poll": ready - drafted.time,
    "import → ready": ready - started,
    "drafted items": itemCount,
  };
}

/** Start-up stages of one `npm start`, from the milestones it logs once listening. */
function startupStages(server: Server, listening: LogLine): Record<string, number> {
  const startup = listening.startup as Record<string, number>;
  // performance.now() in the child counts from its own start, a few ms after spawn().
  const processOrigin = listening.time - startup.listeningMs;
  const migrated = server.logs.find((line) => line.msg === "Database migrated")?.time;
  return {
    "node + tsx + modules": startup.modulesLoadedMs + (processOrigin - server.spawnedAt),
    "web UI build (first start only)": startup.webReadyMs - startup.modulesLoadedMs,
    "open database (fresh PGlite: initdb)": startup.databaseOpenMs - startup.webReadyMs,
    "runtime: migrations (when any)": migrated === undefined ? 0 : migrated - (processOrigin + startup.databaseOpenMs),
    "runtime: workspace, transport, workers": processOrigin + startup.runtimeReadyMs - (migrated ?? processOrigin + startup.databaseOpenMs),
    "app + listen": startup.listeningMs - startup.runtimeReadyMs,
    "start → listening": listening.time - server.spawnedAt,
  };
}

interface Target {
  kind: "pglite" | "postgres";
  environment: Record<string, string>;
  drop(): Promise<void>;
}

async function freshTarget(kind: "pglite" | "postgres"): Promise<Target> {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-first-import-"));
  const environment: Record<string, string> = { DATA_DIR: dataDirectory, QUEUE_PREFIX: `bench-first-import-${randomSuffix()}` };
  const removeDirectory = async () => {
    fs.rmSync(dataDirectory, { recursive: true, force: true });
    // Whatever the BullMQ transport left under this run's prefix (nothing once jobs run without Redis).
    await deleteRedisKeys(environment.QUEUE_PREFIX).catch(() => 0);
  };
  if (kind === "pglite") return { kind, environment, drop: removeDirectory };
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL!;
  const name = `calibrate_bench_${randomSuffix()}`;
  // Created empty: the server migrates it at start, as on a newcomer's fresh database.
  await administer(`CREATE DATABASE ${name}`, adminUrl);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  environment.DATABASE_URL = url.toString();
  return {
    kind,
    environment,
    drop: async () => {
      await removeDirectory();
      await administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, adminUrl);
    },
  };
}

async function measure(kind: "pglite" | "postgres") {
  const target = await freshTarget(kind);
  try {
    const first = await startServer(target.environment);
    let firstStart: Record<string, number>;
    let imports: Array<Record<string, number>>;
    try {
      firstStart = startupStages(first, await first.waitFor((line) => line.msg === "Calibrate is running"));
      const session = await createAdminAndSignIn(first);
      imports = [await importUntilReady(first, session, "first-call.txt"), await importUntilReady(first, session, "second-call.txt")];
    } finally {
      await first.stop();
    }
    const again = await startServer(target.environment);
    let restart: Record<string, number>;
    try {
      restart = startupStages(again, await again.waitFor((line) => line.msg === "Calibrate is running"));
    } finally {
      await again.stop();
    }
    return { firstStart, restart, imports };
  } finally {
    await target.drop();
  }
}

function table(rows: Array<Record<string, number>>, labels: string[]): Array<Record<string, string | number>> {
  return Object.keys(rows[0]).map((stage) => Object.fromEntries([["stage", stage], ...rows.map((row, index) => [labels[index], roundMs(row[stage])])]));
}

const kinds: Array<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL || process.env.BENCH_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
console.log(`first-import · ${describeMachine()} · ${kinds.join(" + ")} · ${runs} run(s) each`);
for (const kind of kinds) {
  for (let run = 1; run <= runs; run++) {
    const result = await measure(kind);
    const label = `${kind}${runs > 1 ? ` run ${run}` : ""}`;
    printTable(`${label}: npm start, ms per stage (fresh database, then a restart on the same data)`, table([result.firstStart, result.restart], ["fresh ms", "restart ms"]));
    printTable(`${label}: 3-utterance import → "ready" with drafts, ms per stage (target: import → ready < 3000)`, table(result.imports, ["first import ms", "second import ms"]));
  }
}
