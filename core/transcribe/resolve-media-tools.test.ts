/**
 * Which ffmpeg runs, and that the audio path works through each one there is: the system's and
 * the npm-bundled static build. Inputs are made at test time (espeak-ng speech, encoded by ffmpeg).
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CalibrateError } from "../errors.ts";
import { extractChunk } from "./chunk-audio.ts";
import { normaliseAudio } from "./normalise-audio.ts";
import { probeAudio } from "./probe-audio.ts";
import {
  bundledMediaToolPath,
  describeMediaTools,
  parseMediaToolVersion,
  resolveMediaTools,
  type ResolvedMediaTools,
} from "./resolve-media-tools.ts";
import { speak } from "./testing/synthetic-call.ts";

const run = promisify(execFile);
const limits = { maxDurationMs: 60 * 60_000 };

/** PATH without any directory that holds an ffmpeg or ffprobe (as on a machine without them). */
function pathWithoutFfmpeg(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((directory) => resolveMediaTools({ PATH: directory }).ffmpeg.source !== "system")
    .filter((directory) => resolveMediaTools({ PATH: directory }).ffprobe.source !== "system")
    .join(delimiter);
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "media-tools-test-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("resolveMediaTools", () => {
  it("FFMPEG_PATH / FFPROBE_PATH win over everything", () => {
    const tools = resolveMediaTools({ FFMPEG_PATH: "/opt/ff/ffmpeg", FFPROBE_PATH: "/opt/ff/ffprobe", PATH: process.env.PATH });
    expect(tools.ffmpeg).toEqual({ source: "env", path: "/opt/ff/ffmpeg" });
    expect(tools.ffprobe).toEqual({ source: "env", path: "/opt/ff/ffprobe" });
    expect(tools.ffmpegPath).toBe("/opt/ff/ffmpeg");
  });

  it("finds an executable on PATH, and ignores a file of that name that is not executable", async () => {
    const executableDirectory = join(directory, "bin-executable");
    const plainDirectory = join(directory, "bin-plain");
    await mkdir(executableDirectory);
    await mkdir(plainDirectory);
    await writeFile(join(plainDirectory, "ffmpeg"), "#!/bin/sh\n");
    await writeFile(join(executableDirectory, "ffmpeg"), "#!/bin/sh\necho 'ffmpeg version 9.9-test'\n");
    await chmod(join(executableDirectory, "ffmpeg"), 0o755);
    const tools = resolveMediaTools({ PATH: [plainDirectory, executableDirectory].join(delimiter) });
    expect(tools.ffmpeg).toEqual({ source: "system", path: join(executableDirectory, "ffmpeg") });
    const described = await describeMediaTools(tools);
    expect(described.ffmpeg.version).toBe("9.9-test");
  });

  it("falls back to the npm-bundled binaries when PATH has none", () => {
    const tools = resolveMediaTools({ PATH: pathWithoutFfmpeg() });
    const bundledFfmpeg = bundledMediaToolPath("ffmpeg");
    if (bundledFfmpeg) {
      expect(tools.ffmpeg).toEqual({ source: "bundled", path: bundledFfmpeg });
      expect(bundledFfmpeg).toMatch(/node_modules[\\/]@ffmpeg-installer[\\/]/);
    } else {
      expect(tools.ffmpeg).toEqual({ source: "missing", path: "ffmpeg" });
    }
  });

  it("with nothing at all, the tool is missing and running it says what to do", async () => {
    const tools = resolveMediaTools({ PATH: join(directory, "empty"), FFPROBE_PATH: join(directory, "no-ffprobe") });
    const described = await describeMediaTools(tools);
    expect(described.ffprobe).toMatchObject({ source: "env", version: null });
    expect(described.ffprobe.error).toMatch(/ENOENT/);
    const input = join(directory, "whatever.wav");
    await writeFile(input, "RIFF");
    const error = await probeAudio(input, { limits, tools }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CalibrateError);
    expect((error as Error).message).toMatch(/FFPROBE_PATH/);
  });

  it("parses the version line of both tools", () => {
    expect(parseMediaToolVersion("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026")).toBe("5.1.9-0+deb12u1");
    expect(parseMediaToolVersion("ffprobe version N-66595-gc2b38619c0-static https://…")).toBe("N-66595-gc2b38619c0-static");
    expect(parseMediaToolVersion("something else")).toBeNull();
  });
});

