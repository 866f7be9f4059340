/**
 * The eval harness on agent versions (issue 12): a dataset of call-level action-item cases built
 * from a trainer's real decisions over the review API (accept, reject, edit, add), the action-items
 * agent scored item by item on the local engine (figures computed by hand below) and on an LLM
 * connector (the project's local OpenAI-compatible server, stored as an admin adds it once the call
 * was drafted locally, and disabled again afterwards), and the refusals: an agent with no
 * scorer, a dataset of the wrong kind, the intent agent on utterances.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentModel } from "./support/agent-model.ts";
import { createTestDatabase, databaseKinds, type TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient, type TestClient } from "./support/http-client.ts";
import { importAndDraft } from "./support/imported-calls.ts";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer, type ScriptedReply } from "./support/openai-compatible-server.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

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
  "<v Agent>I'll send over the quote by Friday.",
  "",
  "00:00:11.500 --> 00:00:15.000",
  "<v Agent>I'll set up a three-way video call with our specialist next Wednesday.",
  "",
  "00:00:15.500 --> 00:00:19.000",
  "<v Customer>Yes. Please also send me the contract draft.",
  "",
  "00:00:19.500 --> 00:00:23.000",
  "<v Agent>I'll also send you a case study from a similar customer and our product brochure.",
  "",
].join("\n");

interface Item {
  id: string;
  kind: string;
  revision: number;
  evidence: number[];
  content: { type: string | null; title: string; dueDate: string | null; evidence: number[] };
}

interface Counts {
  truePositives: number;
  predicted: number;
  expected: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

describe.each(databaseKinds)("agent versions in the eval harness (%s)", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let model: OpenAiCompatibleServer;
  const scripts = new Map<string, ScriptedReply[]>();
  const clients: Record<string, TestClient> = {};
  let drafted: Item[] = [];
  let recordingId: string;

  beforeAll(async () => {
    model = await startOpenAiCompatibleServer({ apiKey: "key-eval", fallback: agentModel(scripts) });
    database = await createTestDatabase(kind);
    await createOrganisation(database.db);
    // No connector yet: the pipeline drafts on the local engine.
    server = await startTestServer(database.db, {
      work: true,
      environment: { DOUBLE_LABEL_SHARE: "0" },
      agents: { retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    });
    for (const [name, email] of Object.entries({ rep: "rep.north@example.com", trainer: "trainer@example.com", admin: "admin@example.com" })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
    recordingId = await importAndDraft(clients.rep, call, "eval-call.vtt");
    const draft = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    drafted = draft.body.draft.items.filter((item: Item) => item.kind === "action_item");
  });

  afterAll(async () => {
    await server?.close();
    await model?.close();
    await database?.drop();
  });

  async function decide(item: Item, action: "accept" | "reject" | "override", after?: Record<string, unknown>) {
    const response = await clients.trainer.request("POST", `/api/review/items/${item.id}/decisions`, {
      action,
      revision: item.revision,
      shownAt: new Date(Date.now() - 3000).toISOString(),
      ...(after ? { after } : {}),
    });
    expect(response.status).toBe(201);
  }

  async function runToEnd(target: string, dataset: string) {
    const created = await clients.trainer.request("POST", "/api/eval-runs", { dataset, target });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    return eventually(async () => {
      const response = await clients.trainer.request("GET", `/api/eval-runs/${created.body.run.id}`);
      if (response.body.run.status === "failed") throw new Error(response.body.run.error);
      return response.body.run.status === "completed" ? response.body.run : null;
    });
  }

  it("builds a call-level action-item dataset from the trainer's accept, reject, edit and add", async () => {
    // The local engine drafts these on the call (ordinals 0-4): the quote (2), the video call (3), the contract (4).
    expect(drafted.length).toBeGreaterThanOrEqual(3);
    const types = drafted.map((item) => item.content.type);
    expect(new Set(types).size).toBe(drafted.length);
    const [accepted, rejected, edited, ...rest] = drafted;
    await decide(accepted, "accept");
    await decide(rejected, "reject");
    // Edited to a type the engine drafted nowhere in the call, on the same utterance.
    await decide(edited, "override", { ...edited.content, type: "escalate_to_specialist" });
    for (const item of rest) await decide(item, "reject");
    // A person adds what the engine missed: a follow-up call on the first customer utterance.
    const added = await clients.trainer.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "schedule_follow_up",
      title: "Call back about the budget",
      evidence: [1],
      shownAt: new Date(Date.now() - 5000).toISOString(),
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(types).not.toContain("escalate_to_specialist");
    expect(types).not.toContain("schedule_follow_up");

    const created = await clients.trainer.request("POST", "/api/datasets", { name: "calls-reviewed", kind: "action_items" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.version).toMatchObject({ filters: { kind: "action_items" }, counts: { test: 1, train: 0 } });
    // A rep may not build datasets; an intent dataset of the same decisions still works as before.
    expect((await clients.rep.request("POST", "/api/datasets", { name: "x", kind: "action_items" })).status).toBe(403);
  });

  it("scores the action-items agent on the local engine: item-level P/R/F1 computed by hand", async () => {
    const run = await runToEnd("agent:action-items@v1", "calls-reviewed");
    expect(run.targetDescription).toBe("agent:action-items@v1");
    expect(run.target).toMatchObject({ kind: "agent", agent: "action-items", version: "v1" });
    const n = drafted.length;
    // Predicted: the n drafted items again (the engine is deterministic). Expected: the accepted one,
    // the edited one (escalate_to_specialist) and the added one (schedule_follow_up) = 3. Only the accepted one
    // matches by type and utterance: TP 1, P = 1/n, R = 1/3.
    const items = run.metrics.actionItems as { strict: Counts; typeOnly: Counts; withDueDate: Counts; calls: number; exactCalls: number };
    const p = 1 / n;
    const r = 1 / 3;
    expect(items.strict).toMatchObject({ truePositives: 1, predicted: n, expected: 3 });
    expect(items.strict.precision).toBeCloseTo(p, 10);
    expect(items.strict.recall).toBeCloseTo(r, 10);
    expect(items.strict.f1).toBeCloseTo((2 * p * r) / (p + r), 10);
    // No predicted type is escalate_to_specialist or schedule_follow_up, so the type-only variant agrees; the
    // accepted item kept its due date, so the due-date variant does too.
    expect(items.typeOnly.truePositives).toBe(1);
    expect(items.withDueDate.truePositives).toBe(1);
    expect(items).toMatchObject({ calls: 1, exactCalls: 0 });
    expect(run.metrics.microF1).toBeCloseTo((2 * p * r) / (p + r), 10);
    expect(run.metrics.engine).toMatchObject({ kind: "local" });
    const perType = run.metrics.perLabel as Record<string, { support: number; predicted: number; truePositives: number; recall: number }>;
    expect(perType[drafted[0].content.type!]).toMatchObject({ support: 1, predicted: 1, truePositives: 1, recall: 1 });
    expect(perType.escalate_to_specialist).toMatchObject({ support: 1, predicted: 0, truePositives: 0 });
    expect(perType.schedule_follow_up).toMatchObject({ support: 1, predicted: 0, truePositives: 0 });
    expect(perType[drafted[1].content.type!]).toMatchObject({ support: 0, predicted: 1, truePositives: 0 });

    const results = await clients.trainer.request("GET", `/api/eval-runs/${run.id}/results`);
    expect(results.status).toBe(200);
    expect(results.body.results).toHaveLength(1);
    expect(results.body.results[0]).toMatchObject({ caseKey: `call:${recordingId}`, error: null });
    expect(results.body.results[0].expected).toContain("escalate_to_specialist@");
  });

  it("scores it on an LLM connector: the version bound to the connector asks the model server", async () => {
    const created = await clients.admin.request("POST", "/api/connectors", {
      name: "Eval",
      baseUrl: model.baseUrl,
      apiKey: "key-eval",
      models: ["model-eval"],
      defaultModel: "model-eval",
      timeoutMs: 10_000,
      maxConcurrency: 2,
      priceInputPerMTokUsd: 1,
      priceOutputPerMTokUsd: 2,
    });
    expect(created.status).toBe(201);
    const connector: { id: string } = created.body.connector;
    const bound = await clients.admin.request("PATCH", "/api/agents/action-items", {
      engine: { kind: "llm", connectorId: connector.id, model: null },
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    const version = bound.body.version.version as number;
    const before = model.requests.length;
    // The model answers one send_quote item on utterance 2, due 2026-01-09, and one on the wrong utterance.
    scripts.set("action_items", [
      {
        content: JSON.stringify({
          actionItems: [
            { type: drafted[0].content.type, title: "Send the quote", owner: "agent", dueDate: drafted[0].content.dueDate, customer: null, notes: null, evidence: drafted[0].evidence, confidence: 0.9 },
            { type: "schedule_follow_up", title: "Call back", owner: "agent", dueDate: null, customer: null, notes: null, evidence: [4], confidence: 0.6 },
          ],
          notes: [],
        }),
      },
    ]);
    const run = await runToEnd(`agent:action-items@v${version}`, "calls-reviewed");
    expect(model.requests.length - before).toBe(1);
    expect(run.metrics.engine).toMatchObject({ kind: "llm", connectorId: connector.id, model: "model-eval" });
    const items = run.metrics.actionItems as { strict: Counts; typeOnly: Counts };
    // Strict: the first matches (same type, same utterance); schedule_follow_up on 4 does not overlap 1.
    // TP 1 of 2 predicted, of 3 expected: P 1/2, R 1/3, F1 = 2·(1/6)/(5/6) = 0.4.
    expect(items.strict).toMatchObject({ truePositives: 1, predicted: 2, expected: 3, precision: 0.5 });
    expect(items.strict.f1).toBeCloseTo(0.4, 10);
    // Type only: schedule_follow_up matches the added item anywhere in the call: TP 2 → P 1, R 2/3, F1 0.8.
    expect(items.typeOnly).toMatchObject({ truePositives: 2, precision: 1 });
    expect(items.typeOnly.f1).toBeCloseTo(0.8, 10);
    expect(run.metrics.tokens.total).toBeGreaterThan(0);

    // Two runs of the same agent compare case by case.
    const runs = await clients.trainer.request("GET", "/api/eval-runs");
    const local = runs.body.runs.find((candidate: { targetDescription: string }) => candidate.targetDescription === "agent:action-items@v1");
    const comparison = await clients.trainer.request("GET", `/api/eval-runs/compare?baseline=${local.id}&candidate=${run.id}`);
    expect(comparison.status).toBe(200);
    expect(comparison.body.candidateRun.metrics.microF1).toBeCloseTo(0.4, 10);
    // The versions that name no connector run on the local engine again, as before it was added.
    expect((await clients.admin.request("PATCH", `/api/connectors/${connector.id}`, { enabled: false })).status).toBe(200);
  });

  it("refuses agents without a scorer and datasets of the wrong kind with 422; scores the intent agent per utterance", async () => {
    const summary = await clients.trainer.request("POST", "/api/eval-runs", { dataset: "calls-reviewed", target: "agent:call-summary@v1" });
    expect(summary.status).toBe(422);
    expect(summary.body.error.message).toContain("has no scorer yet");
    const wrongKind = await clients.trainer.request("POST", "/api/eval-runs", { dataset: "calls-reviewed", target: "agent:intent-tagger@v1" });
    expect(wrongKind.status).toBe(422);
    expect((await clients.trainer.request("POST", "/api/eval-runs", { dataset: "calls-reviewed", target: "agent:action-items@v99" })).status).toBe(404);
    expect((await clients.trainer.request("POST", "/api/eval-runs", { dataset: "calls-reviewed", target: "agent:Bad@1" })).status).toBe(400);

    // Intent labels: accept every intent of the call, then run the intent agent over them.
    const draft = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    for (const item of draft.body.draft.items.filter((entry: Item) => entry.kind === "intent")) await decide(item, "accept");
    const dataset = await clients.trainer.request("POST", "/api/datasets", { name: "intents-reviewed", testShare: 0.5 });
    expect(dataset.status, JSON.stringify(dataset.body)).toBe(201);
    const onCalls = await clients.trainer.request("POST", "/api/eval-runs", { dataset: "intents-reviewed", target: "agent:action-items@v1" });
    expect(onCalls.status).toBe(422);
    const run = await runToEnd("agent:intent-tagger@v1", "intents-reviewed");
    expect(run.metrics.caseCount).toBe(dataset.body.version.counts.test);
    expect(run.metrics.accuracy).not.toBeNull();
    expect(run.metrics.actionItems).toBeUndefined();
  });
});
