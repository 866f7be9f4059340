/**
 * Which transcriber a configuration gets, and what `npm start` and /healthz say about it. The
 * download path runs against a local HTTP server (never the internet).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { UnprocessableError } from "../errors.ts";
import {
  createConfiguredTranscriber,
  describeSpeech,
  planTranscription,
  speechSummary,
} from "./configured-transcriber.ts";

let directory: string;
let server: Server;
let mirror: string;
const requested: string[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "configured-transcriber-test-"));
  server = createServer((request, response) => {
    requested.push(request.url ?? "");
    response.writeHead(404).end("no such model here");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whisper.cpp`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(directory, { recursive: true, force: true });
});

const config = (environment: Record<string, string>) => loadConfig({ DATA_DIR: directory, ...environment });

describe("planTranscription", () => {
  it("nothing configured: WHISPER_MODEL_NAME (default small) downloads into DATA_DIR/models on first use", () => {
    const plan = planTranscription(config({}));
    expect(plan).toMatchObject({
      kind: "download-on-first-use",
      modelName: "small",
      modelPath: join(directory, "models", "ggml-small.bin"),
      url: "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-small.bin",
      present: false,
    });
    expect(speechSummary(describeSpeech(config({})))).toMatch(/small \(~466 MB\) will be downloaded on first use from https:\/\/huggingface\.co/);
  });

  it("a mirror, another model name, a model already there", async () => {
    await mkdir(join(directory, "models"), { recursive: true });
    await writeFile(join(directory, "models", "ggml-base.bin"), "weights");
    const plan = planTranscription(config({ WHISPER_MODEL_NAME: "base", WHISPER_MODEL_URL: `${mirror}/` }));
    expect(plan).toMatchObject({ kind: "download-on-first-use", url: `${mirror}/ggml-base.bin`, present: true });
    expect(speechSummary(describeSpeech(config({ WHISPER_MODEL_NAME: "base" })))).toMatch(/^Transcription: whisper model base \(/);
  });

  it("WHISPER_MODEL wins; an endpoint is used when there is no model file; TRANSCRIBER=openai needs one", () => {
    expect(planTranscription(config({ WHISPER_MODEL: "/m/x.bin", TRANSCRIPTION_BASE_URL: "http://127.0.0.1:9/v1" }))).toEqual({
      kind: "model-file",
      modelPath: "/m/x.bin",
    });
    const endpoint = config({ TRANSCRIPTION_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(planTranscription(endpoint)).toMatchObject({ kind: "endpoint", baseUrl: "http://127.0.0.1:9/v1" });
    expect(describeSpeech(endpoint).engine).toBeNull();
    expect(speechSummary(describeSpeech(endpoint))).toMatch(/OpenAI-compatible endpoint/);
    expect(planTranscription(config({ TRANSCRIBER: "openai" }))).toMatchObject({ kind: "none" });
    expect(planTranscription(config({ WHISPER_MODEL_NAME: "huge" }))).toMatchObject({ kind: "none", reason: expect.stringMatching(/use one of/) });
  });

  it("for local whisper, /healthz gets the engine and the CPU features", () => {
    const description = describeSpeech(config({}));
    expect(description.engine).toMatchObject({ setting: "auto" });
    expect(description.engine?.cpu.threads).toBeGreaterThanOrEqual(1);
  });
});

describe("createConfiguredTranscriber", () => {
  it("the first transcription downloads the model; a mirror without it fails with what to do", async () => {
    requested.length = 0;
    const progress: number[] = [];
    const error = await createConfiguredTranscriber(config({ WHISPER_MODEL_NAME: "tiny", WHISPER_MODEL_URL: mirror, WHISPER_ENGINE: "prebuilt" }), {
      onModelDownload: (update) => progress.push(update.receivedBytes),
    }).catch((caught: unknown) => caught);
    if ((error as Error).message.startsWith("Local transcription is not possible")) return; // No prebuilt for this platform.
    expect(requested).toEqual(["/whisper.cpp/ggml-tiny.bin"]);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toMatch(/ggml-tiny\.bin .*HTTP 404.*npm run whisper:model -- tiny.*WHISPER_MODEL.*WHISPER_MODEL_URL.*Retry/s);
  });

  it("an endpoint needs no model", async () => {
    const transcriber = await createConfiguredTranscriber(config({ TRANSCRIPTION_BASE_URL: "http://127.0.0.1:9/v1" }));
    expect(transcriber.name).toBe("openai-compatible");
  });
});
