/**
 * The one database interface the whole core depends on: PostgreSQL through `pg` when a URL is
 * given, PGlite (Postgres in WebAssembly, with pgvector) embedded in the process otherwise.
 * Both speak the same SQL, and the same migrations run on both.
 */
import fs from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import pg from "pg";
import { TransientError } from "../errors.ts";
import { processIsAlive, readLockOwner, removeLockOwner, writeLockOwner } from "./process-files.ts";

/** The database cannot be reached or dropped the connection: the request may be retried shortly. */
export class DatabaseUnavailableError extends TransientError {
  override readonly code = "database_unavailable";
}

// SQLSTATE classes and codes that mean "the server or the connection", not "your query":
// 08 connection exception, 57P01-03 admin/crash shutdown and "cannot connect now", 53300 too many
// connections; and the socket-level errors the driver passes through.
const connectionErrorCodes = new Set(["57P01", "57P02", "57P03", "53300", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
const connectionErrorMessages = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection refused|connect ECONNREFUSED|the database system is (starting up|shutting down)/i;

export function isConnectionError(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (connectionErrorCodes.has(code) || code.startsWith("08"))) return true;
  const message = error instanceof Error ? error.message : "";
  return connectionErrorMessages.test(message);
}

function asDatabaseError(error: unknown): unknown {
  if (!isConnectionError(error) || error instanceof DatabaseUnavailableError) return error;
  return new DatabaseUnavailableError(
    "The database is unreachable at the moment; try again in a few seconds.",
    undefined,
    { cause: error },
  );
}

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type Unlisten = () => Promise<void>;

export interface Db extends Queryable {
  readonly kind: "postgres" | "pglite";
  /**
   * Calls `onMessage` with the payload of every `NOTIFY channel` (from any process on PostgreSQL).
   * On PostgreSQL the listening connection reconnects by itself after a drop; `onMessage` is then
   * called with `null`, because notifications sent meanwhile were missed.
   */
  listen(channel: string, onMessage: (payload: string | null) => void): Promise<Unlisten>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * HNSW candidate list size for vector searches. pgvector's default (40) left recall@10 at 0.91–0.95
 * on 100k × 384 clustered vectors, with some queries stuck in the wrong cluster; 100 gave 0.97–0.997
 * at no measurable cost in latency (bench/foundation.ts).
 */
export const hnswEfSearch = 100;

/**
 * pgvector's iterative index scans (0.8+): when the filter (workspace, source, approval, stage,
 * moment) drops most of the candidates, the HNSW scan goes on searching instead of returning fewer
 * rows than asked for. Filtering after a plain scan kept recall@10 at 0.63–0.84 for a retrieval
 * that matches 2 % of the table; the iterative scan lifted it to 0.91, at equal recall elsewhere
 * (bench/vectors.ts). Relaxed order is faster than strict order; `nearestNeighbours` sorts its few
 * rows again. Since filters of up to 5,000 rows are searched exactly (`exactSearchMaximumRows`),
 * only larger ones reach the index, and those of 5–10 % of the table still need the iterative scan.
 * Servers with an older pgvector ignore the setting.
 */
export const hnswIterativeScan: "off" | "relaxed_order" | "strict_order" = "relaxed_order";

/** The vector-search settings every connection gets, as `SET` statements. */
export const vectorSearchSettings = `SET hnsw.ef_search = ${hnswEfSearch}; SET hnsw.iterative_scan = ${hnswIterativeScan}`;

// Counts (int8) and amounts (numeric) come back as numbers on both drivers; pg would give strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export function connectPostgres(url: string, options: { poolSize?: number; connectTimeoutMs?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: `-c hnsw.ef_search=${hnswEfSearch} -c hnsw.iterative_scan=${hnswIterativeScan}`,
    // While the server is unreachable, a request fails after this long instead of hanging.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    keepAlive: true,
  });
  // A client losing its connection must not crash the process — idle (the pool's "error") or checked
  // out between two queries of a transaction (the client's own "error", which nothing else listens
  // to then: an unhandled 'error' event would end the process). The query in flight fails; the
  // pool replaces the client.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const adapt = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]) {
      try {
        const result = await client.query(sql, params as unknown[]);
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
      } catch (error) {
        throw asDatabaseError(error);
      }
    },
  });
  const listener = createNotificationListener(url);
  return {
    kind: "postgres",
    ...adapt(pool),
    listen: (channel, onMessage) => listener.listen(channel, onMessage),
    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw asDatabaseError(error);
      });
      let broken: unknown = null;
      try {
        await client.query("BEGIN");
        const result = await work(adapt(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
        throw asDatabaseError(error);
      } finally {
        // A client whose connection broke is destroyed, not returned to the pool.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * One dedicated connection for LISTEN (a pooled connection would be handed to other queries), opened
 * on the first `listen`, re-opened with backoff whenever it drops (a database restart, a failover).
 */
function createNotificationListener(url: string) {
  const channels = new Map<string, Set<(payload: string | null) => void>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retryMs = 250;
  let retryTimer: NodeJS.Timeout | null = null;
  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  const connect = (): Promise<void> => {
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: url });
      next.on("notification", (message) => {
        for (const handler of channels.get(message.channel) ?? []) handler(message.payload ?? "");
      });
      const lost = () => {
        if (client !== next) return;
        client = null;
        next.removeAllListeners("end");
        next.end().catch(() => {});
        scheduleReconnect();
      };
      next.on("error", lost);
      next.on("end", lost);
      try {
        await next.connect();
        for (const channel of channels.keys()) await next.query(`LISTEN ${quote(channel)}`);
        client = next;
        retryMs = 250;
      } catch (error) {
        next.removeAllListeners("end");
        await next.end().catch(() => {});
        throw error;
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  };

  function scheduleReconnect() {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect()
        .then(() => {
          // Whatever was notified while we were away is lost: tell every listener to look again.
          for (const handlers of channels.values()) for (const handler of handlers) handler(null);
        })
        .catch(() => {
          retryMs = Math.min(retryMs * 2, 10_000);
          scheduleReconnect();
        });
    }, retryMs);
    retryTimer.unref();
  }

  return {
    async listen(channel: string, onMessage: (payload: string | null) => void): Promise<Unlisten> {
      let handlers = channels.get(channel);
      const isNew = !handlers;
      if (!handlers) channels.set(channel, (handlers = new Set()));
      handlers.add(onMessage);
      if (!client) await connect();
      else if (isNew) await client.query(`LISTEN ${quote(channel)}`);
      return async () => {
        handlers.delete(onMessage);
        if (handlers.size > 0) return;
        channels.delete(channel);
        await client?.query(`UNLISTEN ${quote(channel)}`).catch(() => {});
      };
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      current?.removeAllListeners("end");
      await current?.end().catch(() => {});
    },
  };
}

