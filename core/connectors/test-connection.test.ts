import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAiCompatibleServer } from "../../tests/support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer } from "../../tests/support/openai-compatible-server.ts";
import type { ConnectorWithKey } from "./connector.ts";
import { listModels, testConnector } from "./test-connection.ts";

const apiKey = "sk-test-connection-0123456789abcdef";

function connectorFor(server: { baseUrl: string }, overrides: Partial<ConnectorWithKey> = {}): ConnectorWithKey {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    workspaceId: "00000000-0000-4000-8000-000000000002",
    name: "Local",
    kind: "openai-compatible",
    baseUrl: server.baseUrl,
    purposes: ["chat"],
    models: ["test-model"],
    defaultModel: "test-model",
    timeoutMs: 5_000,
    maxConcurrency: 2,
    priceInputPerMTokUsd: 0,
    priceOutputPerMTokUsd: 0,
    allowUnredacted: false,
    enabled: true,
    apiKeyHint: "sk-…cdef",
    bootstrap: false,
    apiKey,
    ...overrides,
  };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("testing a connector", () => {
  let server: OpenAiCompatibleServer;
  beforeAll(async () => {
    server = await startOpenAiCompatibleServer({ apiKey, models: ["test-model", "other-model", "text-embedding-3-small"] });
  });
  afterAll(async () => server?.close());
  beforeEach(() => server.reset());

  it("makes one structured-output call and returns the model's answer and the latency", async () => {
    server.enqueue({ content: JSON.stringify({ ok: true, answer: "pong" }) });
    const result = await testConnector(connectorFor(server));
    expect(result).toMatchObject({ ok: true, model: "test-model", answer: "pong" });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const [request] = server.chatRequests();
    expect(request!.tool_choice).toMatchObject({ function: { name: "connection_test" } });
    expect(request!.tools![0]!.function.parameters).toMatchObject({ required: ["ok", "answer"] });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it("says exactly why a refused key failed, without the key", async () => {
    const result = await testConnector(connectorFor(server, { apiKey: "sk-wrong-key-000000000000" }));
    expect(result).toMatchObject({ ok: false });
    expect(result.ok === false && result.error).toBe(`HTTP 401 from ${new URL(server.baseUrl).host}: Incorrect API key provided`);
  });

  it("replaces a key the server echoes back with its hint", async () => {
    server.enqueue({ status: 400, message: `model not allowed for key ${apiKey}` });
    const result = await testConnector(connectorFor(server));
    expect(result.ok === false && result.error).toBe(`HTTP 400 from ${new URL(server.baseUrl).host}: model not allowed for key sk-…cdef`);
  });

  it("reports a timeout with the connector's timeout", async () => {
    server.enqueue({ content: JSON.stringify({ ok: true, answer: "late" }), delayMs: 3_000 });
    const result = await testConnector(connectorFor(server, { timeoutMs: 1_000 }));
    expect(result.ok === false && result.error).toBe(`Timed out: no answer from ${new URL(server.baseUrl).host} within 1000 ms.`);
  });

  it("reports a refused connection", async () => {
    const port = await closedPort();
    const result = await testConnector(connectorFor({ baseUrl: `http://127.0.0.1:${port}/v1` }));
    expect(result.ok === false && result.error).toBe(`Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED).`);
  });

  it("reports an answer that is not the requested JSON", async () => {
    server.enqueue({ content: "I am not JSON", toolName: "connection_test" });
    const result = await testConnector(connectorFor(server));
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.error).toMatch(/not with the requested JSON: I am not JSON$/);
  });

  it("lists the endpoint's models, and fails softly where there is no list", async () => {
    expect(await listModels(connectorFor(server))).toEqual({ ok: true, models: ["other-model", "test-model", "text-embedding-3-small"] });
    const noList = await listModels(connectorFor({ baseUrl: `${server.baseUrl}/nowhere` }));
    expect(noList).toEqual({ ok: false, error: `HTTP 404 from ${new URL(server.baseUrl).host}: no route GET /v1/nowhere/models` });
    expect(await listModels(connectorFor(server, { apiKey: "sk-wrong-key-000000000000" }))).toMatchObject({ ok: false, error: expect.stringMatching(/^HTTP 401 .*Incorrect API key provided$/) });
  });
});
