/** Calls with one drafted talk track and its decisions, straight in SQL, for outcome tests. */
import { randomBytes, randomUUID } from "node:crypto";
import type { User } from "../../core/auth/users.ts";
import type { Db } from "../../core/db/database.ts";
import type { Organisation } from "./fixtures.ts";

export interface TalkTrackCallSpec {
  reference: string | null;
  owner: User;
  stage?: string;
  suggestion?: string;
  /** Call date and draft day (YYYY-MM-DD); default 2026-05-15. */
  day?: string;
  /** Decisions on the call's one talk track, in order; "undo" undoes the one before. */
  talkTrack: Array<{ by: User; action: "accept" | "reject" | "override" | "undo" }>;
}

export async function insertTalkTrackCall(db: Db, organisation: Organisation, spec: TalkTrackCallSpec): Promise<string> {
  const id = randomUUID();
  const stage = spec.stage ?? "discovery";
  const day = spec.day ?? "2026-05-15";
  await db.query(
    `INSERT INTO recordings (id, workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size,
       customer_reference, customer_stage, call_date, consent_confirmed_at, status, created_at)
     VALUES ($1, $2, $3, $4, 'transcript', $5, 'call.txt', $6, 10, $7, $8, $9, now(), 'ready', $10)`,
    [id, organisation.workspaceId, spec.owner.teamId, spec.owner.id, `call ${spec.reference}`, randomBytes(16).toString("hex"), spec.reference, stage, day, `${day}T08:00:00Z`],
  );
  const transcript = await db.query<{ id: string }>("INSERT INTO transcripts (recording_id, transcriber) VALUES ($1, 'test') RETURNING id", [id]);
  const draft = await db.query<{ id: string }>(
    "INSERT INTO drafts (recording_id, transcript_id, engine, model, created_at) VALUES ($1, $2, 'local', 'test', $3) RETURNING id",
    [id, transcript.rows[0].id, `${day}T09:00:00Z`],
  );
  const item = await db.query<{ id: string }>(
    `INSERT INTO draft_items (draft_id, recording_id, kind, position, content, status) VALUES ($1, $2, 'talk_track', 0, $3, $4) RETURNING id`,
    [draft.rows[0].id, id, JSON.stringify({ moment: "objection", evidence: [0], suggestion: spec.suggestion ?? `Offer the pilot (${spec.reference})`, rationale: "", confidence: 0.7 }),
      ({ accept: "accepted", override: "overridden", reject: "rejected", undo: "pending" } as const)[spec.talkTrack.at(-1)?.action ?? "undo"]],
  );
  let previous: string | null = null;
  for (const [index, decision] of spec.talkTrack.entries()) {
    const at = new Date(Date.parse(`${day}T10:00:00Z`) + index * 60_000).toISOString();
    const inserted: { rows: Array<{ id: string }> } = await db.query<{ id: string }>(
      `INSERT INTO decisions (draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action, revision, undoes_decision_id, shown_at, decided_at, decision_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1000) RETURNING id`,
      [item.rows[0].id, id, organisation.workspaceId, spec.owner.teamId, stage, decision.by.id, decision.action, index + 1, decision.action === "undo" ? previous : null, at],
    );
    previous = inserted.rows[0].id;
  }
  return id;
}

