/**
 * One behavioural suite for both job transports — the embedded one (the Postgres job rows, no Redis)
 * and BullMQ + Redis — on each database: the same cases must hold whichever carries the jobs.
 * Postgres holds the truth: duplicate deliveries do nothing, transient failures retry with backoff,
 * bad input fails at once, a crashed worker's job runs again elsewhere, shutdown finishes running
 * work, and jobs enqueued while no worker runs (or that Redis lost) run when one starts.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../core/db/database.ts";
import { TransientError, UnprocessableError } from "../core/errors.ts";
import { jobOptions } from "../core/jobs/contracts.ts";
import type { JobTransport } from "../core/jobs/dispatch.ts";
import { createDispatcher, reconcileJobs } from "../core/jobs/dispatch.ts";
import { createMemoryPublisher } from "../core/jobs/events.ts";
import type { EventPublisher } from "../core/jobs/events.ts";
import { claimJobs, getJob, insertJob } from "../core/jobs/job-store.ts";
import type { HandlerRegistry, WorkerPool } from "../core/jobs/runner.ts";
import { createBullTransport, startWorkers } from "../workers/bullmq-transport.ts";
import { createEmbeddedTransport, startEmbeddedWorkers } from "../workers/embedded-transport.ts";
import { databaseKinds, createTestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import type { TestDatabase } from "./support/databases.ts";
import { redisUrl } from "./support/test-server.ts";

interface PoolOptions {
  concurrency?: number;
  stalledAfterMs?: number;
  events?: EventPublisher;
}

// Short enough for the crash case to finish quickly on both transports. (BullMQ's stalled check runs
// at most once per `stalledInterval` per queue, whichever worker set it, so every pool uses it.)
const defaultStalledAfterMs = 2_000;

/** What differs between the transports; every case below is written against this. */
interface TransportHarness {
  transport: JobTransport;
  start(handlers: HandlerRegistry, options?: PoolOptions): Promise<WorkerPool>;
  /**
   * Leaves `jobId` active and held by a worker that then dies without a trace (kill -9): it never
   * finishes the job nor shows a sign of life again. Resolves once the job is in that state.
   */
  crashWhileRunning(jobId: string, stalledAfterMs: number): Promise<void>;
  /** After a crash or a lost Redis, whatever the transport needs to find the job again. */
  recover(db: Db): Promise<void>;
  close(): Promise<void>;
}

function embeddedHarness(db: Db): TransportHarness {
  const transport = createEmbeddedTransport(db);
  return {
    transport,
    start: (handlers, options = {}) =>
      startEmbeddedWorkers(transport, {
        db,
        handlers,
        events: options.events,
        concurrency: options.concurrency ?? 2,
        stalledAfterMs: options.stalledAfterMs ?? defaultStalledAfterMs,
        pollIntervalMs: 200,
      }),
    async crashWhileRunning(jobId) {
      // What a killed worker leaves behind: the row claimed and started, then silence.
      const [claimed] = await claimJobs(db, "dead-host:1:000000", ["rollup"], 1);
      expect(claimed?.id).toBe(jobId);
    },
    async recover() {},
    close: () => transport.close(),
  };
}

