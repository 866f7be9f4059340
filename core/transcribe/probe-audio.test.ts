import { execFile } from "node:child_process";
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CalibrateError, NotFoundError, UnprocessableError } from "../errors.ts";
import { probeAudio, type AudioLimits } from "./probe-audio.ts";

const run = promisify(execFile);
const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");
const limits: AudioLimits = { maxDurationMs: 2 * 60 * 60_000 };

async function rejectionOf(promise: Promise<unknown>): Promise<UnprocessableError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnprocessableError);
  return error as UnprocessableError;
}

describe("probeAudio on real recordings", () => {
  it("FLAC, 44.1 kHz stereo", async () => {
    expect(await probeAudio(join(fixtures, "jfk.flac"), { limits })).toMatchObject({
      formatName: "flac",
      codec: "flac",
      channels: 2,
      sampleRate: 44_100,
      durationMs: 11_000,
      durationMeasured: false,
    });
  });

  it("WAV, 16 kHz stereo call recording", async () => {
    expect(await probeAudio(join(fixtures, "stereo_diarization.wav"), { limits })).toMatchObject({
      formatName: "wav",
      codec: "pcm_s16le",
      channels: 2,
      sampleRate: 16_000,
      durationMs: 5_000,
    });
  });

  it("WAV, 8 kHz mono telephone audio and 16 kHz Mandarin", async () => {
    expect(await probeAudio(join(fixtures, "OSR_us_000_0034_8k.wav"), { limits })).toMatchObject({
      channels: 1,
      sampleRate: 8_000,
      durationMs: 35_548,
    });
    expect(await probeAudio(join(fixtures, "BAC009S0764W0121.wav"), { limits })).toMatchObject({
      channels: 1,
      sampleRate: 16_000,
      durationMs: 4_204,
    });
  });
});

describe("probeAudio never trusts the extension", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "probe-test-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("reads a FLAC file named .mp3 as FLAC", async () => {
    const renamed = join(directory, "really-flac.mp3");
    await copyFile(join(fixtures, "jfk.flac"), renamed);
    expect((await probeAudio(renamed, { limits })).formatName).toBe("flac");
  });

  it("rejects a text file renamed .wav", async () => {
    const path = join(directory, "notes.wav");
    await writeFile(path, "Meeting notes: call the customer back on Monday.\n".repeat(20));
    const error = await rejectionOf(probeAudio(path, { limits }));
    expect(error.message).toMatch(/not a recognised audio file/);
    expect(error.details).toMatchObject({ reason: "not_audio" });
  });

  it("rejects an image renamed .m4a", async () => {
    const path = join(directory, "photo.m4a");
    await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=64x64:duration=1",
      "-frames:v",
      "1",
      "-f",
      "image2",
      "-c:v",
      "png",
      path,
    ]);
    await rejectionOf(probeAudio(path, { limits }));
  });

  it("rejects a playlist renamed .wav instead of following it to other files", async () => {
    const path = join(directory, "playlist.wav");
    await writeFile(
      path,
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${join(fixtures, "jfk.flac")}\n#EXT-X-ENDLIST\n`,
    );
    const error = await rejectionOf(probeAudio(path, { limits }));
    expect(error.details).toMatchObject({ reason: "not_audio" });
  });

  it("rejects an empty file", async () => {
    const path = join(directory, "empty.wav");
    await writeFile(path, "");
    const error = await rejectionOf(probeAudio(path, { limits }));
    expect(error.message).toBe("The audio file is empty (0 bytes).");
  });

  it("rejects a WAV cut short in transit, naming what is missing", async () => {
    const whole = await readFile(join(fixtures, "OSR_us_000_0034_8k.wav"));
    const path = join(directory, "truncated.wav");
    await writeFile(path, whole.subarray(0, 100_000));
    const error = await rejectionOf(probeAudio(path, { limits }));
    expect(error.message).toBe(
      "The WAV file is truncated: its header declares 36 s of audio but only 6.25 s is present. Upload the complete file.",
    );
  });

  it("rejects a WAV header with no samples as zero-length audio", async () => {
    const whole = await readFile(join(fixtures, "stereo_diarization.wav"));
    const path = join(directory, "header-only.wav");
    // Keep the header but declare an empty data chunk, as a recorder that captured nothing writes.
    const header = Buffer.from(whole.subarray(0, 44));
    header.writeUInt32LE(36, 4);
    header.writeUInt32LE(0, 40);
    await writeFile(path, header);
    const error = await rejectionOf(probeAudio(path, { limits }));
    expect(error.message).toBe("The file contains no audio (zero length).");
  });

  it("rejects a recording over the maximum duration, naming the limit", async () => {
    const error = await rejectionOf(
      probeAudio(join(fixtures, "OSR_us_000_0034_8k.wav"), { limits: { maxDurationMs: 30_000 } }),
    );
    expect(error.message).toBe("The recording is 36 s long; the maximum is 30 s.");
    expect(error.details).toMatchObject({ reason: "too_long", maxDurationMs: 30_000 });
    expect(error.status).toBe(422);
  });

  it("rejects audio shorter than the minimum", async () => {
    const path = join(directory, "blip.wav");
    await run("sox", [
      "-n",
      "-r",
      "16000",
      "-c",
      "1",
      "-b",
      "16",
      path,
      "synth",
      "0.05",
      "sine",
      "440",
    ]);
    const error = await rejectionOf(probeAudio(path, { limits }));
    expect(error.message).toBe("The audio is too short (0.05 s; the minimum is 0.1 s).");
  });

  it("measures the duration when the container does not state it (streamed WebM)", async () => {
    const path = join(directory, "browser-recording.webm");
    // Written to a pipe, as MediaRecorder does, so the header has no duration.
    const { stdout } = await run(
      "ffmpeg",
      [
        "-v",
        "error",
        "-i",
        join(fixtures, "BAC009S0764W0121.wav"),
        "-c:a",
        "libopus",
        "-f",
        "webm",
        "pipe:1",
      ],
      { encoding: "buffer", maxBuffer: 10 * 1024 * 1024 },
    );
    const file = await open(path, "w");
    await file.write(stdout);
    await file.close();
    const probe = await probeAudio(path, { limits });
    expect(probe).toMatchObject({ codec: "opus", durationMeasured: true, channels: 1 });
    expect(Math.abs(probe.durationMs - 4_204)).toBeLessThan(60);
  });

  it("a missing file is NotFound, a missing ffprobe a loud configuration error", async () => {
    await expect(probeAudio(join(directory, "nope.wav"), { limits })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const error = await probeAudio(join(fixtures, "jfk.flac"), {
      limits,
      tools: { ffmpegPath: "ffmpeg", ffprobePath: join(directory, "no-such-ffprobe") },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CalibrateError);
    expect(error).not.toBeInstanceOf(UnprocessableError);
    expect((error as Error).message).toMatch(/ffprobe was not found/);
  });
});
