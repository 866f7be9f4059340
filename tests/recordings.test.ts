/**
 * Recordings through the real HTTP server, workers and Redis on each database: upload, transcription
 * through an OpenAI-compatible endpoint (a local server speaking that API), import, bad input, the
 * role boundaries, retry and erasure.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { segmentPerSpeechRegion, startOpenAiTranscriptionServer } from "./support/openai-transcription-server.ts";
import type { OpenAiTranscriptionServer } from "./support/openai-transcription-server.ts";
import { startTestServer } from "./support/test-server.ts";
import { setTranscriptionProgress } from "../core/upload/recordings.ts";
import type { TestServer } from "./support/test-server.ts";

const fixtures = path.resolve(import.meta.dirname, "fixtures/audio");
const stereoCall = fs.readFileSync(path.join(fixtures, "stereo_diarization.wav"));

function form(file: { name: string; bytes: Uint8Array | string; type?: string }, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  const defaults = { customerStage: "discovery", consent: "true", language: "en", customerReference: "ACME-42" };
  for (const [key, value] of Object.entries({ ...defaults, ...fields })) if (value !== "") data.append(key, value);
  data.append("file", new Blob([typeof file.bytes === "string" ? file.bytes : new Uint8Array(file.bytes)], { type: file.type ?? "application/octet-stream" }), file.name);
  return data;
}

async function waitForRecording(client: TestClient, id: string, done: (body: any) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await client.request("GET", `/api/recordings/${id}`);
    if (done(response.body)) return response.body;
    if (Date.now() > deadline) throw new Error(`recording never reached the state: ${JSON.stringify(response.body.recording)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function storedFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe.each(databaseKinds)("recordings on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let transcription: OpenAiTranscriptionServer;
  const clients: Record<string, TestClient> = {};

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await createOrganisation(database.db);
    transcription = await startOpenAiTranscriptionServer({
      responder: segmentPerSpeechRegion("please call me back on 138 1234 5678 about the ¥12,800 plan"),
    });
    server = await startTestServer(database.db, {
      work: true,
      environment: { TRANSCRIPTION_BASE_URL: transcription.baseUrl, UPLOAD_MAX_BYTES: String(2 * 1024 * 1024) },
    });
    for (const [name, email] of Object.entries({
      rep: "rep.north@example.com",
      otherRep: "rep2.north@example.com",
      southRep: "rep.south@example.com",
      trainer: "trainer@example.com",
      southTrainer: "trainer.south@example.com",
      manager: "manager@example.com",
      admin: "admin@example.com",
    })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
  });

  afterAll(async () => {
    await server.close();
    await transcription.close();
    await database.drop();
    fs.rmSync(server.config.DATA_DIR, { recursive: true, force: true });
  });

  it("transcribes an uploaded stereo call into redacted agent and customer segments", async () => {
    const upload = await clients.rep.request("POST", "/api/recordings", form({ name: "客户通话 0412.wav", bytes: stereoCall, type: "audio/wav" }));
    expect(upload.status).toBe(201);
    expect(upload.body.recording).toMatchObject({ originalFilename: "客户通话 0412.wav", channels: 2, durationMs: 5000 });
    // A worker may already have picked it up by the time the answer is written.
    expect(["queued", "normalising", "transcribing"]).toContain(upload.body.recording.status);
    const id = upload.body.recording.id;

    const done = await waitForRecording(clients.rep, id, (body) => body.transcript !== null && body.recording.status !== "transcribing");
    expect(["drafting", "ready"]).toContain(done.recording.status);
    const segments = done.transcript.segments;
    expect(new Set(segments.map((segment: { speaker: string }) => segment.speaker))).toEqual(new Set(["agent", "customer"]));
    for (let index = 1; index < segments.length; index++) expect(segments[index].startMs).toBeGreaterThanOrEqual(segments[index - 1].startMs);
    // The phone number never leaves the machine in the redacted text; the price is untouched.
    expect(segments[0].text).toContain("[PHONE]");
    expect(segments[0].text).toContain("¥12,800");
    expect(segments[0].originalText).toContain("138 1234 5678");
    // Each channel was sent separately as 16 kHz mono.
    expect(transcription.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of transcription.requests) expect(request.audio).toMatchObject({ sampleRate: 16000, channels: 1 });

    // Trainers of the team see the transcript, but only redacted.
    const asTrainer = await clients.trainer.request("GET", `/api/recordings/${id}`);
    expect(asTrainer.status).toBe(200);
    expect(asTrainer.body.transcript.segments[0].originalText).toBeUndefined();
    expect(JSON.stringify(asTrainer.body)).not.toContain("1234 5678");

    // A re-upload of the same file is recognised.
    const again = await clients.rep.request("POST", "/api/recordings", form({ name: "copy.wav", bytes: stereoCall }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, recording: { id } });

    // Audio can be played back with range requests.
    const partial = await clients.rep.request("GET", `/api/recordings/${id}/audio`, undefined, { range: "bytes=0-43" });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("content-range")).toBe(`bytes 0-43/${stereoCall.length}`);

    // A transcription progress write that arrives late (a slow connection, a database restart)
    // never pulls a recording that has moved on back into "transcribing", where nothing would move it again.
    const ready = await waitForRecording(clients.rep, id, (body) => body.recording.status === "ready");
    await setTranscriptionProgress(database.db, id, { status: "transcribing", progress: 0.9 });
    const after = await clients.rep.request("GET", `/api/recordings/${id}`);
    expect(after.body.recording).toMatchObject({ status: "ready", progress: ready.recording.progress });
  });

  it("keeps each rep to their own recordings and each trainer to their team", async () => {
    const upload = await clients.rep.request("POST", "/api/recordings", form({ name: "mine.wav", bytes: Buffer.concat([stereoCall, Buffer.alloc(32_000)]) }));
    expect(upload.status).toBe(201);
    const id = upload.body.recording.id;
    expect((await clients.otherRep.request("GET", `/api/recordings/${id}`)).status).toBe(404);
    expect((await clients.southRep.request("GET", `/api/recordings/${id}`)).status).toBe(404);
    expect((await clients.southTrainer.request("GET", `/api/recordings/${id}`)).status).toBe(404);
    expect((await clients.otherRep.request("GET", `/api/recordings/${id}/audio`)).status).toBe(404);
    expect((await clients.otherRep.request("DELETE", `/api/recordings/${id}`)).status).toBe(404);
    expect((await clients.trainer.request("GET", `/api/recordings/${id}`)).status).toBe(200);
    expect((await clients.manager.request("GET", `/api/recordings/${id}`)).status).toBe(200);
    expect((await clients.admin.request("GET", `/api/recordings/${id}`)).status).toBe(200);
    // Seeing is not erasing: only the rep and admins may erase.
    expect((await clients.trainer.request("DELETE", `/api/recordings/${id}`)).status).toBe(403);
    // Managers read; they do not upload.
    expect((await clients.manager.request("POST", "/api/recordings", form({ name: "m.wav", bytes: stereoCall }))).status).toBe(403);

    const otherList = await clients.otherRep.request("GET", "/api/recordings");
    expect(otherList.body.recordings.map((recording: { id: string }) => recording.id)).not.toContain(id);
    const teamList = await clients.trainer.request("GET", "/api/recordings");
    expect(teamList.body.recordings.map((recording: { id: string }) => recording.id)).toContain(id);
    const southList = await clients.southTrainer.request("GET", "/api/recordings");
    expect(southList.body.recordings.map((recording: { id: string }) => recording.id)).not.toContain(id);
  });

  it("refuses bad uploads with a clear error and keeps nothing of them", async () => {
    const before = storedFiles(server.config.STORAGE_DIR).length;
    const noConsent = await clients.rep.request("POST", "/api/recordings", form({ name: "a.wav", bytes: Buffer.concat([stereoCall, Buffer.alloc(10)]) }, { consent: "" }));
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.error.message).toMatch(/consent/i);

    const notAudio = await clients.rep.request("POST", "/api/recordings", form({ name: "call.wav", bytes: "this is a text file, not audio\n".repeat(50) }));
    expect(notAudio.status).toBe(422);
    expect(notAudio.body.error.message).toMatch(/not a recognised audio file/);
    expect(JSON.stringify(notAudio.body)).not.toContain(server.config.STORAGE_DIR);

    const empty = await clients.rep.request("POST", "/api/recordings", form({ name: "empty.mp3", bytes: Buffer.alloc(0) }));
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toMatch(/empty/i);

    const truncated = await clients.rep.request("POST", "/api/recordings", form({ name: "cut.wav", bytes: stereoCall.subarray(0, 60) }));
    expect(truncated.status).toBe(422);

    const tooLarge = await clients.rep.request("POST", "/api/recordings", form({ name: "long.wav", bytes: Buffer.alloc(3 * 1024 * 1024, 1) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.message).toContain("2 MB");

    const badName = await clients.rep.request("POST", "/api/recordings", form({ name: "bad\u0007name.wav", bytes: stereoCall }));
    expect(badName.status).toBe(400);

    const badStage = await clients.rep.request("POST", "/api/recordings", form({ name: "s.wav", bytes: Buffer.concat([stereoCall, Buffer.alloc(20)]) }, { customerStage: "maybe" }));
    expect(badStage.status).toBe(400);
    expect(badStage.body.error.message).toMatch(/discovery/);

    const notMultipart = await clients.rep.request("POST", "/api/recordings", { file: "nope" });
    expect(notMultipart.status).toBe(400);

    expect(storedFiles(server.config.STORAGE_DIR).length).toBe(before);
  });

  it("imports a WebVTT transcript straight to drafting and names the line of a malformed one", async () => {
    const vtt = [
      "WEBVTT",
      "",
      "00:00:00.000 --> 00:00:03.200",
      "<v 王经理>您好，我是销售王经理，我的邮箱是 wang@example.com。",
      "",
      "00:00:03.400 --> 00:00:07.000",
      "<v Customer>这个方案每年 12800 元，太贵了。",
      "",
    ].join("\n");
    const imported = await clients.rep.request("POST", "/api/recordings/import", form({ name: "meeting.vtt", bytes: vtt, type: "text/vtt" }, { language: "zh" }));
    expect(imported.status).toBe(201);
    expect(imported.body.recording).toMatchObject({ source: "transcript" });
    const detail = await clients.rep.request("GET", `/api/recordings/${imported.body.recording.id}`);
    expect(detail.body.transcript.transcriber).toBe("import:vtt");
    expect(detail.body.transcript.segments.map((segment: { speaker: string }) => segment.speaker)).toEqual(["王经理", "Customer"]);
    expect(detail.body.transcript.segments[0].text).toContain("[EMAIL]");
    expect(detail.body.transcript.segments[1].text).toContain("12800");

    const broken = "WEBVTT\n\n00:00:01.000 --> banana\nhello\n";
    const failed = await clients.rep.request("POST", "/api/recordings/import", form({ name: "broken.vtt", bytes: broken }));
    expect(failed.status).toBe(422);
    expect(failed.body.error.message).toMatch(/line 3/);

    const binary = await clients.rep.request("POST", "/api/recordings/import", form({ name: "x.txt", bytes: Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x00]) }));
    expect(binary.status).toBe(422);
  });

  it("fails a recording whose transcription is refused, with the reason, and re-runs it", async () => {
    transcription.failNext(1, 400, { message: "unsupported audio" });
    const upload = await clients.rep.request("POST", "/api/recordings", form({ name: "retry.wav", bytes: Buffer.concat([stereoCall, Buffer.alloc(64_000)]) }));
    const id = upload.body.recording.id;
    const failed = await waitForRecording(clients.rep, id, (body) => body.recording.status === "failed");
    expect(failed.recording.failureReason).toMatch(/unsupported audio|400/);
    const retried = await clients.rep.request("POST", `/api/recordings/${id}/retry`);
    expect(retried.status).toBe(200);
    await waitForRecording(clients.rep, id, (body) => body.transcript !== null && body.recording.status !== "transcribing");
    const notFailed = await clients.rep.request("POST", `/api/recordings/${id}/retry`);
    expect(notFailed.status).toBe(422);
  });

  it("erases a recording and everything derived from it, keeping only a record that it happened", async () => {
    const upload = await clients.rep.request("POST", "/api/recordings", form({ name: "erase-me.wav", bytes: Buffer.concat([stereoCall, Buffer.alloc(48_000)]) }));
    const id = upload.body.recording.id;
    await waitForRecording(clients.rep, id, (body) => body.transcript !== null && body.recording.status !== "transcribing");
    const blobsBefore = storedFiles(server.config.STORAGE_DIR).length;

    expect((await clients.rep.request("DELETE", `/api/recordings/${id}`)).status).toBe(204);
    expect((await clients.rep.request("GET", `/api/recordings/${id}`)).status).toBe(404);
    expect((await clients.admin.request("GET", `/api/recordings/${id}`)).status).toBe(404);
    const { db } = database;
    expect((await db.query("SELECT 1 FROM transcripts WHERE recording_id = $1", [id])).rows).toHaveLength(0);
    expect((await db.query("SELECT 1 FROM embeddings WHERE recording_id = $1", [id])).rows).toHaveLength(0);
    expect((await db.query("SELECT 1 FROM draft_items WHERE recording_id = $1", [id])).rows).toHaveLength(0);
    const erasure = await db.query<{ items: Record<string, number> }>("SELECT items FROM erasures WHERE recording_id = $1", [id]);
    expect(erasure.rows).toHaveLength(1);
    expect(erasure.rows[0].items.segments).toBeGreaterThan(0);
    expect(JSON.stringify(erasure.rows[0])).not.toMatch(/erase-me|PHONE|1234/);
    expect(storedFiles(server.config.STORAGE_DIR).length).toBe(blobsBefore - 1);
  });
});
