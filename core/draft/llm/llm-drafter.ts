/**
 * The LLM drafting engine: one call transcript → intents, action items and talk tracks, via
 * LangChain's ChatOpenAI against any OpenAI-compatible endpoint.
 *
 * Flow: render the prompt set → structured-output call (with retries on 429/5xx/timeouts,
 * under the endpoint's concurrency cap) → validate (schema, then taxonomy/catalogue/ordinals)
 * → if invalid, one repair call with the errors and the raw output → draft + provenance, or an
 * UnprocessableError carrying the reason and the raw output.
 */
import { ChatOpenAI } from "@langchain/openai";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { DraftInput } from "../schema.ts";
import { formatPromptSetReference } from "../prompt-sets.ts";
import {
  invalidOutputError,
  resolveLlmDrafterOptions,
  type LlmDrafterOptions,
  type LlmDraftResult,
  type LlmDraftStats,
} from "./drafter-options.ts";
import { endpointSemaphore } from "./endpoint-concurrency.ts";
import {
  buildRepairInstruction,
  modelDraftOutputJsonSchema,
  modelDraftOutputName,
} from "./model-output.ts";
import { buildLlmProvenance, type TokenUsage } from "./provenance.ts";
import { renderDraftPrompt } from "./render-prompt.ts";
import { callWithRetries } from "./retry.ts";
import { validateDraftOutput } from "./validate-draft-output.ts";

export interface LlmDrafter {
  /** `"<set>@<version>"`, as recorded in provenance. */
  readonly promptSetVersion: string;
  readonly model: string;
  draft(input: DraftInput, options?: { signal?: AbortSignal }): Promise<LlmDraftResult>;
}

function textOfContent(content: AIMessage["content"]): string {
  if (typeof content === "string") return content;
  return content
    .map((block) =>
      typeof block === "object" && block !== null && "text" in block ? String(block.text) : "",
    )
    .join("");
}

/** The model's output as text, whichever way it was requested (a forced tool call or content). */
export function rawOutputOfMessage(message: AIMessage): string {
  const rawToolCalls = message.additional_kwargs?.tool_calls as
    Array<{ function?: { arguments?: string } }> | undefined;
  const toolArguments = rawToolCalls?.[0]?.function?.arguments;
  if (typeof toolArguments === "string") return toolArguments;
  if (message.tool_calls?.[0]) return JSON.stringify(message.tool_calls[0].args);
  if (message.invalid_tool_calls?.[0]?.args) return message.invalid_tool_calls[0].args;
  return textOfContent(message.content);
}

/**
 * Keeps the body of the last JSON response. With `response_format: json_schema` LangChain
 * calls the openai client's `parse()`, which throws on output that is not JSON (or was cut off
 * at max tokens) and drops the text; the captured body gives it back for the repair.
 */
interface ResponseCapture {
  lastBody: string | null;
}

function capturingFetch(capture: ResponseCapture): typeof fetch {
  return async (input, init) => {
    capture.lastBody = null;
    const response = await fetch(input, init);
    if (response.ok && response.headers.get("content-type")?.includes("application/json")) {
      capture.lastBody = await response.clone().text();
    }
    return response;
  };
}

function isClientSideParseFailure(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const name = (error as object | null)?.constructor?.name ?? "";
  return (
    /FinishReasonError$/.test(name) ||
    /^Could not parse response content/.test((error as Error)?.message ?? "")
  );
}

