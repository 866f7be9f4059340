/**
 * Reading traces: the filtered list (keyset-paged, newest first, with totals over the whole filter)
 * and one trace with its spans in order.
 *
 * Who sees what: admins every trace of the workspace; managers and trainers the traces of calls in
 * their team's subtree; reps the traces of their own calls only. Traces with no call (sandbox, evals)
 * are for admins. A trace outside the caller's view is "not found", so ids cannot be probed.
 * In a rep's view, few-shot examples that came from another team's calls are replaced by
 * "(example from another team)" everywhere in the trace (retrieval span, prompt, request body): the
 * rep sees what the model was asked and answered about their call, not other teams' customers.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import type { Queryable } from "../db/database.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { examplesWhere, otherTeamExample, replaceTexts } from "./example-masking.ts";
import { promptMessagesOf, withPromptMessages } from "./prompt-once.ts";
import type { SpanKind, TraceStatus } from "./trace.ts";

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const traceListQuerySchema = z.object({
  agent: z.string().trim().min(1).max(200).optional(),
  agentVersion: z.string().trim().min(1).max(200).optional(),
  connectorId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  /** The recording's customer stage (the capability map's drill-down). */
  stage: z.string().trim().min(1).max(200).optional(),
  recordingId: z.uuid().optional(),
  agentRunId: z.uuid().optional(),
  status: z.enum(["running", "ok", "error"]).optional(),
  engine: z.enum(["llm", "local"]).optional(),
  minCost: z.coerce.number().min(0).optional(),
  maxCost: z.coerce.number().min(0).optional(),
  /** A day (YYYY-MM-DD, in the workspace's time zone, both ends included) or an ISO date-time. */
  from: dateOrDateTime.optional(),
  to: dateOrDateTime.optional(),
  /** Words in prompts, outputs or errors (any language; case-insensitive). */
  q: z.string().trim().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type TraceListQuery = z.infer<typeof traceListQuerySchema>;

export interface TraceSummary {
  id: string;
  agent: string;
  agentVersion: string;
  agentRunId: string | null;
  engine: "llm" | "local";
  connectorId: string | null;
  /** The connector's name now (null for the local engine or a connector from another workspace). */
  connectorName: string | null;
  model: string | null;
  status: TraceStatus;
  error: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  startedAt: Date;
  finishedAt: Date | null;
  recordingId: string | null;
  recordingTitle: string | null;
  teamId: string | null;
  teamName: string | null;
  customerStage: string | null;
}

export interface TraceList {
  traces: TraceSummary[];
  /** Over the whole filter, not just this page. */
  totals: { traces: number; costUsd: number; inputTokens: number; outputTokens: number; errors: number };
  nextCursor: string | null;
}

