/**
 * Transcriber for any server that speaks OpenAI's `POST /v1/audio/transcriptions` (OpenAI itself,
 * faster-whisper servers such as speaches, LocalAI, vLLM). Plain fetch + FormData: the request is
 * one multipart upload, an SDK would add nothing.
 *
 * We ask for `verbose_json` with segment timestamps, because a transcript without times cannot be
 * merged across channels and chunks. The file is streamed from disk (fs.openAsBlob), not read into
 * memory.
 */
import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { RateLimitedError, TransientError, UnprocessableError } from "../errors.ts";
import { withRetries, type RetryOptions } from "./retry.ts";
import {
  normaliseLanguageCode,
  validateTranscriptionResult,
  type Transcriber,
  type TranscriptionRequest,
  type TranscriptionResult,
} from "./transcriber.ts";

export interface OpenAiCompatibleTranscriberOptions {
  /** Up to and including the version, e.g. "https://api.openai.com/v1" or "http://localhost:8000/v1". */
  baseUrl: string;
  /** Sent as a bearer token when set (local servers often need none). */
  apiKey?: string;
  /** e.g. "whisper-1", "Systran/faster-whisper-small". */
  model: string;
  /** Recorded with every transcript. Default "openai-compatible". */
  name?: string;
  /** Per request. Default 5 minutes (a 10-minute chunk on a busy CPU server takes a while). */
  timeoutMs?: number;
  retry?: Partial<Omit<RetryOptions, "signal">>;
  /** For tests or a custom agent; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const responseSchema = z.object({
  language: z.string().nullish(),
  duration: z.number().nullish(),
  text: z.string().nullish(),
  segments: z
    .array(
      z.object({
        start: z.number(),
        end: z.number(),
        text: z.string(),
        avg_logprob: z.number().nullish(),
      }),
    )
    .nullish(),
});

export function createOpenAiCompatibleTranscriber(
  options: OpenAiCompatibleTranscriberOptions,
): Transcriber {
  const name = options.name ?? "openai-compatible";
  const endpoint = `${options.baseUrl.replace(/\/+$/, "")}/audio/transcriptions`;
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const fetchImplementation = options.fetch ?? fetch;
  const retry = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 30_000, ...options.retry };

  async function requestOnce(request: TranscriptionRequest): Promise<TranscriptionResult> {
    const form = new FormData();
    form.append(
      "file",
      await openAsBlob(request.audioPath, { type: "audio/wav" }),
      basename(request.audioPath),
    );
    form.append("model", options.model);
    form.append("response_format", "verbose_json");
    form.append("timestamp_granularities[]", "segment");
    if (request.language) form.append("language", request.language);

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Response;
    let body: string;
    try {
      response = await fetchImplementation(endpoint, {
        method: "POST",
        body: form,
        headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
        signal,
      });
      body = await response.text();
    } catch (error) {
      request.signal?.throwIfAborted();
      if (timeout.aborted) {
        throw new TransientError(`${name} did not answer within ${timeoutMs} ms`, undefined, {
          cause: error,
        });
      }
      // Connection refused/reset, DNS: the server may be back in a moment.
      throw new TransientError(`${name} could not be reached at ${endpoint}`, undefined, {
        cause: error,
      });
    }

    if (!response.ok) throw errorForStatus(name, response, body);

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw new UnprocessableError(
        `${name} answered with something that is not JSON`,
        {
          bodyStart: body.slice(0, 200),
        },
        { cause: error },
      );
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      throw new UnprocessableError(`${name} answered with an unexpected transcription shape`, {
        issues: parsed.error.issues,
      });
    }
    return validateTranscriptionResult(name, {
      language: normaliseLanguageCode(parsed.data.language) ?? request.language,
      segments: segmentsOf(name, parsed.data),
    });
  }

  return {
    name,
    model: options.model,
    transcribe: (request) =>
      withRetries(() => requestOnce(request), { ...retry, signal: request.signal }),
  };
}

function segmentsOf(
  name: string,
  body: z.infer<typeof responseSchema>,
): TranscriptionResult["segments"] {
  if (body.segments) {
    return body.segments.map((segment) => ({
      startMs: Math.max(0, Math.round(segment.start * 1000)),
      endMs: Math.max(0, Math.round(Math.max(segment.end, segment.start) * 1000)),
      text: segment.text.trim(),
      confidence: confidenceFromLogProbability(segment.avg_logprob),
    }));
  }
  const text = body.text?.trim() ?? "";
  if (text === "") return [];
  // Some models (and servers) ignore timestamp_granularities: one segment for the whole file is
  // still usable when the duration is known.
  if (typeof body.duration === "number") {
    return [{ startMs: 0, endMs: Math.round(body.duration * 1000), text, confidence: null }];
  }
  throw new UnprocessableError(
    `${name} returned text without segment timestamps; use a model that supports response_format=verbose_json`,
  );
}

/** exp(average log-probability of the tokens) is the geometric-mean token probability. */
export function confidenceFromLogProbability(
  averageLogProbability: number | null | undefined,
): number | null {
  if (typeof averageLogProbability !== "number" || !Number.isFinite(averageLogProbability))
    return null;
  return Math.min(1, Math.max(0, Math.exp(averageLogProbability)));
}

function errorForStatus(name: string, response: Response, body: string): Error {
  const serverMessage = messageFromBody(body);
  const suffix = serverMessage ? `: ${serverMessage}` : "";
  const details = { status: response.status, serverMessage };
  if (response.status === 429) {
    return new RateLimitedError(`${name} is rate limiting us (HTTP 429)${suffix}`, {
      ...details,
      retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
    });
  }
  if (response.status >= 500 || response.status === 408) {
    return new TransientError(`${name} failed (HTTP ${response.status})${suffix}`, details);
  }
  const hint =
    response.status === 401 || response.status === 403
      ? " (check the API key and model access)"
      : "";
  // Any other 4xx: the request itself is wrong, and sending it again will not help.
  return new UnprocessableError(
    `${name} rejected the transcription request (HTTP ${response.status})${hint}${suffix}`,
    details,
  );
}

function messageFromBody(body: string): string | null {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; detail?: unknown };
    if (typeof json.error === "string") return json.error;
    if (typeof json.error?.message === "string") return json.error.message;
    if (typeof json.detail === "string") return json.detail;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const text = body.trim();
  return text ? text.slice(0, 300) : null;
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
