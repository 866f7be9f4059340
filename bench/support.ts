/**
 * Shared helpers for benchmark files: latency summaries, timing, tables with a one-line caption,
 * and throw-away databases (a dedicated PostgreSQL database, or PGlite in memory) with the app's
 * migrations applied. Not a benchmark itself: `bench/main.ts` skips this file.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { Redis } from "ioredis";
import pg from "pg";
import type { Db } from "../core/db/database.ts";
import { connectPostgres, openPglite } from "../core/db/database.ts";
import { migrate } from "../core/db/migrate.ts";

export const benchDatabaseUrl =
  process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const benchRedisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export type DatabaseKind = "postgres" | "pglite";

/** Nearest-rank percentile; `fraction` in (0, 1]. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export interface LatencySummary {
  n: number;
  "p50 ms": number;
  "p95 ms": number;
  "p99 ms": number;
  "mean ms": number;
  "max ms": number;
}

/** Rounds to 0.01 ms below 10 ms and to 0.1 ms above, which is all the precision that means anything here. */
export function roundMs(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) < 10 ? Math.round(value * 100) / 100 : Math.round(value * 10) / 10;
}

export function summarise(values: readonly number[]): LatencySummary {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    n: values.length,
    "p50 ms": roundMs(percentile(values, 0.5)),
    "p95 ms": roundMs(percentile(values, 0.95)),
    "p99 ms": roundMs(percentile(values, 0.99)),
    "mean ms": roundMs(mean),
    "max ms": roundMs(Math.max(...values)),
  };
}

export async function time<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A table with one line above it that says what was measured and what the target is. */
export function printTable(caption: string, rows: readonly object[]): void {
  console.log(`\n${caption}`);
  console.table(rows);
}

/** Cores and load right now: the figures mean little without them on a shared machine. */
export function describeMachine(): string {
  const [one, five] = loadavg();
  return `${availableParallelism()} cores, load average ${one.toFixed(2)} (1 min) / ${five.toFixed(2)} (5 min)`;
}

export function randomSuffix(bytes = 5): string {
  return randomBytes(bytes).toString("hex");
}

export interface BenchDatabase {
  kind: DatabaseKind;
  db: Db;
  /** The connection string of the dedicated PostgreSQL database; null for PGlite. */
  url: string | null;
  drop(): Promise<void>;
}

/**
 * A migrated, throw-away database: `calibrate_bench_<random>` next to BENCH_DATABASE_URL (dropped
 * by `drop()`), or PGlite in memory. `settings` become database defaults on PostgreSQL (every pool
 * connection gets them) and session settings on PGlite (one connection).
 */
export async function createBenchDatabase(
  kind: DatabaseKind,
  options: { poolSize?: number; settings?: Record<string, string> } = {},
): Promise<BenchDatabase> {
  const settings = Object.entries(options.settings ?? {});
  if (kind === "pglite") {
    const db = await openPglite(null);
    try {
      await migrate(db);
      for (const [name, value] of settings) await db.exec(`SET ${name} = '${value}'`);
    } catch (error) {
      await db.close();
      throw error;
    }
    return { kind, db, url: null, drop: () => db.close() };
  }
  const name = `calibrate_bench_${randomSuffix()}`;
  await administer(`CREATE DATABASE ${name}`);
  const url = new URL(benchDatabaseUrl);
  url.pathname = `/${name}`;
  for (const [setting, value] of settings)
    await administer(`ALTER DATABASE ${name} SET ${setting} = '${value}'`);
  const db = connectPostgres(url.toString(), { poolSize: options.poolSize ?? 10 });
  const drop = async () => {
    await db.close();
    await administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    await migrate(db);
  } catch (error) {
    await drop();
    throw error;
  }
  return { kind, db, url: url.toString(), drop };
}

/** Runs one statement (CREATE/DROP DATABASE, ALTER DATABASE) on the server of `url`. */
export async function administer(sql: string, url = benchDatabaseUrl): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Databases still to drop if the run is interrupted (Ctrl-C), so no calibrate_bench_* is left behind.
const openDatabases = new Set<BenchDatabase>();
let dropOnInterrupt = false;

function dropOpenDatabasesOnInterrupt(): void {
  if (dropOnInterrupt) return;
  dropOnInterrupt = true;
  process.once("SIGINT", () => {
    console.error("\nInterrupted: dropping the benchmark databases…");
    void Promise.allSettled([...openDatabases].map((database) => database.drop())).then(() =>
      process.exit(130),
    );
  });
}

/** Runs `work` on a fresh database of the kind, and drops it afterwards whatever happens. */
export async function withBenchDatabase<T>(
  kind: DatabaseKind,
  work: (database: BenchDatabase) => Promise<T>,
  options?: Parameters<typeof createBenchDatabase>[1],
): Promise<T> {
  dropOpenDatabasesOnInterrupt();
  const database = await createBenchDatabase(kind, options);
  openDatabases.add(database);
  try {
    return await work(database);
  } finally {
    openDatabases.delete(database);
    await database.drop();
  }
}

/** Deletes every Redis key under `prefix:` (what a benchmark's queues left behind). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const client = new Redis(benchRedisUrl, { maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    for await (const keys of client.scanStream({
      match: `${prefix}:*`,
      count: 500,
    }) as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await client.unlink(...keys);
    }
  } finally {
    client.disconnect();
  }
  return deleted;
}
