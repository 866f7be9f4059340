/**
 * Postgres is the truth about work; Redis only carries it. Every job is a row here first. A job's
 * state changes only through these functions, which is what makes processing idempotent: a job that
 * is delivered twice finds its row completed and does nothing.
 */
import { asyncCommit } from "../db/async-commit.ts";
import type { Queryable } from "../db/database.ts";
import { NotFoundError } from "../errors.ts";
import type { JobPayload, QueueName } from "./contracts.ts";
import { parsePayload } from "./contracts.ts";

export type JobState = "queued" | "active" | "completed" | "failed" | "cancelled";

export interface Job {
  id: string;
  queue: QueueName;
  payload: Record<string, unknown>;
  state: JobState;
  progress: number;
  stage: string | null;
  attempts: number;
  error: string | null;
  workspaceId: string | null;
  ownerId: string | null;
  teamPath: string | null;
  subjectType: string | null;
  subjectId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `id, queue, payload, state, progress, stage, attempts, error, workspace_id AS "workspaceId",
  owner_id AS "ownerId", team_path AS "teamPath", subject_type AS "subjectType", subject_id AS "subjectId",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface NewJob<Name extends QueueName> {
  queue: Name;
  payload: Omit<JobPayload<Name>, "jobId">;
  /** Enqueueing the same key while a job with it is queued or active returns that job. */
  dedupeKey?: string;
  workspaceId?: string | null;
  ownerId?: string | null;
  teamPath?: string | null;
  subject?: { type: string; id: string };
}

export async function insertJob<Name extends QueueName>(db: Queryable, job: NewJob<Name>): Promise<{ job: Job; created: boolean }> {
  if (job.dedupeKey) {
    const existing = await db.query<Job>(
      `SELECT ${columns} FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'active')`,
      [job.dedupeKey],
    );
    if (existing.rows[0]) return { job: existing.rows[0], created: false };
  }
  const id = crypto.randomUUID();
  // Validate the full payload now, so a bad job never reaches a queue.
  const payload = parsePayload(job.queue, { ...job.payload, jobId: id });
  const { rows } = await db.query<Job>(
    `INSERT INTO jobs (id, queue, payload, dedupe_key, workspace_id, owner_id, team_path, subject_type, subject_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (dedupe_key) WHERE state IN ('queued', 'active') DO NOTHING
     RETURNING ${columns}`,
    [id, job.queue, JSON.stringify(payload), job.dedupeKey ?? null, job.workspaceId ?? null, job.ownerId ?? null,
      job.teamPath ?? null, job.subject?.type ?? null, job.subject?.id ?? null],
  );
  if (rows[0]) return { job: rows[0], created: true };
  // Lost a race with an identical enqueue: return the winner.
  const winner = await db.query<Job>(`SELECT ${columns} FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'active')`, [job.dedupeKey]);
  return { job: winner.rows[0], created: false };
}

export async function getJob(db: Queryable, id: string): Promise<Job> {
  const { rows } = await db.query<Job>(`SELECT ${columns} FROM jobs WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError("Job not found.");
  return rows[0];
}

export async function markEnqueued(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE jobs SET enqueued_at = now() WHERE id = $1", [id]);
}

/**
 * Who holds a job while it runs. The embedded transport locks rows to a worker (`locked_by`); a
 * worker whose lock was taken from it (it stopped heart-beating and the job was handed to another)
 * must not overwrite the new holder's progress or result, so every write is guarded by the lock.
 * BullMQ deliveries carry no row lock (BullMQ holds its own), so `lockedBy` is null there.
 */
export type JobLock = string | null;

// `$n::text IS NULL OR locked_by = $n`: no guard without a lock, the lock holder only with one.
const heldBy = (parameter: string) => `(${parameter}::text IS NULL OR locked_by = ${parameter})`;

/**
 * A job's start — `startJob`, or the embedded claim — is not worth an fsync (core/db/async-commit.ts),
 * so both run on their own, never inside a transaction. Forgotten in a database crash, the job is
 * simply not started yet: queued again, claimed and run again, which every job must bear anyway (a
 * worker may die mid-run). What a job reads was committed synchronously by whoever wrote it, and its
 * completion is synchronous: flushing the WAL in order, that also makes its start durable.
 */
