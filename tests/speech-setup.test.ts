/**
 * A fresh install's first audio upload, through the real HTTP server and workers: no WHISPER_MODEL
 * and no transcription endpoint, so the worker downloads the speech model on first use — here from
 * a local "mirror" (never the internet) that does not have it. The recording fails with a reason
 * that says what to do; once the model file is in DATA_DIR/models, Retry transcribes. ffmpeg and
 * ffprobe are the npm-bundled builds (FFMPEG_PATH/FFPROBE_PATH), as on a machine without them.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledMediaToolPath } from "../core/transcribe/resolve-media-tools.ts";
import { speechEngineAvailability } from "../core/transcribe/speech-engine.ts";
import { createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const run = promisify(execFile);
const fixtures = path.resolve(import.meta.dirname, "fixtures/audio");
const bundledFfmpeg = bundledMediaToolPath("ffmpeg");
const bundledFfprobe = bundledMediaToolPath("ffprobe");

/** Random weights with the shapes of `tiny` (speed only, never accuracy): lets Retry run for real. */
function syntheticModelTool(): string | null {
  for (let folder = path.resolve(import.meta.dirname, ".."); ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, "shared/tools/synthetic_whisper_model.py");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(folder) === folder) return null;
  }
}

async function waitForRecording(client: TestClient, id: string, done: (body: any) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await client.request("GET", `/api/recordings/${id}`);
    if (done(response.body)) return response.body;
    if (Date.now() > deadline) throw new Error(`recording never reached the state: ${JSON.stringify(response.body.recording)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!bundledFfmpeg || !bundledFfprobe || !speechEngineAvailability().prebuilt.available)(
  "speech setup on a fresh install (bundled ffmpeg, model on first use, prebuilt engine)",
  () => {
    let database: TestDatabase;
    let server: TestServer;
    let mirror: Server;
    const mirrorRequests: string[] = [];
    let rep: TestClient;

    beforeAll(async () => {
      mirror = createServer((request, response) => {
        mirrorRequests.push(request.url ?? "");
        response.writeHead(404).end("not here");
      });
      await new Promise<void>((resolve) => mirror.listen(0, "127.0.0.1", resolve));
      database = await createTestDatabase("pglite");
      await createOrganisation(database.db);
      server = await startTestServer(database.db, {
        work: true,
        environment: {
          WHISPER_MODEL_NAME: "tiny",
          WHISPER_MODEL_URL: `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/models`,
          WHISPER_ENGINE: "prebuilt",
          FFMPEG_PATH: bundledFfmpeg!,
          FFPROBE_PATH: bundledFfprobe!,
        },
      });
      rep = createTestClient(server.baseUrl);
      await rep.signIn("rep.north@example.com", testPassword);
    });

    afterAll(async () => {
      await server?.close();
      await new Promise((resolve) => mirror?.close(resolve));
      await database?.drop();
      if (server) fs.rmSync(server.config.DATA_DIR, { recursive: true, force: true });
    });

    it("/healthz says which ffmpeg, model and engine are in use", async () => {
      const body = await (await fetch(`${server.baseUrl}/healthz`)).json();
      expect(body.ffmpeg.ffmpeg).toMatchObject({ source: "env", path: bundledFfmpeg, version: expect.stringMatching(/static/) });
      expect(body.ffmpeg.ffprobe).toMatchObject({ source: "env", path: bundledFfprobe });
      expect(body.speech.plan).toMatchObject({ kind: "download-on-first-use", modelName: "tiny", present: false });
      expect(body.speech.engine).toMatchObject({ setting: "prebuilt", selected: "prebuilt" });
    });

    it("the first upload fails with what to do when the model cannot be downloaded; Retry works once it is there", { timeout: 180_000 }, async () => {
      const data = new FormData();
      for (const [key, value] of Object.entries({ customerStage: "discovery", consent: "true", language: "en", customerReference: "ACME-1" })) {
        data.append(key, value);
      }
      data.append("file", new Blob([fs.readFileSync(path.join(fixtures, "jfk.flac"))]), "first-call.flac");
      const upload = await rep.request("POST", "/api/recordings", data);
      expect(upload.status).toBe(201);
      const id = upload.body.recording.id;

      const failed = await waitForRecording(rep, id, (body) => body.recording.status === "failed");
      expect(mirrorRequests).toContain("/models/ggml-tiny.bin");
      expect(failed.recording.failureReason).toMatch(/ggml-tiny\.bin .*HTTP 404/);
      expect(failed.recording.failureReason).toContain("npm run whisper:model -- tiny");
      expect(failed.recording.failureReason).toMatch(/WHISPER_MODEL_URL/);

      const tool = syntheticModelTool();
      if (!tool) {
        console.warn("Retry with a model skipped: shared/tools/synthetic_whisper_model.py not found above the repository.");
        return;
      }
      // The operator puts a model where the message said (here: random weights, speed only).
      const modelPath = path.join(server.config.DATA_DIR, "models", "ggml-tiny.bin");
      await run("python3", [tool, modelPath, "tiny"]);
      expect((await rep.request("POST", `/api/recordings/${id}/retry`)).status).toBe(200);
      const done = await waitForRecording(
        rep,
        id,
        (body) => body.transcript !== null || (body.recording.status === "failed" && !/ggml-tiny\.bin .*HTTP 404/.test(body.recording.failureReason)),
        150_000,
      );
      expect(done.recording.failureReason ?? null).toBeNull();
      expect(done.transcript).toMatchObject({ transcriber: "whisper.cpp", model: "ggml-tiny" });
    });
  },
);
