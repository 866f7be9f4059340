/**
 * One LLM invocation of an agent, whatever it produces: rendered messages → structured-output call
 * (retries with backoff on 429/5xx/timeouts, each HTTP request under the caller's concurrency limit)
 * → validate with the agent's own check → if invalid, one repair call with the issues and the raw
 * output → the value, the raw output, tokens and timing. The sales-call drafter (`llm-drafter.ts`)
 * and every agent of the pipeline (`core/agents/`) share it.
 *
 * When a trace is given, it records the exact messages (a `prompt` span), every HTTP request with
 * its request body, raw response, tokens, latency, cost and attempt (`model_call` spans), and each
 * validation (`parse` spans). The trace itself is started and finished by the caller.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ChatOpenAI } from "@langchain/openai";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { UnprocessableError } from "../../errors.ts";
import type { TraceHandle } from "../../traces/trace.ts";
import type { LlmDraftStats } from "./drafter-options.ts";
import { buildRepairInstruction } from "./model-output.ts";
import type { TokenUsage } from "./provenance.ts";
import { callWithRetries, type RetryEvent, type RetryPolicy } from "./retry.ts";

export type OutputCheck<Value> = { ok: true; value: Value } | { ok: false; issues: string[] };

export interface LlmInvocation<Value> {
  /** OpenAI-compatible base URL including `/v1`. */
  baseUrl: string;
  apiKey: string;
  model: string;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
  structuredOutput: "jsonSchema" | "functionCalling";
  /** Plain JSON Schema (not zod): given zod, the openai client throws the raw text away. */
  outputJsonSchema: Record<string, unknown>;
  outputName: string;
  messages: { system: string; user: string };
  validate(raw: string): OutputCheck<Value>;
  /** Takes one concurrency slot for one HTTP request; released (not awaited) before backing off or going on. */
  acquire(signal?: AbortSignal): Promise<() => void | Promise<void>>;
  retryPolicy: RetryPolicy;
  onRetry?: (event: RetryEvent) => void;
  signal?: AbortSignal;
  trace?: TraceHandle | null;
  /** US dollars for some tokens (for the model_call spans); 0 when not given. */
  costOf?: (usage: TokenUsage) => number;
}

export interface LlmInvocationResult<Value> {
  value: Value;
  /** The output the value was read from (after a repair: the repaired one). */
  raw: string;
  usage: TokenUsage;
  stats: LlmDraftStats;
  latencyMs: number;
}

/** `details` of the UnprocessableError thrown when the output stays invalid after the repair. */
export interface LlmInvocationFailure {
  reason: string;
  issues: string[];
  raw: string;
  firstRaw: string;
  usage: TokenUsage;
  stats: LlmDraftStats;
  latencyMs: number;
}

function textOfContent(content: AIMessage["content"]): string {
  if (typeof content === "string") return content;
  return content.map((block) => (typeof block === "object" && block !== null && "text" in block ? String(block.text) : "")).join("");
}

/** The model's output as text, whichever way it was requested (a forced tool call or content). */
export function rawOutputOfMessage(message: AIMessage): string {
  const rawToolCalls = message.additional_kwargs?.tool_calls as Array<{ function?: { arguments?: string } }> | undefined;
  const toolArguments = rawToolCalls?.[0]?.function?.arguments;
  if (typeof toolArguments === "string") return toolArguments;
  if (message.tool_calls?.[0]) return JSON.stringify(message.tool_calls[0].args);
  if (message.invalid_tool_calls?.[0]?.args) return message.invalid_tool_calls[0].args;
  return textOfContent(message.content);
}

/**
 * Keeps the request body and JSON response of a call. With `response_format: json_schema` LangChain
 * calls the openai client's `parse()`, which throws on output that is not JSON (or was cut off at
 * max tokens) and drops the text; the captured body gives it back for the repair and the trace.
 */
interface Capture {
  requestBody: string | null;
  responseBody: string | null;
}

