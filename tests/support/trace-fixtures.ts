/**
 * Calls and traces for tests and benches: a recording row (as an import leaves it), and a trace
 * recorded through the real tracer with the spans an LLM agent writes — retrieval, prompt, a model
 * call, parsing (optionally a failed first answer and its repair) and the result.
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../core/auth/actor.ts";
import type { Db } from "../../core/db/database.ts";
import type { Tracer } from "../../core/traces/trace.ts";

export async function insertRecording(db: Db, owner: Actor, options: { stage?: string; title?: string; createdAt?: Date } = {}): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size,
                             customer_stage, consent_confirmed_at, status, created_at)
     VALUES ($1, $2, $3, 'transcript', $4, 'call.vtt', $5, 100, $6, now(), 'ready', $7) RETURNING id`,
    [owner.workspaceId, owner.teamId, owner.id, options.title ?? "Call", randomUUID(), options.stage ?? "discovery", options.createdAt ?? new Date()],
  );
  return rows[0].id;
}

export interface Example {
  sourceKey: string;
  text: string;
  label: string;
  similarity: number;
  recordingId?: string;
}

export interface RealisticTraceOptions {
  workspaceId: string;
  recordingId: string | null;
  agent?: string;
  version?: string;
  connectorId?: string | null;
  model?: string;
  /** Utterances in the transcript sent to the model. */
  utterances?: number;
  examples?: Example[];
  /** The first answer is invalid JSON and a repair attempt follows. */
  repair?: boolean;
  /** The model call fails (e.g. a refused key) and the trace ends in error. */
  fail?: string;
  language?: "zh" | "en";
  costPerCall?: number;
}

export function transcriptLines(count: number, language: "zh" | "en" = "en"): string[] {
  return Array.from({ length: count }, (_, index) =>
    language === "zh"
      ? `[${index}] ${index % 2 ? "客户" : "坐席"}: ${index % 2 ? "我们想了解一下报价和交付时间，预算大概在二十万左右。" : "好的，我下周三之前把报价单发给您，并安排一次产品演示。"}`
      : `[${index}] ${index % 2 ? "customer" : "agent"}: ${index % 2 ? "We would like a quote and the delivery time; our budget is around two hundred thousand." : "Sure, I will send the quote by next Wednesday and set up a product demo."}`,
  );
}

/** Records one agent invocation through `tracer` and resolves with its id once written. */
export async function recordRealisticTrace(tracer: Tracer, options: RealisticTraceOptions): Promise<string> {
  const model = options.model ?? "qwen-plus";
  const lines = transcriptLines(options.utterances ?? 40, options.language ?? "en");
  const examples = options.examples ?? [
    { sourceKey: "seed:1", text: "Can you send me the price list?", label: "request_quote", similarity: 0.82 },
    { sourceKey: "seed:2", text: "我们下个月再决定。", label: "stall", similarity: 0.71 },
  ];
  const trace = tracer.start({
    workspaceId: options.workspaceId,
    recordingId: options.recordingId,
    agent: options.agent ?? "action-items",
    agentVersion: `${options.agent ?? "action-items"}@${options.version ?? "v2"}`,
    agentRunId: randomUUID(),
    engine: "llm",
    connectorId: options.connectorId === undefined ? randomUUID() : options.connectorId,
    model,
    input: { segments: lines.length, language: options.language ?? "en" },
  });
  const retrieval = trace.span("retrieval", "few-shot examples", { k: 3, minimumSimilarity: 0.6 });
  retrieval.end({ output: examples });
  const messages = [
    { role: "system", content: "You extract action items from a sales call. Answer with JSON only.\nExamples:\n" + examples.map((example) => `- ${example.text} => ${example.label}`).join("\n") },
    { role: "user", content: `<transcript>\n${lines.join("\n")}\n</transcript>` },
  ];
  const prompt = trace.span("prompt", "render sales-call prompt", { promptSet: "action-items@v2" });
  prompt.end({ output: messages });
  const answer = JSON.stringify({ actionItems: [{ type: "send_quote", owner: "agent", due: "2026-07-08", segments: [2, 3] }] });
  const cost = options.costPerCall ?? 0.0021;
  const call = (attempt: number, repair: boolean, output: string, status: "ok" | "error" = "ok", error?: string) => {
    const span = trace.span("model_call", `chat ${model}`, { model, messages, temperature: 0, max_tokens: 1200 }, { model, temperature: 0, maxTokens: 1200, attempt, repair });
    span.end({ status, output, error, inputTokens: status === "ok" ? 1800 + lines.length * 24 : 0, outputTokens: status === "ok" ? 160 : 0, costUsd: status === "ok" ? cost : 0 });
  };
  if (options.fail) {
    call(1, false, "", "error", options.fail);
    await trace.finish({ status: "error", error: options.fail });
    return trace.id;
  }
  if (options.repair) {
    call(1, false, "Sure! Here are the items: {actionItems: [");
    trace.span("parse", "validate output").end({ status: "error", error: "Unexpected token 'S', \"Sure! Here\" is not valid JSON" });
    call(2, true, answer);
  } else {
    call(1, false, answer);
  }
  trace.span("parse", "validate output").end({ output: { actionItems: 1 } });
  trace.span("result", "store draft items").end({ output: { items: 1, draftItemIds: [randomUUID()] } });
  await trace.finish({ status: "ok", output: JSON.parse(answer) });
  return trace.id;
}
