import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnprocessableError } from "../errors.ts";
import { normaliseAudio, parseChannelLevels, type NormaliseOptions } from "./normalise-audio.ts";
import { probeAudio } from "./probe-audio.ts";
import { soxRmsAmplitude, speak } from "./testing/synthetic-call.ts";

const run = promisify(execFile);
const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");
const maxDurationMs = 60 * 60_000;

let directory: string;
let outputCount = 0;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "normalise-test-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function outputDirectory(): Promise<string> {
  outputCount += 1;
  const path = join(directory, `out-${outputCount}`);
  await mkdir(path);
  return path;
}

async function normalise(input: string, options: Partial<NormaliseOptions> = {}) {
  const probe = await probeAudio(input, { limits: { maxDurationMs } });
  return normaliseAudio(input, {
    outputDirectory: await outputDirectory(),
    probe,
    maxDurationMs,
    ...options,
  });
}

async function ffprobeStream(path: string) {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_name,sample_rate,channels,duration",
    "-of",
    "json",
    path,
  ]);
  return (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams[0];
}

describe("normaliseAudio: 16 kHz mono PCM WAV", () => {
  it("8 kHz telephone audio becomes 16 kHz mono pcm_s16le (checked with ffprobe)", async () => {
    const result = await normalise(join(fixtures, "OSR_us_000_0034_8k.wav"));
    expect(result.layout).toBe("mono");
    expect(result.tracks).toHaveLength(1);
    expect(result.tracks[0].channel).toBe("mixed");
    expect(await ffprobeStream(result.tracks[0].path)).toMatchObject({
      codec_name: "pcm_s16le",
      sample_rate: "16000",
      channels: 1,
    });
    expect(Math.abs(result.durationMs - 35_548)).toBeLessThanOrEqual(1);
  });

  it("the same speech on both channels (jfk.flac) is one track, not two", async () => {
    const result = await normalise(join(fixtures, "jfk.flac"));
    expect(result.layout).toBe("dual-mono");
    expect(result.tracks.map((track) => track.channel)).toEqual(["mixed"]);
    expect(result.channelLevelsDb!.difference).toBeLessThan(result.channelLevelsDb!.left - 20);
    expect(await ffprobeStream(result.tracks[0].path)).toMatchObject({
      sample_rate: "16000",
      channels: 1,
    });
    expect(result.durationMs).toBe(11_000);
  });

  it('stereoMode "split" splits even identical channels; "mix" never splits', async () => {
    const split = await normalise(join(fixtures, "jfk.flac"), { stereoMode: "split" });
    expect(split.tracks.map((track) => track.channel)).toEqual(["left", "right"]);
    const mixed = await normalise(join(fixtures, "stereo_diarization.wav"), { stereoMode: "mix" });
    expect(mixed.layout).toBe("mixed");
    expect(mixed.tracks.map((track) => track.channel)).toEqual(["mixed"]);
  });

  it("reports decoding progress up to 1", async () => {
    const fractions: number[] = [];
    await normalise(join(fixtures, "OSR_us_000_0034_8k.wav"), {
      onProgress: (fraction) => fractions.push(fraction),
    });
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBeCloseTo(1, 2);
    expect(fractions.every((fraction) => fraction >= 0 && fraction <= 1)).toBe(true);
  });
});

