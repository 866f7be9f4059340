/**
 * Traces (issue 12): every agent invocation — LLM or local engine — records what it saw, what it
 * sent, what came back and what it made, as a trace with spans (Langfuse/LangSmith style). This
 * file is the contract; `trace-store.ts` buffers a trace in memory and writes it in one statement
 * when it finishes (in the caller's transaction when given one), `otlp-export.ts` optionally sends
 * it to an OpenTelemetry collector.
 */
import type { Queryable } from "../db/database.ts";

export type SpanKind =
  | "retrieval" // approved samples found by similarity: output = [{ sourceKey, text, label, similarity, recordingId? }]
  // (the store fills in recordingId/teamId from the embeddings when missing: erasure and a rep's view need them;
  //  pass recordingId: null for an example from no call. A recordingId that no longer exists — erased while the
  //  agent ran — keeps the trace from being written, so no copy outlives an erasure)
  | "prompt" // rendered messages: output = [{ role, content }] (the redacted transcript inside)
  | "model_call" // one HTTP request: attributes model, temperature, maxTokens, attempt, repair; input = request body; output = raw response text
  | "parse" // validation of the model output: status error with the issues
  | "local_model" // local engine: attributes model version; output = top-k labels with confidences
  | "result"; // what was stored: output = { items: n, draftItemIds?: [...] }

export type TraceStatus = "running" | "ok" | "error";

export interface TraceStart {
  workspaceId: string;
  recordingId: string | null;
  agent: string;
  /** `"<agent>@<version>"`. */
  agentVersion: string;
  agentRunId: string | null;
  engine: "llm" | "local";
  connectorId: string | null;
  model: string | null;
  input?: unknown;
}

export interface SpanEnd {
  status?: "ok" | "error";
  /** The input when it is known only at the end (the request body an HTTP client built); replaces the one given at the start. */
  input?: unknown;
  output?: unknown;
  error?: string;
  attributes?: Record<string, unknown>;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export interface SpanHandle {
  readonly id: string;
  end(result?: SpanEnd): void;
}

export interface TraceHandle {
  /** Known before anything is written, so draft items can point at it. */
  readonly id: string;
  /** `options.parentId` nests the span under another of the same trace (e.g. a retry under its call). */
  span(kind: SpanKind, name: string, input?: unknown, attributes?: Record<string, unknown>, options?: { parentId?: string }): SpanHandle;
  /**
   * Writes the trace and its spans; tokens and cost are summed from the spans. Never rejects: a
   * failed write is logged. Given `options.transaction`, the write is part of that transaction — the
   * trace commits with the caller's results or not at all, and a failure rejects (failing it); when
   * that transaction rolls back, `finish` may be called again (the error, on its own).
   */
  finish(result: { status: "ok" | "error"; output?: unknown; error?: string }, options?: { transaction?: Queryable }): Promise<void>;
}

export interface Tracer {
  start(trace: TraceStart): TraceHandle;
}
