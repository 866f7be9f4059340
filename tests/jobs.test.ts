/**
 * Jobs end to end on real Redis + BullMQ and each database: Postgres holds the truth, so work
 * survives Redis losing its data; duplicate deliveries do nothing; transient failures retry and bad
 * input fails at once.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransientError, UnprocessableError } from "../core/errors.ts";
import { createDispatcher, reconcileJobs } from "../core/jobs/dispatch.ts";
import { createMemoryPublisher } from "../core/jobs/events.ts";
import { getJob } from "../core/jobs/job-store.ts";
import { createBullTransport, startWorkers } from "../workers/transport.ts";
import type { HandlerRegistry } from "../workers/transport.ts";
import { databaseKinds, createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { redisUrl } from "./support/test-server.ts";

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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

  it("runs an enqueued job once and records progress in Postgres", async () => {
    const dispatcher = createDispatcher({ db: database.db, transport, events });
    const pool = startWorkers({ db: database.db, events, redisUrl, prefix, concurrency: 2, handlers });
    try {
      const job = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId }, workspaceId });
      const finished = await waitFor(async () => {
        const current = await getJob(database.db, job.id);
        return current.state === "completed" && current;
      });
      expect(finished.progress).toBe(1);
      expect(finished.attempts).toBe(1);
      expect(runs.get(job.id)).toBe(1);
      const states = events.events.filter((event) => event.jobId === job.id).map((event) => event.state);
      expect(states[0]).toBe("queued");
      expect(states).toContain("active");
      expect(states.at(-1)).toBe("completed");
      expect(events.events.some((event) => event.jobId === job.id && event.stage === "halfway")).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("deduplicates live jobs by key", async () => {
    const dispatcher = createDispatcher({ db: database.db, transport });
    const first = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId }, dedupeKey: `rollup:${workspaceId}` });
    const second = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId }, dedupeKey: `rollup:${workspaceId}` });
    expect(second.id).toBe(first.id);
    // Finish it, so later tests start from a clean queue.
    const pool = startWorkers({ db: database.db, redisUrl, prefix, concurrency: 1, handlers });
    try {
      await waitFor(async () => (await getJob(database.db, first.id)).state === "completed");
    } finally {
      await pool.close();
    }
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
        await waitFor(async () => (await getJob(database.db, job.id)).state === "completed");
        expect(runs.get(job.id)).toBe(1);
      }
    } finally {
      await pool.close();
    }
  });

  it("does nothing when a finished job is delivered again", async () => {
    const dispatcher = createDispatcher({ db: database.db, transport });
    const pool = startWorkers({ db: database.db, redisUrl, prefix, concurrency: 1, handlers });
    try {
      const job = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId } });
      await waitFor(async () => (await getJob(database.db, job.id)).state === "completed");
      // Deliver the same job again, as a worker crash after completion would.
      await transport.remove("rollup", job.id);
      await transport.add("rollup", job.id, job.payload);
      await waitFor(async () => (await transport.stateOf("rollup", job.id)) === "completed");
      expect(runs.get(job.id)).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("retries a transient failure and fails bad input at once with the reason", async () => {
    const dispatcher = createDispatcher({ db: database.db, transport });
    const flaky = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId } });
    behaviour.set(flaky.id, "transient-once");
    const broken = await dispatcher.enqueue({ queue: "rollup", payload: { workspaceId } });
    behaviour.set(broken.id, "bad-input");
    const pool = startWorkers({ db: database.db, redisUrl, prefix, concurrency: 2, handlers });
    try {
      const failed = await waitFor(async () => {
        const current = await getJob(database.db, broken.id);
        return current.state === "failed" && current;
      });
      expect(failed.error).toBe("the input is unusable");
      expect(failed.attempts).toBe(1);
      await waitFor(async () => (await transport.stateOf("rollup", broken.id)) === "failed");

      const recovered = await waitFor(async () => {
        const current = await getJob(database.db, flaky.id);
        return current.state === "completed" && current;
      }, 30_000);
      expect(recovered.attempts).toBe(2);
      expect(runs.get(flaky.id)).toBe(2);
    } finally {
      await pool.close();
    }
  });
});
