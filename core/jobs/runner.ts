/**
 * Runs one delivery of a job: claims its row, calls the handler with a progress reporter, and
 * records the outcome. Decides retry versus failure from the error's type, so the transport adapter
 * only has to translate `PermanentJobFailure` into its own "do not retry" signal.
 */
import type { Db, Queryable } from "../db/database.ts";
import { CalibrateError } from "../errors.ts";
import type { JobPayload, QueueName } from "./contracts.ts";
import { jobOptions, parsePayload } from "./contracts.ts";
import type { EventPublisher } from "./events.ts";
import { toJobEvent } from "./events.ts";
import type { Job } from "./job-store.ts";
import { finishJob, startJob, updateProgress } from "./job-store.ts";

export interface JobContext<Name extends QueueName> {
  job: Job;
  payload: JobPayload<Name>;
  /** Reports progress in [0, 1] and, optionally, the stage the job is in (shown to users). */
  progress(fraction: number, stage?: string): Promise<void>;
  signal: AbortSignal;
  /**
   * Marks the job completed inside the handler's own transaction, so the completion commits with
   * what the job did: a crash loses both or neither, and a delivery after the commit finds the job
   * done. Null when this delivery no longer holds the job (its lock was taken over). A handler whose
   * transaction committed returns `{ completed }` with the row, and the runner writes no completion
   * of its own; a rolled-back one returns nothing, and the runner records the outcome as usual.
   */
  complete(transaction: Queryable): Promise<Job | null>;
}

/** What a handler may return: the job row it completed in its own committed transaction (`complete`). */
export type HandlerResult = { completed: Job } | void;

export type JobHandler<Name extends QueueName> = ((context: JobContext<Name>) => Promise<HandlerResult>) & {
  /** Called once when the job has failed for good, to record the reason where users look for it. */
  onPermanentFailure?: (payload: JobPayload<Name>, message: string) => Promise<void>;
};

export function defineHandler<Name extends QueueName>(
  run: (context: JobContext<Name>) => Promise<HandlerResult>,
  hooks: { onPermanentFailure?: (payload: JobPayload<Name>, message: string) => Promise<void> } = {},
): JobHandler<Name> {
  return Object.assign(run, hooks);
}

/** The job failed for good (bad input, or out of attempts); the transport must not retry it. */
export class PermanentJobFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobFailure";
  }
}

export type HandlerRegistry = { [Name in QueueName]?: JobHandler<Name> };

/** A running set of workers, whichever transport feeds them. */
export interface WorkerPool {
  /** Stops taking jobs and waits for the running ones to finish (SIGTERM). */
  close(): Promise<void>;
}

/** What a transport's worker needs besides the handlers. */
export interface WorkerPoolOptions {
  db: Db;
  events?: EventPublisher;
  handlers: HandlerRegistry;
  concurrency: number;
  /** A job whose worker shows no sign of life for this long is handed to another worker. */
  stalledAfterMs?: number;
  onError?: (error: Error, job?: { queue: string; id: string }) => void;
}

/** First retry after the queue's `backoffMs`, doubling each time (the same curve BullMQ uses). */
export function retryDelayMs(queue: QueueName, attemptsMade: number): number {
  return jobOptions[queue].backoffMs * 2 ** Math.max(0, attemptsMade);
}

export type RunOutcome = "completed" | "skipped";

// Progress is written at most this often (stage changes are written at once).
const progressIntervalMs = 250;

export async function runJob<Name extends QueueName>(
  deps: { db: Db; events?: EventPublisher },
  queue: Name,
  data: unknown,
  handler: JobHandler<Name>,
  delivery: {
    attemptsMade: number;
    attemptsAllowed: number;
    signal?: AbortSignal;
    /** The embedded transport's row lock; writes are dropped once another worker holds the job. */
    lockedBy?: string | null;
    /** The row as the transport's claim already started it (`claimJobs`): not started again. */
    started?: Job;
  },
): Promise<RunOutcome> {
  const lock = delivery.lockedBy ?? null;
  let payload: JobPayload<Name>;
  try {
    payload = parsePayload(queue, data);
  } catch (error) {
    // A payload that does not parse will never parse: no retry. Fail its row too, if it names one,
    // or the reconciler would hand the same bad payload over again and again.
    const message = `Invalid ${queue} payload: ${(error as Error).message}`;
    const jobId = (data as { jobId?: unknown } | null)?.jobId;
    if (typeof jobId === "string" && /^[0-9a-f-]{36}$/i.test(jobId)) {
      const failed = await finishJob(deps.db, jobId, { state: "failed", error: message }, lock).catch(() => null);
      if (failed) await deps.events?.publish(toJobEvent(failed));
    }
    throw new PermanentJobFailure(message, { cause: error });
  }
  const job = delivery.started?.id === payload.jobId ? delivery.started : await startJob(deps.db, payload.jobId, lock);
  if (!job) return "skipped"; // Already finished (a duplicate delivery), or no longer ours.
  // "active" goes out while the handler starts (a live view; the handler does not wait for it). Every
  // later event waits for the one before, so a browser never sees them out of order.
  let published: Promise<void> = (deps.events?.publish(toJobEvent(job)) ?? Promise.resolve()).catch(() => {});
  const publish = (event: ReturnType<typeof toJobEvent>) => {
    published = published.then(() => deps.events?.publish(event));
    return published;
  };

  let lastWrite = 0;
  let lastStage: string | null = job.stage;
  const progress = async (fraction: number, stage?: string) => {
    const now = Date.now();
    const stageChanged = stage !== undefined && stage !== lastStage;
    if (!stageChanged && now - lastWrite < progressIntervalMs && fraction < 1) return;
    lastWrite = now;
    lastStage = stage ?? lastStage;
    const updated = await updateProgress(deps.db, job.id, fraction, stage ?? null, lock);
    if (updated) await publish(toJobEvent(updated));
  };

  let result: HandlerResult;
  try {
    // The queue's time limit, as a signal the handler passes to whatever it waits on.
    const timeout = AbortSignal.timeout(jobOptions[queue].timeoutMs);
    const signal = delivery.signal ? AbortSignal.any([delivery.signal, timeout]) : timeout;
    const complete = (transaction: Queryable) => finishJob(transaction, job.id, { state: "completed" }, lock);
    result = await handler({ job, payload, progress, signal, complete });
  } catch (error) {
    const message = describe(error);
    // Typed errors say whether they may pass; unknown errors (a dropped connection, a bug) are retried
    // until attempts run out, then reported.
    const retryable = error instanceof CalibrateError ? error.retryable : true;
    const attemptsLeft = delivery.attemptsMade + 1 < delivery.attemptsAllowed;
    if (retryable && attemptsLeft) {
      const delayMs = retryDelayMs(queue, delivery.attemptsMade);
      const updated = await finishJob(deps.db, job.id, { state: "retrying", error: message, delayMs }, lock);
      if (updated) await publish(toJobEvent(updated));
      throw error;
    }
    const updated = await finishJob(deps.db, job.id, { state: "failed", error: message }, lock);
    if (!updated) return "skipped"; // Another worker holds the job now; its run decides.
    await handler.onPermanentFailure?.(payload, message);
    await publish(toJobEvent(updated));
    throw new PermanentJobFailure(message, { cause: error });
  }
  const finished = result?.completed ?? (await finishJob(deps.db, job.id, { state: "completed" }, lock));
  if (!finished) {
    await published;
    return "skipped";
  }
  await publish(toJobEvent(finished));
  return "completed";
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
