/**
 * Recordings: created by an upload (audio, then transcribed by a job) or by importing a transcript
 * (straight to drafting). Every read goes through `recordingScope`, so what a caller cannot see is
 * simply not found. Writes that create work insert the job row in the same transaction.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import { canReadOriginalText, recordingScope } from "../auth/actor.ts";
import { getTeam } from "../auth/teams.ts";
import type { Db, Queryable } from "../db/database.ts";
import { valuesList } from "../db/values-list.ts";
import { ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from "../errors.ts";
import type { Dispatcher } from "../jobs/dispatch.ts";
import type { Job } from "../jobs/job-store.ts";
import { insertJob } from "../jobs/job-store.ts";
import type { Redaction } from "../transcribe/redact.ts";
import { redactText } from "../transcribe/redact.ts";
import { eraseOutcomesOfRecording } from "../outcomes/outcomes.ts";
import { eraseExampleCopies } from "../traces/trace-erasure.ts";
import type { BlobStore, StoredBlob } from "./blob-store.ts";
import { removeIfUnused } from "./blob-references.ts";
import type { ParsedTranscript } from "./transcript-formats.ts";

export const recordingStatuses = ["queued", "normalising", "transcribing", "drafting", "ready", "failed"] as const;
export type RecordingStatus = (typeof recordingStatuses)[number];

export interface Recording {
  id: string;
  workspaceId: string;
  title: string;
  originalFilename: string;
  source: "audio" | "transcript";
  status: RecordingStatus;
  progress: number;
  failureReason: string | null;
  durationMs: number | null;
  channels: number | null;
  byteSize: number;
  customerReference: string | null;
  customerStage: string;
  callDate: string | null;
  language: "auto" | "zh" | "en";
  ownerId: string;
  ownerName: string;
  teamId: string;
  teamName: string;
  teamPath: string;
  storageKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Action items and talk tracks of the latest draft that no one has decided yet. */
  draftsToConfirm: number;
}

const selectRecording = `
  SELECT r.id, r.workspace_id AS "workspaceId", r.title, r.original_filename AS "originalFilename", r.source, r.status,
         r.progress, r.failure_reason AS "failureReason", r.duration_ms AS "durationMs", r.channels,
         r.byte_size AS "byteSize", r.customer_reference AS "customerReference", r.customer_stage AS "customerStage",
         to_char(r.call_date, 'YYYY-MM-DD') AS "callDate", r.language, r.owner_id AS "ownerId",
         u.display_name AS "ownerName", r.team_id AS "teamId", t.name AS "teamName", t.path AS "teamPath",
         r.storage_key AS "storageKey", r.created_at AS "createdAt", r.updated_at AS "updatedAt",
         (SELECT count(*)::int FROM draft_items i
           WHERE i.recording_id = r.id AND i.kind IN ('action_item', 'talk_track') AND i.status = 'pending'
             AND i.draft_id = (SELECT d.id FROM drafts d WHERE d.recording_id = r.id ORDER BY d.created_at DESC LIMIT 1)
         ) AS "draftsToConfirm"
  FROM recordings r JOIN users u ON u.id = r.owner_id JOIN teams t ON t.id = r.team_id`;

/** What the uploader says about the call. Consent is not optional: without it nothing is stored. */
export const recordingMetadataSchema = z.object({
  title: z.string().trim().max(300).optional(),
  customerReference: z.string().trim().max(300).optional(),
  customerStage: z.string().trim().min(1, "Choose the customer stage."),
  callDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Use the form YYYY-MM-DD.")
    .refine((value) => !Number.isNaN(Date.parse(value)), "Not a calendar date.")
    .optional(),
  language: z.enum(["auto", "zh", "en"]).default("auto"),
  consent: z.literal("true", {
    error: "Confirm that the customer agreed to the recording; uploads without consent are refused.",
  }),
  teamId: z.uuid().optional(),
});
export type RecordingMetadata = z.infer<typeof recordingMetadataSchema>;