/** Output and usage read straight from a chat-completion body. */
function readCapturedCompletion(body: string): { raw: string; usage: TokenUsage } | null {
  try {
    const completion = JSON.parse(body) as {
      choices?: Array<{
        message?: {
          content?: string | null;
          tool_calls?: Array<{ function?: { arguments?: string } }>;
        };
      }>;
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    const message = completion.choices?.[0]?.message;
    if (!message) return null;
    return {
      raw: message.tool_calls?.[0]?.function?.arguments ?? message.content ?? "",
      usage: {
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
      },
    };
  } catch {
    return null;
  }
}

export function createLlmDrafter(options: LlmDrafterOptions): LlmDrafter {
  const settings = resolveLlmDrafterOptions(options);
  const { promptSet } = settings;
  const manifest = promptSet.manifest;

  // One model object per draft call so the response capture is never shared between calls.
  function createStructuredModel(capture: ResponseCapture) {
    const chatModel = new ChatOpenAI({
      model: manifest.model,
      apiKey: settings.apiKey,
      configuration: { baseURL: settings.baseUrl, fetch: capturingFetch(capture) },
      temperature: manifest.temperature,
      maxTokens: manifest.maxTokens,
      timeout: settings.timeoutMs,
      // Retries are ours (retry.ts): counted, observable, and honouring retry-after.
      maxRetries: 0,
    });
    // A plain JSON Schema rather than the zod schema: given zod, the openai client validates
    // the reply itself and throws away the raw text we need for the repair and for debugging.
    // We validate with zod ourselves.
    return chatModel.withStructuredOutput(modelDraftOutputJsonSchema, {
      name: modelDraftOutputName,
      method: manifest.structuredOutput,
      includeRaw: true,
      strict: true,
    });
  }

  return {
    promptSetVersion: formatPromptSetReference(promptSet),
    model: manifest.model,
    async draft(input, callOptions = {}) {
      const signal = callOptions.signal;
      const started = performance.now();
      const prompt = renderDraftPrompt(promptSet, input);
      const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
      const stats: LlmDraftStats = { modelCalls: 0, retries: 0, repaired: false };
      const semaphore = endpointSemaphore(settings.baseUrl, settings.concurrency);
      const capture: ResponseCapture = { lastBody: null };
      const structuredModel = createStructuredModel(capture);

      const complete = (messages: BaseMessage[]): Promise<string> =>
        callWithRetries(
          async () => {
            // One slot per HTTP request, released while we back off so others can proceed.
            const release = await semaphore.acquire(signal);
            try {
              stats.modelCalls += 1;
              const result = (await structuredModel.invoke(messages, { signal })) as {
                raw: AIMessage;
              };
              usage.inputTokens += result.raw.usage_metadata?.input_tokens ?? 0;
              usage.outputTokens += result.raw.usage_metadata?.output_tokens ?? 0;
              return rawOutputOfMessage(result.raw);
            } catch (error) {
              const captured =
                isClientSideParseFailure(error) && capture.lastBody !== null
                  ? readCapturedCompletion(capture.lastBody)
                  : null;
              if (captured === null) throw error;
              usage.inputTokens += captured.usage.inputTokens;
              usage.outputTokens += captured.usage.outputTokens;
              return captured.raw;
            } finally {
              release();
            }
          },
          settings.retryPolicy,
          {
            signal,
            onRetry: (event) => {
              stats.retries += 1;
              settings.onRetry?.(event);
            },
          },
        );

      const messages = [new SystemMessage(prompt.system), new HumanMessage(prompt.user)];
      const firstRaw = await complete(messages);
      const first = validateDraftOutput(firstRaw, input);
      if (first.ok) {
        return {
          content: first.content,
          provenance: buildLlmProvenance(promptSet, usage, performance.now() - started),
          raw: firstRaw,
          stats,
        };
      }

      // One repair: the model sees its own output and what was wrong with it.
      stats.repaired = true;
      const repairedRaw = await complete([
        ...messages,
        new AIMessage(firstRaw),
        new HumanMessage(buildRepairInstruction(first.issues, firstRaw)),
      ]);
      const repaired = validateDraftOutput(repairedRaw, input);
      const provenance = buildLlmProvenance(promptSet, usage, performance.now() - started);
      if (!repaired.ok) {
        // Not retryable: the same prompt would most likely fail the same way.
        throw invalidOutputError({
          issues: repaired.issues,
          raw: repairedRaw,
          firstRaw,
          provenance,
          stats,
        });
      }
      return { content: repaired.content, provenance, raw: repairedRaw, stats };
    },
  };
}
