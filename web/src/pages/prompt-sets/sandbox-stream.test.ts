import { describe, expect, it } from "vitest";
import { intentsBySegment, splitSandboxStream } from "./sandbox-stream.ts";

const final = {
  content: {
    intents: [
      { segment: 0, intent: "greeting", confidence: 0.9 },
      { segment: 2, intent: "pricing_objection", confidence: 0.7 },
    ],
    actionItems: [],
    talkTracks: [],
    notes: [],
  },
  provenance: {
    engine: "llm",
    model: "test-model",
    promptSetVersion: "sales-call@v2",
    inputTokens: 10,
    outputTokens: 5,
    latencyMs: 120,
    estimatedCostUsd: 0.0001,
  },
};

describe("splitSandboxStream", () => {
  it("shows everything as streamed text until the separator arrives", () => {
    const partial = '{"intents":[{"segment":0,"int';
    expect(splitSandboxStream(partial)).toEqual({
      streamed: partial,
      final: null,
      malformed: false,
    });
  });

  it("splits off the validated draft after the record separator", () => {
    const raw = '{"intents":[]}';
    const result = splitSandboxStream(`${raw}\n\u001e${JSON.stringify(final)}`);
    expect(result.streamed).toBe(raw);
    expect(result.final).toEqual(final);
    expect(result.malformed).toBe(false);
  });

  it("reports an error line as the final result", () => {
    const result = splitSandboxStream(
      '{"intents":\n\u001e{"error":"The model output is not JSON."}',
    );
    expect(result.final).toEqual({ error: "The model output is not JSON." });
    expect(result.streamed).toBe('{"intents":');
  });

  it("waits for a final line cut in the middle, and flags a final line that is not a result", () => {
    expect(splitSandboxStream('{}\n\u001e{"content":{"int').malformed).toBe(true);
    expect(splitSandboxStream("{}\n\u001e").final).toBeNull();
    expect(splitSandboxStream('{}\n\u001e{"something":"else"}').malformed).toBe(true);
  });

  it("keeps Chinese text intact around the separator", () => {
    const raw = '{"notes":["客户担心价格"]}';
    expect(splitSandboxStream(`${raw}\n\u001e{"error":"超时"}`)).toEqual({
      streamed: raw,
      final: { error: "超时" },
      malformed: false,
    });
  });
});

describe("intentsBySegment", () => {
  it("maps each segment to its intent, and has nothing for errors or unfinished runs", () => {
    expect(intentsBySegment(final as never)).toEqual(
      new Map([
        [0, "greeting"],
        [2, "pricing_objection"],
      ]),
    );
    expect(intentsBySegment({ error: "failed" })).toBeNull();
    expect(intentsBySegment(null)).toBeNull();
  });
});