const systemTools = resolveMediaTools({ PATH: process.env.PATH });
const bundledTools = resolveMediaTools({ PATH: pathWithoutFfmpeg() });
const toolSets: Array<[string, ResolvedMediaTools]> = [];
if (systemTools.ffmpeg.source === "system" && systemTools.ffprobe.source === "system") toolSets.push(["system", systemTools]);
if (bundledTools.ffmpeg.source === "bundled" && bundledTools.ffprobe.source === "bundled") {
  toolSets.push(["bundled (PATH stripped of ffmpeg)", bundledTools]);
}

// Each format as a phone or meeting app writes it; made with whichever ffmpeg there is.
const encodings: Array<{ format: string; extension: string; arguments: string[]; formatName: RegExp }> = [
  { format: "mp3", extension: "mp3", arguments: ["-c:a", "libmp3lame", "-b:a", "64k"], formatName: /^mp3$/ },
  { format: "m4a (AAC)", extension: "m4a", arguments: ["-c:a", "aac", "-b:a", "64k"], formatName: /mov|mp4|m4a/ },
  { format: "opus (Ogg)", extension: "opus", arguments: ["-c:a", "libopus", "-b:a", "32k"], formatName: /^ogg$/ },
  { format: "wav", extension: "wav", arguments: ["-c:a", "pcm_s16le"], formatName: /^wav$/ },
  { format: "flac", extension: "flac", arguments: ["-c:a", "flac"], formatName: /^flac$/ },
];

describe.skipIf(toolSets.length === 0)("probe + normalise through each ffmpeg there is", () => {
  const inputs = new Map<string, string>();
  beforeAll(async () => {
    const speech = await speak("Thanks for calling, the delivery is on Monday.", join(directory, "spoken.wav"));
    const encoder = (toolSets[0] as [string, ResolvedMediaTools])[1].ffmpegPath;
    for (const encoding of encodings) {
      const output = join(directory, `speech.${encoding.extension}`);
      await run(encoder, ["-nostdin", "-loglevel", "error", "-y", "-i", speech.path, "-ar", "48000", "-ac", "2", ...encoding.arguments, output]);
      inputs.set(encoding.format, output);
    }
  }, 60_000);

  for (const [label, tools] of toolSets) {
    it(`${label}: ${tools.ffmpegPath} decodes mp3, m4a, opus, wav and flac to 16 kHz mono`, async () => {
      let monoTrack = "";
      for (const encoding of encodings) {
        const input = inputs.get(encoding.format) as string;
        const probe = await probeAudio(input, { limits, tools });
        expect(probe.formatName, encoding.format).toMatch(encoding.formatName);
        expect(probe.channels, encoding.format).toBe(2);
        expect(probe.durationMs, encoding.format).toBeGreaterThan(1_500);
        const outputDirectory = join(directory, `${label.split(" ")[0]}-${encoding.extension}`);
        await mkdir(outputDirectory, { recursive: true });
        const result = await normaliseAudio(input, { outputDirectory, probe, maxDurationMs: limits.maxDurationMs, tools });
        // Both channels carry the same speech: one mono track.
        expect(result.layout, encoding.format).toBe("dual-mono");
        expect(result.tracks, encoding.format).toHaveLength(1);
        expect(Math.abs(result.durationMs - probe.durationMs), encoding.format).toBeLessThan(150);
        const check = await probeAudio(result.tracks[0].path, { limits, tools });
        expect(check, encoding.format).toMatchObject({ codec: "pcm_s16le", sampleRate: 16_000, channels: 1 });
        monoTrack = result.tracks[0].path;
      }
      // Long calls are cut into chunks, each measured for silence, by the same ffmpeg.
      const chunk = await extractChunk(monoTrack, { index: 0, startMs: 500, endMs: 1_500, ownedStartMs: 500, ownedEndMs: 1_500 }, { outputDirectory: directory, name: `chunk-${label.split(" ")[0]}`, tools });
      expect((await probeAudio(chunk.path, { limits, tools })).durationMs).toBe(1_000);
      expect(chunk.rmsDb).toBeGreaterThan(-40);
    }, 120_000);
  }
});
