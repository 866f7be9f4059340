/**
 * The whole pipeline on real audio (espeak-ng voices on the two channels of a generated call, and
 * recorded fixtures) against a local OpenAI-compatible server. The server's segments follow the
 * speech it measures in each uploaded chunk, so the timestamps we get back test our chunk offsets,
 * overlap handling and channel merge against when each line was really spoken.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  segmentPerSpeechRegion,
  startOpenAiTranscriptionServer,
  type OpenAiTranscriptionServer,
} from "../../tests/support/openai-transcription-server.ts";
import { TransientError, UnprocessableError } from "../errors.ts";
import { planChunks } from "./chunk-audio.ts";
import { createOpenAiCompatibleTranscriber } from "./openai-compatible-transcriber.ts";
import { generateStereoCall, repeatCall, type GeneratedCall } from "./testing/synthetic-call.ts";
import {
  transcribeRecording,
  type RecordingSegment,
  type TranscribeRecordingOptions,
  type TranscriptionStage,
} from "./transcribe-recording.ts";

const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");
const tolerance = 150;

let directory: string;
let server: OpenAiTranscriptionServer;
let call: GeneratedCall;
let longCall: GeneratedCall;
let workCount = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "pipeline-test-"));
  server = await startOpenAiTranscriptionServer();
  // Lines shorter than the overlap used below, so a line cut by a chunk boundary is always heard
  // whole by the chunk that keeps it.
  call = await generateStereoCall(directory, [
    { channel: "left", text: "Thanks for calling, how can I help?" },
    { channel: "right", text: "I need a price for fifty seats." },
    { channel: "left", text: "That is twelve thousand a year." },
    { channel: "right", text: "Great, send the contract." },
  ]);
  longCall = await repeatCall(call, 3, join(directory, "long-call.wav"));
});
afterEach(() => {
  server.requests.length = 0;
  server.setResponder(segmentPerSpeechRegion());
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

async function freshTempDirectory(): Promise<string> {
  workCount += 1;
  const path = join(directory, `work-${workCount}`);
  await mkdir(path);
  return path;
}

async function options(
  overrides: Partial<TranscribeRecordingOptions> = {},
): Promise<TranscribeRecordingOptions> {
  return {
    transcriber: createOpenAiCompatibleTranscriber({
      baseUrl: server.baseUrl,
      model: "whisper-1",
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    }),
    tempDirectory: await freshTempDirectory(),
    limits: { maxDurationMs: 10 * 60_000 },
    language: "en",
    ...overrides,
  };
}

function expectLinesRecovered(
  segments: RecordingSegment[],
  generated: GeneratedCall,
  agentChannel: "left" | "right",
) {
  for (const line of generated.lines) {
    const speaker = line.channel === agentChannel ? "agent" : "customer";
    const overlapping = segments.filter(
      (segment) => segment.startMs < line.endMs && segment.endMs > line.startMs,
    );
    expect(overlapping.length, `segments for "${line.text}" at ${line.startMs}`).toBeGreaterThan(0);
    // Nobody else speaks during a line (the other channel is silent then).
    expect(new Set(overlapping.map((segment) => segment.speaker))).toEqual(new Set([speaker]));
    expect(
      Math.abs(Math.min(...overlapping.map((segment) => segment.startMs)) - line.startMs),
    ).toBeLessThanOrEqual(tolerance);
    expect(
      Math.abs(Math.max(...overlapping.map((segment) => segment.endMs)) - line.endMs),
    ).toBeLessThanOrEqual(tolerance);
  }
  // Nothing was transcribed twice (overlaps between chunks are dropped) and nothing invented.
  for (const speaker of ["agent", "customer"]) {
    const own = segments.filter((segment) => segment.speaker === speaker);
    for (let index = 1; index < own.length; index += 1) {
      expect(own[index].startMs).toBeGreaterThanOrEqual(own[index - 1].endMs);
    }
  }
  expect(segments.length).toBeLessThanOrEqual(generated.lines.length * 3);
}

describe("transcribeRecording: stereo call", () => {
  it("returns every line once, on the right speaker, at the right time, across chunk boundaries", async () => {
    const result = await transcribeRecording(
      await options({ chunking: { chunkDurationMs: 10_000, overlapMs: 3_000 }, concurrency: 2 }),
      longCall.path,
    );
    expect(result).toMatchObject({
      channels: 2,
      layout: "split",
      language: "en",
      transcriber: { name: "openai-compatible", model: "whisper-1" },
    });
    expect(Math.abs(result.durationMs - longCall.durationMs)).toBeLessThanOrEqual(1);
    // Sorted by time.
    const starts = result.segments.map((segment) => segment.startMs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expectLinesRecovered(result.segments, longCall, "left");

    // Every planned chunk of each channel was uploaded once, as 16 kHz mono of the planned length.
    const plan = planChunks(result.durationMs, { chunkDurationMs: 10_000, overlapMs: 3_000 });
    expect(plan.length).toBeGreaterThanOrEqual(3);
    expect(server.requests.map((request) => request.fileName).sort()).toEqual(
      plan.flatMap((chunk) => [`left-${chunk.index}.wav`, `right-${chunk.index}.wav`]).sort(),
    );
    for (const request of server.requests) {
      expect(request).toMatchObject({
        model: "whisper-1",
        responseFormat: "verbose_json",
        language: "en",
      });
      expect(request.audio).toMatchObject({ sampleRate: 16_000, channels: 1 });
      const chunk = plan[Number(/-(\d+)\.wav$/.exec(request.fileName!)![1])];
      expect(request.audio!.durationMs).toBe(chunk.endMs - chunk.startMs);
    }
  });

  it("agentChannel decides which side is the agent", async () => {
    const result = await transcribeRecording(await options({ agentChannel: "right" }), call.path);
    expectLinesRecovered(result.segments, call, "right");
    expect(result.segments[0].speaker).toBe("customer");
  });

  it("reports monotonic progress through every stage, ending at 1", async () => {
    const reports: Array<[number, TranscriptionStage]> = [];
    await transcribeRecording(
      await options({
        chunking: { chunkDurationMs: 6_000, overlapMs: 1_000 },
        onProgress: (fraction, stage) => reports.push([fraction, stage]),
      }),
      call.path,
    );
    const fractions = reports.map(([fraction]) => fraction);
    for (let index = 1; index < fractions.length; index += 1) {
      expect(fractions[index]).toBeGreaterThanOrEqual(fractions[index - 1]);
    }
    expect(reports.at(-1)).toEqual([1, "complete"]);
    const stages = reports
      .map(([, stage]) => stage)
      .filter((stage, index, all) => stage !== all[index - 1]);
    expect(stages).toEqual(["probe", "normalise", "transcribe", "merge", "complete"]);
    // One report per transcribed chunk at least.
    expect(reports.filter(([, stage]) => stage === "transcribe").length).toBeGreaterThanOrEqual(
      server.requests.length,
    );
  });

  it("redacts personal data in the transcript and keeps the original beside it", async () => {
    server.setResponder(segmentPerSpeechRegion("my number is 138 1234 5678"));
    const result = await transcribeRecording(await options(), call.path);
    expect(result.segments.length).toBeGreaterThan(0);
    for (const segment of result.segments) {
      expect(segment.text).toBe("my number is [PHONE]");
      expect(segment.originalText).toBe("my number is 138 1234 5678");
      expect(segment.redactions).toEqual([
        { kind: "PHONE", start: 13, end: 26, redactedStart: 13, redactedEnd: 20 },
      ]);
    }
  });

  it("does not send silent chunks to the transcriber", async () => {
    const quietStart = await generateStereoCall(
      directory,
      [
        { channel: "left", text: "Hello?" },
        { channel: "right", text: "Yes, hello." },
      ],
      { leadingSilenceMs: 12_000, name: "quiet-start" },
    );
    const result = await transcribeRecording(
      await options({ chunking: { chunkDurationMs: 10_000, overlapMs: 1_000 } }),
      quietStart.path,
    );
    // Chunk 0 (0–11 s) is silence on both channels: only chunk 1 of each channel is uploaded.
    expect(server.requests.map((request) => request.fileName).sort()).toEqual([
      "left-1.wav",
      "right-1.wav",
    ]);
    expectLinesRecovered(result.segments, quietStart, "left");
  });
});

describe("transcribeRecording: other recordings", () => {
  it("mono Mandarin: one speaker track, language from the engine", async () => {
    server.setResponder(() => ({
      language: "chinese",
      segments: [{ start: 0.3, end: 4.0, text: "甚至出现交易几乎停滞的情况" }],
    }));
    const result = await transcribeRecording(
      await options({ language: null }),
      join(fixtures, "BAC009S0764W0121.wav"),
    );
    expect(result).toMatchObject({
      channels: 1,
      layout: "mono",
      language: "zh",
      durationMs: 4_204,
    });
    expect(result.segments).toEqual([
      {
        startMs: 300,
        endMs: 4_000,
        speaker: "speaker_1",
        text: "甚至出现交易几乎停滞的情况",
        originalText: "甚至出现交易几乎停滞的情况",
        redactions: [],
        language: "zh",
        confidence: null,
      },
    ]);
    expect(server.requests[0].language).toBeNull();
  });

  it("dual-mono stereo (the same speech on both channels) is transcribed once", async () => {
    const result = await transcribeRecording(await options(), join(fixtures, "jfk.flac"));
    expect(result.layout).toBe("dual-mono");
    expect(server.requests).toHaveLength(1);
    expect(new Set(result.segments.map((segment) => segment.speaker))).toEqual(
      new Set(["speaker_1"]),
    );
  });

  it("the real stereo fixture: one speaker per channel", async () => {
    const result = await transcribeRecording(
      await options(),
      join(fixtures, "stereo_diarization.wav"),
    );
    expect(result.layout).toBe("split");
    expect(new Set(result.segments.map((segment) => segment.speaker))).toEqual(
      new Set(["agent", "customer"]),
    );
  });
});

describe("transcribeRecording: failures leave nothing behind", () => {
  it("rejects a non-audio file before creating any working folder", async () => {
    const settings = await options();
    const path = join(directory, "not-audio.wav");
    await writeFile(path, "this is not audio");
    await expect(transcribeRecording(settings, path)).rejects.toBeInstanceOf(UnprocessableError);
    expect(await readdir(settings.tempDirectory)).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it("cancellation stops the work, rejects with AbortError and removes the temp files", async () => {
    const controller = new AbortController();
    server.setResponder(async (request) => {
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return segmentPerSpeechRegion()(request);
    });
    const settings = await options({
      signal: controller.signal,
      chunking: { chunkDurationMs: 15_000, overlapMs: 1_000 },
    });
    const error = await transcribeRecording(settings, longCall.path).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
    expect(await readdir(settings.tempDirectory)).toEqual([]);
  });

  it("a transcriber that keeps failing surfaces a retryable error and removes the temp files", async () => {
    server.failNext(2, 500);
    const settings = await options();
    const error = await transcribeRecording(settings, call.path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(await readdir(settings.tempDirectory)).toEqual([]);
  });

  it("an already-aborted signal does nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const settings = await options({ signal: controller.signal });
    await expect(transcribeRecording(settings, call.path)).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(server.requests).toHaveLength(0);
  });
});
