/**
 * Streaming drafts for the browser sandbox, through the AI SDK. The model's JSON arrives as
 * text deltas (for a live view) and `final` resolves with the same validated draft the
 * LangChain drafter would produce: same prompt, same schema, same semantic checks, same single
 * repair, same retry policy and concurrency cap.
 *
 * Framework-free: `textStream` is a web ReadableStream<string> (also async-iterable), which a
 * route can pipe with e.g. `Readable.fromWeb(textStream)` or write chunk by chunk as SSE.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { jsonSchema, Output, streamText, tool, type ModelMessage } from "ai";
import type { DraftInput } from "../schema.ts";
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
import { TransientError } from "../../errors.ts";

export interface StreamedDraft {
  /**
   * The first attempt's output as it arrives (JSON text). Closes when that attempt ends; if a
   * repair is needed it is not streamed (`final` carries its result). Errors surface in
   * `final`, not here. Cancelling it aborts the request.
   */
  textStream: ReadableStream<string>;
  /** The validated draft, or the same typed errors as `LlmDrafter.draft`. */
  final: Promise<LlmDraftResult>;
}

/**
 * The stream failed after text was already forwarded to the client: retrying here would
 * duplicate that text, so the caller sees the failure (the user can simply try again).
 */
class PartialStreamError extends TransientError {}

export function streamDraft(
  options: LlmDrafterOptions,
  input: DraftInput,
  callOptions: { signal?: AbortSignal } = {},
): StreamedDraft {
  const settings = resolveLlmDrafterOptions(options);
  const { promptSet } = settings;
  const manifest = promptSet.manifest;
  const cancelled = new AbortController();
  const signal = callOptions.signal
    ? AbortSignal.any([callOptions.signal, cancelled.signal])
    : cancelled.signal;

  let controller!: ReadableStreamDefaultController<string>;
  let streamOpen = true;
  const textStream = new ReadableStream<string>({
    start(streamController) {
      controller = streamController;
    },
    cancel(reason) {
      streamOpen = false;
      cancelled.abort(reason ?? new Error("draft stream cancelled"));
    },
  });
  const closeStream = () => {
    if (streamOpen) {
      streamOpen = false;
      controller.close();
    }
  };

  // `.chat()`: many compatible servers only speak /v1/chat/completions, not /v1/responses.
  const model = createOpenAI({ baseURL: settings.baseUrl, apiKey: settings.apiKey }).chat(
    manifest.model,
  );
  const schema = jsonSchema<unknown>(modelDraftOutputJsonSchema);
  const useTool = manifest.structuredOutput === "functionCalling";
  const tools = { [modelDraftOutputName]: tool({ inputSchema: schema }) };
  const output = Output.object({ schema, name: modelDraftOutputName });

  const final = (async (): Promise<LlmDraftResult> => {
    const started = performance.now();
    const prompt = renderDraftPrompt(promptSet, input);
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    const stats: LlmDraftStats = { modelCalls: 0, retries: 0, repaired: false };
    const semaphore = endpointSemaphore(settings.baseUrl, settings.concurrency);

    const complete = (messages: ModelMessage[], forward: boolean): Promise<string> =>
      callWithRetries(
        async () => {
          const release = await semaphore.acquire(signal);
          const timeout = AbortSignal.timeout(settings.timeoutMs);
          let raw = "";
          try {
            stats.modelCalls += 1;
            const result = streamText({
              model,
              system: prompt.system,
              messages,
              temperature: manifest.temperature,
              maxOutputTokens: manifest.maxTokens,
              // Retries are ours (retry.ts), the same as the LangChain drafter's.
              maxRetries: 0,
              abortSignal: AbortSignal.any([signal, timeout]),
              // Errors are read from the stream below and handled there, not logged by the SDK.
              onError: () => undefined,
              // Same choice as the LangChain drafter: a forced tool call or a JSON-schema response.
              tools: useTool ? tools : undefined,
              toolChoice: useTool ? { type: "tool", toolName: modelDraftOutputName } : undefined,
              output: useTool ? undefined : output,
            });
            for await (const part of result.fullStream) {
              if (part.type === "text-delta" || part.type === "tool-input-delta") {
                const text = part.type === "text-delta" ? part.text : part.delta;
                raw += text;
                if (forward && streamOpen && text !== "") controller.enqueue(text);
              } else if (part.type === "finish") {
                usage.inputTokens += part.totalUsage.inputTokens ?? 0;
                usage.outputTokens += part.totalUsage.outputTokens ?? 0;
              } else if (part.type === "error") {
                throw part.error;
              } else if (part.type === "abort") {
                // A cut-off answer is not an answer: surface the abort (timeout or caller).
                throw new DOMException("model request aborted", "AbortError");
              }
            }
            return raw;
          } catch (error) {
            if (signal.aborted) throw error;
            const failure = timeout.aborted
              ? new TransientError(
                  `model endpoint did not answer within ${settings.timeoutMs} ms`,
                  undefined,
                  { cause: error },
                )
              : error;
            if (forward && raw !== "") {
              throw new PartialStreamError(
                `draft stream broke off: ${(failure as Error).message}`,
                undefined,
                {
                  cause: failure,
                },
              );
            }
            throw failure;
          } finally {
            release();
          }
        },
        settings.retryPolicy,
        {
          signal,
          shouldRetry: (error) => error.retryable && !(error instanceof PartialStreamError),
          onRetry: (event) => {
            stats.retries += 1;
            settings.onRetry?.(event);
          },
        },
      );

    const messages: ModelMessage[] = [{ role: "user", content: prompt.user }];
    let firstRaw: string;
    try {
      firstRaw = await complete(messages, true);
    } finally {
      closeStream();
    }
    const first = validateDraftOutput(firstRaw, input);
    if (first.ok) {
      return {
        content: first.content,
        provenance: buildLlmProvenance(promptSet, usage, performance.now() - started),
        raw: firstRaw,
        stats,
      };
    }
    stats.repaired = true;
    const repairedRaw = await complete(
      [
        ...messages,
        { role: "assistant", content: firstRaw },
        { role: "user", content: buildRepairInstruction(first.issues, firstRaw) },
      ],
      false,
    );
    const repaired = validateDraftOutput(repairedRaw, input);
    const provenance = buildLlmProvenance(promptSet, usage, performance.now() - started);
    if (!repaired.ok) {
      throw invalidOutputError({
        issues: repaired.issues,
        raw: repairedRaw,
        firstRaw,
        provenance,
        stats,
      });
    }
    return { content: repaired.content, provenance, raw: repairedRaw, stats };
  })();
  // The caller may only read the stream; an unobserved rejection must not crash the process.
  final.catch(() => undefined);

  return { textStream, final };
}
