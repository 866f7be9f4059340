/**
 * Sends finished traces to an OpenTelemetry collector (Langfuse, Jaeger, Tempo, an OTel Collector…)
 * as OTLP/HTTP JSON: `POST {endpoint}/v1/traces`, resourceSpans → scopeSpans → spans. Hand-written
 * (the protocol's JSON mapping is small), so no SDK is needed.
 *
 * - One agent invocation = one OTel trace: a root span `invoke_agent {agent}` and one child per
 *   Calibrate span (`chat {model}` for model calls), ids taken from Calibrate's uuids (traceId = the
 *   trace's 32 hex digits, spanId = the first 16 of the span's), times in Unix nanoseconds.
 * - Attributes follow the GenAI semantic conventions (gen_ai.operation.name, gen_ai.provider.name and
 *   the older gen_ai.system, gen_ai.request.model, gen_ai.usage.input_tokens/output_tokens,
 *   gen_ai.agent.name …) plus `calibrate.*` for what they have no name for (cost, recording, span kind).
 * - Batched (up to `maxBatch` traces or `flushIntervalMs`), never awaited by the agent; a failed POST
 *   is retried once after `retryDelayMs`, then the batch is logged and dropped. A full queue drops
 *   the oldest trace: a slow collector must not grow memory without bound.
 */
import type { FinishedSpan, FinishedTrace, TraceExporter, TraceLogger } from "./trace-store.ts";

export interface OtlpExporterOptions {
  /** e.g. `http://127.0.0.1:4318`; `/v1/traces` is appended unless already there. */
  endpoint: string;
  headers?: Record<string, string>;
  serviceName?: string;
  logger?: TraceLogger;
  maxBatch?: number;
  flushIntervalMs?: number;
  retryDelayMs?: number;
  maxQueue?: number;
  timeoutMs?: number;
}

type AttributeValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
export interface OtlpAttribute {
  key: string;
  value: AttributeValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: { code: number; message?: string };
}