/** File names are shown to people and written to logs: no paths, no control characters. */
export function checkFileName(name: string | undefined): string {
  const trimmed = (name ?? "").trim();
  if (!trimmed) throw new ValidationError("The file has no name.", undefined, { key: "upload.file_no_name" });
  if (/[\\/]/.test(trimmed)) throw new ValidationError(`The file name "${trimmed}" contains a path separator.`, undefined, { key: "upload.file_path_separator", params: { name: trimmed } });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new ValidationError("The file name contains control characters.", undefined, { key: "upload.file_control_characters" });
  if (trimmed === "." || trimmed === "..") throw new ValidationError("That is not a file name.", undefined, { key: "upload.file_not_a_name" });
  if (trimmed.length > 255) throw new ValidationError("The file name is longer than 255 characters.", undefined, { key: "upload.file_name_too_long" });
  return trimmed;
}

export async function workspaceStages(db: Queryable, workspaceId: string): Promise<string[]> {
  const { rows } = await db.query<{ stages: string[] }>("SELECT customer_stages AS stages FROM workspaces WHERE id = $1", [workspaceId]);
  return rows[0]?.stages ?? [];
}

/** The customer stage must be the workspace's and the team inside the uploader's reach. */
export async function checkUploadTarget(db: Queryable, actor: Actor, metadata: RecordingMetadata) {
  const stages = await workspaceStages(db, actor.workspaceId);
  if (!stages.includes(metadata.customerStage)) {
    throw new ValidationError(`Unknown customer stage "${metadata.customerStage}"; use one of: ${stages.join(", ")}.`, undefined, {
      key: "upload.unknown_stage",
      params: { stage: metadata.customerStage, stages: stages.join(", ") },
    });
  }
  // Reps upload for their own team; others may name a team inside their subtree.
  const team = await getTeam(db, metadata.teamId ?? actor.teamId);
  if (team.workspaceId !== actor.workspaceId || (actor.role !== "admin" && !team.path.startsWith(actor.teamPath))) {
    throw new NotFoundError("Team not found.");
  }
  return team;
}

export interface CreatedRecording {
  recording: Recording;
  /** The same rep had already uploaded identical content: that recording is returned instead. */
  duplicate: boolean;
  job: Job | null;
}

async function findDuplicate(db: Queryable, actor: Actor, sha256: string): Promise<Recording | null> {
  const { rows } = await db.query<Recording>(`${selectRecording} WHERE r.owner_id = $1 AND r.content_sha256 = $2`, [actor.id, sha256]);
  return rows[0] ?? null;
}

export async function createAudioRecording(
  deps: { db: Db; dispatcher: Dispatcher },
  actor: Actor,
  input: { metadata: RecordingMetadata; fileName: string; mediaType: string | null; blob: StoredBlob; durationMs: number; channels: number },
): Promise<CreatedRecording> {
  const team = await checkUploadTarget(deps.db, actor, input.metadata);
  const existing = await findDuplicate(deps.db, actor, input.blob.sha256);
  if (existing) return { recording: existing, duplicate: true, job: null };
  const { recordingId, job } = await deps.db.transaction(async (transaction) => {
    const { rows } = await transaction.query<{ id: string }>(
      `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, storage_key,
         byte_size, media_type, duration_ms, channels, customer_reference, customer_stage, call_date, language, consent_confirmed_at)
       VALUES ($1, $2, $3, 'audio', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now()) RETURNING id`,
      [actor.workspaceId, team.id, actor.id, input.metadata.title || input.fileName, input.fileName, input.blob.sha256, input.blob.key,
        input.blob.byteSize, input.mediaType, input.durationMs, input.channels, input.metadata.customerReference || null,
        input.metadata.customerStage, input.metadata.callDate ?? null, input.metadata.language],
    );
    const { job } = await insertJob(transaction, {
      queue: "transcribe",
      payload: { recordingId: rows[0].id },
      dedupeKey: `transcribe:${rows[0].id}`,
      workspaceId: actor.workspaceId,
      ownerId: actor.id,
      teamPath: team.path,
      subject: { type: "recording", id: rows[0].id },
    });
    return { recordingId: rows[0].id, job };
  });
  await deps.dispatcher.handOver(job);
  return { recording: await getRecording(deps.db, actor, recordingId), duplicate: false, job };
}

export interface SegmentInput {
  startMs: number;
  endMs: number;
  speaker: string;
  text: string;
  language?: string | null;
  confidence?: number | null;
}