// The model objects are shared between invocations, so the capture of the call in progress is found
// through the async context the call runs in, not through the model.
const captures = new AsyncLocalStorage<Capture>();

const capturingFetch: typeof fetch = async (input, init) => {
  const capture = captures.getStore();
  if (!capture) return fetch(input, init);
  capture.responseBody = null;
  capture.requestBody = typeof init?.body === "string" ? init.body : null;
  const response = await fetch(input, init);
  if (!response.headers.get("content-type")?.includes("application/json")) return response;
  // Read once and handed on as a new response (cheaper than clone(), which tees the stream).
  capture.responseBody = await response.text();
  return new Response(capture.responseBody, { status: response.status, statusText: response.statusText, headers: response.headers });
};

type StructuredModel = Runnable<BaseMessage[], AIMessage>;

// One model object per endpoint, key, model, parameters and output schema, reused by every call:
// building ChatOpenAI and its structured-output chain on each call cost about 1.5 ms of CPU, the
// chain's parser (whose result we never read: the agent validates the raw output) another 1.3 ms.
// The request is the one `withStructuredOutput(schema, { method, strict: true })` sends.
const models = new WeakMap<object, Map<string, StructuredModel>>();
const modelsPerSchema = 50;

function structuredModelFor(invocation: LlmInvocation<unknown>): StructuredModel {
  const { outputJsonSchema: schema, outputName: name } = invocation;
  const key = JSON.stringify([invocation.baseUrl, invocation.apiKey, invocation.model, invocation.temperature, invocation.maxTokens,
    invocation.timeoutMs, invocation.structuredOutput, name]);
  let bySettings = models.get(schema);
  if (!bySettings) models.set(schema, (bySettings = new Map()));
  const cached = bySettings.get(key);
  if (cached) return cached;
  const chat = new ChatOpenAI({
    model: invocation.model,
    apiKey: invocation.apiKey,
    configuration: { baseURL: invocation.baseUrl, fetch: capturingFetch },
    temperature: invocation.temperature,
    maxTokens: invocation.maxTokens,
    timeout: invocation.timeoutMs,
    // Retries are ours (retry.ts): counted, observable, and honouring retry-after.
    maxRetries: 0,
  });
  const model: StructuredModel =
    invocation.structuredOutput === "functionCalling"
      ? chat.bindTools([{ type: "function", function: { name, description: "", parameters: schema } }], {
          tool_choice: { type: "function", function: { name } },
          strict: true,
        })
      : chat.withConfig({ response_format: { type: "json_schema", json_schema: { name, schema, strict: true } } });
  if (bySettings.size >= modelsPerSchema) bySettings.delete(bySettings.keys().next().value!);
  bySettings.set(key, model);
  return model;
}

function isClientSideParseFailure(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const name = (error as object | null)?.constructor?.name ?? "";
  return /FinishReasonError$/.test(name) || /^Could not parse response content/.test((error as Error)?.message ?? "");
}