const spanKindInternal = 1;
const spanKindClient = 3;
const statusOk = 1;
const statusError = 2;
/** Prompts and outputs sent as attributes are cut here: collectors refuse very large attributes. */
const attributeTextLimit = 32_000;

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value,key2=value2`, values URL-encoded (the OTel convention). */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const index = pair.indexOf("=");
    if (index <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, index).trim())] = decodeURIComponent(pair.slice(index + 1).trim());
  }
  return headers;
}

export function otlpTraceId(traceId: string): string {
  return traceId.replaceAll("-", "").toLowerCase();
}

export function otlpSpanId(spanId: string): string {
  return spanId.replaceAll("-", "").toLowerCase().slice(0, 16);
}

/** The root span's id: the last 16 hex digits of the trace id (the children use the first 16 of their own). */
function rootSpanId(traceId: string): string {
  return otlpTraceId(traceId).slice(16);
}

function nanos(date: Date, plusMs = 0): string {
  return (BigInt(Math.round((date.getTime() + plusMs) * 1000)) * 1000n).toString();
}

function attribute(key: string, value: unknown): OtlpAttribute | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return { key, value: { boolValue: value } };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    return Number.isInteger(value) ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return { key, value: { stringValue: text.length > attributeTextLimit ? text.slice(0, attributeTextLimit) : text } };
}

function attributes(entries: Array<[string, unknown]>): OtlpAttribute[] {
  return entries.map(([key, value]) => attribute(key, value)).filter((item): item is OtlpAttribute => item !== null);
}

function providerOf(trace: FinishedTrace): string {
  return trace.engine === "local" ? "calibrate.local" : "openai";
}

function childSpan(trace: FinishedTrace, span: FinishedSpan): OtlpSpan {
  const model = (span.attributes.model as string | undefined) ?? trace.model;
  const isCall = span.kind === "model_call";
  const operation = isCall ? "chat" : span.kind === "local_model" ? "text_completion" : null;
  return {
    traceId: otlpTraceId(trace.id),
    spanId: otlpSpanId(span.id),
    parentSpanId: span.parentSpanId ? otlpSpanId(span.parentSpanId) : rootSpanId(trace.id),
    name: isCall ? `chat ${model ?? ""}`.trim() : span.name,
    kind: isCall ? spanKindClient : spanKindInternal,
    startTimeUnixNano: nanos(span.startedAt),
    endTimeUnixNano: nanos(span.startedAt, span.durationMs),
    attributes: attributes([
      ["gen_ai.operation.name", operation],
      ["gen_ai.provider.name", operation ? providerOf(trace) : null],
      ["gen_ai.system", operation ? providerOf(trace) : null],
      ["gen_ai.request.model", operation ? model : null],
      ["gen_ai.request.temperature", span.attributes.temperature],
      ["gen_ai.request.max_tokens", span.attributes.maxTokens],
      ["gen_ai.usage.input_tokens", isCall ? span.inputTokens : null],
      ["gen_ai.usage.output_tokens", isCall ? span.outputTokens : null],
      ["gen_ai.agent.name", trace.agent],
      ["gen_ai.input.messages", span.kind === "prompt" ? span.output : isCall ? span.input : null],
      ["gen_ai.output.messages", isCall ? span.output : null],
      ["calibrate.span.kind", span.kind],
      ["calibrate.cost_usd", span.costUsd || null],
      ["calibrate.attempt", span.attributes.attempt],
      ["calibrate.repair", span.attributes.repair],
      ["calibrate.output", !isCall && span.kind !== "prompt" ? span.output : null],
      ["error.type", span.status === "error" ? (span.error ?? "error").slice(0, 200) : null],
    ]),
    status: span.status === "error" ? { code: statusError, message: span.error ?? undefined } : { code: statusOk },
  };
}

/** One Calibrate trace as OTLP spans: the invocation's root span first, then its spans. */
export function toOtlpSpans(trace: FinishedTrace): OtlpSpan[] {
  const root: OtlpSpan = {
    traceId: otlpTraceId(trace.id),
    spanId: rootSpanId(trace.id),
    name: `invoke_agent ${trace.agent}`,
    kind: spanKindInternal,
    startTimeUnixNano: nanos(trace.startedAt),
    endTimeUnixNano: nanos(trace.finishedAt),
    attributes: attributes([
      ["gen_ai.operation.name", "invoke_agent"],
      ["gen_ai.agent.name", trace.agent],
      ["gen_ai.agent.id", trace.agentVersion],
      ["gen_ai.provider.name", providerOf(trace)],
      ["gen_ai.system", providerOf(trace)],
      ["gen_ai.request.model", trace.model],
      ["gen_ai.usage.input_tokens", trace.inputTokens],
      ["gen_ai.usage.output_tokens", trace.outputTokens],
      ["calibrate.agent.version", trace.agentVersion],
      ["calibrate.engine", trace.engine],
      ["calibrate.connector.id", trace.connectorId],
      ["calibrate.recording.id", trace.recordingId],
      ["calibrate.agent_run.id", trace.agentRunId],
      ["calibrate.workspace.id", trace.workspaceId],
      ["calibrate.cost_usd", trace.costUsd],
      ["error.type", trace.status === "error" ? (trace.error ?? "error").slice(0, 200) : null],
    ]),
    status: trace.status === "error" ? { code: statusError, message: trace.error ?? undefined } : { code: statusOk },
  };
  return [root, ...trace.spans.map((span) => childSpan(trace, span))];
}

export function otlpRequestBody(traces: FinishedTrace[], serviceName: string): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes([["service.name", serviceName], ["telemetry.sdk.name", "calibrate"], ["telemetry.sdk.language", "nodejs"]]) },
        scopeSpans: [{ scope: { name: "calibrate.agents", version: "1" }, spans: traces.flatMap(toOtlpSpans) }],
      },
    ],
  };
}

export function createOtlpExporter(options: OtlpExporterOptions): TraceExporter & { flush(): Promise<void> } {
  const url = options.endpoint.replace(/\/+$/, "").endsWith("/v1/traces") ? options.endpoint : `${options.endpoint.replace(/\/+$/, "")}/v1/traces`;
  const maxBatch = options.maxBatch ?? 50;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const maxQueue = options.maxQueue ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const serviceName = options.serviceName ?? "calibrate";
  let queue: FinishedTrace[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();

  const post = async (body: string): Promise<void> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`The collector answered ${response.status}: ${(await response.text().catch(() => "")).slice(0, 200)}`);
    await response.arrayBuffer().catch(() => undefined);
  };

  const send = (batch: FinishedTrace[]) => {
    const body = JSON.stringify(otlpRequestBody(batch, serviceName));
    const work = post(body)
      .catch(async () => {
        // One retry: a collector restarting or a dropped connection; a second failure drops the batch.
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        await post(body);
      })
      .catch((error: unknown) => options.logger?.warn({ err: error, traces: batch.length, endpoint: url }, "Could not export traces to the OTLP collector; dropped them"));
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const drain = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    while (queue.length > 0) send(queue.splice(0, maxBatch));
  };

  return {
    export(trace) {
      queue.push(trace);
      if (queue.length > maxQueue) {
        const dropped = queue.length - maxQueue;
        queue = queue.slice(dropped);
        options.logger?.warn({ dropped }, "The OTLP export queue is full; dropped the oldest traces");
      }
      if (queue.length >= maxBatch) drain();
      else if (!timer) {
        timer = setTimeout(drain, flushIntervalMs);
        timer.unref();
      }
    },
    async flush() {
      drain();
      await Promise.all([...inFlight]);
    },
    async close() {
      drain();
      await Promise.all([...inFlight]);
    },
  };
}
