/**
 * The agent pipeline on the LLM engine, against two real local OpenAI-compatible servers (two
 * connectors, stored as an admin adds them, with the shared limiter and the database tracer of the
 * runtime): the summary agent bound to connector B in the UI, the others on connector A — asserted
 * from what each server received; then a refused key, a timeout, invalid JSON repaired on the
 * second try and a context-length refusal, each ending with the right run status and trace (read
 * back through the API, as the trace viewer reads it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costUsd } from "../core/connectors/connector.ts";
import type { ConnectorListing } from "../core/connectors/connectors.ts";
import type { TraceDetail, TraceSpan } from "../core/traces/trace-queries.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { importAndDraft, transcriptForm } from "./support/imported-calls.ts";
import { startOpenAiCompatibleServer } from "./support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer, ScriptedReply } from "./support/openai-compatible-server.ts";
import { agentAnswers as answers, agentModel, outputName } from "./support/agent-model.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const call = [
  "WEBVTT",
  "",
  "00:00:00.000 --> 00:00:03.000",
  "<v Agent>Hi, thanks for taking the time today.",
  "",
  "00:00:03.500 --> 00:00:07.000",
  "<v Customer>Honestly the price you quoted is too high for our budget this year.",
  "",
  "00:00:07.500 --> 00:00:11.000",
  "<v Agent>I'll send over the revised quote by Friday.",
  "",
].join("\n");

interface Run {
  id: string;
  agent: string;
  status: string;
  engine: string | null;
  connectorId: string | null;
  model: string | null;
  traceId: string | null;
  error: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  output: Record<string, unknown> | null;
}

describe.each(databaseKinds)("agents on two LLM connectors (%s)", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let serverA: OpenAiCompatibleServer;
  let serverB: OpenAiCompatibleServer;
  let connectorA: ConnectorListing;
  let connectorB: ConnectorListing;
  /** Scripted replies per structured-output name, used before the default answer. */
  const scripts = new Map<string, ScriptedReply[]>();
  const clients: Record<string, TestClient> = {};
  let recordingId: string;

  const reply = agentModel(scripts);

  beforeAll(async () => {
    serverA = await startOpenAiCompatibleServer({ apiKey: "key-a", fallback: reply });
    serverB = await startOpenAiCompatibleServer({ apiKey: "key-b", fallback: reply });
    database = await createTestDatabase(kind);
    await createOrganisation(database.db);
    server = await startTestServer(database.db, {
      work: true,
      environment: { DOUBLE_LABEL_SHARE: "0" },
      agents: { retryPolicy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 } },
    });
    for (const [name, email] of Object.entries({ rep: "rep.north@example.com", admin: "admin@example.com" })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
    // A first: the agents that name no connector run on the oldest enabled one.
    const add = async (name: string, target: OpenAiCompatibleServer, apiKey: string, model: string, prices: [number, number]) => {
      const created = await clients.admin.request("POST", "/api/connectors", {
        name,
        baseUrl: target.baseUrl,
        apiKey,
        models: [model],
        defaultModel: model,
        timeoutMs: 10_000,
        maxConcurrency: 4,
        priceInputPerMTokUsd: prices[0],
        priceOutputPerMTokUsd: prices[1],
      });
      expect(created.status).toBe(201);
      return created.body.connector as ConnectorListing;
    };
    connectorA = await add("A", serverA, "key-a", "model-a", [1, 2]);
    connectorB = await add("B", serverB, "key-b", "model-b", [3, 4]);
  });

  afterAll(async () => {
    await server?.close();
    await serverA?.close();
    await serverB?.close();
    await database?.drop();
  });

  /** Changes a stored connector as an admin does in the UI. */
  async function updateConnector(connector: ConnectorListing, changes: Record<string, unknown>): Promise<void> {
    expect((await clients.admin.request("PATCH", `/api/connectors/${connector.id}`, changes)).status).toBe(200);
  }

  /** A trace as the trace viewer reads it. */
  async function traceOf(id: string): Promise<TraceDetail> {
    const response = await clients.admin.request("GET", `/api/traces/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async function runsOf(id: string): Promise<Run[]> {
    const response = await clients.rep.request("GET", `/api/recordings/${id}/agent-runs`);
    expect(response.status).toBe(200);
    return response.body.runs;
  }

  /** Re-runs one agent on the first call and waits until that run is final. */
  async function rerun(agent: string): Promise<{ run: Run; trace: TraceDetail }> {
    const response = await clients.rep.request("POST", `/api/recordings/${recordingId}/agents/${agent}/runs`);
    expect(response.status).toBe(202);
    const run = await eventually(async () => {
      const found = (await runsOf(recordingId)).find((candidate) => candidate.id === response.body.runId);
      return found && ["succeeded", "failed", "skipped", "needs_connector"].includes(found.status) ? found : null;
    });
    return { run, trace: await traceOf(run.traceId!) };
  }

  const modelCalls = (trace: TraceDetail): TraceSpan[] => trace.spans.filter((span) => span.kind === "model_call");

  it("routes the summary to connector B as bound in the UI and the other agents to connector A", async () => {
    const bound = await clients.admin.request("PATCH", "/api/agents/call-summary", { engine: { kind: "llm", connectorId: connectorB.id, model: "model-b" } });
    expect(bound.status).toBe(200);
    expect(bound.body.version).toMatchObject({ agent: "call-summary", version: 2, source: "api", labels: ["production", "staging"] });
    expect((await clients.admin.request("PATCH", "/api/agents/call-summary", { engine: { kind: "llm", connectorId: "nope" } })).status).toBe(400);

    recordingId = await importAndDraft(clients.rep, call, "llm-call.vtt");
    const names = (target: OpenAiCompatibleServer) => target.chatRequests().map(outputName).sort();
    expect(names(serverA)).toEqual(["action_items", "follow_up_email", "intent_tagger", "talk_tracks"]);
    expect(names(serverB)).toEqual(["call_summary"]);
    expect(new Set(serverA.chatRequests().map((request) => request.model))).toEqual(new Set(["model-a"]));
    expect(serverB.chatRequests()[0].model).toBe("model-b");

    const runs = await runsOf(recordingId);
    expect(runs.map((run) => [run.agent, run.status, run.connectorId])).toEqual([
      ["intent-tagger", "succeeded", connectorA.id],
      ["action-items", "succeeded", connectorA.id],
      ["talk-tracks", "succeeded", connectorA.id],
      ["call-summary", "succeeded", connectorB.id],
      ["follow-up-email", "succeeded", connectorA.id],
    ]);
    const summary = runs.find((run) => run.agent === "call-summary")!;
    expect(summary.costUsd).toBeCloseTo(costUsd(connectorB, summary), 6);
    expect(summary.costUsd).toBeGreaterThan(0);
    // Unknown evidence ordinals are dropped from what is stored.
    expect(summary.output).toMatchObject({ language: "en", keyPoints: [{ text: "The customer finds the quote too high.", evidence: [1] }] });
    expect(runs.find((run) => run.agent === "follow-up-email")!.output).toMatchObject({ subject: "Our call today", source: "agent" });
  });

  it("runs the e-mail after the action items and gives it their (standing) action items", async () => {
    const order = serverA.chatRequests().map(outputName);
    expect(order.indexOf("follow_up_email")).toBeGreaterThan(order.indexOf("action_items"));
    const email = serverA.chatRequests().find((request) => outputName(request) === "follow_up_email")!;
    expect(JSON.stringify(email.messages[0])).toContain("Send the revised quote (type: send_quote; owner: agent; evidence: 2)");
  });

  it("traces the summary's invocation: the exact messages, the model call with tokens and cost, the parse and the result", async () => {
    const summary = (await runsOf(recordingId)).find((run) => run.agent === "call-summary")!;
    const trace = await traceOf(summary.traceId!);
    expect(trace).toMatchObject({ agent: "call-summary", agentVersion: "call-summary@v2", engine: "llm", connectorId: connectorB.id, model: "model-b", status: "ok" });
    expect(trace.spans.map((span) => [span.kind, span.status])).toEqual([
      ["prompt", "ok"],
      ["model_call", "ok"],
      ["parse", "ok"],
      ["result", "ok"],
    ]);
    const prompt = trace.spans[0].output as Array<{ role: string; content: string }>;
    expect(prompt[1].content).toContain("[1] Customer: Honestly the price you quoted is too high for our budget this year.");
    const [modelCall] = modelCalls(trace);
    expect(modelCall.attributes).toMatchObject({ model: "model-b", attempt: 1, repair: false });
    // The request body as sent, the prompt's messages included (stored once, with the prompt span).
    const request = modelCall.input as { model: string; messages: unknown[] };
    expect(request.model).toBe("model-b");
    expect(request.messages).toEqual(prompt);
    expect(request.messages).toEqual(serverB.chatRequests()[0].messages);
    expect(modelCall.output).toContain("chat.completion");
    expect(modelCall.inputTokens).toBe(summary.inputTokens);
    expect(modelCall.costUsd).toBeCloseTo(summary.costUsd, 6);
    expect(trace.costUsd).toBeCloseTo(summary.costUsd, 6);
  });

  it("tries two versions of an agent on a call side by side in the sandbox, storing nothing", async () => {
    const runsBefore = (await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM agent_runs")).rows[0].count;
    const trainer = createTestClient(server.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);
    const tried = await trainer.request("POST", "/api/agents/call-summary/try", { recordingId, versions: [1, 2] });
    expect(tried.status).toBe(200);
    expect(tried.body.results.map((result: { version: string; status: string; connectorId: string; model: string }) => [result.version, result.status, result.connectorId, result.model])).toEqual([
      ["call-summary@v1", "succeeded", connectorA.id, "model-a"],
      ["call-summary@v2", "succeeded", connectorB.id, "model-b"],
    ]);
    expect(tried.body.results[1].product.output).toMatchObject({ keyPoints: [{ text: "The customer finds the quote too high." }] });
    expect(await traceOf(tried.body.results[0].traceId)).toMatchObject({ agentRunId: null, agentVersion: "call-summary@v1", status: "ok" });
    expect((await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM agent_runs")).rows[0].count).toBe(runsBefore);
    expect((await clients.rep.request("POST", "/api/agents/call-summary/try", { recordingId, versions: [1] })).status).toBe(403);
    expect((await trainer.request("POST", "/api/agents/call-summary/try", { recordingId, versions: [9] })).status).toBe(404);
  });

  it("uses an admin's edit of a connector from the next invocation on (the workers keep connectors only while they are unchanged)", async () => {
    // The workers have just run the summary on B; now B points at server A, then is switched off.
    const toServerA = serverA.chatRequests().length;
    await updateConnector(connectorB, { baseUrl: serverA.baseUrl, apiKey: "key-a" });
    try {
      const { run } = await rerun("call-summary");
      expect(run).toMatchObject({ status: "succeeded", connectorId: connectorB.id });
      expect(serverA.chatRequests().slice(toServerA).map(outputName)).toEqual(["call_summary"]);
      await updateConnector(connectorB, { enabled: false });
      const disabled = await rerun("call-summary");
      expect(disabled.run.status).toBe("failed");
      expect(disabled.run.error).toBe(`connector "${connectorB.id}" is missing or disabled`);
      expect(serverA.chatRequests().slice(toServerA).map(outputName)).toEqual(["call_summary"]);
    } finally {
      await updateConnector(connectorB, { baseUrl: serverB.baseUrl, apiKey: "key-b", enabled: true });
    }
    const { run } = await rerun("call-summary");
    expect(run.status).toBe("succeeded");
    expect(serverB.chatRequests().at(-1)!.model).toBe("model-b");
  });

  it("fails a run whose key is refused (401), without retrying, and traces the error", async () => {
    await updateConnector(connectorB, { apiKey: "wrong-key" });
    try {
      const { run, trace } = await rerun("call-summary");
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(/HTTP 401/);
      expect(trace.status).toBe("error");
      expect(modelCalls(trace).map((span) => span.status)).toEqual(["error"]);
    } finally {
      await updateConnector(connectorB, { apiKey: "key-b" });
    }
  });

  it("fails a run whose model times out on every attempt, with one traced model call per attempt", async () => {
    await updateConnector(connectorB, { timeoutMs: 1_000 });
    const slow = { content: JSON.stringify(answers.call_summary), delayMs: 2_500 };
    scripts.set("call_summary", [slow, slow]);
    try {
      const { run, trace } = await rerun("call-summary");
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(/unreachable or too slow|timed out/i);
      expect(trace.status).toBe("error");
      expect(modelCalls(trace).map((span) => [span.status, span.attributes.attempt])).toEqual([
        ["error", 1],
        ["error", 2],
      ]);
    } finally {
      await updateConnector(connectorB, { timeoutMs: 10_000 });
      scripts.delete("call_summary");
    }
  });

  it("repairs invalid JSON with a second call and succeeds; both calls' tokens count", async () => {
    scripts.set("call_summary", [{ content: "Sure! Here is the summary: key points are price." }]);
    const { run, trace } = await rerun("call-summary");
    expect(run.status).toBe("succeeded");
    expect(trace.status).toBe("ok");
    expect(trace.spans.map((span) => [span.kind, span.status, span.kind === "model_call" ? span.attributes.repair : null])).toEqual([
      ["prompt", "ok", null],
      ["model_call", "ok", false],
      ["parse", "error", null],
      ["model_call", "ok", true],
      ["parse", "ok", null],
      ["result", "ok", null],
    ]);
    expect(trace.spans[2].error).toMatch(/not valid JSON/);
    expect(run.inputTokens).toBe(modelCalls(trace).reduce((sum, span) => sum + span.inputTokens, 0));
    const repairRequest = serverB.chatRequests().at(-1)!;
    expect(JSON.stringify(repairRequest.messages.at(-1))).toContain("could not be used");
  });

  it("fails a run the endpoint refuses for its context length, skips the e-mail that waits for it, and still makes the call ready", async () => {
    scripts.set("action_items", [
      {
        status: 400,
        body: { error: { message: "This model's maximum context length is 8192 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } },
      },
    ]);
    const imported = await importAndDraft(clients.rep, `${call}\nNOTE second call\n`, "context-call.vtt");
    const runs = await runsOf(imported);
    const byAgent = Object.fromEntries(runs.map((run) => [run.agent, run]));
    expect(byAgent["action-items"].status).toBe("failed");
    expect(byAgent["action-items"].error).toMatch(/HTTP 400.*context.*maximum context length/);
    expect(byAgent["follow-up-email"]).toMatchObject({ status: "skipped", error: "skipped: action-items failed" });
    for (const agent of ["intent-tagger", "talk-tracks", "call-summary"]) expect(byAgent[agent].status).toBe("succeeded");
    const trace = await traceOf(byAgent["action-items"].traceId!);
    expect(trace.status).toBe("error");
    expect(modelCalls(trace).map((span) => span.status)).toEqual(["error"]);
    expect(trace.spans.some((span) => span.kind === "result")).toBe(false);
  });

  it("fails the call only when every agent failed", async () => {
    await updateConnector(connectorA, { apiKey: "wrong-a" });
    await updateConnector(connectorB, { apiKey: "wrong-b" });
    try {
      const imported = await clients.rep.request("POST", "/api/recordings/import", transcriptForm(`${call}\nNOTE third call\n`, "all-fail.vtt"));
      expect(imported.status).toBe(201);
      const id = imported.body.recording.id as string;
      const recording = await eventually(async () => {
        const response = await clients.rep.request("GET", `/api/recordings/${id}`);
        return ["ready", "failed"].includes(response.body.recording.status) ? response.body.recording : null;
      });
      expect(recording.status).toBe("failed");
      expect(recording.failureReason).toMatch(/^Every agent failed: /);
      const statuses = (await runsOf(id)).map((run) => run.status);
      expect(statuses.filter((status) => status === "failed")).toHaveLength(4);
      expect(statuses).toContain("skipped");
    } finally {
      await updateConnector(connectorA, { apiKey: "key-a" });
      await updateConnector(connectorB, { apiKey: "key-b" });
    }
  });
});
