/**
 * The embedded job transport: the Postgres `jobs` rows are the queue, so one machine needs no Redis.
 * `npm start` uses it when REDIS_URL is unset, on PGlite or on PostgreSQL; on PostgreSQL it also works
 * across processes (`npm run server` + any number of `npm run worker`), though BullMQ is the
 * scale-out path.
 *
 * What we took from graphile-worker and pg-boss, and what we left:
 * - Claiming with `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` (both): workers never
 *   block each other and never claim the same row.
 * - Waking on `LISTEN/NOTIFY` (graphile-worker's `jobs:insert`), with a poll as the safety net
 *   (pg-boss polls only). Here the notify is sent by the hand-over, not by a trigger, so the BullMQ
 *   path pays nothing for it; in one process the hand-over also wakes the workers directly, which is
 *   what PGlite (one process by construction) relies on, with a short poll for the rest.
 * - A `run_at` column for retries with exponential backoff (both), and a timer set to the next due
 *   job rather than polling for it.
 * - Locks that expire (graphile-worker's `locked_at`, pg-boss's `expire_in`), but refreshed by a
 *   heartbeat so long jobs (an hour of audio) are not taken away from a live worker; a job whose
 *   worker stopped heart-beating for `stalledAfterMs` is handed back, or failed when out of attempts.
 * - Not taken: graphile-worker's named job queues with serial execution, cron, and pg-boss's
 *   archive tables — Calibrate's job rows already keep history, and the rollup timer covers cron.
 */
import { EventEmitter } from "node:events";
import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Db, Unlisten } from "../core/db/database.ts";
import type { QueueName } from "../core/jobs/contracts.ts";
import { jobOptions, queueNames } from "../core/jobs/contracts.ts";
import type { JobTransport, TransportState } from "../core/jobs/dispatch.ts";
import { toJobEvent } from "../core/jobs/events.ts";
import type { Job } from "../core/jobs/job-store.ts";
import {
  claimJobs,
  countLiveWorkers,
  forgetDeadWorkers,
  getJob,
  heartbeat,
  makeDue,
  msUntilNextDueJob,
  releaseStalledJobs,
  unregisterWorker,
} from "../core/jobs/job-store.ts";
import type { JobHandler, WorkerPool, WorkerPoolOptions } from "../core/jobs/runner.ts";
import { runJob } from "../core/jobs/runner.ts";
import { NotFoundError } from "../core/errors.ts";

/** The NOTIFY channel on which hand-overs wake workers in other processes. */
export const jobsChannel = "calibrate_jobs";

export interface EmbeddedTransport extends JobTransport {
  readonly kind: "embedded";
  /** Worker processes that heart-beat within the last minute. */
  workerCount(): Promise<number>;
  /** Wakes this process's workers (in-process hand-over). */
  readonly wakeups: EventEmitter;
  /** This process's tag on NOTIFY payloads (`queue|origin`). */
  readonly origin: string;
  close(): Promise<void>;
}

export function createEmbeddedTransport(db: Db): EmbeddedTransport {
  // Tags this process's notifications, so its own workers (already woken directly) skip them.
  const origin = randomBytes(6).toString("hex");
  const wakeups = new EventEmitter();
  wakeups.setMaxListeners(0);
  return {
    kind: "embedded",
    origin,
    wakeups,
    async add(queue, jobId) {
      // The row is already the queue; a hand-over only makes it due and wakes whoever may run it:
      // this process's workers directly, other processes' through NOTIFY (in the same round trip).
      if (db.kind === "postgres") {
        await db.query(
          `WITH due AS (UPDATE jobs SET run_at = least(run_at, now()) WHERE id = $1 AND state = 'queued' RETURNING queue)
           SELECT pg_notify($2, queue || '|' || $3) FROM due`,
          [jobId, jobsChannel, origin],
        );
      } else {
        await makeDue(db, jobId);
      }
      wakeups.emit("job", queue);
    },
    async stateOf(_queue, jobId): Promise<TransportState> {
      let job: Job;
      try {
        job = await getJob(db, jobId);
      } catch (error) {
        if (error instanceof NotFoundError) return "missing";
        throw error;
      }
      if (job.state === "queued") {
        const due = await msUntilDue(db, jobId);
        return due > 0 ? "delayed" : "waiting";
      }
      if (job.state === "active" || job.state === "completed") return job.state;
      return "failed";
    },
    // Nothing to forget: the row is the only record.
    async remove() {},
    workerCount: () => countLiveWorkers(db, 60_000),
    async close() {
      wakeups.removeAllListeners();
    },
  };
}

async function msUntilDue(db: Db, jobId: string): Promise<number> {
  const { rows } = await db.query<{ ms: number }>(
    "SELECT greatest(0, extract(epoch FROM run_at - now()) * 1000)::double precision AS ms FROM jobs WHERE id = $1",
    [jobId],
  );
  return rows[0]?.ms ?? 0;
}

export interface EmbeddedWorkerOptions extends WorkerPoolOptions {
  /** The safety-net poll, for hand-overs whose wake-up was missed. */
  pollIntervalMs?: number;
}

export interface EmbeddedWorkerPool extends WorkerPool {
  readonly workerId: string;
}

const maxAttempts = Object.fromEntries(queueNames.map((name) => [name, jobOptions[name].attempts]));

