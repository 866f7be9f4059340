/**
 * A connector's concurrency limit, shared by every process that calls it: a request in flight holds
 * a lease; a new one waits while `limit` leases are held. Leases carry an expiry that their holder
 * renews while it lives (every third of the lease time), so a worker that crashed mid-call gives its
 * slots back once its leases run out instead of holding them forever.
 *
 * Two stores, one behaviour (core/connectors/limiter.test.ts runs the same suite on both):
 * - the database (embedded transport): rows in `connector_leases`, counted and taken under a
 *   transaction-scoped advisory lock per connector; a release NOTIFYs waiters in other processes.
 * - Redis (BullMQ path): one sorted set per connector, member = lease, score = expiry in Redis's own
 *   clock, taken by one Lua script (atomic, and no clock skew between machines).
 * Waiters retry with a short growing backoff and are woken at once by a release they can hear.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Db } from "../db/database.ts";
import { sleep } from "../sleep.ts";
import type { ConnectorLimiter } from "./connector.ts";

export interface LimiterOptions {
  /** How long a lease outlives its last renewal (default 30 s): the most a crashed holder keeps a slot. */
  leaseTtlMs?: number;
  /** Names the holder in the lease rows (default host:pid:random). */
  holder?: string;
}

export interface ManagedLimiter extends ConnectorLimiter {
  /** Leases currently held through this limiter (for tests and /healthz-style reporting). */
  readonly held: number;
  /**
   * Stops renewing the leases this limiter holds, without giving them back — what a process that
   * dies leaves behind: they expire after `leaseTtlMs`. Call it at shutdown after the calls ended.
   */
  close(): Promise<void>;
}

/** How a store keeps leases; the waiting, renewing and aborting around it are shared. */
interface LeaseStore {
  tryTake(connectorId: string, limit: number, leaseId: string, ttlMs: number): Promise<boolean>;
  renew(connectorId: string, leaseId: string, ttlMs: number): Promise<void>;
  release(connectorId: string, leaseId: string): Promise<void>;
  /** Calls `wake` when a lease of another process may have been released; returns the unsubscribe. */
  subscribe?(wake: () => void): Promise<() => Promise<void>>;
}

const firstBackoffMs = 10;
const maxBackoffMs = 250;

function createLeaseLimiter(store: LeaseStore, options: LimiterOptions): ManagedLimiter {
  const ttlMs = options.leaseTtlMs ?? 30_000;
  const renewals = new Map<string, NodeJS.Timeout>();
  let wakers = new Set<() => void>();
  let unsubscribe: Promise<() => Promise<void>> | null = null;
  let closed = false;

  const wakeAll = () => {
    const current = wakers;
    wakers = new Set();
    for (const wake of current) wake();
  };

  /** Resolves after `milliseconds` or at the next release heard, whichever comes first. */
  const pause = (milliseconds: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        wakers.delete(finish);
        resolve();
      };
      wakers.add(finish);
      sleep(milliseconds, signal).then(finish, (reason: unknown) => {
        if (done) return;
        done = true;
        wakers.delete(finish);
        reject(reason);
      });
    });

  return {
    get held() {
      return renewals.size;
    },
    async acquire(connectorId, limit, signal) {
      if (closed) throw new Error("This connector limiter was closed.");
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`A connector's concurrency must be a positive integer, got ${limit}.`);
      if (store.subscribe && !unsubscribe) {
        unsubscribe = store.subscribe(wakeAll);
        // Without the subscription the backoff still finds free slots.
        unsubscribe.catch(() => {});
      }
      const leaseId = randomUUID();
      let backoffMs = firstBackoffMs;
      for (;;) {
        signal?.throwIfAborted();
        if (await store.tryTake(connectorId, limit, leaseId, ttlMs)) break;
        await pause(backoffMs * (0.5 + Math.random()), signal);
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      }
      if (signal?.aborted) {
        await store.release(connectorId, leaseId);
        wakeAll();
        signal.throwIfAborted();
      }
      const renewal = setInterval(() => {
        store.renew(connectorId, leaseId, ttlMs).catch(() => {
          // A missed renewal is retried at the next tick; the lease only lapses after ttlMs of them.
        });
      }, Math.max(Math.floor(ttlMs / 3), 10));
      renewal.unref();
      renewals.set(leaseId, renewal);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        renewals.delete(leaseId);
        try {
          await store.release(connectorId, leaseId);
        } finally {
          wakeAll();
        }
      };
    },
    async close() {
      closed = true;
      for (const timer of renewals.values()) clearInterval(timer);
      renewals.clear();
      wakeAll();
      const stop = await unsubscribe?.catch(() => null);
      await stop?.();
    },
  };
}

