/**
 * The shared connector limiter, one behavioural suite for every store: leases in the database
 * (PGlite; PostgreSQL with each "process" on its own connection pool) and in Redis (each "process"
 * with its own client). Two limiter instances stand for two worker processes.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../core/db/database.ts";
import { connectPostgres } from "../core/db/database.ts";
import type { ManagedLimiter } from "../core/connectors/limiter.ts";
import { createDatabaseLimiter, createRedisLimiter } from "../core/connectors/limiter.ts";
import { sleep } from "../core/sleep.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { redisUrl } from "./support/test-server.ts";

interface Store {
  /** A limiter as another process would have it. */
  limiter(options?: { leaseTtlMs?: number }): ManagedLimiter;
  /** Leases of the connector held now (unexpired). */
  leases(connectorId: string): Promise<number>;
  close(): Promise<void>;
}

async function databaseStore(kind: "pglite" | "postgres"): Promise<Store> {
  const database: TestDatabase = await createTestDatabase(kind);
  const extraPools: Db[] = [];
  const limiters: ManagedLimiter[] = [];
  let count = 0;
  return {
    limiter(options) {
      count += 1;
      // PostgreSQL: every limiter after the first gets its own pool, as another process would.
      const db = kind === "postgres" && count > 1 ? connectPostgres(database.url!, { poolSize: 3 }) : database.db;
      if (db !== database.db) extraPools.push(db);
      const limiter = createDatabaseLimiter(db, { holder: `process-${count}`, ...options });
      limiters.push(limiter);
      return limiter;
    },
    async leases(connectorId) {
      const { rows } = await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM connector_leases WHERE connector_id = $1 AND expires_at > clock_timestamp()", [connectorId]);
      return rows[0]!.count;
    },
    async close() {
      for (const limiter of limiters) await limiter.close();
      for (const pool of extraPools) await pool.close();
      await database.drop();
    },
  };
}

async function redisStore(): Promise<Store> {
  const prefix = `test-limiter-${randomBytes(5).toString("hex")}`;
  const clients: Redis[] = [];
  const limiters: ManagedLimiter[] = [];
  const inspector = new Redis(redisUrl);
  return {
    limiter(options) {
      const client = new Redis(redisUrl);
      clients.push(client);
      const limiter = createRedisLimiter(client, { prefix, ...options });
      limiters.push(limiter);
      return limiter;
    },
    async leases(connectorId) {
      return inspector.zcard(`${prefix}:connector-leases:${connectorId}`);
    },
    async close() {
      for (const limiter of limiters) await limiter.close();
      const keys = await inspector.keys(`${prefix}:*`);
      if (keys.length > 0) await inspector.del(...keys);
      for (const client of clients) client.disconnect();
      inspector.disconnect();
    },
  };
}

const stores: Array<[string, () => Promise<Store>]> = [
  ...databaseKinds.map((kind) => [`database (${kind})`, () => databaseStore(kind)] as [string, () => Promise<Store>]),
  ["redis", redisStore],
];

describe.each(stores)("connector limiter: %s", (_name, open) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("never lets two processes together exceed the connector's limit, and frees every slot afterwards", async () => {
    const first = store.limiter();
    const second = store.limiter();
    const connectorId = `connector-${randomBytes(4).toString("hex")}`;
    const limit = 3;
    let inFlight = 0;
    let most = 0;
    let finished = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, index) => {
        const release = await (index % 2 ? first : second).acquire(connectorId, limit);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(5 + (index % 4) * 5);
        inFlight -= 1;
        finished += 1;
        await release();
      }),
    );
    expect(finished).toBe(16);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(limit);
    expect(await store.leases(connectorId)).toBe(0);
    // Each connector has its own limit: one full connector does not block another.
    const releaseA = await first.acquire(`${connectorId}-a`, 1);
    const releaseB = await second.acquire(`${connectorId}-b`, 1);
    await releaseA();
    await releaseB();
  });

  it("gives up waiting when the caller aborts, leaving no lease behind", async () => {
    const holder = store.limiter();
    const waiter = store.limiter();
    const connectorId = `connector-${randomBytes(4).toString("hex")}`;
    const release = await holder.acquire(connectorId, 1);
    const controller = new AbortController();
    const waiting = waiter.acquire(connectorId, 1, controller.signal);
    const outcome = waiting.then(
      () => "acquired",
      (error: unknown) => error,
    );
    await sleep(50);
    controller.abort(new Error("the job was cancelled"));
    expect(await outcome).toEqual(new Error("the job was cancelled"));
    expect(await store.leases(connectorId)).toBe(1);
    // An already aborted signal does not even queue.
    await expect(waiter.acquire(connectorId, 5, AbortSignal.abort(new Error("too late")))).rejects.toThrow("too late");
    await release();
    const again = await waiter.acquire(connectorId, 1);
    expect(await store.leases(connectorId)).toBe(1);
    await again();
    expect(await store.leases(connectorId)).toBe(0);
  });

  it("keeps a live holder's lease past its expiry by renewing it, and reclaims a crashed holder's lease", async () => {
    const leaseTtlMs = 1_500;
    const crashing = store.limiter({ leaseTtlMs });
    const other = store.limiter({ leaseTtlMs });
    const connectorId = `connector-${randomBytes(4).toString("hex")}`;
    await crashing.acquire(connectorId, 1);
    // Alive: renewed every 500 ms, so a wait of twice the lease time still finds the slot taken.
    await expect(other.acquire(connectorId, 1, AbortSignal.timeout(leaseTtlMs * 2))).rejects.toThrow();
    expect(crashing.held).toBe(1);
    // The process dies: nothing is released, renewals stop; the lease runs out and the slot comes back.
    await crashing.close();
    const release = await other.acquire(connectorId, 1, AbortSignal.timeout(30_000));
    expect(await store.leases(connectorId)).toBe(1);
    await release();
  });
});
