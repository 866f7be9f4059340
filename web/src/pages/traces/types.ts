/** Trace shapes as the browser receives them (dates as strings), derived from the server's types. */
import type {
  TraceDetail as ServerTraceDetail,
  TraceList as ServerTraceList,
  TraceSpan as ServerTraceSpan,
  TraceSummary as ServerTraceSummary,
} from "../../../../core/traces/trace-queries.ts";

export type TraceSummary = Omit<ServerTraceSummary, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt: string | null };
export type TraceList = Omit<ServerTraceList, "traces"> & { traces: TraceSummary[] };
export type TraceSpan = Omit<ServerTraceSpan, "startedAt"> & { startedAt: string };
export type TraceDetail = Omit<ServerTraceDetail, "startedAt" | "finishedAt" | "spans"> & {
  startedAt: string;
  finishedAt: string | null;
  spans: TraceSpan[];
};
