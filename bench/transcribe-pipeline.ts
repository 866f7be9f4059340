/**
 * What our transcription pipeline costs on top of the speech model: probe + normalise/split +
 * chunk + merge + redact, on a generated 10-minute stereo call (espeak-ng voices, one per channel).
 * Target: under 1 s of pipeline time per audio minute on 2 cores.
 *
 *   npx tsx bench/transcribe-pipeline.ts                 # 10-minute call
 *   npx tsx bench/transcribe-pipeline.ts --minutes 60    # also shows memory stays flat
 *
 * The model is replaced by a transcriber that answers instantly (one segment per 5 s of the chunk
 * it is given), so only our own work is timed. With WHISPER_MODEL set (and the binary built by
 * scripts/build-whisper.sh), it also measures the real-time factor of the pipeline driving
 * whisper.cpp against whisper.cpp's own binary on the same audio.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { planChunks } from "../core/transcribe/chunk-audio.ts";
import { generateStereoCall, repeatCall } from "../core/transcribe/testing/synthetic-call.ts";
import {
  transcribeRecording,
  type TranscriptionStage,
} from "../core/transcribe/transcribe-recording.ts";
import type { Transcriber } from "../core/transcribe/transcriber.ts";
import { readWavHeader, wavDurationMs } from "../core/transcribe/wav-header.ts";
import {
  createWhisperCppTranscriber,
  defaultWhisperBinaryPath,
} from "../core/transcribe/whisper-cpp-transcriber.ts";

const run = promisify(execFile);
const minutesFlag = process.argv.indexOf("--minutes");
const minutes = minutesFlag >= 0 ? Number(process.argv[minutesFlag + 1]) : 10;

const script = [
  {
    channel: "left" as const,
    text: "Good morning, thank you for calling the sales team. How can I help you today?",
  },
  {
    channel: "right" as const,
    text: "Hi, we are looking at your platform for about forty people in our support team.",
  },
  {
    channel: "left" as const,
    text: "Great. Are you mostly interested in the analytics or in the coaching features?",
  },
  {
    channel: "right" as const,
    text: "Coaching, mainly. Our managers want to review calls faster.",
  },
  {
    channel: "left" as const,
    text: "Then the professional plan fits. It is twelve thousand eight hundred a year.",
  },
  {
    channel: "right" as const,
    text: "That is a bit above our budget. Is there a discount for a two year contract?",
  },
  {
    channel: "left" as const,
    text: "Yes, for two years we can take fifteen percent off. I will send you a quote today.",
  },
  {
    channel: "right" as const,
    text: "Perfect, please send it to my email and I will discuss it with my manager.",
  },
];

/** Stands in for the model: instant, one segment per 5 s of the audio it is given. */
const instantTranscriber: Transcriber = {
  name: "instant",
  model: "none",
  async transcribe(request) {
    const header = await readWavHeader(request.audioPath);
    const durationMs = header ? wavDurationMs(header, (await stat(request.audioPath)).size) : 0;
    const segments = [];
    for (let startMs = 0; startMs + 5_000 <= durationMs; startMs += 5_000) {
      segments.push({
        startMs,
        endMs: startMs + 4_500,
        text: "call me on 138 1234 5678 next week",
        confidence: 0.9,
      });
    }
    return { language: "en", segments };
  },
};

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "bench-transcribe-"));
  try {
    console.log(`Generating a ${minutes}-minute stereo call with espeak-ng + sox…`);
    const generationStarted = performance.now();
    const dialogue = await generateStereoCall(directory, script);
    const call = await repeatCall(
      dialogue,
      Math.ceil((minutes * 60_000) / dialogue.durationMs),
      join(directory, "long-call.wav"),
    );
    console.log(
      `  ${(call.durationMs / 60_000).toFixed(1)} min, ${((await stat(call.path)).size / 1e6).toFixed(0)} MB WAV, generated in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s`,
    );

    const rows = [];
    for (const variant of [
      // A 10-minute call fits the default 10-minute chunk: no chunk is cut.
      {
        name: "split, default 10-min chunks",
        stereoMode: "auto" as const,
        chunkDurationMs: 600_000,
      },
      // Forces the chunk path (ffmpeg -ss/-t per chunk and channel, overlap merge).
      { name: "split, 1-min chunks", stereoMode: "auto" as const, chunkDurationMs: 60_000 },
      {
        name: "mixed to mono, 10-min chunks",
        stereoMode: "mix" as const,
        chunkDurationMs: 600_000,
      },
    ]) {
      const stageSeconds = new Map<TranscriptionStage, number>();
      let stage: TranscriptionStage | null = null;
      let stageStarted = performance.now();
      let peakRss = process.memoryUsage().rss;
      const memoryTimer = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 50);
      const started = performance.now();
      const result = await transcribeRecording(
        {
          transcriber: instantTranscriber,
          tempDirectory: directory,
          limits: { maxDurationMs: 4 * 60 * 60_000 },
          stereoMode: variant.stereoMode,
          chunking: { chunkDurationMs: variant.chunkDurationMs, overlapMs: 2_000 },
          onProgress: (_fraction, next) => {
            if (next === stage) return;
            const now = performance.now();
            if (stage)
              stageSeconds.set(stage, (stageSeconds.get(stage) ?? 0) + (now - stageStarted) / 1000);
            stage = next;
            stageStarted = now;
          },
        },
        call.path,
      );
      clearInterval(memoryTimer);
      const totalSeconds = (performance.now() - started) / 1000;
      const audioMinutes = result.durationMs / 60_000;
      rows.push({
        variant: variant.name,
        "audio min": Number(audioMinutes.toFixed(1)),
        "probe s": round(stageSeconds.get("probe")),
        "normalise+split s": round(stageSeconds.get("normalise")),
        "chunks × tracks": `${planChunks(result.durationMs, { chunkDurationMs: variant.chunkDurationMs, overlapMs: 2_000 }).length} × ${result.layout === "split" ? 2 : 1}`,
        "chunk+transcribe(instant) s": round(stageSeconds.get("transcribe")),
        "merge+redact s": round(stageSeconds.get("merge")),
        "total s": round(totalSeconds),
        "s per audio min": Number((totalSeconds / audioMinutes).toFixed(3)),
        "target <1 s/min": totalSeconds / audioMinutes < 1 ? "yes" : "NO",
        segments: result.segments.length,
        "peak RSS MB": Math.round(peakRss / 1e6),
      });
    }
    console.log(
      `\nPipeline time excluding the model (${availableParallelism()} CPUs, load ${loadAverage()}):`,
    );
    console.table(rows);

    await compareWithWhisper(directory, dialogue.path);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function compareWithWhisper(directory: string, dialoguePath: string): Promise<void> {
  const modelPath = process.env.WHISPER_MODEL;
  if (!modelPath) {
    console.log(
      "\nwhisper.cpp comparison skipped: set WHISPER_MODEL to a ggml model (npm run whisper:model -- base) and build the binary (bash scripts/build-whisper.sh).",
    );
    return;
  }
  // One minute of the dialogue keeps this part bearable on a laptop CPU.
  const clip = join(directory, "whisper-clip.wav");
  await run("sox", [dialoguePath, clip, "repeat", "1", "trim", "0", "60"]);
  const clipMono = join(directory, "whisper-clip-16k.wav");
  await run("ffmpeg", [
    "-v",
    "error",
    "-i",
    clip,
    "-ac",
    "1",
    "-ar",
    "16000",
    "-c:a",
    "pcm_s16le",
    "-y",
    clipMono,
  ]);
  const clipSeconds = 60;

  const threads = Math.max(1, Math.min(4, availableParallelism()));
  let started = performance.now();
  await run(
    defaultWhisperBinaryPath,
    [
      "-m",
      modelPath,
      "-f",
      clipMono,
      "-l",
      "en",
      "-t",
      String(threads),
      "-oj",
      "-of",
      join(directory, "direct"),
    ],
    {
      cwd: directory,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const directSeconds = (performance.now() - started) / 1000;

  const transcriber = createWhisperCppTranscriber({
    modelPath,
    workingDirectory: directory,
    threads,
  });
  const rows = [];
  for (const stereoMode of ["mix", "auto"] as const) {
    started = performance.now();
    await transcribeRecording(
      {
        transcriber,
        tempDirectory: directory,
        limits: { maxDurationMs: 3_600_000 },
        language: "en",
        stereoMode,
      },
      clip,
    );
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      run: stereoMode === "mix" ? "pipeline, mixed to mono" : "pipeline, split (2 channels)",
      "wall s": round(seconds),
      "real-time factor": Number((seconds / clipSeconds).toFixed(3)),
    });
  }
  rows.unshift({
    run: "whisper.cpp binary alone (mono 16 kHz)",
    "wall s": round(directSeconds),
    "real-time factor": Number((directSeconds / clipSeconds).toFixed(3)),
  });
  console.log(`\nwhisper.cpp (${modelPath}, ${threads} threads) on a ${clipSeconds} s clip:`);
  console.table(rows);
}

function round(value: number | undefined): number {
  return Number((value ?? 0).toFixed(2));
}

function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
