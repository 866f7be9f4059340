/**
 * The database tracer: a trace and its spans live in memory while the agent runs (a span is a few
 * object fields and one `performance.now()`), and `finish` writes them in one statement (atomic, one
 * round trip): the trace row, the spans as one multi-row VALUES list and the example sources, as
 * data-modifying CTEs. Tokens and cost are summed from the spans. The rendered prompt is stored once
 * (prompt-once.ts): a model call's request keeps only what it adds to it.
 *
 * On its own, writing is best effort: a failure is logged and the agent's own result stands. Inside
 * the caller's transaction (an agent run storing its results) the trace commits with those results,
 * so a crash loses both or neither.
 *
 * The trace takes team, stage and rep from its recording in the same INSERT; when the recording was
 * erased while the agent ran, nothing is written (erasure wins) — nor when a recording one of its
 * examples came from was.
 */
import { randomUUID } from "node:crypto";
import { asyncCommit } from "../db/async-commit.ts";
import type { Db, Queryable } from "../db/database.ts";
import { valuesList } from "../db/values-list.ts";
import { examplesWhere, otherTeamExample, replaceTexts } from "./example-masking.ts";
import { promptMessagesOf, withoutPromptMessages } from "./prompt-once.ts";
import type { SpanEnd, SpanHandle, SpanKind, TraceHandle, TraceStart, TraceStatus, Tracer } from "./trace.ts";

export interface FinishedSpan {
  id: string;
  parentSpanId: string | null;
  position: number;
  kind: SpanKind;
  name: string;
  status: TraceStatus;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown>;
  error: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  durationMs: number;
}

export interface FinishedTrace extends TraceStart {
  id: string;
  status: "ok" | "error";
  error: string | null;
  output: unknown;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  startedAt: Date;
  finishedAt: Date;
  spans: FinishedSpan[];
}

/** Where finished traces go besides the database (OTLP). Must not block or throw. */
export interface TraceExporter {
  export(trace: FinishedTrace): void;
  close(): Promise<void>;
}

export interface TraceLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface DatabaseTracerOptions {
  exporter?: TraceExporter | null;
  logger?: TraceLogger;
}

export interface DatabaseTracer extends Tracer {
  /** Resolves when every `finish` called so far has written (tests, graceful shutdown). */
  flush(): Promise<void>;
}

/** search_text is capped: enough for every prompt of a long call, bounded for a runaway output. */
const searchTextLimit = 400_000;

