/**
 * A real local HTTP server that speaks enough of the OpenAI API for LangChain, the AI SDK and
 * the openai client: chat completions (plain, streamed as SSE, `response_format`, forced tool
 * calls), embeddings (deterministic vectors) and the model list. Tests script each reply and
 * read back every request body, so they can assert on exactly what a client sent.
 *
 * Only listens on 127.0.0.1 with an ephemeral port; nothing leaves the machine.
 *
 *   const server = await startOpenAiCompatibleServer();
 *   server.enqueue({ content: '{"ok":true}' }, { status: 429, headers: { "retry-after": "0" } });
 *   new ChatOpenAI({ apiKey: server.apiKey, configuration: { baseURL: server.baseUrl } });
 *   ...
 *   await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
  [key: string]: unknown;
}

/** The body of `POST /v1/chat/completions` (loosely typed: clients send many extras). */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: {
    type: string;
    json_schema?: { name?: string; schema?: unknown; strict?: boolean };
  };
  tools?: Array<{
    type: string;
    function: { name: string; description?: string; parameters?: unknown };
  }>;
  tool_choice?: string | { type: string; function?: { name: string } };
  temperature?: number;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined for GET or an unparseable body). */
  body: any;
}

export interface ContentReply {
  /** The assistant text, or the tool-call arguments when the request forces a tool. */
  content: string | ((request: ChatCompletionRequest) => string | Promise<string>);
  /** Override the counted tokens (by default counted deterministically from the text). */
  usage?: { promptTokens?: number; completionTokens?: number };
  /** Wait this long before answering (e.g. to make a client time out). */
  delayMs?: number;
  /** Characters per streamed delta (default 7, so JSON arrives in several pieces). */
  chunkSize?: number;
  finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
  /** Answer with a tool call even when the request does not force one. */
  toolName?: string;
}

export interface StatusReply {
  status: number;
  message?: string;
  headers?: Record<string, string>;
  /** Replaces the OpenAI-style error body. */
  body?: unknown;
  delayMs?: number;
}

export type ScriptedReply =
  | ContentReply
  | StatusReply
  | ((
      request: ChatCompletionRequest,
    ) => ContentReply | StatusReply | Promise<ContentReply | StatusReply>);

export interface OpenAiCompatibleServerOptions {
  /** Required as `Authorization: Bearer <apiKey>`; default "test-key". */
  apiKey?: string;
  /** Listed by `GET /v1/models`. */
  models?: string[];
  /** Embedding size when the request has no `dimensions` (default 1536). */
  embeddingDimensions?: number;
  /** Used for chat completions when the queue is empty (default: a 400 naming the problem). */
  fallback?: ScriptedReply;
}

export interface OpenAiCompatibleServer {
  /** Ends in `/v1`: pass as `baseURL` to the openai client, LangChain or `createOpenAI`. */
  baseUrl: string;
  apiKey: string;
  /** Every request received, in order (including rejected ones). */
  readonly requests: RecordedRequest[];
  /** Bodies of the chat-completion requests, in order. */
  chatRequests(): ChatCompletionRequest[];
  /** Replies for the next chat completions, consumed first in, first out. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Status replies for the next embeddings requests (otherwise embeddings always succeed). */
  enqueueEmbeddings(...replies: StatusReply[]): void;
  /** Chat replies still queued. */
  pendingReplies(): number;
  /** Most requests that were being answered at the same time. */
  readonly maxConcurrentRequests: number;
  /** Forget recorded requests, queued replies and the concurrency high-water mark. */
  reset(): void;
  close(): Promise<void>;
}

const defaultChunkSize = 7;

/** A deterministic token count that treats each CJK character as one token. */
export function countTestTokens(text: string): number {
  return (text.match(/[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+|[^\s\w]/g) ?? []).length;
}

function messageText(message: ChatMessage): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) {
    return message.content
      .map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : ""))
      .join("");
  }
  return "";
}

