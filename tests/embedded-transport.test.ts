/**
 * What only the embedded transport has to get right (the shared cases are in job-transports.test.ts):
 * a worker that lost its lock cannot overwrite the new holder's result, a job that keeps killing its
 * worker fails instead of looping, a reopened PGlite hands back what was running, and on PostgreSQL
 * hand-overs and job events cross processes through NOTIFY.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres } from "../core/db/database.ts";
import { jobOptions } from "../core/jobs/contracts.ts";
import { createDispatcher } from "../core/jobs/dispatch.ts";
import type { JobEvent } from "../core/jobs/events.ts";
import { claimJobs, finishJob, getJob, insertJob, releaseStalledJobs, startJob, updateProgress } from "../core/jobs/job-store.ts";
import { createDatabaseEvents } from "../workers/database-events.ts";
import { createEmbeddedTransport, startEmbeddedWorkers } from "../workers/embedded-transport.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import type { TestDatabase } from "./support/databases.ts";

const maxAttempts = { rollup: jobOptions.rollup.attempts };

describe.each(databaseKinds)("the embedded transport on %s", (kind) => {
  let database: TestDatabase;
  let workspaceId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    workspaceId = (await database.db.query<{ id: string }>("SELECT id FROM workspaces")).rows[0].id;
  });
  afterAll(() => database.drop());

  it("never lets a worker that lost its lock write over the job's new holder", async () => {
    const { db } = database;
    const { job } = await insertJob(db, { queue: "rollup", payload: { workspaceId } });
    // The claim starts the job (one attempt).
    expect(await claimJobs(db, "first", ["rollup"], 1)).toMatchObject([{ id: job.id, state: "active", attempts: 1 }]);
    // "first" goes silent; its job is handed back and claimed by "second".
    const released = await releaseStalledJobs(db, { stalledAfterMs: 0, maxAttempts });
    expect(released.map((each) => each.id)).toContain(job.id);
    const [reclaimed] = await claimJobs(db, "second", ["rollup"], 1);
    expect(reclaimed).toMatchObject({ id: job.id, state: "active", attempts: 2 });

    // The first worker wakes up and tries to report: every write is refused.
    expect(await updateProgress(db, job.id, 0.9, "stale", "first")).toBeNull();
    expect(await finishJob(db, job.id, { state: "completed" }, "first")).toBeNull();
    expect(await startJob(db, job.id, "first")).toBeNull();
    const current = await getJob(db, job.id);
    expect(current).toMatchObject({ state: "active", attempts: 2 });
    expect(current.stage).not.toBe("stale");
    expect(await finishJob(db, job.id, { state: "completed" }, "second")).toMatchObject({ state: "completed" });
  });

  it("fails a job that stalls on its last attempt, with the reason, instead of looping", async () => {
    const { db } = database;
    const { job } = await insertJob(db, { queue: "rollup", payload: { workspaceId } });
    await db.query("UPDATE jobs SET attempts = $2 - 1 WHERE id = $1", [job.id, jobOptions.rollup.attempts]);
    await claimJobs(db, "doomed", ["rollup"], 1);
    await releaseStalledJobs(db, { stalledAfterMs: 0, maxAttempts });
    const failed = await getJob(db, job.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/worker running this job stopped/);
  });

  it("waits for a retry's backoff before claiming it again", async () => {
    const { db } = database;
    const { job } = await insertJob(db, { queue: "rollup", payload: { workspaceId } });
    await claimJobs(db, "w", ["rollup"], 1);
    await finishJob(db, job.id, { state: "retrying", error: "try later", delayMs: 60_000 }, "w");
    expect(await claimJobs(db, "w", ["rollup"], 10)).toEqual([]);
    expect(await createEmbeddedTransport(db).stateOf("rollup", job.id)).toBe("delayed");
    await db.query("UPDATE jobs SET state = 'cancelled' WHERE id = $1", [job.id]);
  });

  it.runIf(kind === "pglite")("hands back, on reopening, whatever PGlite was running when its process died", async () => {
    const { db } = database;
    const transport = createEmbeddedTransport(db);
    const { job } = await insertJob(db, { queue: "rollup", payload: { workspaceId } });
    await claimJobs(db, "previous-process", ["rollup"], 1);
    let ran = 0;
    // A long stall limit: only "one process per PGlite" can explain the hand-back.
    const pool = await startEmbeddedWorkers(transport, {
      db,
      concurrency: 1,
      stalledAfterMs: 3_600_000,
      handlers: { rollup: async () => void (ran += 1) },
    });
    try {
      await eventually(async () => (await getJob(db, job.id)).state === "completed");
      expect(ran).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it.runIf(kind === "postgres")("wakes a worker in another process at once and carries its job events back over NOTIFY", async () => {
    // A second connection pool stands for a second process (`npm run worker` beside `npm run server`).
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = (await database.db.query<{ name: string }>("SELECT current_database() AS name")).rows[0].name;
    const workerDb = connectPostgres(url.toString(), { poolSize: 2 });
    const serverEvents = await createDatabaseEvents(database.db, { subscribe: true });
    const workerEvents = await createDatabaseEvents(workerDb, { subscribe: false });
    const seen: JobEvent[] = [];
    serverEvents.listen((event) => seen.push(event));
    let startedAt = 0;
    // A poll far longer than the test: only NOTIFY can wake this worker in time.
    const pool = await startEmbeddedWorkers(createEmbeddedTransport(workerDb), {
      db: workerDb,
      events: workerEvents,
      concurrency: 1,
      pollIntervalMs: 600_000,
      handlers: { rollup: async () => void (startedAt = Date.now()) },
    });
    try {
      const dispatcher = createDispatcher({ db: database.db, transport: createEmbeddedTransport(database.db) });
      const enqueuedAt = Date.now();
      const job = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId } });
      await eventually(async () => seen.some((event) => event.jobId === job.id && event.state === "completed"), 5_000);
      expect(startedAt).toBeGreaterThanOrEqual(enqueuedAt);
      expect(seen.filter((event) => event.jobId === job.id).map((event) => event.state)).toContain("active");
    } finally {
      await pool.close();
      await serverEvents.close();
      await workerEvents.close();
      await workerDb.close();
    }
  });
});