export function createDatabaseTracer(db: Db, options: DatabaseTracerOptions = {}): DatabaseTracer {
  const pending = new Set<Promise<void>>();
  return {
    start(start: TraceStart): TraceHandle {
      const id = randomUUID();
      const startedAt = new Date();
      const origin = performance.now();
      const spans: Array<FinishedSpan & { open: boolean; begin: number }> = [];
      // A finish inside a transaction may be rolled back with it; the caller may then finish again
      // (e.g. with the error), which writes the trace anew. After a finish on the pool, never again.
      let finished: "no" | "in a transaction" | "yes" = "no";
      return {
        id,
        span(kind, name, input, attributes, spanOptions): SpanHandle {
          const begin = performance.now();
          const span = {
            id: randomUUID(),
            parentSpanId: spanOptions?.parentId ?? null,
            position: spans.length,
            kind,
            name,
            status: "running" as TraceStatus,
            input: input ?? null,
            output: null as unknown,
            attributes: attributes ?? {},
            error: null as string | null,
            inputTokens: 0,
            outputTokens: 0,
            costUsd: 0,
            startedAt: new Date(startedAt.getTime() + (begin - origin)),
            durationMs: 0,
            open: true,
            begin,
          };
          spans.push(span);
          return {
            id: span.id,
            end(result: SpanEnd = {}) {
              if (!span.open) return;
              span.open = false;
              span.durationMs = performance.now() - begin;
              span.status = result.status ?? (result.error ? "error" : "ok");
              if (result.input !== undefined) span.input = result.input;
              if (result.output !== undefined) span.output = result.output;
              if (result.error !== undefined) span.error = result.error;
              if (result.attributes) span.attributes = { ...span.attributes, ...result.attributes };
              span.inputTokens = Math.max(0, Math.round(result.inputTokens ?? 0));
              span.outputTokens = Math.max(0, Math.round(result.outputTokens ?? 0));
              span.costUsd = Math.max(0, result.costUsd ?? 0);
            },
          };
        },
        finish(result, finishOptions) {
          if (finished === "yes") return Promise.resolve();
          const transaction = finishOptions?.transaction;
          finished = transaction ? "in a transaction" : "yes";
          const end = performance.now();
          const finishedSpans: FinishedSpan[] = spans.map(({ open, begin, ...span }) =>
            open ? { ...span, status: result.status, durationMs: end - begin, error: span.error ?? (result.status === "error" ? "not ended before the trace finished" : null) } : span,
          );
          const trace: FinishedTrace = {
            ...start,
            id,
            status: result.status,
            error: result.error ?? null,
            output: result.output ?? null,
            inputTokens: sum(finishedSpans, "inputTokens"),
            outputTokens: sum(finishedSpans, "outputTokens"),
            costUsd: Math.round(sum(finishedSpans, "costUsd") * 1_000_000) / 1_000_000,
            latencyMs: Math.round(end - origin),
            startedAt,
            finishedAt: new Date(startedAt.getTime() + (end - origin)),
            spans: finishedSpans,
          };
          const written = (transaction ? writeTrace(transaction, trace, { inTransaction: true }) : writeTrace(db, trace)).then((outcome) => {
            if (outcome === "example erased") {
              options.logger?.warn({ traceId: id, agent: start.agent }, "Did not write a trace: a call one of its examples came from was erased meanwhile");
            }
          });
          const work = (
            transaction
              ? written
              : written.catch((error: unknown) => options.logger?.warn({ err: error, traceId: id, agent: start.agent }, "Could not write a trace; the agent's result stands"))
          ).then(() => options.exporter?.export(trace));
          const settled = work.catch(() => {});
          pending.add(settled);
          void settled.finally(() => pending.delete(settled));
          return work;
        },
      };
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}

function sum(spans: FinishedSpan[], field: "inputTokens" | "outputTokens" | "costUsd"): number {
  return spans.reduce((total, span) => total + span[field], 0);
}

interface RetrievedExample {
  sourceKey?: unknown;
  text?: unknown;
  recordingId?: unknown;
  teamId?: unknown;
}

/**
 * Writes one finished trace in one statement (so one round trip, atomic without an explicit
 * transaction): the trace row, all its spans in one multi-row VALUES list, and the recordings its
 * examples came from, as data-modifying CTEs. Nothing is written when its recording, or one its
 * examples came from, no longer exists. On the pool (not `inTransaction`) the statement turns synchronous_commit
 * off for its own commit; inside a transaction it must not, as the setting would cover the whole
 * transaction.
 */
export async function writeTrace(
  db: Queryable,
  trace: FinishedTrace,
  options: { inTransaction?: boolean } = {},
): Promise<"written" | "call erased" | "example erased"> {
  const { traceTeamId } = await attributeExamples(db, trace);
  const sources = [
    ...new Set(
      retrievedExamples(trace)
        .map((example) => example.recordingId)
        .filter((recordingId): recordingId is string => typeof recordingId === "string" && recordingId !== trace.recordingId),
    ),
  ];
  const prompt = promptMessagesOf(trace.spans);
  const spans = valuesList(
    trace.spans.map((span) => [
      span.id, span.parentSpanId, span.position, span.kind, span.name, span.status,
      jsonOrNull(span.kind === "model_call" ? withoutPromptMessages(span.input, prompt) : span.input), jsonOrNull(span.output),
      JSON.stringify(span.attributes), span.error, span.inputTokens, span.outputTokens, span.costUsd, span.startedAt, span.durationMs,
    ]),
    ["::uuid", "::uuid", "::integer", "::text", "::text", "::text", "::jsonb", "::jsonb", "::jsonb", "::text", "::integer", "::integer", "::numeric", "::timestamptz", "::double precision"],
  );
  const params: unknown[] = [
    ...spans.params,
    trace.id, trace.workspaceId, trace.recordingId, trace.agent, trace.agentVersion, trace.agentRunId, trace.engine,
    trace.connectorId, trace.model, trace.status, trace.error, jsonOrNull(trace.input), jsonOrNull(trace.output),
    trace.inputTokens, trace.outputTokens, trace.costUsd, trace.latencyMs, trace.startedAt, trace.finishedAt,
    searchTextOf(trace), sources, teamSearchTextOf(trace, traceTeamId),
  ];
  const at = (index: number) => `$${spans.params.length + index}`;
  const spanInsert =
    trace.spans.length === 0
      ? ""
      : `, spans AS (
           INSERT INTO trace_spans (id, trace_id, parent_span_id, position, kind, name, status, input, output, attributes, error,
                                    input_tokens, output_tokens, cost_usd, started_at, duration_ms)
           SELECT span.id, written.id, span.parent_span_id, span.position, span.kind, span.name, span.status, span.input, span.output,
                  span.attributes, span.error, span.input_tokens, span.output_tokens, span.cost_usd, span.started_at, span.duration_ms
             FROM written, (VALUES ${spans.sql}) AS span (id, parent_span_id, position, kind, name, status, input, output, attributes,
                                                          error, input_tokens, output_tokens, cost_usd, started_at, duration_ms)
         )`;
  const { rows } = await db.query<{ written: number; erasedExamples: boolean }>(
    `WITH erased_examples AS (
       -- An example's call erased meanwhile: no trace rather than a foreign-key error (inside the run's transaction, that would fail the run).
       SELECT EXISTS (SELECT 1 FROM unnest(${at(21)}::uuid[]) AS example (recording_id)
                       WHERE NOT EXISTS (SELECT 1 FROM recordings gone WHERE gone.id = example.recording_id)) AS erased
     ),
     written AS (
       INSERT INTO traces (id, workspace_id, recording_id, team_id, team_path, customer_stage, owner_id, agent, agent_version,
                           agent_run_id, engine, connector_id, model, status, error, input, output, input_tokens, output_tokens,
                           cost_usd, latency_ms, started_at, finished_at, search_text, search_text_team)
       SELECT ${at(1)}, ${at(2)}, recording.id, recording.team_id, team.path, recording.customer_stage, recording.owner_id, ${at(4)}, ${at(5)},
              ${at(6)}, ${at(7)}, ${at(8)}, ${at(9)}, ${at(10)}, ${at(11)}, ${at(12)}::jsonb, ${at(13)}::jsonb, ${at(14)}, ${at(15)},
              ${at(16)}, ${at(17)}, ${at(18)}, ${at(19)}, ${at(20)}, ${at(22)}
         FROM (SELECT 1) AS one
         LEFT JOIN recordings recording ON recording.id = ${at(3)}::uuid
         LEFT JOIN teams team ON team.id = recording.team_id
        WHERE (${at(3)}::uuid IS NULL OR recording.id IS NOT NULL) AND NOT (SELECT erased FROM erased_examples)
       RETURNING id
     )${spanInsert},
     sources AS (
       INSERT INTO trace_example_sources (trace_id, recording_id)
       SELECT written.id, source FROM written, unnest(${at(21)}::uuid[]) AS source ON CONFLICT DO NOTHING
     )
     SELECT count(*)::integer AS written, (SELECT erased FROM erased_examples) AS "erasedExamples"${
       // On its own a trace is best effort: its commit need not wait for an fsync (core/db/async-commit.ts).
       options.inTransaction ? "" : `, ${asyncCommit} AS sync`
     } FROM written`,
    params,
  );
  return rows[0].written > 0 ? "written" : rows[0].erasedExamples ? "example erased" : "call erased";
}

function retrievedExamples(trace: FinishedTrace): RetrievedExample[] {
  return trace.spans
    .filter((span) => span.kind === "retrieval" && Array.isArray(span.output))
    .flatMap((span) => (span.output as unknown[]).filter((item): item is RetrievedExample => typeof item === "object" && item !== null));
}

/**
 * Retrieved examples carry the recording (and team) they came from, so erasing that recording can
 * scrub the copy and a rep's view can mask another team's example. The agent may already know them;
 * otherwise they are looked up from the embeddings by source key (one query, only when needed).
 */
async function attributeExamples(db: Queryable, trace: FinishedTrace): Promise<{ traceTeamId: string | null }> {
  const examples = retrievedExamples(trace);
  const unknownKeys = examples.filter((example) => example.recordingId === undefined && typeof example.sourceKey === "string").map((example) => example.sourceKey as string);
  const needTeam = examples.filter((example) => typeof example.recordingId === "string" && example.teamId === undefined).map((example) => example.recordingId as string);
  const fromCalls = examples.some((example) => typeof example.recordingId === "string");
  if (unknownKeys.length === 0 && needTeam.length === 0 && !fromCalls) return { traceTeamId: null };
  // The trace's own call too: examples of another team than the call's are masked in its reps' search.
  if (trace.recordingId) needTeam.push(trace.recordingId);
  // By the embeddings' unique key (workspace, source type, source key): every type listed, so the index serves it.
  const { rows } = await db.query<{ sourceKey: string | null; recordingId: string; teamId: string }>(
    `SELECT e.source_key AS "sourceKey", r.id AS "recordingId", r.team_id AS "teamId"
       FROM embeddings e JOIN recordings r ON r.id = e.recording_id
      WHERE e.workspace_id = $1 AND e.source_type IN ('sample', 'talk_track', 'example', 'segment') AND e.source_key = ANY($2::text[])
     UNION ALL
     SELECT NULL, r.id, r.team_id FROM recordings r WHERE r.id = ANY($3::uuid[])`,
    [trace.workspaceId, unknownKeys, needTeam],
  );
  const byKey = new Map(rows.filter((row) => row.sourceKey).map((row) => [row.sourceKey!, row]));
  const teamOf = new Map(rows.map((row) => [row.recordingId, row.teamId]));
  for (const example of examples) {
    if (example.recordingId === undefined && typeof example.sourceKey === "string") {
      const found = byKey.get(example.sourceKey);
      example.recordingId = found?.recordingId ?? null;
      if (found) example.teamId = found.teamId;
    }
    if (typeof example.recordingId === "string" && example.teamId === undefined) example.teamId = teamOf.get(example.recordingId) ?? null;
  }
  return { traceTeamId: trace.recordingId ? (teamOf.get(trace.recordingId) ?? null) : null };
}

/**
 * What a rep of the call may search: the search text with examples of other teams than the call's
 * masked, as their view of the trace is. Null when no example is masked (then it is search_text).
 */
export function teamSearchTextOf(
  trace: { input?: unknown; output: unknown; error: string | null; spans: ReadonlyArray<{ kind: string; input: unknown; output: unknown; error: string | null }> },
  teamId: string | null,
): string | null {
  const texts = trace.spans
    .filter((span) => span.kind === "retrieval")
    .flatMap((span) => examplesWhere(span.output, (example) => typeof example.recordingId === "string" && example.teamId !== teamId && example.erased !== true))
    .map((example) => example.text)
    .filter((text): text is string => typeof text === "string");
  if (texts.length === 0) return null;
  return searchTextOf(replaceTexts({ input: trace.input ?? null, output: trace.output, error: trace.error, spans: trace.spans.map((span) => ({ input: span.input, output: span.output, error: span.error })) }, texts, otherTeamExample) as Parameters<typeof searchTextOf>[0]);
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Every string inside a value, depth first. */
export function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (value && typeof value === "object") for (const item of Object.values(value)) stringsIn(item, into);
  return into;
}

/** What `q` searches: the trace's input, output and error, and every span's input, output and error. */
export function searchTextOf(trace: { input?: unknown; output: unknown; error: string | null; spans: ReadonlyArray<{ input: unknown; output: unknown; error: string | null }> }): string {
  // Each text once: the prompt's messages are also the model call's request (and again on a retry).
  const parts = new Set(stringsIn([trace.input, trace.output, trace.error, trace.spans.map((span) => [span.input, span.output, span.error])]));
  const text = [...parts].join("\n");
  return text.length > searchTextLimit ? text.slice(0, searchTextLimit) : text;
}
