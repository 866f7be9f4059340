/**
 * Local transcription with the prebuilt whisper.cpp inside `@napi-rs/whisper` (linux-x64-gnu,
 * darwin x64/arm64): for machines without a C++ toolchain. Same `Transcriber` contract as the
 * native build (whisper-cpp-transcriber.ts); one child process per chunk
 * (prebuilt-whisper-child.mjs says why), with the caller's timeout and AbortSignal.
 *
 * Differences from the native build: the addon reports no per-token probabilities (confidence is
 * null), and it drops a segment whose text is not valid UTF-8 (a token split inside a character).
 */
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { basename } from "node:path";
import { stat } from "node:fs/promises";
import { z } from "zod";
import { CalibrateError, TransientError, UnprocessableError } from "../errors.ts";
import { ProcessFailedError, runProcess } from "./run-process.ts";
import {
  normaliseLanguageCode,
  validateTranscriptionResult,
  type Transcriber,
  type TranscriptionRequest,
  type TranscriptionResult,
} from "./transcriber.ts";
import { defaultWhisperThreads, isNonSpeechMarker } from "./whisper-cpp-transcriber.ts";

export const prebuiltWhisperChildPath = fileURLToPath(new URL("./prebuilt-whisper-child.mjs", import.meta.url));

export interface PrebuiltWhisperTranscriberOptions {
  modelPath: string;
  /** CPU threads. Default: up to 4. */
  threads?: number;
  /** Per chunk. Default 30 minutes. */
  timeoutMs?: number;
}

const childOutputSchema = z.object({
  language: z.string().nullable(),
  segments: z.array(z.object({ startMs: z.number(), endMs: z.number(), text: z.string() })),
});

/** The child's arguments: one JSON document, so no path can be mistaken for a flag. */
export function prebuiltWhisperArguments(
  options: { modelPath: string; threads: number },
  request: Pick<TranscriptionRequest, "audioPath" | "language">,
): string[] {
  return [
    prebuiltWhisperChildPath,
    JSON.stringify({
      modelPath: options.modelPath,
      audioPath: request.audioPath,
      language: request.language,
      threads: options.threads,
    }),
  ];
}

export function createPrebuiltWhisperTranscriber(options: PrebuiltWhisperTranscriberOptions): Transcriber {
  const threads = options.threads ?? defaultWhisperThreads();
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const model = basename(options.modelPath).replace(/\.bin$/, "");

  async function transcribe(request: TranscriptionRequest): Promise<TranscriptionResult> {
    const file = await stat(options.modelPath).catch(() => null);
    if (!file?.isFile()) {
      throw new CalibrateError(
        `whisper model file not found at ${options.modelPath}. Download one with \`npm run whisper:model -- small\` (needs internet) or set WHISPER_MODEL to its path.`,
      );
    }
    let stdout: string;
    try {
      ({ stdout } = await runProcess(process.execPath, prebuiltWhisperArguments({ modelPath: options.modelPath, threads }, request), {
        cwd: tmpdir(),
        timeoutMs,
        signal: request.signal,
      }));
    } catch (error) {
      throw failureOf(error, options.modelPath);
    }
    let parsed: z.infer<typeof childOutputSchema>;
    try {
      parsed = childOutputSchema.parse(JSON.parse(stdout));
    } catch (error) {
      throw new UnprocessableError("the prebuilt whisper.cpp wrote output of an unexpected shape", undefined, { cause: error });
    }
    return validateTranscriptionResult("whisper.cpp (prebuilt)", {
      language: normaliseLanguageCode(parsed.language) ?? request.language,
      segments: parsed.segments
        .map((segment) => ({ ...segment, text: segment.text.replace(/\uFFFD/g, "").trim() }))
        .filter((segment) => segment.text !== "" && !isNonSpeechMarker(segment.text))
        .map((segment) => ({
          startMs: Math.max(0, segment.startMs),
          endMs: Math.max(segment.startMs, segment.endMs),
          text: segment.text,
          confidence: null,
        })),
    });
  }

  return { name: "whisper.cpp", model, transcribe };
}

function failureOf(error: unknown, modelPath: string): unknown {
  if (!(error instanceof ProcessFailedError)) return error;
  const { stderrTail, timedOut, exitCode, signal } = error.details;
  if (timedOut) return new TransientError(error.message, { stderrTail }, { cause: error });
  const diedLoadingModel = stderrTail.includes("calibrate: loading model") && !stderrTail.includes("calibrate: model loaded");
  if (exitCode === 3 || diedLoadingModel) {
    return new CalibrateError(
      `whisper.cpp (prebuilt) could not load the model ${modelPath} (is it a ggml whisper model, complete?): ${stderrTail}`,
      { stderrTail },
      { cause: error },
    );
  }
  if (signal === "SIGILL") {
    return new CalibrateError(
      "the prebuilt whisper.cpp uses CPU instructions this machine lacks (SIGILL). Build it for this CPU with `npm run whisper:build` and set WHISPER_ENGINE=native.",
      { stderrTail },
      { cause: error },
    );
  }
  return new CalibrateError(`whisper.cpp (prebuilt) failed: ${error.message}`, { stderrTail }, { cause: error });
}
