/**
 * Erasing a call while one of its agent runs is committing. A run locks the recording, stores its
 * results and completes its job in one transaction; an erasure that took the job rows first (to
 * cancel them) and the recording second deadlocked with it, and answered 500. PostgreSQL only: two
 * transactions at once need two connections (PGlite has one, so they cannot overlap there).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertJob } from "../core/jobs/job-store.ts";
import { createFileSystemBlobStore } from "../core/upload/blob-store.ts";
import { eraseRecording } from "../core/upload/recordings.ts";
import { createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, insertDraftedCall } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";

describe.skipIf(!process.env.TEST_DATABASE_URL)("erasure beside a committing agent run (postgres)", () => {
  let database: TestDatabase;
  let organisation: Organisation;
  let storage: string;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    organisation = await createOrganisation(database.db);
    storage = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-erasure-"));
  });

  afterAll(async () => {
    await database?.drop();
    if (storage) fs.rmSync(storage, { recursive: true, force: true });
  });

  it("waits for the run that holds the recording, then erases: no deadlock, nothing half done", async () => {
    const { recordingId } = await insertDraftedCall(database.db, organisation, { utterances: ["Send me the quote by Friday."] });
    const { job } = await insertJob(database.db, {
      queue: "draft",
      payload: { recordingId },
      subject: { type: "recording", id: recordingId },
    });
    await database.db.query("UPDATE jobs SET state = 'active' WHERE id = $1", [job.id]);

    // The run's transaction, on its own connection: the recording's lock first, as lockRun takes it.
    const run = new pg.Client({ connectionString: database.url });
    await run.connect();
    try {
      await run.query("BEGIN");
      await run.query("SELECT id FROM recordings WHERE id = $1 FOR UPDATE", [recordingId]);

      const erasure = eraseRecording({ db: database.db, blobs: createFileSystemBlobStore(storage) }, organisation.users.northRep, recordingId);
      const erasureSettled = erasure.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      // Give the erasure time to reach the lock it waits for (a deadlock would need it to hold the job first).
      await new Promise((resolve) => setTimeout(resolve, 300));

      // The run completes its job in the same transaction, then commits.
      await run.query("UPDATE jobs SET state = 'completed', finished_at = now() WHERE id = $1", [job.id]);
      await run.query("COMMIT");

      const settled = await erasureSettled;
      expect(settled.ok ? "erased" : String((settled as { error: unknown }).error)).toBe("erased");
    } finally {
      await run.end();
    }
    const { rows: recordings } = await database.db.query("SELECT 1 FROM recordings WHERE id = $1", [recordingId]);
    expect(recordings).toHaveLength(0);
    const { rows: erasures } = await database.db.query<{ n: number }>("SELECT count(*)::int AS n FROM erasures WHERE recording_id = $1", [recordingId]);
    expect(erasures[0].n).toBe(1);
    // The run's completion committed before the erasure, which found nothing left to cancel.
    const { rows: jobs } = await database.db.query<{ state: string }>("SELECT state FROM jobs WHERE id = $1", [job.id]);
    expect(jobs[0].state).toBe("completed");
  });
});
