/**
 * The demo workspace (core/demo/) on PGlite and PostgreSQL: users of every role that can sign in,
 * the three bundled calls imported and drafted by the local engine with their draft jobs completed,
 * one call reviewed, the capability-map rollup refreshed; a second load changes only the password;
 * a workspace with data of its own is refused and left as it was.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../core/auth/sessions.ts";
import { createTeam, defaultWorkspaceId } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import { DemoRefusedError, demoCalls, demoUsers, loadDemo } from "../core/demo/demo-workspace.ts";
import type { DemoDependencies, DemoReport } from "../core/demo/demo-workspace.ts";
import { createLocalEmbedder } from "../core/engine/index.ts";
import { createFileSystemBlobStore } from "../core/upload/blob-store.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";

const embedder = createLocalEmbedder({ dimensions: 384 });

async function counts(database: TestDatabase) {
  const { rows } = await database.db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM users) AS users,
            (SELECT count(*)::int FROM recordings) AS recordings,
            (SELECT count(*)::int FROM recordings WHERE status = 'ready') AS ready,
            (SELECT count(*)::int FROM drafts) AS drafts,
            (SELECT count(*)::int FROM draft_items) AS items,
            (SELECT count(*)::int FROM decisions) AS decisions,
            (SELECT count(*)::int FROM jobs WHERE queue = 'draft') AS "draftJobs",
            (SELECT count(*)::int FROM jobs WHERE queue = 'draft' AND state = 'completed') AS "completedDraftJobs",
            (SELECT count(*)::int FROM capability_rollup) AS "rollupRows"`,
  );
  return rows[0];
}

describe.each(databaseKinds)("demo workspace on %s", (kind) => {
  let database: TestDatabase;
  let deps: DemoDependencies;
  let storage: string;
  let first: DemoReport;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-demo-"));
    deps = { db: database.db, blobs: createFileSystemBlobStore(storage), embedder };
    first = await loadDemo(deps);
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it("creates a user of every role, who signs in with the printed password", async () => {
    expect(first.loaded).toBe(true);
    expect(first.password.length).toBeGreaterThanOrEqual(10);
    const { rows } = await database.db.query<{ email: string; role: string }>("SELECT email, role FROM users ORDER BY email");
    expect(rows).toEqual(demoUsers.map((user) => ({ email: user.email, role: user.role })).sort((a, b) => a.email.localeCompare(b.email)));
    for (const user of demoUsers) {
      const session = await signIn(database.db, user.email, first.password, 1);
      expect(session.actor.role).toBe(user.role);
    }
  });

  it("imports the bundled calls with their transcripts and drafts, through completed draft jobs", async () => {
    const found = await counts(database);
    expect(found).toMatchObject({ recordings: demoCalls.length, ready: demoCalls.length, drafts: demoCalls.length, draftJobs: demoCalls.length, completedDraftJobs: demoCalls.length });
    const perCall = await database.db.query<{ title: string; segments: number; intents: number; actions: number; engine: string }>(
      `SELECT r.title, (SELECT count(*)::int FROM segments s JOIN transcripts t ON t.id = s.transcript_id WHERE t.recording_id = r.id) AS segments,
              (SELECT count(*)::int FROM draft_items i WHERE i.recording_id = r.id AND i.kind = 'intent') AS intents,
              (SELECT count(*)::int FROM draft_items i WHERE i.recording_id = r.id AND i.kind = 'action_item') AS actions,
              (SELECT d.engine FROM drafts d WHERE d.recording_id = r.id) AS engine
       FROM recordings r ORDER BY r.title`,
    );
    expect(perCall.rows.map((row) => row.title).sort()).toEqual(demoCalls.map((call) => call.title).sort());
    // The shipped talk tracks were embedded first, so the drafts offer some of them.
    const talkTracks = await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM draft_items WHERE kind = 'talk_track'");
    expect(talkTracks.rows[0].count).toBeGreaterThan(0);
    for (const call of perCall.rows) {
      expect(call.segments).toBeGreaterThan(30);
      expect(call.intents).toBeGreaterThan(20);
      expect(call.actions).toBeGreaterThan(0);
      expect(call.engine).toBe("local");
    }
  });

  it("reviews one call as the trainer, leaves the others in the queue and refreshes the rollup", async () => {
    const { rows } = await database.db.query<{ title: string; decided: number; pending: number }>(
      `SELECT r.title, count(*) FILTER (WHERE i.status <> 'pending')::int AS decided, count(*) FILTER (WHERE i.status = 'pending')::int AS pending
       FROM recordings r JOIN draft_items i ON i.recording_id = r.id GROUP BY r.title`,
    );
    const reviewed = demoCalls.filter((call) => call.reviewed).map((call) => call.title);
    for (const row of rows) {
      if (reviewed.includes(row.title)) expect(row).toMatchObject({ pending: 0 });
      else expect(row).toMatchObject({ decided: 0 });
    }
    expect(first.decisions).toBeGreaterThanOrEqual(20);
    const actions = await database.db.query<{ action: string; role: string }>(
      "SELECT DISTINCT x.action, u.role FROM decisions x JOIN users u ON u.id = x.user_id ORDER BY x.action",
    );
    expect(actions.rows).toEqual([
      { action: "accept", role: "trainer" },
      { action: "override", role: "trainer" },
      { action: "reject", role: "trainer" },
    ]);
    expect((await counts(database)).rollupRows).toBeGreaterThan(0);
    const models = await database.db.query<{ labelCount: number }>(`SELECT label_count AS "labelCount" FROM intent_models ORDER BY version DESC LIMIT 1`);
    expect(models.rows[0].labelCount).toBeGreaterThan(0);
  });

  it("loads again without duplicating anything, and only the password changes", async () => {
    const before = await counts(database);
    const second = await loadDemo(deps);
    expect(second.loaded).toBe(false);
    expect(second.decisions).toBe(0);
    expect(await counts(database)).toEqual(before);
    expect(second.password).not.toBe(first.password);
    await expect(signIn(database.db, demoUsers[0].email, first.password, 1)).rejects.toThrow();
    expect((await signIn(database.db, demoUsers[0].email, second.password, 1)).actor.role).toBe(demoUsers[0].role);
  }, 60_000);
});

describe.each(databaseKinds)("demo refused on %s", (kind) => {
  let database: TestDatabase;
  let storage: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-demo-"));
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it("refuses a workspace that has users of its own, and leaves it as it was", async () => {
    const workspaceId = await defaultWorkspaceId(database.db);
    const team = await createTeam(database.db, { workspaceId, name: "Sales" });
    await createUser(database.db, { workspaceId, teamId: team.id, email: "real.person@example.com", role: "admin", password: "a long enough password" });
    const loading = loadDemo({ db: database.db, blobs: createFileSystemBlobStore(storage), embedder });
    await expect(loading).rejects.toBeInstanceOf(DemoRefusedError);
    await expect(loading).rejects.toThrow(/1 user\(s\) and 0 recording\(s\).*new data directory/);
    expect(await counts(database)).toMatchObject({ users: 1, recordings: 0, drafts: 0 });
    const teams = await database.db.query<{ name: string }>("SELECT name FROM teams");
    expect(teams.rows.map((row) => row.name)).toEqual(["Sales"]);
  });
});
