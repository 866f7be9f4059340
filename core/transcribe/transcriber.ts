/**
 * The one thing the pipeline needs from a speech-to-text engine. Engines (local whisper.cpp, an
 * OpenAI-compatible HTTP API, a fake in a test) live in adapter modules; the pipeline only sees
 * this. Timestamps are relative to the start of the file it was given.
 *
 * Errors an implementation throws decide what happens next (core/errors.ts): TransientError /
 * RateLimitedError are retried by the job, UnprocessableError fails the recording, an AbortError
 * means the caller cancelled.
 */
import { z } from "zod";
import { UnprocessableError } from "../errors.ts";

export type TranscriptionLanguage = "zh" | "en";

export interface TranscriptionRequest {
  /** 16 kHz mono 16-bit PCM WAV. */
  audioPath: string;
  /** null: let the engine detect it. */
  language: TranscriptionLanguage | null;
  signal?: AbortSignal;
}

export interface TranscribedSegment {
  startMs: number;
  endMs: number;
  text: string;
  /** 0..1 where the engine reports one (e.g. exp(avg_logprob)); null otherwise. */
  confidence: number | null;
  /** Only engines that diarise fill this. */
  speaker?: string | null;
}

export interface TranscriptionResult {
  /** ISO 639-1 code ("en", "zh") when known. */
  language: string | null;
  segments: TranscribedSegment[];
}

export interface Transcriber {
  /** Engine name, recorded with every transcript ("whisper.cpp", "openai-compatible"). */
  readonly name: string;
  /** Model identifier, recorded with every transcript ("ggml-base", "whisper-1"). */
  readonly model: string;
  transcribe(request: TranscriptionRequest): Promise<TranscriptionResult>;
}

const segmentSchema = z
  .object({
    startMs: z.number().finite().nonnegative(),
    endMs: z.number().finite().nonnegative(),
    text: z.string(),
    confidence: z.number().min(0).max(1).nullable(),
    speaker: z.string().min(1).nullable().optional(),
  })
  .refine((segment) => segment.endMs >= segment.startMs, "endMs must not be before startMs");

const resultSchema = z.object({
  language: z.string().min(1).nullable(),
  segments: z.array(segmentSchema),
});

/** Engines are outside our control: check what they return before it reaches storage. */
export function validateTranscriptionResult(engine: string, value: unknown): TranscriptionResult {
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) {
    throw new UnprocessableError(`${engine} returned an invalid transcription`, {
      issues: parsed.error.issues,
    });
  }
  return parsed.data;
}

const languageNames: Record<string, string> = {
  english: "en",
  chinese: "zh",
  mandarin: "zh",
  cantonese: "yue",
  japanese: "ja",
  korean: "ko",
  french: "fr",
  german: "de",
  spanish: "es",
};

/** OpenAI answers "english", whisper.cpp and faster-whisper "en": store ISO codes. */
export function normaliseLanguageCode(value: string | null | undefined): string | null {
  if (!value) return null;
  const lowered = value.trim().toLowerCase();
  if (lowered === "" || lowered === "auto") return null;
  return languageNames[lowered] ?? lowered;
}
