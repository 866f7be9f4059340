/**
 * A few quick retries of one request, inside a job. The job itself is also retried with backoff,
 * but a blip on chunk 5 of 6 should not re-transcribe the whole hour: retry the chunk here, and
 * only when that keeps failing let the retryable error reach the job.
 */
import { isRetryable } from "../errors.ts";
import { sleep } from "../sleep.ts";

export interface RetryOptions {
  /** Total attempts, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
}

export async function withRetries<Result>(
  operation: (attempt: number) => Promise<Result>,
  options: RetryOptions,
): Promise<Result> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= options.maxAttempts || !isRetryable(error) || options.signal?.aborted) {
        throw error;
      }
      const exponential = options.baseDelayMs * 2 ** (attempt - 1);
      // A server that says when to come back knows better than our backoff (capped all the same).
      const requested = retryAfterOf(error);
      await sleep(Math.min(options.maxDelayMs, requested ?? exponential), options.signal);
    }
  }
}

function retryAfterOf(error: unknown): number | null {
  const details = (error as { details?: { retryAfterMs?: unknown } }).details;
  return typeof details?.retryAfterMs === "number" ? details.retryAfterMs : null;
}

