/**
 * Enqueueing and reconciling, against a transport interface (`JobTransport`) that the BullMQ adapter
 * implements. The row is written first; if the transport is down the job waits in Postgres and the
 * reconciler hands it over later. Nothing is lost when Redis loses its data.
 */
import type { Db } from "../db/database.ts";
import type { QueueName } from "./contracts.ts";
import type { EventPublisher } from "./events.ts";
import { toJobEvent } from "./events.ts";
import type { Job, NewJob } from "./job-store.ts";
import { insertJob, listStaleUnfinishedJobs, markEnqueued } from "./job-store.ts";

export type TransportState = "waiting" | "active" | "delayed" | "completed" | "failed" | "missing";

export interface JobTransport {
  add(queue: QueueName, jobId: string, payload: Record<string, unknown>): Promise<void>;
  /** What the transport knows of a job; "missing" when it has no record of it. */
  stateOf(queue: QueueName, jobId: string): Promise<TransportState>;
  /** Forget a finished or failed transport record so the job can be added again. */
  remove(queue: QueueName, jobId: string): Promise<void>;
}

export interface Dispatcher {
  /** Writes the job row, then hands it to the transport. */
  enqueue<Name extends QueueName>(job: NewJob<Name>): Promise<Job>;
  /**
   * Hands over a job whose row was inserted (with `insertJob`) inside a caller's transaction, after
   * that transaction committed. May fail harmlessly: the reconciler retries the hand-over.
   */
  handOver(job: Job): Promise<void>;
}

export function createDispatcher(deps: {
  db: Db;
  transport: JobTransport;
  events?: EventPublisher;
  log?: (message: string, error: unknown) => void;
}): Dispatcher {
  const handOver = async (job: Job) => {
    // "queued" goes out first: once handed over, a worker may already be reporting "active".
    await deps.events?.publish(toJobEvent(job)).catch(() => {});
    try {
      await deps.transport.add(job.queue, job.id, job.payload);
      await markEnqueued(deps.db, job.id);
    } catch (error) {
      deps.log?.(`Job ${job.id} stays queued in Postgres until the job transport is reachable`, error);
    }
  };
  return {
    async enqueue(newJob) {
      const { job, created } = await insertJob(deps.db, newJob);
      if (created) await handOver(job);
      return job;
    },
    handOver,
  };
}

export interface ReconcileReport {
  checked: number;
  reenqueued: number;
}

/**
 * Re-enqueues unfinished jobs whose transport record vanished (Redis flushed or restarted without
 * persistence) or ended without the row being finished (a worker died between the two).
 */
export async function reconcileJobs(
  deps: { db: Db; transport: JobTransport },
  options: { graceMs: number; limit?: number },
): Promise<ReconcileReport> {
  const stale = await listStaleUnfinishedJobs(deps.db, options.graceMs, options.limit);
  let reenqueued = 0;
  for (const job of stale) {
    const state = await deps.transport.stateOf(job.queue, job.id);
    if (state === "waiting" || state === "active" || state === "delayed") continue;
    if (state !== "missing") await deps.transport.remove(job.queue, job.id);
    await deps.transport.add(job.queue, job.id, job.payload);
    await markEnqueued(deps.db, job.id);
    await deps.db.query("UPDATE jobs SET state = 'queued', updated_at = now() WHERE id = $1 AND state = 'active'", [job.id]);
    reenqueued += 1;
  }
  return { checked: stale.length, reenqueued };
}