export async function startEmbeddedWorkers(transport: EmbeddedTransport, options: EmbeddedWorkerOptions): Promise<EmbeddedWorkerPool> {
  const { db } = options;
  const queues = (Object.keys(options.handlers) as QueueName[]).filter((name) => options.handlers[name]);
  const stalledAfterMs = options.stalledAfterMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? (db.kind === "pglite" ? 1_000 : 5_000);
  const worker = { id: `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`, host: os.hostname(), pid: process.pid, queues };
  const running = new Set<Promise<void>>();
  const runningIds = new Set<string>();
  // While the database is unreachable, claims pause with a growing delay; the first failure is reported.
  let failures = 0;
  let pausedUntil = 0;
  let closing = false;
  let filling = false;
  let fillAgain = false;
  let dueTimer: NodeJS.Timeout | null = null;
  const report = (error: unknown, job?: Job) =>
    options.onError?.(error instanceof Error ? error : new Error(String(error)), job && { queue: job.queue, id: job.id });

  const handOverStalled = async (released: Job[]) => {
    for (const job of released) {
      await options.events?.publish(toJobEvent(job));
      if (job.state !== "failed") continue;
      const handler = options.handlers[job.queue] as JobHandler<QueueName> | undefined;
      await handler?.onPermanentFailure?.(job.payload as never, job.error ?? "The worker stopped.");
    }
  };

  const run = async (job: Job) => {
    const handler = options.handlers[job.queue] as JobHandler<QueueName>;
    runningIds.add(job.id);
    try {
      await runJob({ db, events: options.events }, job.queue, job.payload, handler, {
        // The claim counted this attempt already.
        attemptsMade: job.attempts - 1,
        attemptsAllowed: jobOptions[job.queue].attempts,
        lockedBy: worker.id,
        started: job,
      });
    } catch (error) {
      // Retries are already scheduled on the row (`run_at`), failures recorded: only report.
      report(error, job);
    } finally {
      runningIds.delete(job.id);
    }
  };

  const scheduleDue = async () => {
    if (closing) return;
    const dueInMs = await msUntilNextDueJob(db, queues);
    if (dueTimer) clearTimeout(dueTimer);
    dueTimer = null;
    if (dueInMs === null || dueInMs > pollIntervalMs) return; // The poll will come first.
    dueTimer = setTimeout(() => void fill(), Math.ceil(dueInMs) + 5);
    dueTimer.unref();
  };

  // Claims as many jobs as there are free slots; coalesces wake-ups that arrive while it runs.
  async function fill(): Promise<void> {
    if (closing || Date.now() < pausedUntil) return;
    if (filling) {
      fillAgain = true;
      return;
    }
    filling = true;
    try {
      do {
        fillAgain = false;
        const free = options.concurrency - running.size;
        if (free <= 0) break;
        const claimed = await claimJobs(db, worker.id, queues, free);
        for (const job of claimed) {
          const promise: Promise<void> = run(job).finally(() => {
            running.delete(promise);
            void fill();
          });
          running.add(promise);
        }
        if (claimed.length === free) fillAgain = true; // There may be more waiting.
      } while (fillAgain && !closing);
      await scheduleDue();
      failures = 0;
    } catch (error) {
      // The database blinked: pause claiming, back off, let the poll try again.
      if (failures === 0) report(error);
      failures += 1;
      pausedUntil = Date.now() + Math.min(30_000, pollIntervalMs * 2 ** Math.min(failures, 10));
      fillAgain = false;
    } finally {
      filling = false;
      // A wake-up that came after the last claim must not be lost.
      if (fillAgain && !closing) void fill();
    }
  }

  const wake = () => void fill();
  transport.wakeups.on("job", wake);
  let unlisten: Unlisten | null = null;
  if (db.kind === "postgres") {
    unlisten = await db.listen(jobsChannel, (message) => {
      if (message === null) return wake(); // The listener reconnected: look for what we missed.
      const [queue, origin] = message.split("|");
      if (origin !== transport.origin && queues.includes(queue as QueueName)) wake();
    });
  }

  await forgetDeadWorkers(db);
  await heartbeat(db, worker, []);
  // One process owns a PGlite database, so whatever was active when it last stopped was ours.
  await handOverStalled(await releaseStalledJobs(db, { stalledAfterMs, everyone: db.kind === "pglite", maxAttempts }));

  const pollTimer = setInterval(wake, pollIntervalMs);
  const heartbeatTimer = setInterval(() => {
    heartbeat(db, worker, [...runningIds])
      .then(async () => handOverStalled(await releaseStalledJobs(db, { stalledAfterMs, maxAttempts })))
      .then(wake)
      .catch((error: unknown) => {
        if (failures === 0) report(error);
        failures += 1;
      });
  }, Math.max(50, Math.floor(stalledAfterMs / 3)));
  pollTimer.unref();
  heartbeatTimer.unref();
  void fill();

  return {
    workerId: worker.id,
    async close() {
      closing = true;
      clearInterval(pollTimer);
      clearInterval(heartbeatTimer);
      if (dueTimer) clearTimeout(dueTimer);
      transport.wakeups.off("job", wake);
      await unlisten?.().catch(() => {});
      // Finish what is running (SIGTERM); the jobs' own time limits bound the wait.
      while (running.size > 0) await Promise.allSettled([...running]);
      await unregisterWorker(db, worker.id).catch(() => {});
    },
  };
}