/** Redacts, then replaces the recording's transcript (idempotent: a re-run leaves one transcript). */
export async function storeTranscript(
  db: Queryable,
  recordingId: string,
  transcript: { language: string | null; transcriber: string; model: string | null; segments: Array<SegmentInput & { originalText?: string; redactions?: Redaction[] }> },
): Promise<string> {
  await db.query("DELETE FROM transcripts WHERE recording_id = $1", [recordingId]);
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO transcripts (recording_id, language, transcriber, model) VALUES ($1, $2, $3, $4) RETURNING id",
    [recordingId, transcript.language, transcript.transcriber, transcript.model],
  );
  const transcriptId = rows[0].id;
  const segments = transcript.segments.map((segment) => {
    // Text from a transcriber arrives redacted with its original; imported text is redacted here.
    if (segment.originalText !== undefined && segment.redactions) return segment as Required<typeof segment>;
    const redacted = redactText(segment.text);
    return { ...segment, originalText: segment.text, text: redacted.text, redactions: redacted.redactions };
  });
  // One statement per 500 segments keeps an hour-long call to a handful of round trips.
  for (let offset = 0; offset < segments.length; offset += 500) {
    const batch = segments.slice(offset, offset + 500);
    const { sql, params } = valuesList(
      batch.map((segment, index) => [
        transcriptId, offset + index, Math.round(segment.startMs), Math.round(Math.max(segment.endMs, segment.startMs)),
        segment.speaker, segment.text, segment.originalText, JSON.stringify(segment.redactions), segment.language ?? null,
        segment.confidence ?? null,
      ]),
    );
    await db.query(
      `INSERT INTO segments (transcript_id, ordinal, start_ms, end_ms, speaker, text, original_text, redactions, language, confidence)
       VALUES ${sql}`,
      params,
    );
  }
  return transcriptId;
}

export async function importTranscript(
  deps: { db: Db; dispatcher: Dispatcher },
  actor: Actor,
  input: { metadata: RecordingMetadata; fileName: string; blob: StoredBlob; parsed: ParsedTranscript },
): Promise<CreatedRecording> {
  const team = await checkUploadTarget(deps.db, actor, input.metadata);
  const existing = await findDuplicate(deps.db, actor, input.blob.sha256);
  if (existing) return { recording: existing, duplicate: true, job: null };
  const segments = input.parsed.segments;
  const durationMs = Math.max(0, ...segments.map((segment) => segment.endMs));
  const language = input.metadata.language !== "auto" ? input.metadata.language : input.parsed.language;
  const { recordingId, job } = await deps.db.transaction(async (transaction) => {
    const { rows } = await transaction.query<{ id: string }>(
      `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, storage_key,
         byte_size, media_type, duration_ms, customer_reference, customer_stage, call_date, language, consent_confirmed_at, status, progress)
       VALUES ($1, $2, $3, 'transcript', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now(), 'drafting', 0) RETURNING id`,
      [actor.workspaceId, team.id, actor.id, input.metadata.title || input.fileName, input.fileName, input.blob.sha256, input.blob.key,
        input.blob.byteSize, `text/${input.parsed.format}`, durationMs, input.metadata.customerReference || null,
        input.metadata.customerStage, input.metadata.callDate ?? null, input.metadata.language],
    );
    await storeTranscript(transaction, rows[0].id, {
      language: language ?? null,
      transcriber: `import:${input.parsed.format}`,
      model: null,
      segments: segments.map((segment) => ({ ...segment, language: language ?? null })),
    });
    const { job } = await insertJob(transaction, {
      queue: "draft",
      payload: { recordingId: rows[0].id },
      dedupeKey: `draft:${rows[0].id}`,
      workspaceId: actor.workspaceId,
      ownerId: actor.id,
      teamPath: team.path,
      subject: { type: "recording", id: rows[0].id },
    });
    return { recordingId: rows[0].id, job };
  });
  await deps.dispatcher.handOver(job);
  return { recording: await getRecording(deps.db, actor, recordingId), duplicate: false, job };
}

