/**
 * `npm run bench -- speech-engines`: the two local whisper.cpp engines side by side, through the
 * same `Transcriber` adapters the pipeline uses, on the same model and the same 120 s file:
 *
 * - native: whisper.cpp 1.5.0 built for this CPU by `npm run whisper:build`;
 * - prebuilt: the whisper.cpp inside @napi-rs/whisper (no compiler needed), in a child process.
 *
 * Model: `--model PATH` (or SPEECH_BENCH_MODEL). Without one, a synthetic `base` is written with
 * shared/tools/synthetic_whisper_model.py (looked for in the folders above the repository) (random weights with base's shapes; its decoder ends
 * each window at once) — then the figures are SPEED ONLY, never accuracy, and the table says so.
 * Audio: espeak-ng speech looped to 120 s, 16 kHz mono. Each engine runs `--runs N` times (default
 * 2), alternating, so a busy neighbour on a shared machine hurts both alike.
 */
import { execFile } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { createPrebuiltWhisperTranscriber } from "../core/transcribe/prebuilt-whisper-transcriber.ts";
import { describeSpeechEngine } from "../core/transcribe/speech-engine.ts";
import { speak } from "../core/transcribe/testing/synthetic-call.ts";
import type { Transcriber } from "../core/transcribe/transcriber.ts";
import { createWhisperCppTranscriber, defaultWhisperBinaryPath } from "../core/transcribe/whisper-cpp-transcriber.ts";
import { describeMachine, printTable } from "./support.ts";

const run = promisify(execFile);
const audioSeconds = 120;

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function exists(path: string, mode = constants.R_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

/** `relative` in the first folder above the repository that has it (worktrees sit at different depths). */
async function findUpwards(relative: string): Promise<string | null> {
  for (let folder = resolve(import.meta.dirname, ".."); ; folder = dirname(folder)) {
    if (await exists(join(folder, relative))) return join(folder, relative);
    if (dirname(folder) === folder) return null;
  }
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "bench-speech-engines-"));
  try {
    let modelPath = flag("--model") ?? process.env.SPEECH_BENCH_MODEL;
    let synthetic = false;
    if (!modelPath) {
      const generator = await findUpwards("shared/tools/synthetic_whisper_model.py");
      if (!generator) {
        throw new Error("No model: pass --model PATH (a ggml model), or keep shared/tools/synthetic_whisper_model.py in a folder above the repository.");
      }
      modelPath = join(directory, "synthetic-base.bin");
      await run("python3", [generator, modelPath, "base"]);
      synthetic = true;
    }

    const speech = await speak(
      "Thanks for calling. I am following up on the quote we sent last week for the delivery to Shanghai.",
      join(directory, "line.wav"),
    );
    const audioPath = join(directory, "call-120s.wav");
    const looped = join(directory, "looped.wav");
    await run("sox", [speech.path, looped, "repeat", "60"]);
    await run("ffmpeg", ["-v", "error", "-i", looped, "-t", String(audioSeconds), "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", "-y", audioPath]);

    const description = describeSpeechEngine("auto");
    const engines: Array<{ name: string; transcriber: Transcriber }> = [];
    if (await exists(defaultWhisperBinaryPath, constants.X_OK)) {
      engines.push({ name: "native (whisper.cpp 1.5.0, make)", transcriber: createWhisperCppTranscriber({ modelPath, workingDirectory: directory }) });
    } else {
      console.log("native engine skipped: build it with `npm run whisper:build`.");
    }
    if (description.prebuilt.available) {
      engines.push({ name: `prebuilt (@napi-rs/whisper ${description.prebuilt.version})`, transcriber: createPrebuiltWhisperTranscriber({ modelPath }) });
    } else {
      console.log(`prebuilt engine skipped: no @napi-rs/whisper prebuilt for ${process.platform}-${process.arch}.`);
    }

    const runs = Math.max(1, Number(flag("--runs") ?? 2));
    const times = new Map<string, number[]>(engines.map((engine) => [engine.name, []]));
    const segments = new Map<string, number>();
    for (let round = 0; round < runs; round += 1) {
      for (const engine of engines) {
        const started = performance.now();
        // language fixed, so neither engine spends a pass on detection.
        const result = await engine.transcriber.transcribe({ audioPath, language: "en" });
        times.get(engine.name)!.push((performance.now() - started) / 1000);
        segments.set(engine.name, result.segments.length);
      }
    }
    const rows = engines.map((engine) => {
      const seconds = [...times.get(engine.name)!].sort((a, b) => a - b);
      const best = seconds[0];
      return {
        engine: engine.name,
        runs: seconds.length,
        "best s": Number(best.toFixed(2)),
        "median s": Number(seconds[Math.floor(seconds.length / 2)].toFixed(2)),
        "× real time (best)": Number((audioSeconds / best).toFixed(1)),
        segments: segments.get(engine.name),
      };
    });
    printTable(
      `Speech engines on the same ${audioSeconds} s file and ${synthetic ? "SYNTHETIC base model (random weights): SPEED ONLY, NOT ACCURACY" : `model ${modelPath}`}; ` +
        `${description.cpu.threads} threads, CPU ${description.cpu.features?.join("/") ?? "unknown"}, timestamps on, beam search 5; ${describeMachine()}`,
      rows,
    );
    console.log(`auto would choose: ${description.selected ?? "none"} (${description.reason})`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