const notifyChannel = "calibrate_connector_leases";

export function defaultHolder(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Leases as rows of `connector_leases`, on PGlite (one process) and PostgreSQL (many). */
export function createDatabaseLimiter(db: Db, options: LimiterOptions = {}): ManagedLimiter {
  const holder = options.holder ?? defaultHolder();
  return createLeaseLimiter(
    {
      async tryTake(connectorId, limit, leaseId, ttlMs) {
        return db.transaction(async (transaction) => {
          // One taker per connector at a time, so "count, then insert" cannot overshoot the limit.
          await transaction.query("SELECT pg_advisory_xact_lock(hashtext('calibrate:connector-lease:' || $1::text))", [connectorId]);
          // Leases whose holder stopped renewing them (a crashed process) give their slot back here.
          await transaction.query("DELETE FROM connector_leases WHERE connector_id = $1 AND expires_at <= clock_timestamp()", [connectorId]);
          const { rows } = await transaction.query<{ held: number }>("SELECT count(*)::int AS held FROM connector_leases WHERE connector_id = $1", [connectorId]);
          if ((rows[0]?.held ?? 0) >= limit) return false;
          await transaction.query(
            "INSERT INTO connector_leases (id, connector_id, holder, expires_at) VALUES ($1, $2, $3, clock_timestamp() + $4::int * interval '1 millisecond')",
            [leaseId, connectorId, holder, ttlMs],
          );
          return true;
        });
      },
      async renew(_connectorId, leaseId, ttlMs) {
        await db.query("UPDATE connector_leases SET expires_at = clock_timestamp() + $2::int * interval '1 millisecond' WHERE id = $1", [leaseId, ttlMs]);
      },
      async release(connectorId, leaseId) {
        await db.query("DELETE FROM connector_leases WHERE id = $1", [leaseId]);
        await db.query("SELECT pg_notify($1, $2)", [notifyChannel, connectorId]);
      },
      async subscribe(wake) {
        return db.listen(notifyChannel, () => wake());
      },
    },
    options,
  );
}

/** What the Redis limiter needs of a client: `eval` (ioredis's signature). */
export interface RedisScripting {
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

// Redis's own clock (TIME), so processes on machines with skewed clocks agree on expiry. The set's
// key expires when its newest lease would have, so an idle connector leaves nothing behind.
const redisNow = "local time = redis.call('TIME'); local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)";
const takeScript = `${redisNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1`;
const renewScript = `${redisNow}
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;
const releaseScript = "return redis.call('ZREM', KEYS[1], ARGV[1])";

/** Leases in Redis, for the BullMQ path (workers on many machines sharing one Redis). */
export function createRedisLimiter(redis: RedisScripting, options: LimiterOptions & { prefix?: string } = {}): ManagedLimiter {
  const keyOf = (connectorId: string) => `${options.prefix ?? "calibrate"}:connector-leases:${connectorId}`;
  return createLeaseLimiter(
    {
      async tryTake(connectorId, limit, leaseId, ttlMs) {
        return Number(await redis.eval(takeScript, 1, keyOf(connectorId), limit, ttlMs, leaseId)) === 1;
      },
      async renew(connectorId, leaseId, ttlMs) {
        await redis.eval(renewScript, 1, keyOf(connectorId), ttlMs, leaseId);
      },
      async release(connectorId, leaseId) {
        await redis.eval(releaseScript, 1, keyOf(connectorId), leaseId);
      },
    },
    options,
  );
}