export async function listRecordings(
  db: Queryable,
  actor: Actor,
  options: { status?: RecordingStatus; ownerOnly?: boolean; limit?: number; before?: Date; search?: string } = {},
): Promise<Recording[]> {
  const scope = recordingScope(actor, "r", 1);
  const conditions = [scope.sql];
  const params = [...scope.params];
  const search = options.search?.trim();
  if (search) {
    // Words anywhere in the title, file name, customer, rep's name or the (redacted) transcript;
    // every word must match. % and _ are searched for literally.
    for (const word of search.split(/\s+/).slice(0, 10)) {
      params.push(`%${word.replace(/[\\%_]/g, (character) => `\\${character}`)}%`);
      const placeholder = `$${params.length}`;
      conditions.push(
        `(r.title ILIKE ${placeholder} OR r.original_filename ILIKE ${placeholder} OR r.customer_reference ILIKE ${placeholder}
          OR u.display_name ILIKE ${placeholder}
          OR EXISTS (SELECT 1 FROM transcripts st JOIN segments ss ON ss.transcript_id = st.id
                     WHERE st.recording_id = r.id AND ss.text ILIKE ${placeholder}))`,
      );
    }
  }
  if (options.status) {
    params.push(options.status);
    conditions.push(`r.status = $${params.length}`);
  }
  if (options.ownerOnly) {
    params.push(actor.id);
    conditions.push(`r.owner_id = $${params.length}`);
  }
  if (options.before) {
    params.push(options.before);
    conditions.push(`r.created_at < $${params.length}`);
  }
  params.push(Math.min(options.limit ?? 100, 500));
  const { rows } = await db.query<Recording>(
    `${selectRecording} WHERE ${conditions.join(" AND ")} ORDER BY r.created_at DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export async function getRecording(db: Queryable, actor: Actor, id: string): Promise<Recording> {
  const scope = recordingScope(actor, "r", 2);
  const { rows } = await db.query<Recording>(`${selectRecording} WHERE r.id = $1 AND ${scope.sql}`, [id, ...scope.params]);
  if (!rows[0]) throw new NotFoundError("Recording not found.");
  return rows[0];
}

/** For workers: no actor, the job already proved the right to the work. */
export async function getRecordingForWork(db: Queryable, id: string): Promise<Recording | null> {
  const { rows } = await db.query<Recording>(`${selectRecording} WHERE r.id = $1`, [id]);
  return rows[0] ?? null;
}

export interface TranscriptView {
  id: string;
  language: string | null;
  transcriber: string;
  model: string | null;
  segments: Array<{
    ordinal: number;
    startMs: number;
    endMs: number;
    speaker: string;
    text: string;
    /** Only for the recording's rep and admins. */
    originalText?: string;
    language: string | null;
    confidence: number | null;
  }>;
}

export async function getTranscript(db: Queryable, actor: Actor, recording: Recording): Promise<TranscriptView | null> {
  const { rows } = await db.query<Omit<TranscriptView, "segments">>(
    "SELECT id, language, transcriber, model FROM transcripts WHERE recording_id = $1",
    [recording.id],
  );
  if (!rows[0]) return null;
  const original = canReadOriginalText(actor, recording);
  const segments = await db.query<TranscriptView["segments"][number]>(
    `SELECT ordinal, start_ms AS "startMs", end_ms AS "endMs", speaker, text,
            ${original ? `original_text AS "originalText",` : ""} language, confidence
     FROM segments WHERE transcript_id = $1 ORDER BY ordinal`,
    [rows[0].id],
  );
  return { ...rows[0], segments: segments.rows };
}

export async function setRecordingStatus(
  db: Queryable,
  id: string,
  change: { status: RecordingStatus; progress?: number; failureReason?: string | null; durationMs?: number; channels?: number },
): Promise<void> {
  await db.query(
    `UPDATE recordings SET status = $2, progress = coalesce($3, progress), failure_reason = $4,
       duration_ms = coalesce($5, duration_ms), channels = coalesce($6, channels), updated_at = now()
     WHERE id = $1`,
    [id, change.status, change.progress ?? null, change.failureReason ?? null, change.durationMs ?? null, change.channels ?? null],
  );
}

/**
 * Progress of the transcription stage. Only moves a recording that is still before its transcript
 * (queued, normalising, transcribing): a progress write that arrives late — after a slow connection,
 * a database restart — must never pull a recording that is already drafting or ready back into
 * "transcribing", where nothing would ever move it again.
 */
export async function setTranscriptionProgress(
  db: Queryable,
  id: string,
  change: { status: "normalising" | "transcribing"; progress: number },
): Promise<void> {
  await db.query(
    `UPDATE recordings SET status = $2, progress = $3, updated_at = now()
      WHERE id = $1 AND status IN ('queued', 'normalising', 'transcribing')`,
    [id, change.status, change.progress],
  );
}

/** Runs a failed recording again from the stage that failed. */
export async function retryRecording(deps: { db: Db; dispatcher: Dispatcher }, actor: Actor, id: string): Promise<Recording> {
  const recording = await getRecording(deps.db, actor, id);
  if (actor.role === "manager") throw new ForbiddenError("Managers read recordings; a rep, trainer or admin can re-run one.");
  if (recording.status !== "failed") throw new UnprocessableError(`Only a failed recording can be re-run; this one is ${recording.status}.`);
  const hasTranscript = (await deps.db.query("SELECT 1 FROM transcripts WHERE recording_id = $1", [id])).rows.length > 0;
  const queue = hasTranscript ? ("draft" as const) : ("transcribe" as const);
  await setRecordingStatus(deps.db, id, { status: hasTranscript ? "drafting" : "queued", progress: 0, failureReason: null });
  await deps.dispatcher.enqueue({
    queue,
    payload: { recordingId: id },
    dedupeKey: `${queue}:${id}`,
    workspaceId: recording.workspaceId,
    ownerId: recording.ownerId,
    teamPath: recording.teamPath,
    subject: { type: "recording", id },
  });
  return getRecording(deps.db, actor, id);
}

/**
 * The customer's right to erasure: removes the audio, the transcript, drafts, decisions, dataset
 * samples and embeddings derived from the recording, cancels its unfinished jobs, and records that
 * (not what) it erased. Only the recording's rep and admins may erase.
 */
export async function eraseRecording(deps: { db: Db; blobs: BlobStore }, actor: Actor, id: string): Promise<{ erasureId: string }> {
  const recording = await getRecording(deps.db, actor, id);
  if (actor.role !== "admin" && recording.ownerId !== actor.id) {
    throw new ForbiddenError("Only the recording's rep or an admin can erase it.");
  }
  const result = await deps.db.transaction(async (transaction) => {
    // The recording's lock first, as everything that writes for a recording takes it (an agent run
    // locks it, then completes its job in the same transaction): taking the job rows first here
    // deadlocked with a run finishing at that moment. A run that has the lock finishes first.
    const { rows: locked } = await transaction.query("SELECT id FROM recordings WHERE id = $1 FOR UPDATE", [id]);
    if (locked.length === 0) throw new NotFoundError("Recording not found.");
    const counts = await transaction.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM segments s JOIN transcripts t ON t.id = s.transcript_id WHERE t.recording_id = $1)::int AS segments,
              (SELECT count(*) FROM drafts WHERE recording_id = $1)::int AS drafts,
              (SELECT count(*) FROM draft_items WHERE recording_id = $1)::int AS "draftItems",
              (SELECT count(*) FROM decisions WHERE recording_id = $1)::int AS decisions,
              (SELECT count(*) FROM embeddings WHERE recording_id = $1)::int AS embeddings,
              (SELECT count(*) FROM dataset_samples WHERE recording_id = $1)::int AS "datasetSamples",
              (SELECT count(*) FROM traces WHERE recording_id = $1)::int AS traces`,
      [id],
    );
    await transaction.query(
      "UPDATE jobs SET state = 'cancelled', updated_at = now(), finished_at = now() WHERE subject_type = 'recording' AND subject_id = $1 AND state IN ('queued', 'active')",
      [id],
    );
    const outcomes = await eraseOutcomesOfRecording(transaction, id);
    // Its own traces go with the row (cascade); copies of its examples in other calls' traces are scrubbed.
    const tracesScrubbed = await eraseExampleCopies(transaction, id);
    await transaction.query("DELETE FROM recordings WHERE id = $1", [id]);
    const { rows } = await transaction.query<{ id: string }>(
      "INSERT INTO erasures (recording_id, workspace_id, erased_by, items) VALUES ($1, $2, $3, $4) RETURNING id",
      [id, recording.workspaceId, actor.id, JSON.stringify({ ...counts.rows[0], outcomes, tracesScrubbed, audio: recording.source === "audio" ? 1 : 0 })],
    );
    // The file goes unless the same content is still used (another rep uploaded the same file, or
    // is uploading it right now).
    if (recording.storageKey) await removeIfUnused(transaction, deps.blobs, recording.storageKey);
    return { erasureId: rows[0].id };
  });
  return { erasureId: result.erasureId };
}
