import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  deterministicEmbedding,
  startOpenAiCompatibleServer,
  type OpenAiCompatibleServer,
} from "./openai-compatible-server.ts";

let server: OpenAiCompatibleServer;

beforeAll(async () => {
  server = await startOpenAiCompatibleServer({ models: ["m1", "e1"] });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

function post(path: string, body: unknown, apiKey = server.apiKey) {
  return fetch(`${server.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
}

/** The JSON payloads of an SSE response, without the final [DONE]. */
async function readEvents(response: Response): Promise<any[]> {
  const text = await response.text();
  const payloads = text
    .split("\n\n")
    .filter((event) => event.startsWith("data: "))
    .map((event) => event.slice("data: ".length));
  expect(payloads.at(-1)).toBe("[DONE]");
  return payloads.slice(0, -1).map((payload) => JSON.parse(payload));
}

const chat = { model: "m1", messages: [{ role: "user", content: "你好 world" }] };

describe("openai-compatible test server", () => {
  it("rejects a wrong API key with an OpenAI-style 401 and still records the request", async () => {
    const response = await post("/chat/completions", chat, "nope");
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("invalid_api_key");
    expect(server.requests).toHaveLength(1);
  });

  it("answers a chat completion with the queued content and counted usage", async () => {
    server.enqueue({ content: "回答 ok" });
    const response = await post("/chat/completions", {
      ...chat,
      response_format: { type: "json_schema" },
    });
    const body = await response.json();
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]).toMatchObject({
      message: { role: "assistant", content: "回答 ok" },
      finish_reason: "stop",
    });
    // "你好 world" = 2 CJK characters + 1 word; "回答 ok" = 2 + 1.
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
    expect(server.chatRequests()[0].response_format).toEqual({ type: "json_schema" });
  });

  it("builds content from the request and serves replies in order", async () => {
    server.enqueue((request) => ({ content: `echo ${request.messages.length}` }), {
      content: "second",
    });
    const first = await (await post("/chat/completions", chat)).json();
    const second = await (await post("/chat/completions", chat)).json();
    expect([first.choices[0].message.content, second.choices[0].message.content]).toEqual([
      "echo 1",
      "second",
    ]);
    expect(server.pendingReplies()).toBe(0);
  });

  it("returns scripted statuses with headers, and a 400 when nothing is queued", async () => {
    server.enqueue({ status: 429, headers: { "retry-after": "1" } });
    const limited = await post("/chat/completions", chat);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    const unscripted = await post("/chat/completions", chat);
    expect(unscripted.status).toBe(400);
    expect((await unscripted.json()).error.message).toContain("no scripted reply");
  });

  it("streams content in pieces with a finish chunk and a usage chunk", async () => {
    server.enqueue({ content: "一二三四五六七八九十 and more", chunkSize: 4 });
    const events = await readEvents(
      await post("/chat/completions", {
        ...chat,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const text = events.map((event) => event.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("一二三四五六七八九十 and more");
    expect(events.filter((event) => event.choices[0]?.delta?.content).length).toBeGreaterThan(3);
    expect(events.at(-2).choices[0].finish_reason).toBe("stop");
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 12 } });
  });

  it("answers a forced tool call with JSON arguments, plain and streamed", async () => {
    const tools = [
      { type: "function", function: { name: "extract", parameters: { type: "object" } } },
    ];
    const toolChoice = { type: "function", function: { name: "extract" } };
    server.enqueue({ content: '{"a":1}' }, { content: '{"answer":"很好"}', chunkSize: 3 });
    const plain = await (
      await post("/chat/completions", { ...chat, tools, tool_choice: toolChoice })
    ).json();
    expect(plain.choices[0].finish_reason).toBe("tool_calls");
    expect(plain.choices[0].message.tool_calls[0].function).toEqual({
      name: "extract",
      arguments: '{"a":1}',
    });

    const events = await readEvents(
      await post("/chat/completions", { ...chat, tools, tool_choice: toolChoice, stream: true }),
    );
    const calls = events.flatMap((event) => event.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: "function", function: { name: "extract" } });
    expect(calls.map((call: any) => call.function.arguments).join("")).toBe('{"answer":"很好"}');
    expect(calls.length).toBeGreaterThan(3);
    // No usage chunk unless asked for.
    expect(events.some((event) => event.usage)).toBe(false);
  });

  it("returns deterministic embeddings of the requested size, as floats or base64", async () => {
    const texts = ["价格太高了", "价格有点高", "send the case study"];
    const body = await (
      await post("/embeddings", { model: "e1", input: texts, dimensions: 64 })
    ).json();
    const vectors: number[][] = body.data.map((entry: { embedding: number[] }) => entry.embedding);
    expect(vectors.map((vector) => vector.length)).toEqual([64, 64, 64]);
    expect(vectors[0]).toEqual(deterministicEmbedding(texts[0], 64));
    const cosine = (a: number[], b: number[]) =>
      a.reduce((sum, value, index) => sum + value * b[index], 0);
    expect(cosine(vectors[0], vectors[0])).toBeCloseTo(1, 6);
    // Sharing characters makes vectors closer than unrelated text.
    expect(cosine(vectors[0], vectors[1])).toBeGreaterThan(cosine(vectors[0], vectors[2]));

    const encoded = await (
      await post("/embeddings", { model: "e1", input: "价格太高了", encoding_format: "base64" })
    ).json();
    const bytes = Buffer.from(encoded.data[0].embedding, "base64");
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(floats.length).toBe(1536);
    expect(floats[0]).toBeCloseTo(deterministicEmbedding("价格太高了", 1536)[0], 6);
  });

  it("can fail embeddings on demand and lists models", async () => {
    server.enqueueEmbeddings({ status: 500 });
    expect((await post("/embeddings", { model: "e1", input: "x" })).status).toBe(500);
    expect((await post("/embeddings", { model: "e1", input: "x" })).status).toBe(200);
    const models = await (
      await fetch(`${server.baseUrl}/models`, {
        headers: { authorization: `Bearer ${server.apiKey}` },
      })
    ).json();
    expect(models.data.map((model: { id: string }) => model.id)).toEqual(["m1", "e1"]);
  });
});
