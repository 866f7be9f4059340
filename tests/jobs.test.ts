/**
 * BullMQ only: Postgres holds the truth, so work survives Redis losing its data (the reconciler hands
 * it over again). What both transports share is in job-transports.test.ts.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransientError, UnprocessableError } from "../core/errors.ts";
import { createDispatcher, reconcileJobs } from "../core/jobs/dispatch.ts";
import { createMemoryPublisher } from "../core/jobs/events.ts";
import { getJob } from "../core/jobs/job-store.ts";
import type { HandlerRegistry } from "../core/jobs/runner.ts";
import { createBullTransport, startWorkers } from "../workers/bullmq-transport.ts";
import { databaseKinds, createTestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import type { TestDatabase } from "./support/databases.ts";
import { redisUrl } from "./support/test-server.ts";

describe.each(databaseKinds)("jobs on %s", (kind) => {
  let database: TestDatabase;
  let workspaceId: string;
  const prefix = `test-jobs-${randomBytes(4).toString("hex")}`;
  const redis = new Redis(redisUrl);
  const transport = createBullTransport({ redisUrl, prefix });
  const events = createMemoryPublisher();
  const runs = new Map<string, number>();
  const behaviour = new Map<string, "ok" | "transient-once" | "bad-input">();

  const handlers: HandlerRegistry = {
    rollup: async ({ payload, progress }) => {
      runs.set(payload.jobId, (runs.get(payload.jobId) ?? 0) + 1);
      const mode = behaviour.get(payload.jobId) ?? "ok";
      await progress(0.5, "halfway");
      if (mode === "bad-input") throw new UnprocessableError("the input is unusable");
      if (mode === "transient-once" && runs.get(payload.jobId) === 1) throw new TransientError("endpoint returned 503");
      await progress(1, "done");
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    workspaceId = (await database.db.query<{ id: string }>("SELECT id FROM workspaces")).rows[0].id;
  });

  afterAll(async () => {
    await transport.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await database.drop();
  });

  it("re-enqueues from Postgres after Redis loses every job, and runs each once", async () => {
    const dispatcher = createDispatcher({ db: database.db, transport });
    const jobs = await Promise.all(
      Array.from({ length: 5 }, () => dispatcher.enqueue({ queue: "rollup", payload: { workspaceId } })),
    );
    // Redis loses its data (a restart without persistence): wipe this test's keys.
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    for (const job of jobs) expect(await transport.stateOf("rollup", job.id)).toBe("missing");

    const report = await reconcileJobs({ db: database.db, transport }, { graceMs: 0 });
    expect(report.reenqueued).toBe(5);
    // A second pass finds them all waiting in Redis again and re-adds nothing.
    expect((await reconcileJobs({ db: database.db, transport }, { graceMs: 0 })).reenqueued).toBe(0);

    const pool = startWorkers({ db: database.db, redisUrl, prefix, concurrency: 2, handlers });
    try {
      for (const job of jobs) {
        await eventually(async () => (await getJob(database.db, job.id)).state === "completed");
        expect(runs.get(job.id)).toBe(1);
      }
    } finally {
      await pool.close();
    }
  });
});