function bullHarness(db: Db): TransportHarness {
  const prefix = `test-transports-${randomBytes(4).toString("hex")}`;
  const transport = createBullTransport({ redisUrl, prefix });
  const redis = new Redis(redisUrl);
  const start = async (handlers: HandlerRegistry, options: PoolOptions = {}) => {
    const pool = startWorkers({
      db,
      handlers,
      events: options.events,
      redisUrl,
      prefix,
      concurrency: options.concurrency ?? 2,
      stalledAfterMs: options.stalledAfterMs ?? defaultStalledAfterMs,
    });
    await Promise.all(pool.workers.map((worker) => worker.waitUntilReady()));
    return pool;
  };
  return {
    transport,
    start,
    async crashWhileRunning(jobId, stalledAfterMs) {
      // A real BullMQ worker takes the job and hangs; force-closing it stops its lock renewal, as
      // killing the process would.
      const hung = await start({ rollup: () => new Promise<void>(() => {}) }, { stalledAfterMs, concurrency: 1 });
      await eventually(async () => (await getJob(db, jobId)).state === "active");
      await Promise.all(hung.workers.map((worker) => worker.close(true)));
    },
    async recover() {
      await reconcileJobs({ db, transport }, { graceMs: 0 });
    },
    async close() {
      await transport.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

const transports = [
  ["embedded", embeddedHarness],
  ["bullmq", bullHarness],
] as const;

describe.each(databaseKinds)("job transports on %s", (kind) => {
  describe.each(transports)("%s", (transportName, makeHarness) => {
    let database: TestDatabase;
    let harness: TransportHarness;
    let workspaceId: string;
    const runs = new Map<string, number[]>();
    const behaviour = new Map<string, "ok" | "transient-once" | "bad-input" | "slow">();

    const handlers: HandlerRegistry = {
      rollup: async ({ payload, progress }) => {
        runs.set(payload.jobId, [...(runs.get(payload.jobId) ?? []), Date.now()]);
        const mode = behaviour.get(payload.jobId) ?? "ok";
        await progress(0.5, "halfway");
        if (mode === "bad-input") throw new UnprocessableError("the input is unusable");
        if (mode === "transient-once" && runs.get(payload.jobId)!.length === 1) throw new TransientError("endpoint returned 503");
        if (mode === "slow") await new Promise((resolve) => setTimeout(resolve, 600));
        await progress(1, "done");
      },
    };
    const runCount = (id: string) => runs.get(id)?.length ?? 0;
    const completed = (id: string) => eventually(async () => {
      const job = await getJob(database.db, id);
      return job.state === "completed" && job;
    });

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      harness = makeHarness(database.db);
      workspaceId = (await database.db.query<{ id: string }>("SELECT id FROM workspaces")).rows[0].id;
    });

    afterAll(async () => {
      await harness.close();
      await database.drop();
    });

    const dispatcher = () => createDispatcher({ db: database.db, transport: harness.transport });

    it("runs an enqueued job once and records its progress in Postgres and as events", async () => {
      const events = createMemoryPublisher();
      const pool = await harness.start(handlers, { events });
      try {
        const job = await createDispatcher({ db: database.db, transport: harness.transport, events }).enqueue({
          queue: "rollup",
          payload: { workspaceId },
          workspaceId,
        });
        const finished = await completed(job.id);
        expect(finished.progress).toBe(1);
        expect(finished.attempts).toBe(1);
        expect(finished.stage).toBe("done");
        expect(runCount(job.id)).toBe(1);
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
      const first = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId }, dedupeKey: `rollup:${workspaceId}` });
      const second = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId }, dedupeKey: `rollup:${workspaceId}` });
      expect(second.id).toBe(first.id);
      const pool = await harness.start(handlers);
      try {
        await completed(first.id);
        expect(runCount(first.id)).toBe(1);
      } finally {
        await pool.close();
      }
    });

    it("does nothing when a finished job is handed over again", async () => {
      const pool = await harness.start(handlers);
      try {
        const job = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } });
        await completed(job.id);
        // Deliver the same job again, as a worker crash after completion would.
        await harness.transport.remove("rollup", job.id);
        await harness.transport.add("rollup", job.id, job.payload);
        await eventually(async () => (await harness.transport.stateOf("rollup", job.id)) === "completed");
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(runCount(job.id)).toBe(1);
        expect((await getJob(database.db, job.id)).attempts).toBe(1);
      } finally {
        await pool.close();
      }
    });

    it("retries a transient failure after the queue's backoff and fails bad input at once with the reason", async () => {
      const flaky = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } });
      behaviour.set(flaky.id, "transient-once");
      const broken = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } });
      behaviour.set(broken.id, "bad-input");
      const pool = await harness.start(handlers);
      try {
        const failed = await eventually(async () => {
          const current = await getJob(database.db, broken.id);
          return current.state === "failed" && current;
        });
        expect(failed.error).toBe("the input is unusable");
        expect(failed.attempts).toBe(1);
        await eventually(async () => (await harness.transport.stateOf("rollup", broken.id)) === "failed");

        const recovered = await completed(flaky.id);
        expect(recovered.attempts).toBe(2);
        const [first, second] = runs.get(flaky.id)!;
        // Exponential backoff: the first retry waits the queue's `backoffMs` (2 s for rollup).
        expect(second - first).toBeGreaterThanOrEqual(jobOptions.rollup.backoffMs - 50);
        expect(runCount(broken.id)).toBe(1);
      } finally {
        await pool.close();
      }
    });

    it("fails a job whose payload does not match its contract, without running it", async () => {
      const { job } = await insertJob(database.db, { queue: "rollup", payload: { workspaceId } });
      const corrupt = { jobId: job.id, workspaceId: "not-a-uuid" };
      await database.db.query("UPDATE jobs SET payload = $2 WHERE id = $1", [job.id, JSON.stringify(corrupt)]);
      const pool = await harness.start(handlers);
      try {
        await harness.transport.add("rollup", job.id, corrupt);
        const failed = await eventually(async () => {
          const current = await getJob(database.db, job.id);
          return current.state === "failed" && current;
        });
        expect(failed.error).toMatch(/^Invalid rollup payload/);
        expect(runCount(job.id)).toBe(0);
      } finally {
        await pool.close();
      }
    });

    it("runs a crashed worker's job again on another worker, once", async () => {
      const stalledAfterMs = 600;
      const job = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } });
      await harness.crashWhileRunning(job.id, stalledAfterMs);
      expect((await getJob(database.db, job.id)).state).toBe("active");
      await harness.recover(database.db);
      const pool = await harness.start(handlers, { stalledAfterMs });
      try {
        const finished = await completed(job.id);
        expect(runCount(job.id)).toBe(1);
        expect(finished.attempts).toBeGreaterThanOrEqual(2);
      } finally {
        await pool.close();
      }
    });

    it("finishes running jobs on shutdown and takes no new ones", async () => {
      const pool = await harness.start(handlers, { concurrency: 1 });
      const slow = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } });
      behaviour.set(slow.id, "slow");
      await eventually(async () => runCount(slow.id) === 1);
      await pool.close();
      expect((await getJob(database.db, slow.id)).state).toBe("completed");

      const later = await dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(runCount(later.id)).toBe(0);
      expect((await getJob(database.db, later.id)).state).toBe("queued");
      // The next worker picks it up.
      const next = await harness.start(handlers);
      try {
        await completed(later.id);
      } finally {
        await next.close();
      }
    });

    it("runs jobs enqueued while no worker ran, once each, when a worker starts", async () => {
      const jobs = await Promise.all(Array.from({ length: 5 }, () => dispatcher().enqueue({ queue: "rollup", payload: { workspaceId } })));
      await harness.recover(database.db);
      const pool = await harness.start(handlers);
      try {
        for (const job of jobs) {
          await completed(job.id);
          expect(runCount(job.id)).toBe(1);
        }
      } finally {
        await pool.close();
      }
    });
  });
});
