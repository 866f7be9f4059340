/**
 * Retries for model calls, done here rather than inside LangChain or the AI SDK so that both
 * engines behave the same, the number of attempts is configurable, every retry is observable
 * (`onRetry`), and `retry-after` from a rate-limited endpoint is honoured.
 */
import {
  CalibrateError,
  RateLimitedError,
  TransientError,
  UnprocessableError,
} from "../../errors.ts";
import { sleep } from "../../sleep.ts";

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retries). */
  maxAttempts: number;
  /** First backoff; doubles on each retry, with jitter. */
  baseDelayMs: number;
  /** Upper bound for one wait, including a server's `retry-after`. */
  maxDelayMs: number;
}

export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  /** How long we wait before the next attempt. */
  delayMs: number;
  /** HTTP status of the failure, when there was one. */
  status: number | null;
  error: CalibrateError;
}

interface ErrorFacts {
  status: number | null;
  headers: (name: string) => string | null;
  message: string;
  name: string;
  code: string | null;
}

function readFacts(error: unknown): ErrorFacts {
  const record = (error ?? {}) as Record<string, unknown>;
  // openai client / LangChain errors carry `status` and `headers` (a Headers object);
  // AI SDK APICallError carries `statusCode` and `responseHeaders` (a plain object).
  const status =
    typeof record.status === "number"
      ? record.status
      : typeof record.statusCode === "number"
        ? record.statusCode
        : null;
  const rawHeaders = record.headers ?? record.responseHeaders;
  const headers = (name: string): string | null => {
    if (!rawHeaders || typeof rawHeaders !== "object") return null;
    if (typeof (rawHeaders as Headers).get === "function") return (rawHeaders as Headers).get(name);
    const entry = Object.entries(rawHeaders as Record<string, unknown>).find(
      ([key]) => key.toLowerCase() === name,
    );
    return entry && typeof entry[1] === "string" ? entry[1] : null;
  };
  const cause = record.cause as Record<string, unknown> | undefined;
  const code =
    typeof record.code === "string"
      ? record.code
      : typeof cause?.code === "string"
        ? cause.code
        : null;
  return {
    status,
    headers,
    message: error instanceof Error ? error.message : String(error),
    name: error instanceof Error ? error.name : typeof record.name === "string" ? record.name : "",
    code,
  };
}

/** Milliseconds a server asked us to wait (`retry-after-ms`, or `retry-after` in seconds or as a date). */
export function retryAfterMilliseconds(error: unknown, now = Date.now()): number | null {
  const { headers } = readFacts(error);
  const milliseconds = headers("retry-after-ms");
  if (milliseconds !== null && Number.isFinite(Number(milliseconds)))
    return Math.max(0, Number(milliseconds));
  const value = headers("retry-after");
  if (value === null) return null;
  if (value.trim() !== "" && Number.isFinite(Number(value)))
    return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const transientNetworkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Maps whatever a client library threw to our typed errors. Returns null for errors that are
 * not about the endpoint (programming errors), which callers rethrow unchanged.
 */
export function classifyModelError(error: unknown): CalibrateError | null {
  if (error instanceof CalibrateError) return error;
  // LangChain wraps a context-length refusal (HTTP 400 `context_length_exceeded`) in a
  // ContextOverflowError without the status; the original error is its cause.
  if ((error as Error | null)?.name === "ContextOverflowError") {
    const cause = (error as Error).cause;
    const facts = readFacts(cause ?? error);
    return new UnprocessableError(
      `model endpoint rejected the request (HTTP ${facts.status ?? 400}, the call is longer than the model's context): ${facts.message}`,
      { status: facts.status ?? 400, message: facts.message, code: "context_length_exceeded" },
      { cause: error },
    );
  }
  const facts = readFacts(error);
  const details = { status: facts.status, message: facts.message };
  // Rate limited: retry after the server's hint or our backoff.
  if (facts.status === 429)
    return new RateLimitedError(`model endpoint rate limited: ${facts.message}`, details, {
      cause: error,
    });
  // Server-side failures and timeouts may pass: retry with backoff.
  if (
    facts.status !== null &&
    (facts.status >= 500 || facts.status === 408 || facts.status === 409)
  ) {
    return new TransientError(
      `model endpoint failed (HTTP ${facts.status}): ${facts.message}`,
      details,
      { cause: error },
    );
  }
  if (facts.status !== null && [400, 413, 422].includes(facts.status)) {
    // The endpoint cannot take this request (e.g. the call is longer than the context): no retry.
    return new UnprocessableError(
      `model endpoint rejected the request (HTTP ${facts.status}): ${facts.message}`,
      details,
      { cause: error },
    );
  }
  if (facts.status !== null) {
    // 401/403/404: wrong key, model or URL. A configuration problem: retrying will not help.
    return new CalibrateError(
      `model endpoint refused the request (HTTP ${facts.status}): ${facts.message}`,
      details,
      { cause: error },
    );
  }
  if (
    facts.name === "TimeoutError" ||
    /timed? ?out/i.test(facts.message) ||
    /Connection error|fetch failed|socket hang up|terminated/i.test(facts.message) ||
    (facts.code !== null && transientNetworkCodes.has(facts.code)) ||
    /APIConnection/.test((error as object | null)?.constructor?.name ?? "")
  ) {
    return new TransientError(`model endpoint unreachable or too slow: ${facts.message}`, details, {
      cause: error,
    });
  }
  return null;
}

export function backoffDelay(policy: RetryPolicy, failedAttempt: number, error: unknown): number {
  const hinted = retryAfterMilliseconds(error);
  if (hinted !== null) return Math.min(policy.maxDelayMs, hinted);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  // "Equal jitter": spread clients that failed together without ever retrying instantly.
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}


/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or `maxAttempts` are
 * spent (then the last typed error, still `retryable`, goes to the job layer which may retry
 * the whole job later). An abort from `signal` is never retried.
 */
export async function callWithRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: {
    signal?: AbortSignal;
    onRetry?: (event: RetryEvent) => void;
    /** Narrows which typed errors are retried (default: those marked `retryable`). */
    shouldRetry?: (error: CalibrateError) => boolean;
  } = {},
): Promise<T> {
  const shouldRetry = options.shouldRetry ?? ((error: CalibrateError) => error.retryable);
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      const typed = classifyModelError(error);
      if (typed === null) throw error;
      if (!shouldRetry(typed) || attempt >= policy.maxAttempts) throw typed;
      const delayMs = backoffDelay(policy, attempt, error);
      options.onRetry?.({ attempt, delayMs, status: readFacts(error).status, error: typed });
      await sleep(delayMs, options.signal);
    }
  }
}
