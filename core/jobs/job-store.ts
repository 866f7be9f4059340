/**
 * Postgres is the truth about work; Redis only carries it. Every job is a row here first. A job's
 * state changes only through these functions, which is what makes processing idempotent: a job that
 * is delivered twice finds its row completed and does nothing.
 */
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

/** Claims the job for a run. Null when it is already finished: the delivery is a duplicate. */
export async function startJob(db: Queryable, id: string): Promise<Job | null> {
  const { rows } = await db.query<Job>(
    `UPDATE jobs SET state = 'active', attempts = attempts + 1, error = NULL, updated_at = now()
     WHERE id = $1 AND state IN ('queued', 'active') RETURNING ${columns}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function updateProgress(db: Queryable, id: string, progress: number, stage: string | null): Promise<Job | null> {
  const { rows } = await db.query<Job>(
    `UPDATE jobs SET progress = $2, stage = coalesce($3, stage), updated_at = now()
     WHERE id = $1 AND state = 'active' RETURNING ${columns}`,
    [id, Math.max(0, Math.min(1, progress)), stage],
  );
  return rows[0] ?? null;
}

export async function finishJob(
  db: Queryable,
  id: string,
  outcome: { state: "completed" } | { state: "failed"; error: string } | { state: "retrying"; error: string },
): Promise<Job> {
  const { rows } = await db.query<Job>(
    outcome.state === "retrying"
      ? `UPDATE jobs SET state = 'queued', error = $2, updated_at = now() WHERE id = $1 RETURNING ${columns}`
      : `UPDATE jobs SET state = $3, error = $2, progress = CASE WHEN $3 = 'completed' THEN 1 ELSE progress END,
           updated_at = now(), finished_at = now() WHERE id = $1 RETURNING ${columns}`,
    outcome.state === "retrying" ? [id, outcome.error] : [id, outcome.state === "failed" ? outcome.error : null, outcome.state],
  );
  if (!rows[0]) throw new NotFoundError("Job not found.");
  return rows[0];
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
