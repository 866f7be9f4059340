/**
 * Real processes for the fault suite: a throw-away PostgreSQL 15 cluster (initdb + pg_ctl, run as the
 * `postgres` OS user when we are root), a Redis of our own, and Calibrate's entry points (`npm run
 * server`, `npm run worker`, `npm start`) as child processes we can kill -9 and start again.
 *
 * The app processes are started as `node --import tsx <entry>`, which is what the npm scripts run,
 * without npm and tsx's own parent process in between: a SIGKILL then hits the process that holds
 * the connections and the jobs, not a wrapper that would leave it running as an orphan.
 */
import { sleep } from "../core/sleep.ts";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

export const repositoryRoot = path.resolve(import.meta.dirname, "..");
const postgresBin = process.env.CHAOS_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

/** What is missing for the fault suite to run on this machine; empty when everything is there. */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (!existsSync(path.join(postgresBin, "initdb"))) missing.push(`${postgresBin}/initdb (PostgreSQL 15 server)`);
  if (spawnSync("redis-server", ["--version"]).status !== 0) missing.push("redis-server");
  if (spawnSync("espeak-ng", ["--version"]).status !== 0) missing.push("espeak-ng");
  if (spawnSync("sox", ["--version"]).status !== 0) missing.push("sox");
  if (userInfo().uid === 0 && spawnSync("id", ["postgres"]).status !== 0) missing.push("a `postgres` OS user (PostgreSQL refuses to run as root)");
  return missing;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export { sleep };

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A temporary directory for the whole run; removed by `remove()`. */
export function createWorkDirectory(): { path: string; remove(): void } {
  const directory = mkdtempSync(path.join(tmpdir(), "calibrate-chaos-"));
  return { path: directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

function asPostgresUser(command: string, args: string[]): { status: number | null; output: string } {
  const [file, fileArgs] = userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(file, fileArgs, { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

export interface PostgresCluster {
  port: number;
  /** postgres://… of a database in this cluster (created on demand). */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** `pg_ctl restart -m fast`: every connection is terminated (57P01), the server comes back. */
  restart(): void;
  stop(): void;
}

export async function startPostgres(workDirectory: string): Promise<PostgresCluster> {
  const root = path.join(workDirectory, "postgres");
  const data = path.join(root, "data");
  mkdirSync(root, { recursive: true });
  if (userInfo().uid === 0) {
    const { uid, gid } = postgresIds();
    chownSync(root, uid, gid);
    // The work directory is private to root; postgres needs to reach its own folder inside it.
    chmodSync(workDirectory, 0o711);
  }
  const port = await freePort();
  const run = (command: string, args: string[]) => {
    const result = asPostgresUser(path.join(postgresBin, command), args);
    if (result.status !== 0) throw new Error(`${command} failed:\n${result.output}\n${readLog(root)}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"]);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = (...args: string[]) => run("pg_ctl", ["-D", data, "-l", path.join(root, "server.log"), "-o", options, "-w", "-t", "60", ...args]);
  pgCtl("start");
  const cluster: PostgresCluster = {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: cluster.url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const database = new pg.Client({ connectionString: cluster.url(name) });
      await database.connect();
      try {
        await database.query("CREATE EXTENSION IF NOT EXISTS vector");
      } finally {
        await database.end();
      }
    },
    restart: () => pgCtl("restart", "-m", "fast"),
    stop: () => {
      if (existsSync(path.join(data, "postmaster.pid"))) pgCtl("stop", "-m", "immediate");
    },
  };
  return cluster;
}

function postgresIds(): { uid: number; gid: number } {
  const read = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: read("-u"), gid: read("-g") };
}

function readLog(root: string): string {
  try {
    return readFileSync(path.join(root, "server.log"), "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "";
  }
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stops it (SIGTERM, nothing saved) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitFor(`redis-server on port ${port}`, () => spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG", 10_000);
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stop();
      await start();
    },
    stop,
  };
}

export interface AppProcess {
  name: string;
  readonly pid: number;
  /** kill -9, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code (null: killed by a signal). Forced with SIGKILL after `timeoutMs`. */
  terminate(timeoutMs?: number): Promise<{ code: number | null; forced: boolean }>;
  /** Starts it again with the same environment. */
  start(): Promise<void>;
  logFile: string;
}

/**
 * One Calibrate process: `entry` is `server/main.ts` (npm run server), `workers/main.ts` (npm run
 * worker) or `server/start.ts` (npm start). Ready when /healthz answers (API) or when the worker logs
 * that it started.
 */
export function appProcess(name: string, entry: string, environment: Record<string, string>, options: { logDirectory: string; healthUrl?: string }): AppProcess {
  let child: ChildProcess | null = null;
  const logFile = path.join(options.logDirectory, `${name}.log`);
  const process_: AppProcess = {
    name,
    logFile,
    get pid() {
      return child?.pid ?? -1;
    },
    async start() {
      const log = openSync(logFile, "a");
      child = spawn(process.execPath, ["--import", "tsx", entry], {
        cwd: repositoryRoot,
        env: { ...process.env, ...environment },
        stdio: ["ignore", log, log],
      });
      const current = child;
      const marker = `"pid":${current.pid}`;
      await waitFor(`${name} to start (see ${logFile})`, async () => {
        if (current.exitCode !== null) throw new Error(`${name} exited with ${current.exitCode}; see ${logFile}`);
        if (options.healthUrl) {
          const response = await fetch(options.healthUrl, { signal: AbortSignal.timeout(2000) });
          return response.status === 200;
        }
        const text = readFileSync(logFile, "utf8");
        return text.split("\n").some((line) => line.includes(marker) && line.includes("Worker started"));
      }, 60_000, 200);
    },
    async kill() {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once("exit", resolve));
      current.kill("SIGKILL");
      await exited;
    },
    async terminate(timeoutMs = 60_000) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return { code: current?.exitCode ?? null, forced: false };
      const exited = new Promise<number | null>((resolve) => current.once("exit", (code) => resolve(code)));
      current.kill("SIGTERM");
      const timer = setTimeout(() => current.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, forced: current.signalCode === "SIGKILL" };
    },
  };
  return process_;
}

/** `npm run user:add` against the deployment's environment (database, data directory). */
export function addUser(environment: Record<string, string>, user: { role: string; email: string; password: string }): void {
  const result = spawnSync(process.execPath, ["--import", "tsx", "server/cli/user-add.ts", "--role", user.role, "--email", user.email, "--password", user.password, "--locale", "en"], {
    cwd: repositoryRoot,
    env: { ...process.env, ...environment },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`user:add failed: ${result.stderr}${result.stdout}`);
}
