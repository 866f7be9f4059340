/** Settings shared by the LangChain drafter and the AI SDK streaming drafter, and their results. */
import { z } from "zod";
import { UnprocessableError, ValidationError } from "../../errors.ts";
import type { PromptSetVersion } from "../prompt-sets.ts";
import type { DraftContent, DraftProvenance } from "../schema.ts";
import type { RetryEvent, RetryPolicy } from "./retry.ts";

export interface LlmDrafterOptions {
  /** OpenAI-compatible base URL including `/v1`, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  apiKey: string;
  promptSet: PromptSetVersion;
  /** Concurrent requests to this base URL across all drafters in the process (default 4). */
  concurrency?: number;
  /** Attempts per model call, including the first, on 429 / 5xx / timeout (default 4). */
  maxAttempts?: number;
  /** Per request (default 120 000). */
  timeoutMs?: number;
  /** First retry wait; doubles each time, with jitter (default 1000). */
  retryBaseDelayMs?: number;
  /** Longest single wait, also caps a server's `retry-after` (default 30 000). */
  retryMaxDelayMs?: number;
  /** Called before each retry wait, e.g. to log or count. */
  onRetry?: (event: RetryEvent) => void;
}

export interface ResolvedLlmDrafterOptions {
  baseUrl: string;
  apiKey: string;
  promptSet: PromptSetVersion;
  concurrency: number;
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  onRetry?: (event: RetryEvent) => void;
}

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string(),
  concurrency: z.number().int().min(1).max(256).default(4),
  maxAttempts: z.number().int().min(1).max(20).default(4),
  timeoutMs: z.number().int().min(1).default(120_000),
  retryBaseDelayMs: z.number().min(0).default(1000),
  retryMaxDelayMs: z.number().min(0).default(30_000),
});

export function resolveLlmDrafterOptions(options: LlmDrafterOptions): ResolvedLlmDrafterOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError(
      `invalid LLM drafter options: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
      { issues: parsed.error.issues },
    );
  }
  const settings = parsed.data;
  return {
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    promptSet: options.promptSet,
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    retryPolicy: {
      maxAttempts: settings.maxAttempts,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: settings.retryMaxDelayMs,
    },
    onRetry: options.onRetry,
  };
}

export interface LlmDraftStats {
  /** HTTP requests made to the model, including failed ones and the repair. */
  modelCalls: number;
  /** Requests retried after a 429, 5xx or timeout. */
  retries: number;
  /** Whether the first output was invalid, so the one repair attempt was made. */
  repaired: boolean;
}

export interface LlmDraftResult {
  content: DraftContent;
  provenance: DraftProvenance;
  /** The model output the draft was read from (after a repair: the repaired one). */
  raw: string;
  stats: LlmDraftStats;
}

/** `details` of the UnprocessableError thrown when the output stays invalid after one repair. */
export interface LlmDraftFailureDetails {
  reason: string;
  issues: string[];
  /** The repaired attempt's output (the last one). */
  raw: string;
  /** The first attempt's output. */
  firstRaw: string;
  /** Tokens were spent even though no draft came out. */
  provenance: DraftProvenance;
  stats: LlmDraftStats;
}

export function invalidOutputError(
  details: Omit<LlmDraftFailureDetails, "reason">,
): UnprocessableError {
  const reason = `model output invalid after one repair attempt: ${details.issues.slice(0, 5).join("; ")}`;
  return new UnprocessableError(reason, { reason, ...details } satisfies LlmDraftFailureDetails);
}
