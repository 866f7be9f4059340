/**
 * Runs an eval target over cases, promptfoo-style: the provider reports a failure as data
 * (`error`), and a provider that throws anyway is recorded as an error for that case, so one bad
 * row never aborts a run. Results come back in input order whatever order they finish in.
 */
import { ValidationError } from "../errors.ts";

export interface TokenUsage {
  input: number;
  output: number;
}

export interface ProviderResult {
  output: string | null;
  /** Why there is no usable output; null on success. */
  error: string | null;
  tokenUsage?: TokenUsage;
  latencyMs: number;
  costUsd?: number;
  /** Served from the LLM output cache (see cache-key.ts). */
  cached?: boolean;
}

export interface ProviderContext {
  index: number;
  /** Aborted when the run is cancelled: a provider should pass it on to its HTTP calls. */
  signal: AbortSignal | undefined;
}

export type CaseProvider<Case> = (
  testCase: Case,
  context: ProviderContext,
) => Promise<ProviderResult>;

/** ok: the provider answered; error: it failed; skipped: never run, or cut off by an abort. */
export type CaseStatus = "ok" | "error" | "skipped";

export interface CaseResult extends ProviderResult {
  index: number;
  status: CaseStatus;
}

export interface RunProgress {
  done: number;
  total: number;
  errors: number;
}

export interface RunCasesOptions<Case> {
  cases: readonly Case[];
  provider: CaseProvider<Case>;
  /** How many cases run at once (default 4): LLM rate limits, and 2 cores for the local engine. */
  concurrency?: number;
  /** Called after each case finishes. If it throws, scheduling stops and runCases rejects. */
  onProgress?: (progress: RunProgress) => void;
  /** Stops scheduling new cases; cases already running finish (or honour the signal). */
  signal?: AbortSignal;
}

export interface RunCasesResult {
  /** One per case, in input order. */
  results: CaseResult[];
  aborted: boolean;
}

export async function runCases<Case>({
  cases,
  provider,
  concurrency = 4,
  onProgress,
  signal,
}: RunCasesOptions<Case>): Promise<RunCasesResult> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  const total = cases.length;
  const results: Array<CaseResult | undefined> = new Array(total);
  let next = 0;
  let done = 0;
  let errors = 0;
  let progressFailure: { error: unknown } | undefined;

  const runOne = async (index: number): Promise<CaseResult> => {
    const started = performance.now();
    try {
      const result = await provider(cases[index], { index, signal });
      return normalise(result, index, performance.now() - started);
    } catch (error) {
      const latencyMs = performance.now() - started;
      // Cut off by the abort rather than failed on its own: leave it to be run again.
      const status: CaseStatus = signal?.aborted ? "skipped" : "error";
      return {
        index,
        status,
        output: null,
        error: messageOf(error),
        latencyMs,
      };
    }
  };

  const worker = async () => {
    while (!signal?.aborted && !progressFailure) {
      const index = next++;
      if (index >= total) return;
      const result = await runOne(index);
      results[index] = result;
      if (result.status === "skipped") continue;
      done++;
      if (result.status === "error") errors++;
      try {
        onProgress?.({ done, total, errors });
      } catch (error) {
        progressFailure = { error };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (progressFailure) throw progressFailure.error;

  return {
    results: Array.from(
      results,
      (result, index): CaseResult =>
        result ?? {
          index,
          status: "skipped",
          output: null,
          error: "not run: the run was aborted",
          latencyMs: 0,
        },
    ),
    aborted: signal?.aborted ?? false,
  };
}

/** Trusts the provider's own figures when they are sound, and says so when they are not. */
function normalise(result: ProviderResult, index: number, measuredMs: number): CaseResult {
  if (typeof result !== "object" || result === null) {
    return {
      index,
      status: "error",
      output: null,
      error: "provider returned no result",
      latencyMs: measuredMs,
    };
  }
  const output = typeof result.output === "string" ? result.output : null;
  let error = typeof result.error === "string" ? result.error : null;
  if (result.output !== null && result.output !== undefined && output === null && error === null) {
    error = `provider returned a ${typeof result.output} as output`;
  }
  const normalised: CaseResult = {
    index,
    status: error === null ? "ok" : "error",
    output,
    error,
    latencyMs:
      Number.isFinite(result.latencyMs) && result.latencyMs >= 0 ? result.latencyMs : measuredMs,
  };
  if (result.tokenUsage) normalised.tokenUsage = result.tokenUsage;
  if (typeof result.costUsd === "number") normalised.costUsd = result.costUsd;
  if (result.cached !== undefined) normalised.cached = result.cached;
  return normalised;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === "string" ? error : `provider threw ${String(error)}`;
}