export interface TraceSpan {
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

export interface TraceDetail extends TraceSummary {
  input: unknown;
  output: unknown;
  spans: TraceSpan[];
  /** True when examples of other teams were masked for this reader. */
  masked: boolean;
}

const summaryColumns = `trace.id, trace.agent, trace.agent_version AS "agentVersion", trace.agent_run_id AS "agentRunId", trace.engine,
  trace.connector_id AS "connectorId", connector.name AS "connectorName", trace.model, trace.status, trace.error, trace.input_tokens AS "inputTokens",
  trace.output_tokens AS "outputTokens", trace.cost_usd AS "costUsd", trace.latency_ms AS "latencyMs",
  trace.started_at AS "startedAt", trace.finished_at AS "finishedAt", trace.recording_id AS "recordingId",
  recording.title AS "recordingTitle", trace.team_id AS "teamId", team.name AS "teamName", trace.customer_stage AS "customerStage"`;

/** SQL limiting traces (aliased `trace`) to the actor's view; `next` is the first free placeholder. */
export function traceScope(actor: Actor, next: number): { sql: string; params: unknown[] } {
  switch (actor.role) {
    case "admin":
      return { sql: `trace.workspace_id = $${next}`, params: [actor.workspaceId] };
    case "manager":
    case "trainer":
      return { sql: `trace.workspace_id = $${next} AND trace.team_path LIKE $${next + 1}`, params: [actor.workspaceId, `${actor.teamPath}%`] };
    case "rep":
      return { sql: `trace.workspace_id = $${next} AND trace.owner_id = $${next + 1}`, params: [actor.workspaceId, actor.id] };
  }
}

function encodeCursor(trace: { startedAt: Date; id: string }): string {
  return Buffer.from(`${new Date(trace.startedAt).toISOString()}|${trace.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { startedAt: string; id: string } {
  const [startedAt, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!startedAt || !id || Number.isNaN(Date.parse(startedAt)) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new ValidationError("The cursor is not one this list gave out.", [{ path: "cursor", message: "invalid cursor" }], { key: "traces.invalid_cursor" });
  }
  return { startedAt, id };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

export async function listTraces(db: Queryable, actor: Actor, query: TraceListQuery): Promise<TraceList> {
  if (query.minCost !== undefined && query.maxCost !== undefined && query.minCost > query.maxCost) {
    throw new ValidationError("minCost is above maxCost.", [{ path: "minCost", message: "must not exceed maxCost" }]);
  }
  const scope = traceScope(actor, 1);
  const conditions = [scope.sql];
  const params: unknown[] = [...scope.params];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (query.agent) add((p) => `trace.agent = ${p}`, query.agent);
  if (query.agentVersion) add((p) => `trace.agent_version = ${p}`, query.agentVersion);
  if (query.connectorId) add((p) => `trace.connector_id = ${p}`, query.connectorId);
  if (query.teamId) add((p) => `trace.team_path LIKE (SELECT path FROM teams WHERE id = ${p}) || '%'`, query.teamId);
  if (query.stage) add((p) => `trace.customer_stage = ${p}`, query.stage);
  if (query.recordingId) add((p) => `trace.recording_id = ${p}`, query.recordingId);
  if (query.agentRunId) add((p) => `trace.agent_run_id = ${p}`, query.agentRunId);
  if (query.status) add((p) => `trace.status = ${p}`, query.status);
  if (query.engine) add((p) => `trace.engine = ${p}`, query.engine);
  if (query.minCost !== undefined) add((p) => `trace.cost_usd >= ${p}`, query.minCost);
  if (query.maxCost !== undefined) add((p) => `trace.cost_usd <= ${p}`, query.maxCost);
  // Days are cut in the workspace's time zone, as on the capability map.
  const zone = `(SELECT coalesce(nullif(settings->>'timeZone', ''), 'UTC') FROM workspaces WHERE id = trace.workspace_id)`;
  if (query.from) {
    if (query.from.length === 10) add((p) => `trace.started_at >= (${p}::date::timestamp AT TIME ZONE ${zone})`, query.from);
    else add((p) => `trace.started_at >= ${p}::timestamptz`, query.from);
  }
  if (query.to) {
    if (query.to.length === 10) add((p) => `trace.started_at < ((${p}::date + 1)::timestamp AT TIME ZONE ${zone})`, query.to);
    else add((p) => `trace.started_at <= ${p}::timestamptz`, query.to);
  }
  // A rep searches what their view shows: other teams' examples masked.
  const searched = actor.role === "rep" ? "coalesce(trace.search_text_team, trace.search_text)" : "trace.search_text";
  if (query.q) add((p) => `${searched} ILIKE ${p}`, `%${escapeLike(query.q)}%`);

  const filter = conditions.join(" AND ");
  const totalsParams = [...params];
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    params.push(cursor.startedAt, cursor.id);
    conditions.push(`(trace.started_at, trace.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(query.limit + 1);
  const [page, totals] = await Promise.all([
    db.query<TraceSummary>(
      `SELECT ${summaryColumns}
         FROM traces trace
         LEFT JOIN recordings recording ON recording.id = trace.recording_id
         LEFT JOIN teams team ON team.id = trace.team_id
         LEFT JOIN connectors connector ON connector.id = trace.connector_id AND connector.workspace_id = trace.workspace_id
        WHERE ${conditions.join(" AND ")}
        ORDER BY trace.started_at DESC, trace.id DESC
        LIMIT $${params.length}`,
      params,
    ),
    db.query<TraceList["totals"]>(
      `SELECT count(*)::integer AS traces, coalesce(sum(trace.cost_usd), 0)::numeric AS "costUsd",
              coalesce(sum(trace.input_tokens), 0)::bigint AS "inputTokens", coalesce(sum(trace.output_tokens), 0)::bigint AS "outputTokens",
              (count(*) FILTER (WHERE trace.status = 'error'))::integer AS errors
         FROM traces trace WHERE ${filter}`,
      totalsParams,
    ),
  ]);
  const rows = page.rows.slice(0, query.limit);
  return {
    traces: rows.map(normaliseSummary),
    totals: {
      traces: totals.rows[0].traces,
      costUsd: Number(totals.rows[0].costUsd),
      inputTokens: Number(totals.rows[0].inputTokens),
      outputTokens: Number(totals.rows[0].outputTokens),
      errors: totals.rows[0].errors,
    },
    nextCursor: page.rows.length > query.limit ? encodeCursor(rows[rows.length - 1]) : null,
  };
}

function normaliseSummary<Row extends TraceSummary>(row: Row): Row {
  return { ...row, costUsd: Number(row.costUsd) };
}

export async function getTrace(db: Queryable, actor: Actor, id: string): Promise<TraceDetail> {
  const scope = traceScope(actor, 2);
  const { rows } = await db.query<TraceSummary & { input: unknown; output: unknown }>(
    `SELECT ${summaryColumns}, trace.input, trace.output
       FROM traces trace
       LEFT JOIN recordings recording ON recording.id = trace.recording_id
       LEFT JOIN teams team ON team.id = trace.team_id
       LEFT JOIN connectors connector ON connector.id = trace.connector_id AND connector.workspace_id = trace.workspace_id
      WHERE trace.id = $1 AND ${scope.sql}`,
    [id, ...scope.params],
  );
  if (!rows[0]) throw new NotFoundError("Trace not found.", undefined, { key: "traces.not_found" });
  const { rows: spanRows } = await db.query<TraceSpan>(
    `SELECT id, parent_span_id AS "parentSpanId", position, kind, name, status, input, output, attributes, error,
            input_tokens AS "inputTokens", output_tokens AS "outputTokens", cost_usd AS "costUsd", started_at AS "startedAt",
            duration_ms AS "durationMs"
       FROM trace_spans WHERE trace_id = $1 ORDER BY position`,
    [id],
  );
  const prompt = promptMessagesOf(spanRows);
  const detail: TraceDetail = {
    ...normaliseSummary(rows[0]),
    spans: spanRows.map((span) => ({
      ...span,
      input: span.kind === "model_call" ? withPromptMessages(span.input, prompt) : span.input,
      costUsd: Number(span.costUsd),
      durationMs: Number(span.durationMs),
    })),
    masked: false,
  };
  return actor.role === "rep" ? maskOtherTeamsExamples(detail, actor.teamId) : detail;
}

/** A rep's view: examples from other teams' calls (or of unknown team) are replaced wherever they were copied. */
export function maskOtherTeamsExamples(trace: TraceDetail, teamId: string): TraceDetail {
  const foreign = (example: { recordingId?: string | null; teamId?: string | null }) =>
    typeof example.recordingId === "string" && example.teamId !== teamId;
  const texts = trace.spans
    .filter((span) => span.kind === "retrieval")
    .flatMap((span) => examplesWhere(span.output, foreign))
    .map((example) => example.text)
    .filter((text): text is string => typeof text === "string");
  if (texts.length === 0) return trace;
  return {
    ...trace,
    masked: true,
    input: replaceTexts(trace.input, texts, otherTeamExample),
    output: replaceTexts(trace.output, texts, otherTeamExample),
    spans: trace.spans.map((span) => ({
      ...span,
      input: replaceTexts(span.input, texts, otherTeamExample),
      output:
        span.kind === "retrieval" && Array.isArray(span.output)
          ? span.output.map((item) =>
              typeof item === "object" && item !== null && foreign(item as { recordingId?: string | null; teamId?: string | null })
                ? { ...(item as object), text: otherTeamExample, masked: true }
                : replaceTexts(item, texts, otherTeamExample),
            )
          : replaceTexts(span.output, texts, otherTeamExample),
    })),
  };
}
