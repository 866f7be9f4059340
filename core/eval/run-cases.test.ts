import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { runCases, type ProviderResult, type RunProgress } from "./run-cases.ts";

/** A promise the test settles by hand, to control the order in which cases finish. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

const answer = (output: string, extra: Partial<ProviderResult> = {}): ProviderResult => ({
  output,
  error: null,
  latencyMs: 5,
  ...extra,
});

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("runCases", () => {
  it("returns results in input order when cases finish out of order", async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const run = runCases({
      cases: ["零", "一", "二"],
      concurrency: 3,
      provider: async (text, { index }) => {
        await gates[index].promise;
        return answer(`${text}!`);
      },
    });
    gates[2].resolve();
    await settle();
    gates[0].resolve();
    await settle();
    gates[1].resolve();
    const { results, aborted } = await run;
    expect(aborted).toBe(false);
    expect(results.map((result) => [result.index, result.status, result.output])).toEqual([
      [0, "ok", "零!"],
      [1, "ok", "一!"],
      [2, "ok", "二!"],
    ]);
  });

  it("never runs more than `concurrency` cases at once, and uses all of it", async () => {
    let running = 0;
    let peak = 0;
    const { results } = await runCases({
      cases: Array.from({ length: 20 }, (_, index) => index),
      concurrency: 3,
      provider: async (value) => {
        running++;
        peak = Math.max(peak, running);
        await settle();
        running--;
        return answer(String(value * 2));
      },
    });
    expect(peak).toBe(3);
    expect(results.map((result) => result.output)).toEqual(
      Array.from({ length: 20 }, (_, index) => String(index * 2)),
    );
  });

  it("records a throwing provider as an error for that case only", async () => {
    const { results } = await runCases({
      cases: ["ok", "reject", "sync", "string", "returned-error"],
      concurrency: 2,
      provider: (name) => {
        if (name === "sync") throw new Error("sync failure");
        if (name === "reject") return Promise.reject(new Error("model timed out"));
        if (name === "string") return Promise.reject("plain string");
        if (name === "returned-error")
          return Promise.resolve({
            output: null,
            error: "rate limited",
            latencyMs: 12,
            costUsd: 0,
          });
        return Promise.resolve(
          answer("fine", { tokenUsage: { input: 3, output: 1 }, cached: true }),
        );
      },
    });
    expect(results.map((result) => [result.status, result.output, result.error])).toEqual([
      ["ok", "fine", null],
      ["error", null, "model timed out"],
      ["error", null, "sync failure"],
      ["error", null, "plain string"],
      ["error", null, "rate limited"],
    ]);
    expect(results[0]).toMatchObject({
      tokenUsage: { input: 3, output: 1 },
      cached: true,
      latencyMs: 5,
    });
    expect(results[4]).toMatchObject({ latencyMs: 12, costUsd: 0 });
    expect(results[1].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("records a malformed provider result as an error and measures latency itself", async () => {
    const { results } = await runCases({
      cases: [0, 1, 2],
      provider: async (value) =>
        [
          undefined,
          { output: 42, error: null, latencyMs: 1 },
          { output: "x", error: null, latencyMs: Number.NaN },
        ][value] as unknown as ProviderResult,
    });
    expect(results[0]).toMatchObject({
      status: "error",
      error: "provider returned no result",
    });
    expect(results[1]).toMatchObject({
      status: "error",
      error: "provider returned a number as output",
    });
    expect(results[2].status).toBe("ok");
    expect(Number.isFinite(results[2].latencyMs)).toBe(true);
  });

  it("reports progress after every case with the error count", async () => {
    const progress: RunProgress[] = [];
    await runCases({
      cases: [1, 2, 3, 4],
      concurrency: 1,
      provider: async (value) =>
        value % 2 === 0 ? { output: null, error: "bad", latencyMs: 1 } : answer("ok"),
      onProgress: (update) => progress.push(update),
    });
    expect(progress).toEqual([
      { done: 1, total: 4, errors: 0 },
      { done: 2, total: 4, errors: 1 },
      { done: 3, total: 4, errors: 1 },
      { done: 4, total: 4, errors: 2 },
    ]);
  });

  it("stops scheduling on abort, lets the running case finish and marks the rest skipped", async () => {
    const controller = new AbortController();
    const called: number[] = [];
    const { results, aborted } = await runCases({
      cases: [0, 1, 2, 3],
      concurrency: 1,
      signal: controller.signal,
      provider: async (value) => {
        called.push(value);
        if (value === 1) controller.abort();
        return answer(String(value));
      },
    });
    expect(aborted).toBe(true);
    expect(called).toEqual([0, 1]);
    expect(results.map((result) => result.status)).toEqual(["ok", "ok", "skipped", "skipped"]);
    expect(results[2]).toMatchObject({
      index: 2,
      output: null,
      error: "not run: the run was aborted",
    });
  });

  it("marks a case cut off by the abort as skipped, not as an error", async () => {
    const controller = new AbortController();
    const { results } = await runCases({
      cases: [0, 1],
      concurrency: 2,
      signal: controller.signal,
      provider: (value, { signal }) =>
        new Promise((resolve, reject) => {
          if (value === 0) {
            signal?.addEventListener("abort", () => reject(new Error("request aborted")));
            return;
          }
          resolve(answer("done"));
          controller.abort();
        }),
    });
    expect(results.map((result) => result.status)).toEqual(["skipped", "ok"]);
    expect(results[0].error).toBe("request aborted");
  });

  it("runs nothing when already aborted, and handles no cases", async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const { results, aborted } = await runCases({
      cases: ["a", "b"],
      signal: controller.signal,
      provider: async () => {
        calls++;
        return answer("x");
      },
    });
    expect(calls).toBe(0);
    expect(aborted).toBe(true);
    expect(results.map((result) => result.status)).toEqual(["skipped", "skipped"]);
    expect(await runCases({ cases: [], provider: async () => answer("x") })).toEqual({
      results: [],
      aborted: false,
    });
  });

  it("rejects with the error of a throwing progress callback after stopping", async () => {
    let calls = 0;
    const run = runCases({
      cases: [1, 2, 3, 4, 5],
      concurrency: 1,
      provider: async () => {
        calls++;
        return answer("x");
      },
      onProgress: ({ done }) => {
        if (done === 2) throw new Error("progress bar broke");
      },
    });
    await expect(run).rejects.toThrow("progress bar broke");
    expect(calls).toBe(2);
  });

  it("rejects a concurrency below 1 or fractional", async () => {
    for (const concurrency of [0, -1, 1.5]) {
      await expect(
        runCases({
          cases: [1],
          concurrency,
          provider: async () => answer("x"),
        }),
      ).rejects.toThrow(ValidationError);
    }
  });
});