const startWithoutFsync = `WITH sync AS (SELECT ${asyncCommit})`;

/** Claims the job for a run. Null when it is already finished (a duplicate delivery) or lost its lock. Not inside a transaction. */
export async function startJob(db: Queryable, id: string, lockedBy: JobLock = null): Promise<Job | null> {
  const { rows } = await db.query<Job>(
    `${startWithoutFsync}
     UPDATE jobs SET state = 'active', attempts = attempts + 1, error = NULL, updated_at = now() FROM sync
     WHERE id = $1 AND state IN ('queued', 'active') AND ${heldBy("$2")} RETURNING ${columns}`,
    [id, lockedBy],
  );
  return rows[0] ?? null;
}

export async function updateProgress(
  db: Queryable,
  id: string,
  progress: number,
  stage: string | null,
  lockedBy: JobLock = null,
): Promise<Job | null> {
  const { rows } = await db.query<Job>(
    `UPDATE jobs SET progress = $2, stage = coalesce($3, stage), updated_at = now()
     WHERE id = $1 AND state = 'active' AND ${heldBy("$4")} RETURNING ${columns}`,
    [id, Math.max(0, Math.min(1, progress)), stage, lockedBy],
  );
  return rows[0] ?? null;
}

export type JobOutcome =
  | { state: "completed" }
  | { state: "failed"; error: string }
  /** Back to the queue, due again after `delayMs` (the embedded transport waits for it; BullMQ keeps its own timer). */
  | { state: "retrying"; error: string; delayMs: number };

/** Records how a run ended. Null when the run had lost its lock: another worker owns the job now. */
export async function finishJob(db: Queryable, id: string, outcome: JobOutcome, lockedBy: JobLock = null): Promise<Job | null> {
  const { rows } = await db.query<Job>(
    outcome.state === "retrying"
      ? `UPDATE jobs SET state = 'queued', error = $2, locked_by = NULL, locked_at = NULL, updated_at = now(),
           run_at = now() + make_interval(secs => $3::double precision / 1000)
         WHERE id = $1 AND ${heldBy("$4")} RETURNING ${columns}`
      : `UPDATE jobs SET state = $3, error = $2, progress = CASE WHEN $3 = 'completed' THEN 1 ELSE progress END,
           locked_by = NULL, locked_at = NULL, updated_at = now(), finished_at = now()
         WHERE id = $1 AND ${heldBy("$4")} RETURNING ${columns}`,
    outcome.state === "retrying"
      ? [id, outcome.error, outcome.delayMs, lockedBy]
      : [id, outcome.state === "failed" ? outcome.error : null, outcome.state, lockedBy],
  );
  if (rows[0]) return rows[0];
  if (lockedBy) return null;
  throw new NotFoundError("Job not found.");
}

// ─── The embedded transport: the rows are the queue ──────────────────────────────────────────────

/**
 * Locks up to `limit` due jobs of `queues` to `workerId` and starts them (active, one attempt more,
 * as `startJob` does: the runner is told they are started and does not start them again), oldest
 * due first. `FOR UPDATE SKIP LOCKED` lets any number of workers claim at once without blocking or
 * double-claiming. Not inside a transaction (no fsync: see `startWithoutFsync`).
 */
export async function claimJobs(db: Queryable, workerId: string, queues: readonly string[], limit: number): Promise<Job[]> {
  if (limit <= 0 || queues.length === 0) return [];
  const { rows } = await db.query<Job>(
    `${startWithoutFsync}
     UPDATE jobs SET state = 'active', attempts = attempts + 1, error = NULL, locked_by = $1, locked_at = now(), updated_at = now() FROM sync
     WHERE id IN (
       SELECT id FROM jobs WHERE state = 'queued' AND queue = ANY($2::text[]) AND run_at <= now()
       ORDER BY run_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING ${columns}`,
    [workerId, queues, limit],
  );
  return rows;
}