describe("normaliseAudio: stereo calls are split by channel", () => {
  let stereoPath: string;

  beforeAll(async () => {
    // Two different voices, the right one much quieter, so the channels cannot be mistaken for each other.
    const left = await speak(
      "Thanks for calling, this is the sales desk. How can I help?",
      join(directory, "left-voice.wav"),
      { voice: "en-us" },
    );
    const right = await speak(
      "I want a quote for fifty licences, please.",
      join(directory, "right-voice.wav"),
      { voice: "en-gb+f3" },
    );
    const rightQuiet = join(directory, "right-quiet.wav");
    await run("sox", ["-v", "0.3", right.path, rightQuiet, "pad", "0.4", "0"]);
    stereoPath = join(directory, "stereo-call.wav");
    // -M: left input → channel 1, right input → channel 2 (the shorter one padded with silence).
    await run("sox", ["-M", left.path, rightQuiet, stereoPath]);
  });

  it("each output file carries exactly its own channel (RMS and length compared with sox)", async () => {
    const result = await normalise(stereoPath);
    expect(result.layout).toBe("split");
    const [left, right] = result.tracks;
    expect([left.channel, right.channel]).toEqual(["left", "right"]);
    for (const track of result.tracks) {
      expect(await ffprobeStream(track.path)).toMatchObject({
        codec_name: "pcm_s16le",
        sample_rate: "16000",
        channels: 1,
      });
    }

    const sourceLeft = await soxRmsAmplitude(stereoPath, 1);
    const sourceRight = await soxRmsAmplitude(stereoPath, 2);
    const outputLeft = await soxRmsAmplitude(left.path);
    const outputRight = await soxRmsAmplitude(right.path);
    // Resampling keeps the level of speech within a few percent…
    expect(Math.abs(outputLeft.rms / sourceLeft.rms - 1)).toBeLessThan(0.05);
    expect(Math.abs(outputRight.rms / sourceRight.rms - 1)).toBeLessThan(0.05);
    // …while the two channels differ by far more, so a swap could not pass.
    expect(sourceLeft.rms / sourceRight.rms).toBeGreaterThan(2);
    expect(Math.abs(outputLeft.seconds - sourceLeft.seconds)).toBeLessThan(0.01);
    expect(Math.abs(outputRight.seconds - sourceRight.seconds)).toBeLessThan(0.01);
    expect(left.durationMs).toBe(right.durationMs);
  });

  it("a channel that is silent throughout is dropped", async () => {
    const voice = await speak("Hello, can you hear me?", join(directory, "lonely.wav"), {
      voice: "en-us",
    });
    const oneSided = join(directory, "one-sided.wav");
    await run("sox", [voice.path, oneSided, "remix", "0", "1"]); // left silent, right speaks
    const result = await normalise(oneSided);
    expect(result.layout).toBe("one-channel-silent");
    expect(result.tracks.map((track) => track.channel)).toEqual(["right"]);
  });
});

describe("normaliseAudio rejects what decoding reveals", () => {
  it("a FLAC whose header states 11 s but whose data ends early is truncated", async () => {
    const whole = await readFile(join(fixtures, "jfk.flac"));
    const path = join(directory, "half.flac");
    await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await normalise(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toMatch(
      /^The file is truncated: it states 11 s of audio but only [\d.]+ s could be decoded/,
    );
  });

  it("stops decoding past the limit when the header understates the length", async () => {
    const input = join(fixtures, "OSR_us_000_0034_8k.wav");
    const honest = await probeAudio(input, { limits: { maxDurationMs } });
    const lyingProbe = { ...honest, durationMs: 5_000 };
    const error = await normaliseAudio(input, {
      outputDirectory: await outputDirectory(),
      probe: lyingProbe,
      maxDurationMs: 10_000,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toBe("The recording is 11 s long; the maximum is 10 s.");
  });
});

describe("parseChannelLevels", () => {
  it("reads astats' per-channel RMS levels, including -inf", () => {
    const stderr = [
      "[Parsed_astats_6 @ 0x55] Channel: 1",
      "[Parsed_astats_6 @ 0x55] RMS level dB: -29.041622",
      "[Parsed_astats_6 @ 0x55] Channel: 2",
      "[Parsed_astats_6 @ 0x55] RMS level dB: -inf",
      "[Parsed_astats_6 @ 0x55] Channel: 3",
      "[Parsed_astats_6 @ 0x55] RMS level dB: -29.041622",
      // Plain astats (what ffmpeg 4.1 can do) ends with an overall block, which is no channel.
      "[Parsed_astats_6 @ 0x55] Overall",
      "[Parsed_astats_6 @ 0x55] RMS level dB: -12.5",
    ].join("\n");
    expect(parseChannelLevels(stderr)).toEqual({
      left: -29.041622,
      right: -Infinity,
      difference: -29.041622,
    });
    expect(parseChannelLevels("nothing here")).toBeNull();
  });
});
