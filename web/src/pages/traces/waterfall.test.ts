import { describe, expect, it } from "vitest";
import { messagesIn, prettyJson, topLabelsIn, waterfallBars } from "./waterfall.ts";

describe("waterfallBars", () => {
  const trace = { startedAt: "2026-07-01T10:00:00.000Z", latencyMs: 1000 };
  it("places each span by its start and duration as a share of the trace", () => {
    const bars = waterfallBars(trace, [
      { id: "a", parentSpanId: null, startedAt: "2026-07-01T10:00:00.000Z", durationMs: 100 },
      { id: "b", parentSpanId: null, startedAt: "2026-07-01T10:00:00.250Z", durationMs: 500 },
      { id: "c", parentSpanId: "b", startedAt: "2026-07-01T10:00:00.990Z", durationMs: 0 },
    ]);
    expect(bars.map((bar) => [bar.id, bar.offset, bar.width, bar.depth])).toEqual([
      ["a", 0, 0.1, 0],
      ["b", 0.25, 0.5, 0],
      ["c", 0.99, 0.004, 1],
    ]);
  });

  it("stretches the time line when a span outlasts the recorded latency", () => {
    const [bar] = waterfallBars(trace, [{ id: "a", parentSpanId: null, startedAt: "2026-07-01T10:00:01.000Z", durationMs: 1000 }]);
    expect(bar.offset).toBe(0.5);
    expect(bar.width).toBe(0.5);
  });
});

describe("span content", () => {
  it("finds chat messages in a prompt output or a request body", () => {
    const messages = [{ role: "system", content: "Answer in JSON." }, { role: "user", content: "<transcript>…</transcript>" }];
    expect(messagesIn(messages)).toEqual(messages);
    expect(messagesIn({ model: "m", messages })).toEqual(messages);
    expect(messagesIn([{ role: "user" }])).toBeNull();
    expect(messagesIn("text")).toBeNull();
  });

  it("pretty-prints JSON, also inside a string, and leaves other text alone", () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("Sure! {not json")).toBe("Sure! {not json");
    expect(prettyJson({ b: [1] })).toBe('{\n  "b": [\n    1\n  ]\n}');
  });

  it("reads top-k labels flat or per utterance", () => {
    expect(topLabelsIn([{ label: "a", confidence: 0.7 }])).toEqual([{ label: "a", confidence: 0.7 }]);
    expect(topLabelsIn([{ segment: 0, ranked: [{ label: "b", confidence: 0.4 }] }])).toEqual([{ label: "b", confidence: 0.4 }]);
    expect(topLabelsIn([{ items: 1 }])).toBeNull();
  });
});
