/**
 * The waterfall's geometry: each span as a bar whose left edge is its start and whose width is its
 * duration, both as a share of the whole trace (a bar is never narrower than `minimumWidth`, so an
 * instant span stays visible). Nested spans are indented under their parent.
 */
export interface WaterfallInput {
  id: string;
  parentSpanId: string | null;
  startedAt: string;
  durationMs: number;
}

export interface WaterfallBar {
  id: string;
  /** 0–1 of the trace's time line. */
  offset: number;
  width: number;
  depth: number;
}

export function waterfallBars(
  trace: { startedAt: string; latencyMs: number },
  spans: readonly WaterfallInput[],
  minimumWidth = 0.004,
): WaterfallBar[] {
  const start = Date.parse(trace.startedAt);
  const ends = spans.map((span) => Date.parse(span.startedAt) - start + span.durationMs);
  const total = Math.max(trace.latencyMs, ...ends, 1);
  const parents = new Map(spans.map((span) => [span.id, span.parentSpanId]));
  const depthOf = (id: string, seen = new Set<string>()): number => {
    const parent = parents.get(id);
    if (!parent || !parents.has(parent) || seen.has(parent)) return 0;
    seen.add(parent);
    return 1 + depthOf(parent, seen);
  };
  return spans.map((span) => {
    const offset = Math.min(Math.max((Date.parse(span.startedAt) - start) / total, 0), 1);
    const width = Math.max(Math.min(span.durationMs / total, 1 - offset), minimumWidth);
    return { id: span.id, offset, width: Math.min(width, 1), depth: depthOf(span.id) };
  });
}

/** Pretty JSON for a request or response; a string that holds JSON is parsed first. */
export function prettyJson(value: unknown): string {
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  return JSON.stringify(value, null, 2) ?? "";
}

export interface ChatMessage {
  role: string;
  content: string;
}

/** Messages from a prompt span's output or a request body's `messages`; null when it holds none. */
export function messagesIn(value: unknown): ChatMessage[] | null {
  const list = Array.isArray(value) ? value : value && typeof value === "object" && Array.isArray((value as { messages?: unknown }).messages) ? (value as { messages: unknown[] }).messages : null;
  if (!list || list.length === 0) return null;
  const messages = list.filter(
    (item): item is ChatMessage =>
      typeof item === "object" && item !== null && typeof (item as ChatMessage).role === "string" && typeof (item as ChatMessage).content === "string",
  );
  return messages.length === list.length ? messages : null;
}

export interface LabelConfidence {
  label: string;
  confidence: number;
}

/** Top-k labels of a local-engine span: `[{ label, confidence }]`, possibly per utterance. */
export function topLabelsIn(value: unknown): LabelConfidence[] | null {
  const flat = Array.isArray(value) ? value.flatMap((item) => (item && typeof item === "object" && Array.isArray((item as { ranked?: unknown }).ranked) ? (item as { ranked: unknown[] }).ranked : [item])) : [];
  const labels = flat.filter(
    (item): item is LabelConfidence =>
      typeof item === "object" && item !== null && typeof (item as LabelConfidence).label === "string" && typeof (item as LabelConfidence).confidence === "number",
  );
  return labels.length > 0 && labels.length === flat.length ? labels : null;
}
