import { describe, expect, it } from "vitest";
import {
  CalibrateError,
  RateLimitedError,
  TransientError,
  UnprocessableError,
} from "../../errors.ts";
import {
  backoffDelay,
  callWithRetries,
  classifyModelError,
  retryAfterMilliseconds,
} from "./retry.ts";

function httpError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP ${status}`), { status, headers: new Headers(headers) });
}

const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 50 };

describe("classifyModelError", () => {
  it("maps statuses and network failures to typed errors", () => {
    expect(classifyModelError(httpError(429))).toBeInstanceOf(RateLimitedError);
    expect(classifyModelError(httpError(503))).toBeInstanceOf(TransientError);
    expect(classifyModelError(httpError(400))).toBeInstanceOf(UnprocessableError);
    const unauthorised = classifyModelError(httpError(401));
    expect(unauthorised).toBeInstanceOf(CalibrateError);
    expect(unauthorised?.retryable).toBe(false);
    expect(
      classifyModelError(Object.assign(new Error("boom"), { statusCode: 502 })),
    ).toBeInstanceOf(TransientError);
    expect(
      classifyModelError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })),
    ).toBeInstanceOf(TransientError);
    expect(classifyModelError(new TypeError("undefined is not a function"))).toBeNull();
  });
});

describe("retryAfterMilliseconds", () => {
  it("reads retry-after-ms, seconds and dates, from Headers or plain objects", () => {
    expect(retryAfterMilliseconds(httpError(429, { "retry-after-ms": "250" }))).toBe(250);
    expect(retryAfterMilliseconds(httpError(429, { "retry-after": "2" }))).toBe(2000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(
      retryAfterMilliseconds(
        httpError(429, { "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }),
        now,
      ),
    ).toBe(5000);
    expect(
      retryAfterMilliseconds({ statusCode: 429, responseHeaders: { "Retry-After": "1" } }),
    ).toBe(1000);
    expect(retryAfterMilliseconds(httpError(429))).toBeNull();
  });

  it("is capped by the policy", () => {
    expect(backoffDelay(policy, 1, httpError(429, { "retry-after": "3600" }))).toBe(50);
  });
});

describe("backoffDelay", () => {
  it("grows exponentially within half to full of the step", () => {
    const wide = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 };
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const step = 100 * 2 ** (attempt - 1);
      const delay = backoffDelay(wide, attempt, new Error("x"));
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
    }
  });
});

describe("callWithRetries", () => {
  it("retries retryable failures up to maxAttempts and reports each retry", async () => {
    const attempts: number[] = [];
    const retried: number[] = [];
    const error = await callWithRetries(
      async (attempt) => {
        attempts.push(attempt);
        throw httpError(500);
      },
      policy,
      { onRetry: (event) => retried.push(event.attempt) },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(attempts).toEqual([1, 2, 3]);
    expect(retried).toEqual([1, 2]);
  });

  it("does not retry what cannot pass, and rethrows programming errors untouched", async () => {
    let calls = 0;
    await expect(
      callWithRetries(async () => {
        calls += 1;
        throw httpError(404);
      }, policy),
    ).rejects.toBeInstanceOf(CalibrateError);
    expect(calls).toBe(1);
    const bug = new TypeError("bug");
    await expect(callWithRetries(async () => Promise.reject(bug), policy)).rejects.toBe(bug);
  });

  it("stops waiting when the signal aborts", async () => {
    const controller = new AbortController();
    const slowPolicy = { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const pending = callWithRetries(async () => Promise.reject(httpError(503)), slowPolicy, {
      signal: controller.signal,
      onRetry: () => controller.abort(new Error("stop")),
    });
    await expect(pending).rejects.toThrow("stop");
  });
});
