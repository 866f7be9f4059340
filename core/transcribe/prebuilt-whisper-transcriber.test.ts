/**
 * The prebuilt whisper.cpp (@napi-rs/whisper) behind the Transcriber contract, and the engine choice.
 * Everything around the model runs for real (the child process, the addon, the errors); real
 * transcription runs only when WHISPER_MODEL points at a ggml model — no model ships with the
 * repository, and we never fake a transcript.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CalibrateError } from "../errors.ts";
import {
  createPrebuiltWhisperTranscriber,
  prebuiltWhisperArguments,
  prebuiltWhisperChildPath,
} from "./prebuilt-whisper-transcriber.ts";
import {
  chooseSpeechEngine,
  describeSpeechEngine,
  parseCpuFeatures,
  speechEngineAvailability,
  type SpeechEngineAvailability,
} from "./speech-engine.ts";
import { transcribeRecording } from "./transcribe-recording.ts";
import { characterErrorRate, wordErrorRate } from "./word-error-rate.ts";

const fixtures = join(import.meta.dirname, "../../tests/fixtures/audio");
const mandarinClip = join(fixtures, "BAC009S0764W0121.wav");
const prebuiltAvailable = speechEngineAvailability().prebuilt.available;
const modelPath = process.env.WHISPER_MODEL;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "prebuilt-whisper-test-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function availability(overrides: { built?: boolean; toolchain?: boolean; prebuilt?: boolean }): SpeechEngineAvailability {
  return {
    native: { binaryPath: "/x/main", built: overrides.built ?? false, toolchain: overrides.toolchain ?? false, whisperCppVersion: "1.5.0" },
    prebuilt: { available: overrides.prebuilt ?? false, package: "@napi-rs/whisper-linux-x64-gnu", version: "0.0.4" },
  };
}

describe("engine choice", () => {
  it("auto: the native build when built, else the prebuilt, else says how to build", () => {
    expect(chooseSpeechEngine("auto", availability({ built: true, prebuilt: true })).engine).toBe("native");
    expect(chooseSpeechEngine("auto", availability({ prebuilt: true, toolchain: true })).engine).toBe("prebuilt");
    const none = chooseSpeechEngine("auto", availability({ toolchain: true }));
    expect(none.engine).toBeNull();
    expect(none.reason).toMatch(/npm run whisper:build/);
    expect(chooseSpeechEngine("auto", availability({})).reason).toMatch(/build-essential/);
  });

  it("WHISPER_ENGINE forces one, and says what is missing when it cannot run", () => {
    expect(chooseSpeechEngine("prebuilt", availability({ built: true, prebuilt: true })).engine).toBe("prebuilt");
    expect(chooseSpeechEngine("native", availability({ prebuilt: true })).reason).toMatch(/no whisper.cpp binary at \/x\/main/);
    expect(chooseSpeechEngine("prebuilt", availability({ built: true })).reason).toMatch(/no prebuilt for/);
  });

  it("reads the CPU's vector instructions from /proc/cpuinfo lines", () => {
    expect(parseCpuFeatures("processor\t: 0\nflags\t\t: fpu pni ssse3 fma avx avx2 f16c\n")).toEqual(["sse3", "ssse3", "avx", "avx2", "fma", "f16c"]);
    expect(parseCpuFeatures("Features\t: fp asimd evtstrm\n")).toEqual(["asimd"]);
    expect(parseCpuFeatures("no flags here")).toEqual([]);
  });

  it("describes this machine: setting, engine, CPU features, thread count", () => {
    const description = describeSpeechEngine("auto", join(directory, "no-binary"));
    expect(description.native.built).toBe(false);
    expect(description.selected).toBe(description.prebuilt.available ? "prebuilt" : null);
    expect(description.cpu.threads).toBeGreaterThanOrEqual(1);
    if (process.platform === "linux") expect(Array.isArray(description.cpu.features)).toBe(true);
  });
});

describe("prebuilt whisper.cpp driver", () => {
  it("passes the request to the child as one JSON argument", () => {
    const args = prebuiltWhisperArguments({ modelPath: "/m/ggml-small.bin", threads: 2 }, { audioPath: "/a/-chunk 1.wav", language: "zh" });
    expect(args[0]).toBe(prebuiltWhisperChildPath);
    expect(JSON.parse(args[1])).toEqual({ modelPath: "/m/ggml-small.bin", audioPath: "/a/-chunk 1.wav", language: "zh", threads: 2 });
    expect(args).toHaveLength(2);
  });

  it("a missing model file says how to get one", async () => {
    const transcriber = createPrebuiltWhisperTranscriber({ modelPath: join(directory, "absent.bin") });
    await expect(transcriber.transcribe({ audioPath: mandarinClip, language: "zh" })).rejects.toThrow(/npm run whisper:model/);
  });

  it.skipIf(!prebuiltAvailable)("a corrupt model file is reported as such by the real addon", { timeout: 60_000 }, async () => {
    const corrupt = join(directory, "ggml-corrupt.bin");
    // The ggml magic, then garbage: ggml aborts the process on it (GGML_ASSERT), which is why the
    // addon runs in a child process.
    await writeFile(corrupt, Buffer.concat([Buffer.from("lmgg"), Buffer.alloc(4096, 7)]));
    const transcriber = createPrebuiltWhisperTranscriber({ modelPath: corrupt, threads: 1 });
    const error = await transcriber.transcribe({ audioPath: mandarinClip, language: "zh" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CalibrateError);
    expect((error as Error).message).toMatch(/could not load the model .*ggml-corrupt\.bin/);
    // A file that is not a model at all is refused by the loader without a crash.
    const text = join(directory, "ggml-text.bin");
    await writeFile(text, "not a model");
    const refused = await createPrebuiltWhisperTranscriber({ modelPath: text, threads: 1 })
      .transcribe({ audioPath: mandarinClip, language: null })
      .catch((caught: unknown) => caught);
    expect((refused as Error).message).toMatch(/could not load the model .*ggml-text\.bin/);
  });

  it("an already-cancelled request starts nothing", async () => {
    const corrupt = join(directory, "ggml-slow.bin");
    await writeFile(corrupt, Buffer.alloc(1024));
    const controller = new AbortController();
    controller.abort(new Error("cancelled by the user"));
    const transcriber = createPrebuiltWhisperTranscriber({ modelPath: corrupt });
    await expect(transcriber.transcribe({ audioPath: mandarinClip, language: null, signal: controller.signal })).rejects.toThrow(/cancelled by the user/);
  });
});

const modelHint = "set WHISPER_MODEL to a ggml model file to run (get one: npm run whisper:model -- small)";

describe.skipIf(!modelPath || !prebuiltAvailable)(`prebuilt whisper.cpp real transcription (${modelHint})`, () => {
  it("English: jfk.flac through the whole pipeline", { timeout: 600_000 }, async () => {
    const transcriber = createPrebuiltWhisperTranscriber({ modelPath: modelPath! });
    const result = await transcribeRecording(
      { transcriber, tempDirectory: directory, limits: { maxDurationMs: 60_000 }, language: "en" },
      join(fixtures, "jfk.flac"),
    );
    const reference = await readFile(join(fixtures, "jfk.reference.txt"), "utf8");
    expect(wordErrorRate(reference, result.segments.map((segment) => segment.text).join(" ")).errorRate).toBeLessThan(0.25);
    expect(result.segments[0].endMs).toBeGreaterThan(result.segments[0].startMs);
  });

  it.skipIf((modelPath ?? "").includes(".en"))("Mandarin: AISHELL clip, character error rate", { timeout: 600_000 }, async () => {
    const transcriber = createPrebuiltWhisperTranscriber({ modelPath: modelPath! });
    const result = await transcriber.transcribe({ audioPath: mandarinClip, language: "zh" });
    const reference = await readFile(join(fixtures, "BAC009S0764W0121.reference.txt"), "utf8");
    expect(characterErrorRate(reference, result.segments.map((segment) => segment.text).join("")).errorRate).toBeLessThan(0.5);
  });
});
