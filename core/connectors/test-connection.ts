/**
 * "Test connection" and "Fetch models": a tiny structured-output call through LangChain's
 * ChatOpenAI (the adapter the drafter uses), and `GET /models`. Both return what happened as data —
 * `{ ok: false, error }` with the exact reason (HTTP status and the server's message, a timeout, a
 * refused connection) — rather than throwing, so the admin page can show it as it is.
 * The API key never appears in a result: any echo of it in a server message is replaced by its hint.
 */
import { ChatOpenAI } from "@langchain/openai";
import type { Actor } from "../auth/actor.ts";
import type { SecretBox } from "../auth/secret-box.ts";
import type { Queryable } from "../db/database.ts";
import { apiKeyHint, applyConnectorChanges, connectorWithKey, getConnector, recordConnectorAudit } from "./connectors.ts";
import type { ConnectorListing } from "./connectors.ts";
import type { ConnectorLimiter, ConnectorWithKey } from "./connector.ts";

export type ConnectorTestResult =
  | { ok: true; latencyMs: number; model: string; answer: string }
  | { ok: false; latencyMs: number; model: string; error: string };

export type ModelListResult = { ok: true; models: string[] } | { ok: false; error: string };

/** The one-field-and-a-flag schema the test asks for: small enough for any model that can do JSON. */
const connectionTestSchema = {
  type: "object",
  properties: {
    ok: { type: "boolean", description: "Always true." },
    answer: { type: "string", description: "One short word." },
  },
  required: ["ok", "answer"],
  additionalProperties: false,
} as const;

const testPrompt = 'Connection test. Reply with ok = true and answer = "pong".';

/** Replaces the key (if a server echoed it back) with its hint. */
function withoutKey(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join(apiKeyHint(apiKey) ?? "••••") : text;
}

function causeChain(error: unknown): Array<Record<string, unknown>> {
  const chain: Array<Record<string, unknown>> = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === "object" && depth < 6; depth += 1) {
    chain.push(current as Record<string, unknown>);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

const networkCodes: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate not trusted",
};

/** The exact reason a call to the connector failed, in one line. */
export function describeConnectorError(error: unknown, connector: Pick<ConnectorWithKey, "baseUrl" | "timeoutMs" | "apiKey">): string {
  const chain = causeChain(error);
  const host = (() => {
    try {
      return new URL(connector.baseUrl).host;
    } catch {
      return connector.baseUrl;
    }
  })();
  let description: string | null = null;
  const withStatus = chain.find((link) => typeof link.status === "number");
  if (withStatus) {
    const body = withStatus.error as { message?: unknown } | undefined;
    const message =
      typeof body?.message === "string" && body.message
        ? body.message
        : String(withStatus.message ?? "").replace(new RegExp(`^${withStatus.status as number}\\s*`), "") || "(no message)";
    description = `HTTP ${withStatus.status as number} from ${host}: ${message}`;
  } else if (chain.some((link) => link.name === "TimeoutError" || link.constructor?.name === "APIConnectionTimeoutError")) {
    description = `Timed out: no answer from ${host} within ${connector.timeoutMs} ms.`;
  } else {
    const coded = chain.find((link) => typeof link.code === "string" && link.code in networkCodes);
    if (coded) {
      const code = coded.code as string;
      const where = typeof coded.address === "string" ? `${coded.address}${coded.port ? `:${coded.port as number}` : ""}` : host;
      description = `Cannot connect to ${where}: ${networkCodes[code]} (${code}).`;
    }
  }
  description ??= chain.map((link) => String(link.message ?? "")).filter(Boolean).join(": ") || String(error);
  return withoutKey(description, connector.apiKey);
}

/**
 * One structured-output call with the connector's default model (or `model`) and timeout, no
 * retries: the admin sees the first failure as it is. Under the limiter when one is given, so a
 * test never pushes a busy connector over its concurrency.
 */
