/**
 * Issue 12's "done when", through the HTTP API with nothing swapped out: the stored connectors
 * (keys encrypted), the shared limiter on the database and the database tracer. An admin adds two
 * connectors, tests one, points the summary agent at the second; a rep imports a call; five agents
 * run; every draft item leads to its trace; the capability map counts the invocations and their
 * cost; no API key is written into a trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { importAndDraft } from "./support/imported-calls.ts";
import { startOpenAiCompatibleServer } from "./support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer, ScriptedReply } from "./support/openai-compatible-server.ts";
import { agentModel, outputName } from "./support/agent-model.ts";
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

const keyA = "sk-first-connector-secret-0001";
const keyB = "sk-second-connector-secret-0002";

describe.each(databaseKinds)("agents, connectors and traces end to end (%s)", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;
  let server: TestServer;
  let modelA: OpenAiCompatibleServer;
  let modelB: OpenAiCompatibleServer;
  const clients: Record<string, TestClient> = {};
  const connectorIds: Record<string, string> = {};
  let recordingId: string;

  beforeAll(async () => {
    const reply = agentModel(new Map<string, ScriptedReply[]>());
    modelA = await startOpenAiCompatibleServer({ apiKey: keyA, fallback: reply });
    modelB = await startOpenAiCompatibleServer({ apiKey: keyB, fallback: reply });
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, { work: true, environment: { DOUBLE_LABEL_SHARE: "0" } });
    for (const [name, email] of Object.entries({ admin: "admin@example.com", rep: "rep.north@example.com", trainer: "trainer@example.com" })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
  });

  afterAll(async () => {
    await server?.close();
    await modelA?.close();
    await modelB?.close();
    await database?.drop();
  });

  it("lets an admin add and test two connectors and bind the summary agent to the second", async () => {
    // No endpoint in the environment: the UI says so up front until a connector exists.
    expect((await clients.trainer.request("GET", "/api/llm-status")).body).toEqual({ configured: false, connector: null });
    for (const [name, target, key, model] of [
      ["Main", modelA, keyA, "model-a"],
      ["Summaries", modelB, keyB, "model-b"],
    ] as const) {
      const created = await clients.admin.request("POST", "/api/connectors", {
        name,
        baseUrl: target.baseUrl,
        apiKey: key,
        models: [model],
        defaultModel: model,
        priceInputPerMTokUsd: 1,
        priceOutputPerMTokUsd: 2,
      });
      expect(created.status).toBe(201);
      expect(JSON.stringify(created.body)).not.toContain(key);
      connectorIds[name] = created.body.connector.id;
    }
    expect((await clients.trainer.request("GET", "/api/llm-status")).body).toEqual({ configured: true, connector: { id: connectorIds.Main, name: "Main" } });
    const tested = await clients.admin.request("POST", `/api/connectors/${connectorIds.Summaries}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.result).toMatchObject({ ok: true, answer: "pong", model: "model-b" });

    const bound = await clients.admin.request("PATCH", "/api/agents/call-summary", {
      engine: { kind: "llm", connectorId: connectorIds.Summaries, model: "model-b" },
    });
    expect(bound.status).toBe(200);
  });

  it("runs five agents on an imported call, each on the connector it is bound to", async () => {
    const testCalls = modelB.chatRequests().length;
    recordingId = await importAndDraft(clients.rep, call, "end-to-end.vtt");
    const runs = await clients.rep.request("GET", `/api/recordings/${recordingId}/agent-runs`);
    expect(runs.status).toBe(200);
    const byAgent = Object.fromEntries(runs.body.runs.map((run: { agent: string }) => [run.agent, run]));
    expect(Object.keys(byAgent).sort()).toEqual(["action-items", "call-summary", "follow-up-email", "intent-tagger", "talk-tracks"]);
    for (const run of Object.values(byAgent) as Array<{ status: string; connectorId: string; traceId: string | null; costUsd: number }>) {
      expect(run.status).toBe("succeeded");
      expect(run.traceId).not.toBeNull();
      expect(run.costUsd).toBeGreaterThan(0);
    }
    expect(byAgent["call-summary"].connectorId).toBe(connectorIds.Summaries);
    expect(byAgent["intent-tagger"].connectorId).toBe(connectorIds.Main);
    expect(modelB.chatRequests().slice(testCalls).map(outputName)).toEqual(["call_summary"]);
    expect(modelA.chatRequests().map(outputName).sort()).toEqual(["action_items", "follow_up_email", "intent_tagger", "talk_tracks"]);
  });

  it("opens the trace of a draft item: the exact messages, the model call and what was stored", async () => {
    const draft = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    expect(draft.status).toBe(200);
    const item = draft.body.draft.items.find((candidate: { kind: string }) => candidate.kind === "action_item");
    expect(item.traceId).toEqual(expect.any(String));

    for (const client of [clients.trainer, clients.rep]) {
      const trace = await client.request("GET", `/api/traces/${item.traceId}`);
      expect(trace.status).toBe(200);
      expect(trace.body).toMatchObject({ agent: "action-items", status: "ok", connectorId: connectorIds.Main, recordingId });
      const kinds = trace.body.spans.map((span: { kind: string }) => span.kind);
      expect(kinds).toEqual(expect.arrayContaining(["prompt", "model_call", "parse", "result"]));
      const modelCall = trace.body.spans.find((span: { kind: string }) => span.kind === "model_call");
      expect(modelCall.status).toBe("ok");
      expect(JSON.stringify(modelCall)).toContain("send_quote");
    }

    const listed = await clients.trainer.request("GET", `/api/traces?recordingId=${recordingId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.traces.map((trace: { agent: string }) => trace.agent).sort()).toEqual([
      "action-items",
      "call-summary",
      "follow-up-email",
      "intent-tagger",
      "talk-tracks",
    ]);
  });

  it("counts the invocations and their cost on the capability map", async () => {
    const map = await clients.admin.request("GET", "/api/capability-map");
    expect(map.status).toBe(200);
    const cells = map.body.cells.filter((cell: { teamId: string }) => cell.teamId === organisation.north.id);
    const invocations = cells.reduce((sum: number, cell: { agentInvocations: number | null }) => sum + (cell.agentInvocations ?? 0), 0);
    const cost = cells.reduce((sum: number, cell: { aiCostUsd: number | null }) => sum + (cell.aiCostUsd ?? 0), 0);
    expect(invocations).toBe(5);
    expect(cost).toBeGreaterThan(0);
  });

  it("writes neither API key into any trace", async () => {
    const { rows } = await database.db.query<{ text: string }>(
      "SELECT t::text AS text FROM traces t UNION ALL SELECT s::text FROM trace_spans s",
    );
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(row.text).not.toContain(keyA);
      expect(row.text).not.toContain(keyB);
    }
  });
});