/** Milliseconds until the next queued job of `queues` is due (0: one is due now); null when none waits. */
export async function msUntilNextDueJob(db: Queryable, queues: readonly string[]): Promise<number | null> {
  const { rows } = await db.query<{ ms: number | null }>(
    `SELECT greatest(0, extract(epoch FROM min(run_at) - now()) * 1000)::double precision AS ms
     FROM jobs WHERE state = 'queued' AND queue = ANY($1::text[])`,
    [queues],
  );
  return rows[0]?.ms ?? null;
}

/** Makes a queued job due now (a hand-over); a finished or running job is left alone. */
export async function makeDue(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE jobs SET run_at = least(run_at, now()) WHERE id = $1 AND state = 'queued'", [id]);
  return rowCount > 0;
}

/**
 * The worker is alive: refresh its registration and the locks of the jobs it is running right now —
 * only those, so a job whose run ended without its outcome being written (the database was down at
 * that moment) stops being refreshed and is handed back as stalled.
 */
export async function heartbeat(
  db: Queryable,
  worker: { id: string; host: string; pid: number; queues: readonly string[] },
  runningJobIds: readonly string[],
): Promise<void> {
  await db.query(
    `INSERT INTO job_workers (id, host, pid, queues) VALUES ($1, $2, $3, $4::text[])
     ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
    [worker.id, worker.host, worker.pid, worker.queues],
  );
  if (runningJobIds.length === 0) return;
  await db.query("UPDATE jobs SET locked_at = now() WHERE id = ANY($2::uuid[]) AND locked_by = $1 AND state = 'active'", [
    worker.id,
    runningJobIds,
  ]);
}

export async function unregisterWorker(db: Queryable, workerId: string): Promise<void> {
  await db.query("DELETE FROM job_workers WHERE id = $1", [workerId]);
}

/** Worker processes seen within `withinMs`. */
export async function countLiveWorkers(db: Queryable, withinMs: number): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM job_workers WHERE seen_at > now() - make_interval(secs => $1::double precision / 1000)",
    [withinMs],
  );
  return rows[0]?.count ?? 0;
}

/** Forgets worker processes not seen for a day (killed ones never unregister). */
export async function forgetDeadWorkers(db: Queryable): Promise<void> {
  await db.query("DELETE FROM job_workers WHERE seen_at < now() - interval '1 day'");
}

/**
 * Active jobs whose worker stopped heart-beating for `stalledAfterMs` (it crashed, was killed, or
 * lost the database), or every active job when `everyone` (a single-process database reopening:
 * nobody else can hold them). Each goes back to the queue, or fails when it has used up its
 * `maxAttempts` (per queue) — a job that kills its worker every time must not loop forever.
 */
export async function releaseStalledJobs(
  db: Queryable,
  options: { stalledAfterMs: number; everyone?: boolean; maxAttempts: Record<string, number> },
): Promise<Job[]> {
  const { rows } = await db.query<Job>(
    `UPDATE jobs SET
       state = CASE WHEN attempts >= coalesce(($3::jsonb ->> queue)::int, 1) THEN 'failed' ELSE 'queued' END,
       finished_at = CASE WHEN attempts >= coalesce(($3::jsonb ->> queue)::int, 1) THEN now() END,
       locked_by = NULL, locked_at = NULL, run_at = now(), updated_at = now(),
       error = 'The worker running this job stopped (crashed, killed or cut off from the database).'
     WHERE state = 'active'
       AND ($2::boolean OR coalesce(locked_at, updated_at) < now() - make_interval(secs => $1::double precision / 1000))
     RETURNING ${columns}`,
    [options.stalledAfterMs, options.everyone ?? false, JSON.stringify(options.maxAttempts)],
  );
  return rows;
}

/** Unfinished jobs not touched for `graceMs`: candidates for re-enqueueing if Redis lost them. */
export async function listStaleUnfinishedJobs(db: Queryable, graceMs: number, limit = 1000): Promise<Job[]> {
  const { rows } = await db.query<Job>(
    `SELECT ${columns} FROM jobs WHERE state IN ('queued', 'active')
       AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
     ORDER BY updated_at LIMIT $2`,
    [graceMs, limit],
  );
  return rows;
}