export async function testConnector(
  connector: ConnectorWithKey,
  options: { model?: string; limiter?: ConnectorLimiter; signal?: AbortSignal } = {},
): Promise<ConnectorTestResult> {
  const model = options.model ?? connector.defaultModel;
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let release: (() => Promise<void>) | null = null;
  try {
    release = options.limiter ? await options.limiter.acquire(connector.id, connector.maxConcurrency, options.signal) : null;
    const chat = new ChatOpenAI({
      model,
      // The openai client refuses an empty key; endpoints without auth ignore whatever is sent.
      apiKey: connector.apiKey || "no-key",
      configuration: { baseURL: connector.baseUrl },
      temperature: 0,
      maxTokens: 64,
      timeout: connector.timeoutMs,
      maxRetries: 0,
    });
    // A forced tool call: the structured output that OpenAI-compatible servers support most widely
    // (DeepSeek and Moonshot have no `json_schema` response format).
    const structured = chat.withStructuredOutput(connectionTestSchema, { name: "connection_test", method: "functionCalling", includeRaw: true });
    const result = (await structured.invoke(testPrompt, { signal: options.signal })) as {
      raw: { response_metadata?: { model_name?: string }; content?: unknown; invalid_tool_calls?: Array<{ args?: string }> };
      parsed: { ok?: unknown; answer?: unknown } | null;
    };
    const answeredModel = result.raw?.response_metadata?.model_name || model;
    if (!result.parsed || typeof result.parsed.answer !== "string") {
      const content = result.raw?.invalid_tool_calls?.[0]?.args ?? result.raw?.content;
      const raw = (typeof content === "string" ? content : JSON.stringify(content ?? null)).slice(0, 300);
      return { ok: false, latencyMs: latency(), model: answeredModel, error: `The model answered, but not with the requested JSON: ${withoutKey(raw, connector.apiKey)}` };
    }
    return { ok: true, latencyMs: latency(), model: answeredModel, answer: withoutKey(result.parsed.answer, connector.apiKey) };
  } catch (error) {
    return { ok: false, latencyMs: latency(), model, error: describeConnectorError(error, connector) };
  } finally {
    await release?.();
  }
}

/** The endpoint's `GET /models`; an endpoint without it fails softly (the typed models stay). */
export async function listModels(connector: ConnectorWithKey, options: { signal?: AbortSignal } = {}): Promise<ModelListResult> {
  const timeout = AbortSignal.timeout(Math.min(connector.timeoutMs, 30_000));
  try {
    const response = await fetch(`${connector.baseUrl}/models`, {
      headers: { accept: "application/json", ...(connector.apiKey ? { authorization: `Bearer ${connector.apiKey}` } : {}) },
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const text = await response.text();
    let body: { data?: Array<{ id?: unknown }>; models?: Array<{ id?: unknown; name?: unknown }>; error?: { message?: unknown } } | null = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) {
      const message = typeof body?.error?.message === "string" ? body.error.message : text.slice(0, 300) || response.statusText;
      return { ok: false, error: withoutKey(`HTTP ${response.status} from ${new URL(connector.baseUrl).host}: ${message}`, connector.apiKey) };
    }
    const entries = body?.data ?? body?.models;
    if (!Array.isArray(entries)) return { ok: false, error: "The endpoint answered GET /models without a model list." };
    const models = [...new Set(entries.map((entry) => (entry as { id?: unknown }).id).filter((id): id is string => typeof id === "string" && id.length > 0))].sort();
    return { ok: true, models };
  } catch (error) {
    const timedOut = timeout.aborted && !options.signal?.aborted;
    return {
      ok: false,
      error: timedOut ? `Timed out: no answer from ${new URL(connector.baseUrl).host} within ${Math.min(connector.timeoutMs, 30_000)} ms.` : describeConnectorError(error, connector),
    };
  }
}

/** "Test connection" on a stored connector: runs the test and audits it (ok, latency, error — never the key). */
export async function runConnectorTest(
  deps: { db: Queryable; secrets: SecretBox; limiter?: ConnectorLimiter },
  actor: Actor,
  id: string,
  options: { model?: string } = {},
): Promise<ConnectorTestResult> {
  await getConnector(deps.db, actor, id);
  const connector = (await connectorWithKey(deps, actor.workspaceId, id))!;
  const result = await testConnector(connector, { model: options.model, limiter: deps.limiter });
  const { ok, latencyMs, model } = result;
  await recordConnectorAudit(deps.db, {
    connectorId: id,
    actorId: actor.id,
    action: "tested",
    detail: result.ok ? { ok, latencyMs, model } : { ok, latencyMs, model, error: result.error },
  });
  return result;
}

/** "Fetch models": replaces the connector's model list with the endpoint's (the default model stays in it). */
export async function refreshConnectorModels(
  deps: { db: Queryable; secrets: SecretBox },
  actor: Actor,
  id: string,
): Promise<{ connector: ConnectorListing; result: ModelListResult }> {
  await getConnector(deps.db, actor, id);
  const connector = (await connectorWithKey(deps, actor.workspaceId, id))!;
  const result = await listModels(connector);
  if (result.ok && result.models.length > 0) {
    await applyConnectorChanges(deps, { workspaceId: actor.workspaceId, actorId: actor.id, id }, { models: result.models });
  }
  return { connector: await getConnector(deps.db, actor, id), result };
}
