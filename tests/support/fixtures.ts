/** People and teams for tests: a region with two squads, and one user of each role; a call to label. */
import { randomUUID } from "node:crypto";
import type { Role } from "../../core/auth/actor.ts";
import { createTeam, defaultWorkspaceId } from "../../core/auth/teams.ts";
import type { Team } from "../../core/auth/teams.ts";
import type { User } from "../../core/auth/users.ts";
import { createUser } from "../../core/auth/users.ts";
import type { Db } from "../../core/db/database.ts";
import { storeTranscript } from "../../core/upload/recordings.ts";

export const testPassword = "correct horse battery staple";

export interface Organisation {
  workspaceId: string;
  region: Team;
  north: Team;
  south: Team;
  users: {
    admin: User;
    manager: User;
    trainer: User;
    northRep: User;
    otherNorthRep: User;
    southRep: User;
    southTrainer: User;
  };
}

export async function createOrganisation(db: Db): Promise<Organisation> {
  const workspaceId = await defaultWorkspaceId(db);
  const region = await createTeam(db, { workspaceId, name: "East region" });
  const north = await createTeam(db, { workspaceId, name: "North squad", parentId: region.id });
  const south = await createTeam(db, { workspaceId, name: "South squad", parentId: region.id, agentChannel: "right" });
  const user = (email: string, role: Role, team: Team) =>
    createUser(db, { workspaceId, teamId: team.id, email, role, password: testPassword, locale: "en" });
  return {
    workspaceId,
    region,
    north,
    south,
    users: {
      admin: await user("admin@example.com", "admin", region),
      manager: await user("manager@example.com", "manager", region),
      trainer: await user("trainer@example.com", "trainer", north),
      northRep: await user("rep.north@example.com", "rep", north),
      otherNorthRep: await user("rep2.north@example.com", "rep", north),
      southRep: await user("rep.south@example.com", "rep", south),
      southTrainer: await user("trainer.south@example.com", "trainer", south),
    },
  };
}

/**
 * A ready call of the north rep's, imported as text, with an empty local draft to hang items on:
 * customer utterances one second apart. Returns the ids a test attaches draft items to.
 */
export async function insertDraftedCall(
  db: Db,
  organisation: Organisation,
  call: { title?: string; utterances: string[]; model?: string },
): Promise<{ recordingId: string; draftId: string }> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
       byte_size, customer_stage, consent_confirmed_at, status)
     VALUES ($1, $2, $3, 'transcript', $4, 'call.txt', $5, 10, 'demo', now(), 'ready') RETURNING id`,
    [organisation.workspaceId, organisation.north.id, organisation.users.northRep.id, call.title ?? "call", randomUUID()],
  );
  const transcriptId = await storeTranscript(db, rows[0].id, {
    language: "en",
    transcriber: "import:txt",
    model: null,
    segments: call.utterances.map((text, index) => ({ startMs: index * 1000, endMs: index * 1000 + 900, speaker: "customer", text })),
  });
  const draft = await db.query<{ id: string }>(
    "INSERT INTO drafts (recording_id, transcript_id, engine, model) VALUES ($1, $2, 'local', $3) RETURNING id",
    [rows[0].id, transcriptId, call.model ?? "test"],
  );
  return { recordingId: rows[0].id, draftId: draft.rows[0].id };
}
