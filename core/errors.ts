/**
 * Typed errors that decide what happens next. The HTTP layer maps `status`; the job layer
 * reads `retryable` (a transient failure is retried with backoff, bad input fails at once).
 */
export class CalibrateError extends Error {
  readonly status: number = 500;
  readonly code: string = "internal";
  readonly retryable: boolean = false;
  /** Key of this message in core/error-messages.ts, so the HTTP layer can say it in the caller's language. */
  readonly messageKey?: string;
  readonly messageParams?: Record<string, string | number>;
  constructor(
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown; key?: string; params?: Record<string, string | number> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.key) this.messageKey = options.key;
    if (options?.params) this.messageParams = options.params;
  }
}

/** The caller sent something we cannot accept; `details` carries the issues. */
export class ValidationError extends CalibrateError {
  override readonly status = 400;
  override readonly code = "validation_failed";
}

export class UnauthorizedError extends CalibrateError {
  override readonly status = 401;
  override readonly code = "unauthorized";
}

export class ForbiddenError extends CalibrateError {
  override readonly status = 403;
  override readonly code = "forbidden";
}

/** Also used when the caller may not know the thing exists (no id guessing). */
export class NotFoundError extends CalibrateError {
  override readonly status = 404;
  override readonly code = "not_found";
}

/** Someone else changed it first, or it already exists. */
export class ConflictError extends CalibrateError {
  override readonly status = 409;
  override readonly code = "conflict";
}

export class PayloadTooLargeError extends CalibrateError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}

/** Well-formed but unusable content: corrupt audio, malformed transcript, invalid model output. */
export class UnprocessableError extends CalibrateError {
  override readonly status = 422;
  override readonly code = "unprocessable";
}

export class RateLimitedError extends CalibrateError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  override readonly retryable = true;
}

/** A dependency failed in a way that may pass: network, 5xx, timeouts. Retry with backoff. */
export class TransientError extends CalibrateError {
  override readonly status: number = 503;
  override readonly code: string = "unavailable";
  override readonly retryable = true;
}

export function isRetryable(error: unknown): boolean {
  return error instanceof CalibrateError ? error.retryable : false;
}
