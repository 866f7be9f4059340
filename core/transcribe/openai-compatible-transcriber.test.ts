import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  segmentPerSpeechRegion,
  startOpenAiTranscriptionServer,
  type OpenAiTranscriptionServer,
} from "../../tests/support/openai-transcription-server.ts";
import { RateLimitedError, TransientError, UnprocessableError, isRetryable } from "../errors.ts";
import {
  confidenceFromLogProbability,
  createOpenAiCompatibleTranscriber,
  retryAfterMs,
} from "./openai-compatible-transcriber.ts";

const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");
const mandarinClip = join(fixtures, "BAC009S0764W0121.wav");
const fastRetries = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

let server: OpenAiTranscriptionServer;
beforeAll(async () => {
  server = await startOpenAiTranscriptionServer({ apiKey: "test-key" });
});
afterEach(() => {
  server.requests.length = 0;
  server.setResponder(segmentPerSpeechRegion());
});
afterAll(async () => {
  await server.close();
});

function transcriber(
  overrides: Partial<Parameters<typeof createOpenAiCompatibleTranscriber>[0]> = {},
) {
  return createOpenAiCompatibleTranscriber({
    baseUrl: server.baseUrl,
    apiKey: "test-key",
    model: "whisper-1",
    retry: fastRetries,
    ...overrides,
  });
}

describe("OpenAI-compatible transcriber against a local server", () => {
  it("uploads the file as multipart with the fields the API needs", async () => {
    const engine = transcriber();
    expect([engine.name, engine.model]).toEqual(["openai-compatible", "whisper-1"]);
    await engine.transcribe({ audioPath: mandarinClip, language: "zh" });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      authorization: "Bearer test-key",
      model: "whisper-1",
      responseFormat: "verbose_json",
      language: "zh",
      timestampGranularities: ["segment"],
      fileName: "BAC009S0764W0121.wav",
      fileBytes: 134_570,
      audio: { sampleRate: 16_000, channels: 1, durationMs: 4_204 },
    });
  });

  it("sends no language when detecting, and maps the answered language name to a code", async () => {
    server.setResponder(() => ({ language: "chinese", duration: 4.2, segments: [] }));
    const result = await transcriber().transcribe({ audioPath: mandarinClip, language: null });
    expect(server.requests[0].language).toBeNull();
    expect(result.language).toBe("zh");
  });

  it("parses segments: seconds → milliseconds, trimmed text, confidence = exp(avg_logprob)", async () => {
    server.setResponder(() => ({
      language: "english",
      segments: [
        { start: 0.0, end: 2.48, text: " Hello there. ", avg_logprob: -0.2 },
        { start: 2.48, end: 4.1, text: "Second.", avg_logprob: 0.3 }, // > 0 is clamped to 1
        { start: 4.1, end: 4.2, text: "Third." }, // no log-probability
      ],
    }));
    const result = await transcriber().transcribe({ audioPath: mandarinClip, language: "en" });
    expect(result).toEqual({
      language: "en",
      segments: [
        { startMs: 0, endMs: 2480, text: "Hello there.", confidence: Math.exp(-0.2) },
        { startMs: 2480, endMs: 4100, text: "Second.", confidence: 1 },
        { startMs: 4100, endMs: 4200, text: "Third.", confidence: null },
      ],
    });
    expect(Math.exp(-0.2)).toBeCloseTo(0.8187, 4);
  });

  it("the default server answer follows the speech it measured in the upload", async () => {
    const result = await transcriber().transcribe({ audioPath: mandarinClip, language: "zh" });
    expect(result.segments.length).toBeGreaterThan(0);
    const regions = server.requests[0].audio!.speechRegions;
    expect(result.segments.map((segment) => segment.startMs)).toEqual(
      regions.map((region) => region.startMs),
    );
  });

  it("a server without segment timestamps still gives one segment when it states the duration", async () => {
    server.setResponder(() => ({ text: "whole file", duration: 4.204 }));
    const result = await transcriber().transcribe({ audioPath: mandarinClip, language: null });
    expect(result.segments).toEqual([
      { startMs: 0, endMs: 4204, text: "whole file", confidence: null },
    ]);
  });

  it("retries 500s and succeeds within the attempt budget", async () => {
    server.failNext(2, 500);
    const result = await transcriber().transcribe({ audioPath: mandarinClip, language: "zh" });
    expect(result.segments.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after the attempts with a retryable TransientError", async () => {
    server.failNext(3, 503, { message: "overloaded" });
    const error = await transcriber()
      .transcribe({ audioPath: mandarinClip, language: "zh" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toBe("openai-compatible failed (HTTP 503): overloaded");
    expect(server.requests).toHaveLength(3);
  });

  it("429 becomes RateLimitedError carrying Retry-After", async () => {
    server.failNext(1, 429, { retryAfterSeconds: 7 });
    const error = await transcriber({ retry: { maxAttempts: 1 } })
      .transcribe({ audioPath: mandarinClip, language: "zh" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).details).toMatchObject({ status: 429, retryAfterMs: 7000 });
    expect(isRetryable(error)).toBe(true);
  });

  it("a 429 followed by success is retried", async () => {
    server.failNext(1, 429, { retryAfterSeconds: 0 });
    await transcriber().transcribe({ audioPath: mandarinClip, language: "zh" });
    expect(server.requests).toHaveLength(2);
  });

  it("4xx is UnprocessableError and is not retried", async () => {
    server.failNext(1, 400, { message: "Invalid file format." });
    const error = await transcriber()
      .transcribe({ audioPath: mandarinClip, language: "zh" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toBe(
      "openai-compatible rejected the transcription request (HTTP 400): Invalid file format.",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("a wrong API key says to check the key", async () => {
    const error = await transcriber({ apiKey: "wrong" })
      .transcribe({ audioPath: mandarinClip, language: "zh" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toMatch(
      /HTTP 401\) \(check the API key and model access\): Incorrect API key provided\./,
    );
  });

  it("a server that does not answer in time is a TransientError", async () => {
    server.setResponder(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return { segments: [] };
    });
    const error = await transcriber({ timeoutMs: 100, retry: { maxAttempts: 1 } })
      .transcribe({ audioPath: mandarinClip, language: "zh" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe("openai-compatible did not answer within 100 ms");
  });

  it("an unreachable server is a TransientError", async () => {
    const error = await createOpenAiCompatibleTranscriber({
      baseUrl: "http://127.0.0.1:9/v1",
      model: "whisper-1",
      retry: { maxAttempts: 1 },
    })
      .transcribe({ audioPath: mandarinClip, language: "zh" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      "openai-compatible could not be reached at http://127.0.0.1:9/v1/audio/transcriptions",
    );
  });

  it("the caller's abort wins over retries and is not turned into a TransientError", async () => {
    const controller = new AbortController();
    server.setResponder(async () => {
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { segments: [] };
    });
    const error = await transcriber()
      .transcribe({ audioPath: mandarinClip, language: "zh", signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
  });
});

describe("helpers", () => {
  it("confidenceFromLogProbability", () => {
    expect(confidenceFromLogProbability(0)).toBe(1);
    expect(confidenceFromLogProbability(Math.log(0.5))).toBeCloseTo(0.5, 10);
    expect(confidenceFromLogProbability(null)).toBeNull();
    expect(confidenceFromLogProbability(Number.NaN)).toBeNull();
    expect(confidenceFromLogProbability(-Infinity)).toBeNull();
  });

  it("retryAfterMs reads seconds and HTTP dates", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(
      retryAfterMs("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(10_000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
