/**
 * Uploads under faults: a request cut mid-stream leaves no row and no file; of two byte-identical
 * uploads at once, the one that fails validation never removes the file the other one keeps.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiveBlob, sweepAbandonedUploads } from "../core/upload/blob-references.ts";
import type { Db, Queryable } from "../core/db/database.ts";
import { DatabaseUnavailableError } from "../core/db/database.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

function storedFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** A short real tone, different for every `frequency`, made by sox. */
function tone(frequency: number): Buffer {
  const file = path.join(os.tmpdir(), `calibrate-tone-${process.pid}-${frequency}.wav`);
  execFileSync("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", file, "synth", "1.5", "sine", String(frequency)]);
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return bytes;
}

function uploadForm(bytes: Buffer, fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  data.append("file", new Blob([new Uint8Array(bytes)], { type: "audio/wav" }), "call.wav");
  return data;
}

describe.each(databaseKinds)("upload faults on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let rep: TestClient;
  let otherRep: TestClient;
  let cookie: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db);
    rep = createTestClient(server.baseUrl);
    otherRep = createTestClient(server.baseUrl);
    await rep.signIn(organisation.users.northRep.email, testPassword);
    await otherRep.signIn(organisation.users.otherNorthRep.email, testPassword);
    const signIn = await fetch(`${server.baseUrl}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: organisation.users.southRep.email, password: testPassword }),
    });
    cookie = `${signIn.headers.get("set-cookie")!.split(";")[0]}`;
    const csrf = (await signIn.json()).csrfToken as string;
    cookie = `${cookie}\r\nx-csrf-token: ${csrf}`;
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it("keeps nothing of an upload whose request is cut mid-stream", async () => {
    const recordingsBefore = (await database.db.query("SELECT id FROM recordings")).rows.length;
    const audio = tone(523);
    const boundary = "calibrate-cut-boundary";
    const head = Buffer.from(
      [
        `--${boundary}`,
        'Content-Disposition: form-data; name="consent"',
        "",
        "true",
        `--${boundary}`,
        'Content-Disposition: form-data; name="customerStage"',
        "",
        "discovery",
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="call.wav"',
        "Content-Type: audio/wav",
        "",
        "",
      ].join("\r\n"),
    );
    const { port } = new URL(server.baseUrl);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      [
        "POST /api/recordings HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        `Cookie: ${cookie}`,
        `Content-Type: multipart/form-data; boundary=${boundary}`,
        `Content-Length: ${head.length + audio.length + 64}`,
        "",
        "",
      ].join("\r\n"),
    );
    socket.write(head);
    // Half the file, then the connection drops.
    socket.write(audio.subarray(0, audio.length / 2));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect((await database.db.query("SELECT id FROM recordings")).rows.length).toBe(recordingsBefore);
    expect(storedFiles(server.config.STORAGE_DIR)).toEqual([]);
    expect((await database.db.query("SELECT id FROM blob_leases")).rows).toEqual([]);
    // And the server is fine.
    expect((await rep.request("GET", "/api/recordings")).status).toBe(200);
  });

  it("never removes a shared file when one of two identical uploads at once fails validation", async () => {
    for (let round = 0; round < 4; round += 1) {
      const audio = tone(600 + round * 50);
      const [valid, invalid] = await Promise.all([
        rep.request("POST", "/api/recordings", uploadForm(audio, { consent: "true", customerStage: "discovery", language: "en" })),
        // No consent: refused after its file is already in the store.
        otherRep.request("POST", "/api/recordings", uploadForm(audio, { customerStage: "discovery", language: "en" })),
      ]);
      expect(valid.status).toBe(201);
      expect(invalid.status).toBe(400);
      const key = (await database.db.query<{ key: string }>("SELECT storage_key AS key FROM recordings WHERE id = $1", [valid.body.recording.id]))
        .rows[0].key;
      expect(storedFiles(server.config.STORAGE_DIR)).toContain(key);
      expect((await rep.request("GET", `/api/recordings/${valid.body.recording.id}/audio`)).status).toBe(200);
    }
    expect((await database.db.query("SELECT id FROM blob_leases")).rows).toEqual([]);
  });

  it("sweeps the leases and staging files of an upload whose process died mid-way, and nothing else", async () => {
    // What kill -9 leaves: a file in the store with its lease (the row was never written), a
    // half-written staging file, and a lease on a file that a recording does own (the process died
    // after writing the row, before ending its lease). Backdated, as the sweep finds them later.
    const deps = { db: database.db, blobs: server.runtime.blobs };
    const abandoned = await receiveBlob(deps, Readable.from([tone(1400)]), { maxBytes: 10_000_000 });
    const owned = await rep.request("POST", "/api/recordings", uploadForm(tone(1500), { consent: "true", customerStage: "discovery", language: "en" }));
    expect(owned.status).toBe(201);
    const ownedKey = (await database.db.query<{ key: string }>("SELECT storage_key AS key FROM recordings WHERE id = $1", [owned.body.recording.id])).rows[0].key;
    await database.db.query("INSERT INTO blob_leases (storage_key) VALUES ($1)", [ownedKey]);
    await database.db.query("UPDATE blob_leases SET created_at = now() - interval '1 hour'");
    const staging = path.join(server.config.STORAGE_DIR, "tmp");
    fs.mkdirSync(staging, { recursive: true });
    const halfWritten = path.join(staging, "00000000-0000-4000-8000-000000000001");
    fs.writeFileSync(halfWritten, tone(1600).subarray(0, 1000));
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(halfWritten, hourAgo, hourAgo);
    // An upload in flight right now: its lease and its staging file are young and must stay.
    const inFlight = await receiveBlob(deps, Readable.from([tone(1700)]), { maxBytes: 10_000_000 });
    const writing = path.join(staging, "00000000-0000-4000-8000-000000000002");
    fs.writeFileSync(writing, tone(1800).subarray(0, 1000));

    expect(await sweepAbandonedUploads(deps, { olderThanMs: 60_000 })).toEqual({ leases: 2, stagingFiles: 1 });

    const files = storedFiles(server.config.STORAGE_DIR);
    expect(files).not.toContain(abandoned.key);
    expect(files).toContain(ownedKey);
    expect(files).toContain(inFlight.key);
    expect(fs.existsSync(halfWritten)).toBe(false);
    expect(fs.existsSync(writing)).toBe(true);
    expect((await database.db.query<{ id: string }>("SELECT id FROM blob_leases")).rows.map((row) => row.id)).toEqual([inFlight.leaseId]);
    expect((await rep.request("GET", `/api/recordings/${owned.body.recording.id}/audio`)).status).toBe(200);
  });

  it("leaves no file in the store when the database fails to commit an upload's lease", async () => {
    // The connection dies at COMMIT (a restart, a failover): the lease is rolled back, so a file
    // already moved into the store would belong to nobody, forever.
    const failingCommit: Db = Object.assign(Object.create(database.db) as Db, {
      transaction: async <T>(work: (transaction: Queryable) => Promise<T>): Promise<T> => {
        await database.db.transaction(async (transaction) => {
          await work(transaction);
          throw new DatabaseUnavailableError("terminating connection due to administrator command");
        });
        throw new Error("unreachable");
      },
    });
    const audio = tone(1900);
    const before = storedFiles(server.config.STORAGE_DIR);
    await expect(receiveBlob({ db: failingCommit, blobs: server.runtime.blobs }, Readable.from([audio]), { maxBytes: 10_000_000 })).rejects.toThrow(DatabaseUnavailableError);
    expect(storedFiles(server.config.STORAGE_DIR)).toEqual(before);
  });
});
