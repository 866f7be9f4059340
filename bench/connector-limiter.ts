/**
 * `npm run bench -- connector-limiter`: what the shared connector limiter adds to every model call —
 * acquire + release of one lease with a free slot (the usual case), per store: database leases on
 * PGlite and PostgreSQL, and Redis. Part of the agents' orchestration overhead (target < 20 ms per
 * invocation in total, issue 12). Also the throughput of 200 short calls through two limiter
 * instances ("processes") sharing a limit of 4.
 */
import { Redis } from "ioredis";
import { createDatabaseLimiter, createRedisLimiter } from "../core/connectors/limiter.ts";
import type { ManagedLimiter } from "../core/connectors/limiter.ts";
import { benchRedisUrl, deleteRedisKeys, describeMachine, printTable, randomSuffix, sleep, summarise, withBenchDatabase } from "./support.ts";

const rounds = 300;

async function measure(name: string, first: ManagedLimiter, second: ManagedLimiter) {
  const connectorId = `bench-${randomSuffix()}`;
  for (let index = 0; index < 20; index += 1) await (await first.acquire(connectorId, 4))(); // warm-up
  const samples: number[] = [];
  for (let index = 0; index < rounds; index += 1) {
    const started = performance.now();
    const release = await first.acquire(connectorId, 4);
    await release();
    samples.push(performance.now() - started);
  }
  const burstStarted = performance.now();
  await Promise.all(
    Array.from({ length: 200 }, async (_, index) => {
      const release = await (index % 2 ? first : second).acquire(`${connectorId}-burst`, 4);
      await sleep(2);
      await release();
    }),
  );
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  return { store: name, ...summarise(samples), "burst calls/s (limit 4, 2 ms each)": Math.round(200 / burstSeconds) };
}

const rows: object[] = [];
for (const kind of ["pglite", "postgres"] as const) {
  try {
    await withBenchDatabase(kind, async (database) => {
      const first = createDatabaseLimiter(database.db);
      const second = createDatabaseLimiter(database.db);
      rows.push(await measure(`database (${kind})`, first, second));
      await first.close();
      await second.close();
    });
  } catch (error) {
    console.warn(`Skipped ${kind}: ${(error as Error).message}`);
  }
}
const prefix = `bench-limiter-${randomSuffix()}`;
const clients = [new Redis(benchRedisUrl, { maxRetriesPerRequest: 2 }), new Redis(benchRedisUrl, { maxRetriesPerRequest: 2 })];
try {
  const [first, second] = clients.map((client) => createRedisLimiter(client, { prefix }));
  rows.push(await measure("redis", first!, second!));
  await first!.close();
  await second!.close();
} catch (error) {
  console.warn(`Skipped Redis: ${(error as Error).message}`);
} finally {
  for (const client of clients) client.disconnect();
  await deleteRedisKeys(prefix).catch(() => 0);
}
printTable(`Connector limiter: acquire + release of a free slot, ${rounds} rounds (part of the < 20 ms per-invocation overhead) — ${describeMachine()}`, rows);
