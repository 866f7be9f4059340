/**
 * A transcription connector added on the Model connectors page is what the workers transcribe with
 * when the environment names no transcriber of its own (no WHISPER_MODEL, no TRANSCRIPTION_BASE_URL):
 * no restart, its key and model sent, the connector named on the transcript. Disabled, it is no
 * longer used. The endpoint is a local server speaking the OpenAI transcription API.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { segmentPerSpeechRegion, startOpenAiTranscriptionServer } from "./support/openai-transcription-server.ts";
import type { OpenAiTranscriptionServer } from "./support/openai-transcription-server.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const call = fs.readFileSync(path.resolve(import.meta.dirname, "fixtures/audio/stereo_diarization.wav"));

function upload(name: string, bytes: Uint8Array): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries({ customerStage: "discovery", consent: "true", language: "en" })) data.append(key, value);
  data.append("file", new Blob([new Uint8Array(bytes)], { type: "audio/wav" }), name);
  return data;
}

describe.each(databaseKinds)("a transcription connector (%s)", (kind) => {
  const apiKey = "tr-key-0123456789abcdef";
  let database: TestDatabase;
  let endpoint: OpenAiTranscriptionServer;
  let server: TestServer;
  let admin: TestClient;
  let rep: TestClient;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const organisation = await createOrganisation(database.db);
    endpoint = await startOpenAiTranscriptionServer({ responder: segmentPerSpeechRegion("could you send me the price list by friday") });
    // Nothing in the environment says how to transcribe; an unreachable model URL makes sure the
    // local model is never fetched from the internet if the connector were not used.
    server = await startTestServer(database.db, { work: true, environment: { WHISPER_MODEL_URL: "http://127.0.0.1:9/models" } });
    admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
    rep = createTestClient(server.baseUrl);
    await rep.signIn(organisation.users.northRep.email, testPassword);
  });

  afterAll(async () => {
    await server?.close();
    await endpoint?.close();
    await database?.drop();
  });

  it("transcribes with the connector once an admin adds it, and stops when it is disabled", async () => {
    const created = await admin.request("POST", "/api/connectors", {
      name: "Speech box",
      baseUrl: endpoint.baseUrl,
      apiKey,
      purposes: ["transcription"],
      models: ["whisper-large-v3"],
      defaultModel: "whisper-large-v3",
    });
    expect(created.status).toBe(201);

    const uploaded = await rep.request("POST", "/api/recordings", upload("first.wav", call));
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.recording.id;
    const detail = await eventually(async () => {
      const response = await rep.request("GET", `/api/recordings/${id}`);
      return response.body.transcript && ["drafting", "ready"].includes(response.body.recording.status) && response.body;
    });
    expect(detail.transcript.transcriber).toBe("connector Speech box");
    expect(detail.transcript.segments.map((segment: { text: string }) => segment.text).join(" ")).toContain("price list");
    expect(endpoint.requests.length).toBeGreaterThan(0);
    for (const request of endpoint.requests) expect(request).toMatchObject({ authorization: `Bearer ${apiKey}`, model: "whisper-large-v3" });

    // Disabled: the next upload no longer reaches it (and, with no model to fetch, fails with the reason).
    const disabled = await admin.request("PATCH", `/api/connectors/${created.body.connector.id}`, { enabled: false });
    expect(disabled.status).toBe(200);
    const requestsBefore = endpoint.requests.length;
    const second = await rep.request("POST", "/api/recordings", upload("second.wav", new Uint8Array([...call, 0, 0])));
    expect(second.status).toBe(201);
    const failed = await eventually(async () => {
      const response = await rep.request("GET", `/api/recordings/${second.body.recording.id}`);
      return response.body.recording.status === "failed" && response.body.recording;
    }, 60_000);
    expect(failed.failureReason).toMatch(/model/i);
    expect(endpoint.requests.length).toBe(requestsBefore);
  });
});
