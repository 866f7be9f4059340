import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { extractChunk, planChunks } from "./chunk-audio.ts";
import { defaultMediaTools } from "./media-tools.ts";
import { normaliseAudio } from "./normalise-audio.ts";
import { probeAudio } from "./probe-audio.ts";
import { soxRmsAmplitude } from "./testing/synthetic-call.ts";
import { readWavHeader, wavDurationMs } from "./wav-header.ts";

const run = promisify(execFile);
const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");

describe("planChunks", () => {
  it("cuts 25 minutes into 10-minute chunks with 2 s of overlap on each side", () => {
    expect(planChunks(25 * 60_000, { chunkDurationMs: 600_000, overlapMs: 2_000 })).toEqual([
      { index: 0, startMs: 0, endMs: 602_000, ownedStartMs: 0, ownedEndMs: 600_000 },
      {
        index: 1,
        startMs: 598_000,
        endMs: 1_202_000,
        ownedStartMs: 600_000,
        ownedEndMs: 1_200_000,
      },
      {
        index: 2,
        startMs: 1_198_000,
        endMs: 1_500_000,
        ownedStartMs: 1_200_000,
        ownedEndMs: 1_500_000,
      },
    ]);
  });

  it("folds a tail shorter than a tenth of a chunk into the previous chunk", () => {
    // 20.5 min: a 30 s tail (< 60 s) joins the second chunk.
    expect(planChunks(1_230_000, { chunkDurationMs: 600_000, overlapMs: 2_000 })).toEqual([
      { index: 0, startMs: 0, endMs: 602_000, ownedStartMs: 0, ownedEndMs: 600_000 },
      {
        index: 1,
        startMs: 598_000,
        endMs: 1_230_000,
        ownedStartMs: 600_000,
        ownedEndMs: 1_230_000,
      },
    ]);
    // 21.5 min: a 90 s tail stays a chunk of its own.
    expect(planChunks(1_290_000, { chunkDurationMs: 600_000, overlapMs: 2_000 })).toHaveLength(3);
  });

  it("a short recording is one chunk; nothing is none", () => {
    expect(planChunks(4_200)).toEqual([
      { index: 0, startMs: 0, endMs: 4_200, ownedStartMs: 0, ownedEndMs: 4_200 },
    ]);
    expect(planChunks(0)).toEqual([]);
  });

  it("owned ranges tile the recording exactly", () => {
    const chunks = planChunks(3_601_234, { chunkDurationMs: 300_000, overlapMs: 1_500 });
    expect(chunks[0].ownedStartMs).toBe(0);
    expect(chunks.at(-1)!.ownedEndMs).toBe(3_601_234);
    for (let index = 1; index < chunks.length; index += 1) {
      expect(chunks[index].ownedStartMs).toBe(chunks[index - 1].ownedEndMs);
    }
  });

  it("rejects an overlap that would swallow the chunk", () => {
    expect(() => planChunks(60_000, { chunkDurationMs: 10_000, overlapMs: 5_000 })).toThrow(
      ValidationError,
    );
  });
});

describe("extractChunk on real speech", () => {
  let directory: string;
  let trackPath: string;
  let trackDurationMs: number;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "chunk-test-"));
    const input = join(fixtures, "OSR_us_000_0034_8k.wav");
    const probe = await probeAudio(input, { limits: { maxDurationMs: 60_000 } });
    const normalised = await normaliseAudio(input, {
      outputDirectory: directory,
      probe,
      maxDurationMs: 60_000,
    });
    trackPath = normalised.tracks[0].path;
    trackDurationMs = normalised.durationMs;
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("cuts sample-exact chunks at the planned offsets", async () => {
    const chunks = planChunks(trackDurationMs, { chunkDurationMs: 10_000, overlapMs: 500 });
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1, 2, 3]);
    const second = await extractChunk(trackPath, chunks[1], {
      outputDirectory: directory,
      name: "second",
      tools: defaultMediaTools,
    });
    const header = await readWavHeader(second.path);
    expect(header).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect(wavDurationMs(header!, (await stat(second.path)).size)).toBe(
      chunks[1].endMs - chunks[1].startMs,
    );
    // Real speech inside: well above the silence threshold.
    expect(second.rmsDb).toBeGreaterThan(-40);

    // The chunk is the same audio as that stretch of the track (sox measures both).
    const fromTrack = await soxRmsAmplitudeOfRange(trackPath, chunks[1].startMs, chunks[1].endMs);
    const fromChunk = await soxRmsAmplitude(second.path);
    expect(fromChunk.rms).toBeCloseTo(fromTrack, 3);
  });

  it("measures a silent stretch as silence", async () => {
    const silentPath = join(directory, "silent.wav");
    await run("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", silentPath, "trim", "0", "3"]);
    const chunk = await extractChunk(
      silentPath,
      { index: 0, startMs: 0, endMs: 3_000, ownedStartMs: 0, ownedEndMs: 3_000 },
      { outputDirectory: directory, name: "silent-chunk", tools: defaultMediaTools },
    );
    // sox dithers its "silence" to about -96 dBFS: far below the -60 dBFS skip threshold.
    expect(chunk.rmsDb).toBeLessThan(-80);
  });
});

async function soxRmsAmplitudeOfRange(
  path: string,
  startMs: number,
  endMs: number,
): Promise<number> {
  const { stderr } = await run("sox", [
    path,
    "-n",
    "trim",
    String(startMs / 1000),
    String((endMs - startMs) / 1000),
    "stat",
  ]);
  return Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(stderr)![1]);
}
