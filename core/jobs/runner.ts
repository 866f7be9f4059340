/**
 * Runs one delivery of a job: claims its row, calls the handler with a progress reporter, and
 * records the outcome. Decides retry versus failure from the error's type, so the transport adapter
 * only has to translate `PermanentJobFailure` into its own "do not retry" signal.
 */
import type { Db } from "../db/database.ts";
import { CalibrateError } from "../errors.ts";
import type { JobPayload, QueueName } from "./contracts.ts";
import { parsePayload } from "./contracts.ts";
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
}

export type JobHandler<Name extends QueueName> = ((context: JobContext<Name>) => Promise<void>) & {
  /** Called once when the job has failed for good, to record the reason where users look for it. */
  onPermanentFailure?: (payload: JobPayload<Name>, message: string) => Promise<void>;
};

export function defineHandler<Name extends QueueName>(
  run: (context: JobContext<Name>) => Promise<void>,
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

export type RunOutcome = "completed" | "skipped";

// Progress is written at most this often (stage changes are written at once).
const progressIntervalMs = 250;

export async function runJob<Name extends QueueName>(
  deps: { db: Db; events?: EventPublisher },
  queue: Name,
  data: unknown,
  handler: JobHandler<Name>,
  delivery: { attemptsMade: number; attemptsAllowed: number; signal?: AbortSignal },
): Promise<RunOutcome> {
  let payload: JobPayload<Name>;
  try {
    payload = parsePayload(queue, data);
  } catch (error) {
    // A payload that does not parse will never parse: no retry.
    throw new PermanentJobFailure(`Invalid ${queue} payload: ${(error as Error).message}`, { cause: error });
  }
  const job = await startJob(deps.db, payload.jobId);
  if (!job) return "skipped"; // Already finished: a duplicate delivery.
  await deps.events?.publish(toJobEvent(job));

  let lastWrite = 0;
  let lastStage: string | null = job.stage;
  const progress = async (fraction: number, stage?: string) => {
    const now = Date.now();
    const stageChanged = stage !== undefined && stage !== lastStage;
    if (!stageChanged && now - lastWrite < progressIntervalMs && fraction < 1) return;
    lastWrite = now;
    lastStage = stage ?? lastStage;
    const updated = await updateProgress(deps.db, job.id, fraction, stage ?? null);
    if (updated) await deps.events?.publish(toJobEvent(updated));
  };

  try {
    await handler({ job, payload, progress, signal: delivery.signal ?? new AbortController().signal });
  } catch (error) {
    const message = describe(error);
    // Typed errors say whether they may pass; unknown errors (a dropped connection, a bug) are retried
    // until attempts run out, then reported.
    const retryable = error instanceof CalibrateError ? error.retryable : true;
    const attemptsLeft = delivery.attemptsMade + 1 < delivery.attemptsAllowed;
    if (retryable && attemptsLeft) {
      const updated = await finishJob(deps.db, job.id, { state: "retrying", error: message });
      await deps.events?.publish(toJobEvent(updated));
      throw error;
    }
    const updated = await finishJob(deps.db, job.id, { state: "failed", error: message });
    await handler.onPermanentFailure?.(payload, message);
    await deps.events?.publish(toJobEvent(updated));
    throw new PermanentJobFailure(message, { cause: error });
  }
  const finished = await finishJob(deps.db, job.id, { state: "completed" });
  await deps.events?.publish(toJobEvent(finished));
  return "completed";
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
