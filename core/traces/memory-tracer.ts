/**
 * A tracer that keeps traces in this process's memory: a real implementation of the `Tracer`
 * contract (trace.ts) for tests, benches and a single process before the database store is wired.
 * Finished traces are kept, newest last, up to `limit` (oldest dropped first).
 */
import type { SpanEnd, SpanKind, TraceHandle, Tracer, TraceStart, TraceStatus } from "./trace.ts";

export interface MemorySpan {
  id: string;
  kind: SpanKind;
  name: string;
  input: unknown;
  attributes: Record<string, unknown>;
  status: "running" | "ok" | "error";
  output?: unknown;
  error?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  endedAt: Date | null;
}

export interface MemoryTrace extends TraceStart {
  id: string;
  status: TraceStatus;
  output?: unknown;
  error?: string;
  spans: MemorySpan[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  endedAt: Date | null;
}

export interface MemoryTracer extends Tracer {
  /** Every trace started, running ones included, oldest first. */
  readonly traces: MemoryTrace[];
  get(id: string): MemoryTrace | null;
  clear(): void;
}

export function createMemoryTracer(options: { limit?: number } = {}): MemoryTracer {
  const limit = options.limit ?? 10_000;
  const traces: MemoryTrace[] = [];
  return {
    traces,
    get: (id) => traces.find((trace) => trace.id === id) ?? null,
    clear: () => void traces.splice(0),
    start(start): TraceHandle {
      const trace: MemoryTrace = {
        ...start,
        id: crypto.randomUUID(),
        status: "running",
        spans: [],
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        startedAt: new Date(),
        endedAt: null,
      };
      traces.push(trace);
      if (traces.length > limit) traces.splice(0, traces.length - limit);
      return {
        id: trace.id,
        span(kind: SpanKind, name: string, input?: unknown, attributes: Record<string, unknown> = {}) {
          const span: MemorySpan = {
            id: crypto.randomUUID(),
            kind,
            name,
            input,
            attributes: { ...attributes },
            status: "running",
            inputTokens: 0,
            outputTokens: 0,
            costUsd: 0,
            startedAt: new Date(),
            endedAt: null,
          };
          trace.spans.push(span);
          return {
            id: span.id,
            end(result: SpanEnd = {}) {
              if (span.endedAt) return; // Ending twice keeps the first result.
              span.status = result.status ?? "ok";
              span.output = result.output;
              span.error = result.error;
              span.attributes = { ...span.attributes, ...result.attributes };
              span.inputTokens = result.inputTokens ?? 0;
              span.outputTokens = result.outputTokens ?? 0;
              span.costUsd = result.costUsd ?? 0;
              span.endedAt = new Date();
            },
          };
        },
        async finish(result) {
          trace.status = result.status;
          trace.output = result.output;
          trace.error = result.error;
          trace.endedAt = new Date();
          // Spans still open when the invocation ended (an abort) are closed as errors.
          for (const span of trace.spans) {
            if (!span.endedAt) Object.assign(span, { status: "error", error: "not finished", endedAt: trace.endedAt });
          }
          trace.inputTokens = trace.spans.reduce((sum, span) => sum + span.inputTokens, 0);
          trace.outputTokens = trace.spans.reduce((sum, span) => sum + span.outputTokens, 0);
          trace.costUsd = Math.round(trace.spans.reduce((sum, span) => sum + span.costUsd, 0) * 1_000_000) / 1_000_000;
        },
      };
    },
  };
}
