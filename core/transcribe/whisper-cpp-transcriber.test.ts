/**
 * The whisper.cpp driver. Failure modes run for real against the binary built by
 * scripts/build-whisper.sh; real transcription runs only when WHISPER_MODEL points at a ggml
 * model (no model ships with the repository, and we never fake a transcript).
 */
import { access, chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CalibrateError, TransientError } from "../errors.ts";
import { transcribeRecording } from "./transcribe-recording.ts";
import {
  createWhisperCppTranscriber,
  defaultWhisperBinaryPath,
  parseWhisperJson,
} from "./whisper-cpp-transcriber.ts";
import { characterErrorRate, wordErrorRate } from "./word-error-rate.ts";

const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");
const mandarinClip = join(fixtures, "BAC009S0764W0121.wav");
const binaryBuilt = await access(defaultWhisperBinaryPath, constants.X_OK).then(
  () => true,
  () => false,
);
const modelPath = process.env.WHISPER_MODEL;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "whisper-test-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** A stand-in executable for failure modes the real binary cannot be made to show on demand. */
async function script(name: string, body: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe("whisper.cpp driver: setup problems are explained", () => {
  it("a missing binary says to run the build script", async () => {
    const engine = createWhisperCppTranscriber({
      binaryPath: join(directory, "no-such-main"),
      modelPath: mandarinClip,
    });
    const error = await failure(engine.transcribe({ audioPath: mandarinClip, language: "zh" }));
    expect(error).toBeInstanceOf(CalibrateError);
    expect(error.message).toMatch(
      /whisper\.cpp binary not found .*Build it with: bash scripts\/build-whisper\.sh/,
    );
  });

  it("a missing model file says how to get one", async () => {
    const engine = createWhisperCppTranscriber({
      binaryPath: await script("unused-main", "exit 99"),
      modelPath: join(directory, "ggml-base.bin"),
    });
    const error = await failure(engine.transcribe({ audioPath: mandarinClip, language: "zh" }));
    expect(error.message).toMatch(
      /whisper model file not found at .*ggml-base\.bin\. Download one with `npm run whisper:model -- base`/,
    );
  });

  it("the model name comes from the file name", () => {
    expect(createWhisperCppTranscriber({ modelPath: "/models/ggml-small.bin" }).model).toBe(
      "ggml-small",
    );
  });
});

describe.skipIf(!binaryBuilt)(
  "whisper.cpp driver with the real binary (build it: bash scripts/build-whisper.sh)",
  () => {
    it("a file that is not a model fails with whisper's own explanation", async () => {
      const notAModel = join(directory, "ggml-fake.bin");
      await writeFile(notAModel, "this is not a ggml model");
      const engine = createWhisperCppTranscriber({
        modelPath: notAModel,
        workingDirectory: directory,
      });
      const error = await failure(engine.transcribe({ audioPath: mandarinClip, language: "zh" }));
      expect(error).toBeInstanceOf(CalibrateError);
      expect(error.message).toMatch(/^whisper\.cpp could not load the model .*ggml-fake\.bin/);
      expect(error.message).toMatch(/bad magic|failed to load model/);
    });
  },
);

describe("whisper.cpp driver: process failures", () => {
  it("exit 0 without a transcript (whisper.cpp 1.5 does this for unreadable WAVs) is an error with stderr", async () => {
    const engine = createWhisperCppTranscriber({
      binaryPath: await script("silent-main", 'echo "error: failed to read WAV file" >&2\nexit 0'),
      modelPath: mandarinClip,
      workingDirectory: directory,
    });
    const error = await failure(engine.transcribe({ audioPath: mandarinClip, language: null }));
    expect(error.message).toBe(
      "whisper.cpp produced no transcript for BAC009S0764W0121.wav: error: failed to read WAV file",
    );
  });

  it("a hung process is killed at the timeout and reported as transient", async () => {
    const engine = createWhisperCppTranscriber({
      binaryPath: await script("hung-main", "exec sleep 30"),
      modelPath: mandarinClip,
      timeoutMs: 200,
      workingDirectory: directory,
    });
    const error = await failure(engine.transcribe({ audioPath: mandarinClip, language: null }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/timed out after 200 ms/);
  });

  it("cancellation kills the process and leaves no output folder", async () => {
    const workingDirectory = await mkdtemp(join(directory, "cancel-"));
    const engine = createWhisperCppTranscriber({
      binaryPath: await script("slow-main", "exec sleep 30"),
      modelPath: mandarinClip,
      workingDirectory,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      engine.transcribe({ audioPath: mandarinClip, language: null, signal: controller.signal }),
    );
    expect(error.name).toBe("AbortError");
    expect(await readdir(workingDirectory)).toEqual([]);
  });

  it("passes paths as arguments, never through a shell", async () => {
    // A file name full of shell syntax arrives verbatim as one argument.
    const argumentsFile = join(directory, "arguments.txt");
    const engine = createWhisperCppTranscriber({
      binaryPath: await script(
        "echo-main",
        `for argument in "$@"; do printf '%s\\n' "$argument" >> '${argumentsFile}'; done\nexit 0`,
      ),
      modelPath: mandarinClip,
      workingDirectory: directory,
      threads: 2,
    });
    const strangePath = join(directory, "call $(touch pwned); rm -rf x.wav");
    await writeFile(strangePath, "");
    await failure(engine.transcribe({ audioPath: strangePath, language: "en" }));
    const lines = (await readFile(argumentsFile, "utf8")).trim().split("\n");
    expect(lines.slice(0, 8)).toEqual([
      "--model",
      mandarinClip,
      "--file",
      strangePath,
      "--language",
      "en",
      "--threads",
      "2",
    ]);
    await expect(access(join(directory, "pwned"))).rejects.toThrow();
  });
});

describe("parseWhisperJson (the -ojf output format of whisper.cpp 1.5)", () => {
  it("reads offsets in ms, drops non-speech markers, derives confidence from token probabilities", () => {
    const output = `{
      "result": { "language": "en" },
      "transcription": [
        { "offsets": { "from": 0, "to": 2500 }, "text": " Hello\tthere.",
          "tokens": [ { "text": "[_BEG_]", "p": 0.9 }, { "text": " Hello", "p": 0.8 }, { "text": " there", "p": 0.5 } ] },
        { "offsets": { "from": 2500, "to": 4000 }, "text": " [BLANK_AUDIO]", "tokens": [] },
        { "offsets": { "from": 4000, "to": 5200 }, "text": "再见\uFFFD", "tokens": [] }
      ]
    }`;
    expect(parseWhisperJson(output)).toEqual({
      language: "en",
      segments: [
        { startMs: 0, endMs: 2500, text: "Hello there.", confidence: Math.sqrt(0.8 * 0.5) },
        { startMs: 4000, endMs: 5200, text: "再见", confidence: null },
      ],
    });
  });

  it("rejects output that is not the expected JSON", () => {
    expect(() => parseWhisperJson("{ not json")).toThrow(/not valid JSON/);
    expect(() => parseWhisperJson('{"transcription": [{"text": "x"}]}')).toThrow(
      /unexpected shape/,
    );
  });
});

const modelHint =
  "set WHISPER_MODEL to a ggml model file to run (get one: npm run whisper:model -- base)";

describe.skipIf(!modelPath || !binaryBuilt)(`whisper.cpp real transcription (${modelHint})`, () => {
  const englishOnly = (modelPath ?? "").includes(".en");

  it("English: jfk.flac through the whole pipeline", { timeout: 600_000 }, async () => {
    const transcriber = createWhisperCppTranscriber({
      modelPath: modelPath!,
      workingDirectory: directory,
    });
    const result = await transcribeRecording(
      { transcriber, tempDirectory: directory, limits: { maxDurationMs: 60_000 }, language: "en" },
      join(fixtures, "jfk.flac"),
    );
    const reference = await readFile(join(fixtures, "jfk.reference.txt"), "utf8");
    const hypothesis = result.segments.map((segment) => segment.text).join(" ");
    expect(result.language).toBe("en");
    expect(wordErrorRate(reference, hypothesis).errorRate).toBeLessThan(0.25);
  });

  it("stereo: each channel's text matches its own reference", { timeout: 600_000 }, async () => {
    const transcriber = createWhisperCppTranscriber({
      modelPath: modelPath!,
      workingDirectory: directory,
    });
    const result = await transcribeRecording(
      { transcriber, tempDirectory: directory, limits: { maxDurationMs: 60_000 }, language: "en" },
      join(fixtures, "stereo_diarization.wav"),
    );
    const textOf = (speaker: string) =>
      result.segments
        .filter((segment) => segment.speaker === speaker)
        .map((segment) => segment.text)
        .join(" ");
    const left = await readFile(join(fixtures, "stereo_diarization.left.reference.txt"), "utf8");
    const right = await readFile(join(fixtures, "stereo_diarization.right.reference.txt"), "utf8");
    expect(wordErrorRate(left, textOf("agent")).errorRate).toBeLessThan(0.35);
    expect(wordErrorRate(right, textOf("customer")).errorRate).toBeLessThan(0.35);
  });

  it.skipIf(englishOnly)(
    "Mandarin: AISHELL clip, character error rate",
    { timeout: 600_000 },
    async () => {
      const transcriber = createWhisperCppTranscriber({
        modelPath: modelPath!,
        workingDirectory: directory,
      });
      const result = await transcriber.transcribe({ audioPath: mandarinClip, language: "zh" });
      const reference = await readFile(join(fixtures, "BAC009S0764W0121.reference.txt"), "utf8");
      // Whisper may write simplified or traditional characters; small models miss a few.
      expect(
        characterErrorRate(reference, result.segments.map((segment) => segment.text).join(""))
          .errorRate,
      ).toBeLessThan(0.5);
    },
  );
});
