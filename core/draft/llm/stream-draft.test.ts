import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  startOpenAiCompatibleServer,
  type OpenAiCompatibleServer,
} from "../../../tests/support/openai-compatible-server.ts";
import { UnprocessableError } from "../../errors.ts";
import { loadPromptSetsFromDirectory, type PromptSetVersion } from "../prompt-sets.ts";
import type { LlmDraftFailureDetails, LlmDrafterOptions } from "./drafter-options.ts";
import { createLlmDrafter } from "./llm-drafter.ts";
import { reconcileDraft } from "./reconcile-draft.ts";
import { streamDraft } from "./stream-draft.ts";
import { testDraftInput, validModelOutput } from "./test-fixtures.ts";

const promptsDirectory = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../prompts",
);

let server: OpenAiCompatibleServer;
let promptSet: PromptSetVersion;

beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
  const versions = await loadPromptSetsFromDirectory(promptsDirectory);
  promptSet = versions.find((version) => version.set === "sales-call" && version.version === "v1")!;
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

function options(overrides: Partial<LlmDrafterOptions> = {}): LlmDrafterOptions {
  return {
    baseUrl: server.baseUrl,
    apiKey: server.apiKey,
    promptSet,
    retryBaseDelayMs: 1,
    ...overrides,
  };
}

function withMethod(method: "jsonSchema" | "functionCalling"): PromptSetVersion {
  return { ...promptSet, manifest: { ...promptSet.manifest, structuredOutput: method } };
}

async function readAll(stream: ReadableStream<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<string>) chunks.push(chunk);
  return chunks;
}

describe("streamDraft", () => {
  it.each(["jsonSchema", "functionCalling"] as const)(
    "streams the model's JSON in chunks and resolves a validated draft (%s)",
    async (method) => {
      const raw = JSON.stringify(validModelOutput());
      server.enqueue({
        content: raw,
        chunkSize: 16,
        usage: { promptTokens: 900, completionTokens: 250 },
      });
      const streamed = streamDraft(options({ promptSet: withMethod(method) }), testDraftInput());
      const chunks = await readAll(streamed.textStream);
      const result = await streamed.final;

      expect(chunks.length).toBeGreaterThan(10);
      expect(chunks.join("")).toBe(raw);
      expect(result.raw).toBe(raw);
      expect(result.content).toEqual(reconcileDraft(validModelOutput(), testDraftInput()));
      expect(result.provenance).toMatchObject({
        engine: "llm",
        promptSetVersion: "sales-call@v1",
        inputTokens: 900,
        outputTokens: 250,
      });
      expect(result.stats).toEqual({ modelCalls: 1, retries: 0, repaired: false });

      const [body] = server.chatRequests();
      expect(body.stream).toBe(true);
      expect(body.stream_options).toEqual({ include_usage: true });
      if (method === "jsonSchema") {
        expect(body.response_format?.type).toBe("json_schema");
      } else {
        expect(body.tool_choice).toEqual({
          type: "function",
          function: { name: "sales_call_draft" },
        });
      }
    },
  );

  it("sends the same messages as the LangChain drafter", async () => {
    const raw = JSON.stringify(validModelOutput());
    server.enqueue({ content: raw }, { content: raw });
    await createLlmDrafter(options()).draft(testDraftInput());
    await streamDraft(options(), testDraftInput()).final;
    const [langchain, aiSdk] = server.chatRequests();
    const contents = (messages: typeof langchain.messages) =>
      messages.map((message) => [message.role, message.content]);
    expect(contents(aiSdk.messages)).toEqual(contents(langchain.messages));
  });

  it("repairs invalid output without streaming the repair", async () => {
    server.enqueue(
      { content: '{"intents": "oops"}' },
      { content: JSON.stringify(validModelOutput()) },
    );
    const streamed = streamDraft(options(), testDraftInput());
    const chunks = await readAll(streamed.textStream);
    const result = await streamed.final;
    expect(chunks.join("")).toBe('{"intents": "oops"}');
    expect(result.stats).toEqual({ modelCalls: 2, retries: 0, repaired: true });
    expect(result.content.intents).toHaveLength(6);
    const repair = server.chatRequests()[1];
    expect(repair.messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
  });

  it("fails with the raw output when the repair is invalid too", async () => {
    server.enqueue({ content: "no" }, { content: "still no" });
    const streamed = streamDraft(options(), testDraftInput());
    const error = await streamed.final.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    const details = (error as UnprocessableError).details as LlmDraftFailureDetails;
    expect([details.firstRaw, details.raw]).toEqual(["no", "still no"]);
  });

  it("retries a 429 before any text is streamed", async () => {
    const retries: number[] = [];
    server.enqueue(
      { status: 429, headers: { "retry-after": "0" } },
      { content: JSON.stringify(validModelOutput()) },
    );
    const streamed = streamDraft(
      options({ onRetry: (event) => retries.push(event.status ?? -1) }),
      testDraftInput(),
    );
    const chunks = await readAll(streamed.textStream);
    const result = await streamed.final;
    expect(retries).toEqual([429]);
    expect(result.stats.retries).toBe(1);
    expect(chunks.join("")).toBe(JSON.stringify(validModelOutput()));
  });

  it("retries a request that timed out", async () => {
    server.enqueue(
      { content: JSON.stringify(validModelOutput()), delayMs: 2_000 },
      { content: JSON.stringify(validModelOutput()) },
    );
    const streamed = streamDraft(options({ timeoutMs: 250 }), testDraftInput());
    const result = await streamed.final;
    expect(result.stats).toEqual({ modelCalls: 2, retries: 1, repaired: false });
  });

  it("aborts the request when the reader cancels the stream", async () => {
    server.enqueue({ content: JSON.stringify(validModelOutput()), delayMs: 2_000 });
    const streamed = streamDraft(options(), testDraftInput());
    await streamed.textStream.cancel();
    await expect(streamed.final).rejects.toThrow();
  });
});
