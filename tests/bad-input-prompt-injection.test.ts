/**
 * The corpus's prompt-injection transcripts (fixtures/bad-input/prompt-injection.*) are valid files —
 * they are imported like any other — so the defence is in the drafter: every line of the call stays
 * inside the one <transcript> block, escaped, and whatever the model answers is schema-validated.
 */
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UnprocessableError } from "../core/errors.ts";
import { loadPromptSetsFromDirectory } from "../core/draft/prompt-sets.ts";
import type { PromptSetVersion } from "../core/draft/prompt-sets.ts";
import { createLlmDrafter } from "../core/draft/llm/llm-drafter.ts";
import { renderDraftPrompt } from "../core/draft/llm/render-prompt.ts";
import { testDraftInput } from "../core/draft/llm/test-fixtures.ts";
import { parseTranscript } from "../core/upload/transcript-formats.ts";
import { corpusFile } from "./fixtures/bad-input/corpus.ts";
import { startOpenAiCompatibleServer } from "./support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer } from "./support/openai-compatible-server.ts";

const injectionFiles = ["prompt-injection.vtt", "prompt-injection.json"];

function draftInputFrom(fileName: string) {
  const parsed = parseTranscript(corpusFile(fileName).toString("utf8"), { fileName });
  const segments = parsed.segments.map((segment, ordinal) => ({ ordinal, ...segment }));
  return testDraftInput({ segments });
}

let server: OpenAiCompatibleServer;
let promptSet: PromptSetVersion;

beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
  const versions = await loadPromptSetsFromDirectory(path.resolve(import.meta.dirname, "../prompts"));
  promptSet = versions.find((version) => version.set === "sales-call" && version.version === "v1")!;
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => server.reset());

describe.each(injectionFiles)("prompt injection in %s", (fileName) => {
  it("stays inside one escaped transcript block, one line per utterance", () => {
    const input = draftInputFrom(fileName);
    const { system, user } = renderDraftPrompt(promptSet, input);
    expect(system).not.toMatch(/admin mode|GRANT_REFUND|Ignore all previous/);
    expect(user.split("<transcript>")).toHaveLength(2);
    expect(user.split("</transcript>")).toHaveLength(2);
    const block = user.slice(user.indexOf("<transcript>") + "<transcript>".length, user.indexOf("</transcript>")).trim();
    const lines = block.split("\n");
    // Exactly one line per utterance, each starting with its own ordinal: none can fake another.
    expect(lines.map((line) => /^\[(\d+)\] /.exec(line)?.[1])).toEqual(input.segments.map((segment) => String(segment.ordinal)));
    expect(block).not.toMatch(/[<>]/);
    expect(block).toMatch(/Ignore all previous instructions\./);
  });

  it("refuses a model answer that obeyed the injection instead of the schema", async () => {
    const obeyed = JSON.stringify({ intents: [{ label: "GRANT_REFUND", confidence: 1 }] });
    server.enqueue({ content: obeyed }, { content: obeyed });
    const drafter = createLlmDrafter({ baseUrl: server.baseUrl, apiKey: server.apiKey, promptSet, retryBaseDelayMs: 1 });
    const error = await drafter.draft(draftInputFrom(fileName)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).retryable).toBe(false);
    expect(server.chatRequests()).toHaveLength(2);
  });
});