function hashString(text: string, seed: number): number {
  // FNV-1a: fast, stable across runs and platforms.
  let hash = 0x811c9dc5 ^ seed;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic unit vector from the text's features (CJK characters and bigrams, lowercase
 * words), so texts that share words share directions: good enough to exercise retrieval.
 */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const lower = text.normalize("NFKC").toLowerCase();
  const features: string[] = lower.match(/[a-z0-9]+/g) ?? [];
  const cjk = lower.match(/[\u3400-\u9fff\uf900-\ufaff]/g) ?? [];
  features.push(...cjk);
  for (let index = 0; index + 1 < cjk.length; index += 1)
    features.push(cjk[index] + cjk[index + 1]);
  for (const feature of features) {
    const slot = hashString(feature, 17) % dimensions;
    const sign = hashString(feature, 91) % 2 === 0 ? 1 : -1;
    vector[slot] += sign;
  }
  const length = Math.hypot(...vector);
  if (length === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((value) => value / length);
}

function isStatusReply(reply: ContentReply | StatusReply): reply is StatusReply {
  return "status" in reply;
}

function errorBody(status: number, message: string): unknown {
  const type =
    status === 401
      ? "invalid_request_error"
      : status === 429
        ? "rate_limit_error"
        : status >= 500
          ? "server_error"
          : "invalid_request_error";
  return { error: { message, type, param: null, code: status === 401 ? "invalid_api_key" : null } };
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function splitIntoPieces(text: string, size: number): string[] {
  // Split by code points so a streamed CJK character is never cut in half.
  const characters = Array.from(text);
  const pieces: string[] = [];
  for (let index = 0; index < characters.length; index += size) {
    pieces.push(characters.slice(index, index + size).join(""));
  }
  return pieces.length > 0 ? pieces : [""];
}

function forcedToolName(request: ChatCompletionRequest): string | undefined {
  const choice = request.tool_choice;
  if (choice && typeof choice === "object" && choice.function?.name) return choice.function.name;
  if (choice === "required" && request.tools?.length === 1) return request.tools[0].function.name;
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startOpenAiCompatibleServer(
  options: OpenAiCompatibleServerOptions = {},
): Promise<OpenAiCompatibleServer> {
  const apiKey = options.apiKey ?? "test-key";
  const models = options.models ?? ["test-model", "test-embedding"];
  const defaultDimensions = options.embeddingDimensions ?? 1536;
  const requests: RecordedRequest[] = [];
  const chatQueue: ScriptedReply[] = [];
  const embeddingsQueue: StatusReply[] = [];
  let inFlight = 0;
  let maxConcurrentRequests = 0;
  let sequence = 0;

  function sendJson(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    if (response.destroyed) return;
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  }

  async function sendStatus(response: ServerResponse, reply: StatusReply) {
    if (reply.delayMs) await sleep(reply.delayMs);
    sendJson(
      response,
      reply.status,
      reply.body ?? errorBody(reply.status, reply.message ?? `scripted status ${reply.status}`),
      reply.headers,
    );
  }

  async function answerChat(request: ChatCompletionRequest, response: ServerResponse) {
    const scripted = chatQueue.shift() ?? options.fallback;
    if (!scripted) {
      sendJson(
        response,
        400,
        errorBody(400, "openai-compatible test server: no scripted reply queued"),
      );
      return;
    }
    const reply = typeof scripted === "function" ? await scripted(request) : scripted;
    if (isStatusReply(reply)) {
      await sendStatus(response, reply);
      return;
    }
    const content =
      typeof reply.content === "function" ? await reply.content(request) : reply.content;
    if (reply.delayMs) await sleep(reply.delayMs);
    if (response.destroyed) return;
    const toolName = reply.toolName ?? forcedToolName(request);
    const promptText = request.messages.map(messageText).join("\n");
    const usage = {
      prompt_tokens: reply.usage?.promptTokens ?? countTestTokens(promptText),
      completion_tokens: reply.usage?.completionTokens ?? countTestTokens(content),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    sequence += 1;
    const id = `chatcmpl-test-${sequence}`;
    const toolCallId = `call_test_${sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = reply.finishReason ?? (toolName ? "tool_calls" : "stop");

    if (!request.stream) {
      const message = toolName
        ? {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [
              {
                id: toolCallId,
                type: "function",
                function: { name: toolName, arguments: content },
              },
            ],
          }
        : { role: "assistant", content, refusal: null };
      sendJson(response, 200, {
        id,
        object: "chat.completion",
        created,
        model: request.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage,
      });
      return;
    }

    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: request.model, choices, ...extra })}\n\n`;
    const write = (text: string) => {
      if (!response.destroyed) response.write(text);
    };
    const pieces = splitIntoPieces(content, reply.chunkSize ?? defaultChunkSize);
    if (toolName) {
      write(
        chunk([
          {
            index: 0,
            delta: {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  index: 0,
                  id: toolCallId,
                  type: "function",
                  function: { name: toolName, arguments: "" },
                },
              ],
            },
            finish_reason: null,
          },
        ]),
      );
      for (const piece of pieces) {
        write(
          chunk([
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] },
              finish_reason: null,
            },
          ]),
        );
      }
    } else {
      write(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
      for (const piece of pieces) {
        write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
      }
    }
    write(chunk([{ index: 0, delta: {}, finish_reason: finishReason }]));
    if (request.stream_options?.include_usage) write(chunk([], { usage }));
    write("data: [DONE]\n\n");
    if (!response.destroyed) response.end();
  }

  async function answerEmbeddings(body: any, response: ServerResponse) {
    const scripted = embeddingsQueue.shift();
    if (scripted) {
      await sendStatus(response, scripted);
      return;
    }
    const inputs: unknown[] = Array.isArray(body?.input) ? body.input : [body?.input];
    if (inputs.length === 0 || inputs.some((input) => typeof input !== "string")) {
      sendJson(response, 400, errorBody(400, "input must be a string or an array of strings"));
      return;
    }
    const dimensions =
      Number.isInteger(body.dimensions) && body.dimensions > 0
        ? body.dimensions
        : defaultDimensions;
    const data = (inputs as string[]).map((input, index) => {
      const vector = deterministicEmbedding(input, dimensions);
      // The openai client asks for base64 by default and decodes float32 little-endian.
      const embedding =
        body.encoding_format === "base64"
          ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
          : vector;
      return { object: "embedding", index, embedding };
    });
    const tokens = (inputs as string[]).reduce((total, input) => total + countTestTokens(input), 0);
    sendJson(response, 200, {
      object: "list",
      data,
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const text = request.method === "POST" ? await readBody(request) : "";
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    requests.push({ method: request.method ?? "GET", path, headers: { ...request.headers }, body });

    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      sendJson(response, 401, errorBody(401, "Incorrect API key provided"));
      return;
    }
    if (text && body === undefined) {
      sendJson(response, 400, errorBody(400, "request body is not valid JSON"));
      return;
    }
    if (request.method === "GET" && path === "/v1/models") {
      sendJson(response, 200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "test" })),
      });
      return;
    }
    if (request.method === "POST" && path === "/v1/chat/completions") {
      if (!body || typeof body.model !== "string" || !Array.isArray(body.messages)) {
        sendJson(response, 400, errorBody(400, "model and messages are required"));
        return;
      }
      await answerChat(body as ChatCompletionRequest, response);
      return;
    }
    if (request.method === "POST" && path === "/v1/embeddings") {
      await answerEmbeddings(body, response);
      return;
    }
    sendJson(response, 404, errorBody(404, `no route ${request.method} ${path}`));
  }

  const server = createServer((request, response) => {
    inFlight += 1;
    maxConcurrentRequests = Math.max(maxConcurrentRequests, inFlight);
    response.on("close", () => {
      inFlight -= 1;
    });
    handle(request, response).catch((error: unknown) => {
      sendJson(response, 500, errorBody(500, `test server failed: ${(error as Error).message}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    chatRequests: () =>
      requests
        .filter((request) => request.path === "/v1/chat/completions")
        .map((request) => request.body),
    enqueue: (...replies) => {
      chatQueue.push(...replies);
    },
    enqueueEmbeddings: (...replies) => {
      embeddingsQueue.push(...replies);
    },
    pendingReplies: () => chatQueue.length,
    get maxConcurrentRequests() {
      return maxConcurrentRequests;
    },
    reset: () => {
      requests.length = 0;
      chatQueue.length = 0;
      embeddingsQueue.length = 0;
      maxConcurrentRequests = inFlight;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
