/**
 * A connector's concurrency limit, shared by every process that calls it: a request in flight holds
 * a lease; a new one waits while `limit` leases are held. Leases carry an expiry that their holder
 * renews while it lives (every third of the lease time), so a worker that crashed mid-call gives its
 * slots back once its leases run out instead of holding them forever.
 *
 * Two stores, one behaviour (core/connectors/limiter.test.ts runs the same suite on both):
 * - the database (embedded transport): one row per slot in `connector_leases`, claimed by a single
 *   statement that only takes a slot whose lease expired; a release NOTIFYs waiters in other processes.
 * - Redis (BullMQ path): one sorted set per connector, member = lease, score = expiry in Redis's own
 *   clock, taken by one Lua script (atomic, and no clock skew between machines).
 * Waiters retry with a short growing backoff, and a release they can hear (in this process, or by
 * NOTIFY from another) wakes the oldest waiter for that connector at once.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { asyncCommit } from "../db/async-commit.ts";
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
  subscribe?(wake: (connectorId: string | null) => void): Promise<() => Promise<void>>;
}

const firstBackoffMs = 10;
// The poll is only a safety net (a crashed holder's lease expiring, a missed notification).
const maxBackoffMs = 500;

function createLeaseLimiter(store: LeaseStore, options: LimiterOptions): ManagedLimiter {
  const ttlMs = options.leaseTtlMs ?? 30_000;
  const renewals = new Map<string, NodeJS.Timeout>();
  // Waiters of this process, per connector, oldest first. A freed slot wakes one of them, not all:
  // a herd of waiters each querying the store at every release would be the bottleneck.
  const waiting = new Map<string, Set<() => void>>();
  let unsubscribe: Promise<() => Promise<void>> | null = null;
  let closed = false;

  const wakeOne = (connectorId: string) => {
    const queue = waiting.get(connectorId);
    const first = queue?.values().next().value;
    first?.();
  };
  const wakeEveryone = () => {
    for (const queue of [...waiting.values()]) for (const wake of [...queue]) wake();
  };

  /** Resolves after `milliseconds` or when a slot of the connector is freed, whichever comes first. */
  const pause = (connectorId: string, milliseconds: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      let queue = waiting.get(connectorId);
      if (!queue) waiting.set(connectorId, (queue = new Set()));
      let done = false;
      const leave = () => {
        done = true;
        queue.delete(finish);
        if (queue.size === 0 && waiting.get(connectorId) === queue) waiting.delete(connectorId);
      };
      const finish = () => {
        if (done) return;
        leave();
        resolve();
      };
      queue.add(finish);
      sleep(milliseconds, signal).then(finish, (reason: unknown) => {
        if (done) return;
        leave();
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
        // A release in another process names its connector; null: notifications may have been missed.
        unsubscribe = store.subscribe((freed) => (freed === null ? wakeEveryone() : wakeOne(freed)));
        // Without the subscription the backoff still finds free slots.
        unsubscribe.catch(() => {});
      }
      const leaseId = randomUUID();
      let backoffMs = firstBackoffMs;
      for (;;) {
        signal?.throwIfAborted();
        if (await store.tryTake(connectorId, limit, leaseId, ttlMs)) break;
        await pause(connectorId, backoffMs * (0.5 + Math.random()), signal);
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      }
      if (signal?.aborted) {
        await store.release(connectorId, leaseId);
        wakeOne(connectorId);
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
          wakeOne(connectorId);
        }
      };
    },
    async close() {
      closed = true;
      for (const timer of renewals.values()) clearInterval(timer);
      renewals.clear();
      wakeEveryone();
      const stop = await unsubscribe?.catch(() => null);
      await stop?.();
    },
  };
}

const notifyChannel = "calibrate_connector_leases";

export function defaultHolder(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Leases as rows of `connector_leases`, on PGlite (one process) and PostgreSQL (many): slot
 * 0…limit-1 of a connector, each a row that is held while its expiry is ahead. Taking one is a
 * single statement — pick a slot that looks free (at random, so concurrent takers rarely collide),
 * insert it or take it over only if it is still expired when locked — so PostgreSQL's own row lock
 * decides between two takers of one slot. Lowering a limit lets the higher slots drain.
 */
export function createDatabaseLimiter(db: Db, options: LimiterOptions = {}): ManagedLimiter {
  const holder = options.holder ?? defaultHolder();
  return createLeaseLimiter(
    {
      async tryTake(connectorId, limit, leaseId, ttlMs) {
        const { rows } = await db.query(
          // Leases need no fsync: a lease forgotten in a database crash frees its slot early (core/db/async-commit.ts).
          `WITH sync AS (SELECT ${asyncCommit}),
           free AS (
             SELECT candidates.slot FROM generate_series(0, $4::int - 1) AS candidates(slot)
              WHERE NOT EXISTS (SELECT 1 FROM connector_leases held WHERE held.connector_id = $1 AND held.slot = candidates.slot AND held.expires_at > clock_timestamp())
              ORDER BY random() LIMIT 1)
           INSERT INTO connector_leases AS l (connector_id, slot, lease_id, holder, expires_at)
           SELECT $1, slot, $2, $3, clock_timestamp() + $5::int * interval '1 millisecond' FROM free, sync
           ON CONFLICT (connector_id, slot) DO UPDATE
             SET lease_id = excluded.lease_id, holder = excluded.holder, expires_at = excluded.expires_at
             -- Re-checked on the row as locked: a slot another taker just claimed is not taken over.
             WHERE l.expires_at <= clock_timestamp()
           RETURNING l.slot`,
          [connectorId, leaseId, holder, limit, ttlMs],
        );
        return rows.length === 1;
      },
      async renew(_connectorId, leaseId, ttlMs) {
        await db.query(
          `WITH sync AS (SELECT ${asyncCommit})
           UPDATE connector_leases SET expires_at = clock_timestamp() + $2::int * interval '1 millisecond' FROM sync WHERE lease_id = $1`,
          [leaseId, ttlMs],
        );
      },
      async release(connectorId, leaseId) {
        // Free the slot and wake waiters in other processes, in one round trip.
        await db.query(
          `WITH freed AS (UPDATE connector_leases SET expires_at = '-infinity' WHERE lease_id = $1 RETURNING connector_id)
           SELECT pg_notify($2, $3), ${asyncCommit} FROM freed`,
          [leaseId, notifyChannel, connectorId],
        );
      },
      async subscribe(wake) {
        return db.listen(notifyChannel, (payload) => wake(payload || null));
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