/**
 * A holder writes its pid into the lock right after creating it, so a lock that has stayed without
 * one for 15 s was left by a process that died in between (or by a version that wrote none, whose
 * own staleness limit was 15 s).
 */
function ownerlessLockIsStale(directory: string): boolean {
  try {
    return Date.now() - fs.statSync(`${directory}.lock`).mtimeMs > 15_000;
  } catch {
    return false;
  }
}

export class DataDirectoryLockedError extends Error {
  constructor(
    directory: string,
    /** The live process holding it, when recorded. */
    readonly ownerPid: number | null = null,
  ) {
    super(
      `The embedded database in ${directory} is already open in another Calibrate process${ownerPid ? ` (pid ${ownerPid})` : ""}. ` +
        "PGlite allows one process per data directory: stop the other process (npm start / npm run worker), " +
        "point DATA_DIR elsewhere, or set DATABASE_URL to share a PostgreSQL server between processes. " +
        (ownerPid ? "" : `If no other process is running, remove the stale lock ${directory}.lock.`),
    );
    this.name = "DataDirectoryLockedError";
  }
}

/**
 * Opens PGlite in `directory` (or in memory when it is null), with pgvector loaded. PGlite takes no
 * lock of its own, and two processes writing one directory corrupt it, so we hold a lock file for
 * as long as the database is open.
 */
export async function openPglite(directory: string | null, options: { lockWaitMs?: number } = {}): Promise<Db> {
  const lockWaitMs = options.lockWaitMs ?? 15_000;
  const [{ PGlite }, { vector }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-pgvector"),
  ]);
  let release: (() => Promise<void>) | null = null;
  if (directory) {
    fs.mkdirSync(directory, { recursive: true });
    // Whether a holder is alive is decided by its pid (below), not by the lock's mtime: PGlite's
    // first start (initdb in WebAssembly) can block the event loop longer than any refresh
    // interval, and a mtime-based "compromised" lock would crash the process that holds it. The
    // mtime staleness is kept only as a last resort for a lock without a recorded owner.
    const lock = () =>
      lockfile.lock(directory, {
        lockfilePath: `${directory}.lock`,
        stale: 60 * 60_000,
        update: 60_000,
        realpath: false,
        onCompromised: () => {},
      });
    // A holder that is shutting down (npm start stopped a moment ago) gets a few seconds to let go.
    const deadline = Date.now() + lockWaitMs;
    for (;;) {
      try {
        release = await lock();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
        // A lock whose recorded owner is gone (killed, crashed) is taken over at once, instead of
        // waiting for proper-lockfile's staleness timeout; a live owner keeps it.
        const owner = readLockOwner(directory);
        if (owner === null ? ownerlessLockIsStale(directory) : !processIsAlive(owner)) {
          fs.rmSync(`${directory}.lock`, { recursive: true, force: true });
          continue;
        }
        if (Date.now() >= deadline) throw new DataDirectoryLockedError(directory, owner);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    writeLockOwner(directory);
    const held = release;
    // Released on any exit too, so a restart right after stopping finds the directory free.
    const releaseOnExit = () => {
      removeLockOwner(directory);
      fs.rmSync(`${directory}.lock`, { recursive: true, force: true });
    };
    process.once("exit", releaseOnExit);
    release = async () => {
      process.off("exit", releaseOnExit);
      // The lock and its owner file go together (rmdir alone refuses a non-empty directory).
      releaseOnExit();
      await held();
    };
  }
  // Same value types as the pg driver above: int8 (20) and numeric (1700) as numbers.
  const database = new PGlite(directory ?? "memory://", {
    extensions: { vector },
    parsers: { 20: (value: string) => Number(value), 1700: (value: string) => Number(value) },
  });
  await database.waitReady;
  await database.exec(vectorSearchSettings);
  const adapt = (client: Pick<typeof database, "query" | "exec">): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]) {
      const result = await client.query<Row>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  });
  return {
    kind: "pglite",
    ...adapt(database),
    transaction: (work) => database.transaction((transaction) => work(adapt(transaction))),
    async listen(channel, onMessage) {
      const unlisten = await database.listen(channel, (payload) => onMessage(payload));
      return () => unlisten();
    },
    async close() {
      await database.close();
      await release?.();
    },
  };
}

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDirectory: string;
  poolSize?: number;
}): Promise<Db> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, { poolSize: options.poolSize });
  return openPglite(path.join(options.dataDirectory, "pglite"));
}