/** Output and usage read straight from a chat-completion body. */
function readCapturedCompletion(body: string): { raw: string; usage: TokenUsage } | null {
  try {
    const completion = JSON.parse(body) as {
      choices?: Array<{ message?: { content?: string | null; tool_calls?: Array<{ function?: { arguments?: string } }> } }>;
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    const message = completion.choices?.[0]?.message;
    if (!message) return null;
    return {
      raw: message.tool_calls?.[0]?.function?.arguments ?? message.content ?? "",
      usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
    };
  } catch {
    return null;
  }
}

function parseJsonOrText(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function invokeLlmAgent<Value>(invocation: LlmInvocation<Value>): Promise<LlmInvocationResult<Value>> {
  const { signal, trace } = invocation;
  const started = performance.now();
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const stats: LlmDraftStats = { modelCalls: 0, retries: 0, repaired: false };
  const capture: Capture = { requestBody: null, responseBody: null };
  const structuredModel = structuredModelFor(invocation as LlmInvocation<unknown>);

  const complete = (messages: BaseMessage[], repair: boolean): Promise<string> =>
    callWithRetries(
      async (attempt) => {
        const release = await invocation.acquire(signal);
        const span = trace?.span("model_call", repair ? "repair" : "completion", undefined, {
          model: invocation.model,
          temperature: invocation.temperature,
          maxTokens: invocation.maxTokens,
          structuredOutput: invocation.structuredOutput,
          attempt,
          repair,
        });
        const callStarted = performance.now();
        const endSpan = (callUsage: TokenUsage, end: { status: "ok" | "error"; error?: string }) =>
          span?.end({
            status: end.status,
            error: end.error,
            input: parseJsonOrText(capture.requestBody),
            output: capture.responseBody,
            attributes: { latencyMs: Math.round(performance.now() - callStarted) },
            inputTokens: callUsage.inputTokens,
            outputTokens: callUsage.outputTokens,
            costUsd: invocation.costOf?.(callUsage) ?? 0,
          });
        try {
          stats.modelCalls += 1;
          const message = await captures.run(capture, () => structuredModel.invoke(messages, { signal }));
          const callUsage = {
            inputTokens: message.usage_metadata?.input_tokens ?? 0,
            outputTokens: message.usage_metadata?.output_tokens ?? 0,
          };
          usage.inputTokens += callUsage.inputTokens;
          usage.outputTokens += callUsage.outputTokens;
          endSpan(callUsage, { status: "ok" });
          return rawOutputOfMessage(message);
        } catch (error) {
          const captured = isClientSideParseFailure(error) && capture.responseBody !== null ? readCapturedCompletion(capture.responseBody) : null;
          if (captured === null) {
            endSpan({ inputTokens: 0, outputTokens: 0 }, { status: "error", error: (error as Error)?.message ?? String(error) });
            throw error;
          }
          usage.inputTokens += captured.usage.inputTokens;
          usage.outputTokens += captured.usage.outputTokens;
          endSpan(captured.usage, { status: "ok" });
          return captured.raw;
        } finally {
          // Given back without waiting for it: nothing after this depends on it (a waiter is woken when
          // it is done), and a release that fails lapses with its lease.
          void (async () => release())().catch(() => {});
        }
      },
      invocation.retryPolicy,
      {
        signal,
        onRetry: (event) => {
          stats.retries += 1;
          invocation.onRetry?.(event);
        },
      },
    );

  const check = (raw: string, name: string): OutputCheck<Value> => {
    const span = trace?.span("parse", name, raw);
    const result = invocation.validate(raw);
    span?.end(result.ok ? { status: "ok" } : { status: "error", error: result.issues.slice(0, 5).join("; "), output: { issues: result.issues } });
    return result;
  };

  const messages = [new SystemMessage(invocation.messages.system), new HumanMessage(invocation.messages.user)];
  trace
    ?.span("prompt", "messages", undefined, { model: invocation.model })
    .end({ output: [{ role: "system", content: invocation.messages.system }, { role: "user", content: invocation.messages.user }] });
  const firstRaw = await complete(messages, false);
  const first = check(firstRaw, "validate");
  if (first.ok) return { value: first.value, raw: firstRaw, usage, stats, latencyMs: performance.now() - started };

  // One repair: the model sees its own output and what was wrong with it.
  stats.repaired = true;
  const repairedRaw = await complete([...messages, new AIMessage(firstRaw), new HumanMessage(buildRepairInstruction(first.issues, firstRaw))], true);
  const repaired = check(repairedRaw, "validate repair");
  const latencyMs = performance.now() - started;
  if (!repaired.ok) {
    // Not retryable: the same prompt would most likely fail the same way.
    const reason = `model output invalid after one repair attempt: ${repaired.issues.slice(0, 5).join("; ")}`;
    throw new UnprocessableError(reason, {
      reason,
      issues: repaired.issues,
      raw: repairedRaw,
      firstRaw,
      usage,
      stats,
      latencyMs,
    } satisfies LlmInvocationFailure);
  }
  return { value: repaired.value, raw: repairedRaw, usage, stats, latencyMs };
}
