/**
 * From an imported call to reviewed drafts, through the real server, workers and Redis: the local
 * engine drafts (and says so), trainers claim disjoint items, decide, get a 409 on a stale save,
 * undo; decisions retrain the local model and embed approved samples; the LLM engine drafts with the
 * production prompt-set version when an OpenAI-compatible endpoint is configured.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickBalanced } from "../core/eval/label-efficiency.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import { importAndDraft } from "./support/imported-calls.ts";
import type { TestClient } from "./support/http-client.ts";
import { startOpenAiCompatibleServer } from "./support/openai-compatible-server.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const call = [
  "WEBVTT",
  "",
  "00:00:00.000 --> 00:00:03.000",
  "<v Agent>Hi, thanks for taking the time today. How are you?",
  "",
  "00:00:03.500 --> 00:00:07.000",
  "<v Customer>Good, thanks. We're looking for a better way to track our sales calls.",
  "",
  "00:00:07.500 --> 00:00:11.000",
  "<v Customer>Honestly the price you quoted is too high for our budget this year.",
  "",
  "00:00:11.500 --> 00:00:15.000",
  "<v Agent>I understand. I'll send over a comparison sheet with the other plans by Friday.",
  "",
  "00:00:15.500 --> 00:00:19.000",
  "<v Customer>We already use another vendor, so let me think about it.",
  "",
  "00:00:19.500 --> 00:00:23.000",
  "<v Agent>Sure. Can we book a three-way video call with your IT lead next Wednesday?",
  "",
].join("\n");

describe.each(databaseKinds)("drafting and review on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  const clients: Record<string, TestClient> = {};
  let recordingId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await createOrganisation(database.db);
    server = await startTestServer(database.db, { work: true, environment: { DOUBLE_LABEL_SHARE: "0" } });
    for (const [name, email] of Object.entries({
      rep: "rep.north@example.com",
      otherRep: "rep2.north@example.com",
      trainer: "trainer@example.com",
      secondTrainer: "admin@example.com",
      southTrainer: "trainer.south@example.com",
      manager: "manager@example.com",
    })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
    recordingId = await importAndDraft(clients.rep, call, "call.vtt");
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it("drafts intents, catalogue-typed action items and talk tracks with the local engine, and says so", async () => {
    const response = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    expect(response.status).toBe(200);
    const { draft } = response.body;
    expect(draft.engine).toBe("local");
    expect(draft.model).toMatch(/^local-intent@\d+$/);
    expect(draft.promptSetVersion).toBeNull();
    const intents = draft.items.filter((item: { kind: string }) => item.kind === "intent");
    expect(intents).toHaveLength(6);
    const intentIds = new Set(response.body.intents.map((intent: { id: string }) => intent.id));
    for (const item of intents) {
      expect(intentIds.has(item.content.intent)).toBe(true);
      expect(item.confidence).toBeGreaterThan(0);
      expect(item.confidence).toBeLessThanOrEqual(1);
    }
    const actions = draft.items.filter((item: { kind: string }) => item.kind === "action_item");
    const types = actions.map((item: { content: { type: string } }) => item.content.type);
    expect(types).toContain("send_comparison_sheet");
    const comparison = actions.find((item: { content: { type: string } }) => item.content.type === "send_comparison_sheet");
    expect(comparison.content.evidence).toContain(3);
    expect(comparison.content.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Talk tracks come from approved ones (the shipped seed) or say that nothing similar was approved.
    const tracks = draft.items.filter((item: { kind: string }) => item.kind === "talk_track");
    expect(tracks.length + draft.notes.length).toBeGreaterThan(0);
    for (const track of tracks) expect(track.content.suggestion.length).toBeGreaterThan(0);
  });

  it("gives two trainers on one queue different items, and reps only their own", async () => {
    const first = await clients.trainer.request("POST", "/api/review/claim", { count: 3, kind: "intent" });
    const second = await clients.secondTrainer.request("POST", "/api/review/claim", { count: 3, kind: "intent" });
    expect(first.body.items).toHaveLength(3);
    expect(second.body.items).toHaveLength(3);
    const a = new Set(first.body.items.map((item: { id: string }) => item.id));
    for (const item of second.body.items) expect(a.has(item.id)).toBe(false);
    // The queue is ordered by uncertainty: least confident first.
    const confidences = first.body.items.map((item: { confidence: number }) => item.confidence);
    expect([...confidences].sort((x, y) => x - y)).toEqual(confidences);
    // Claiming again returns the caller's own leases first, never the other trainer's.
    const again = await clients.trainer.request("POST", "/api/review/claim", { count: 3, kind: "intent" });
    expect(new Set(again.body.items.map((item: { id: string }) => item.id))).toEqual(a);
    await clients.secondTrainer.request("POST", "/api/review/release", { itemIds: second.body.items.map((item: { id: string }) => item.id) });

    // "balanced": every predicted intent in turn (its least confident item first), so a cold
    // model gets examples of every intent early.
    const balanced = await clients.trainer.request("GET", "/api/review/queue?order=balanced&kind=intent&limit=100");
    expect(balanced.status).toBe(200);
    const intentsInOrder = balanced.body.items.map((item: { content: { intent: string } }) => item.content.intent);
    const distinct = new Set(intentsInOrder).size;
    expect(new Set(intentsInOrder.slice(0, distinct)).size).toBe(distinct);
    // It is the order the label-efficiency curve measures: pickBalanced over the same items in
    // the queue's tie order (created_at, id) picks them in the same sequence.
    type Listed = { id: string; createdAt: string; confidence: number; content: { intent: string } };
    const pool = [...(balanced.body.items as Listed[])].sort(
      (left, right) => left.createdAt.localeCompare(right.createdAt) || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0),
    );
    const picked = pickBalanced(pool.map((item) => ({ label: item.content.intent, confidence: item.confidence })), pool.length);
    expect(balanced.body.items.map((item: Listed) => item.id)).toEqual(picked.map((index) => pool[index].id));
    const byUncertainty = await clients.trainer.request("GET", "/api/review/queue?kind=intent&limit=100");
    expect([...balanced.body.items.map((item: { id: string }) => item.id)].sort()).toEqual(
      [...byUncertainty.body.items.map((item: { id: string }) => item.id)].sort(),
    );

    const otherRepQueue = await clients.otherRep.request("GET", "/api/review/queue");
    expect(otherRepQueue.body.total).toBe(0);
    const southQueue = await clients.southTrainer.request("GET", "/api/review/queue");
    expect(southQueue.body.total).toBe(0);
    expect((await clients.manager.request("POST", "/api/review/claim", { count: 1 })).status).toBe(403);
  });

  it("records decisions with who, when and how long, refuses stale saves, and undoes", async () => {
    const { body } = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    const item = body.draft.items.find((candidate: { kind: string; segmentOrdinal: number }) => candidate.kind === "intent" && candidate.segmentOrdinal === 2);
    const shownAt = new Date(Date.now() - 1500).toISOString();
    const overridden = await clients.trainer.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "override", after: { intent: "pricing_objection" }, revision: item.revision, shownAt,
    });
    expect(overridden.status).toBe(201);
    expect(overridden.body.item).toMatchObject({ status: "overridden", revision: item.revision + 1, currentContent: { intent: "pricing_objection" } });

    // The second trainer saw the old revision: their save is refused and says who decided.
    const stale = await clients.secondTrainer.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "accept", revision: item.revision, shownAt,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/already decided/);

    const [decision] = (
      await database.db.query<{ id: string; userId: string; decisionMs: number; before: { intent: string }; after: { intent: string } }>(
        `SELECT id, user_id AS "userId", decision_ms AS "decisionMs", before_content AS before, after_content AS after FROM decisions WHERE draft_item_id = $1`,
        [item.id],
      )
    ).rows;
    expect(decision.decisionMs).toBeGreaterThanOrEqual(1400);
    expect(decision.decisionMs).toBeLessThan(60_000);
    expect(decision.before.intent).toBe(item.content.intent);
    expect(decision.after.intent).toBe("pricing_objection");

    const badIntent = await clients.trainer.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "override", after: { intent: "teleportation" }, revision: item.revision + 1, shownAt,
    });
    expect(badIntent.status).toBe(400);

    expect((await clients.otherRep.request("POST", `/api/review/decisions/${overridden.body.decisionId}/undo`)).status).toBe(404);
    const undone = await clients.trainer.request("POST", `/api/review/decisions/${overridden.body.decisionId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.item).toMatchObject({ status: "pending", currentContent: null, revision: item.revision + 2 });
    expect((await clients.trainer.request("POST", `/api/review/decisions/${overridden.body.decisionId}/undo`)).status).toBe(409);

    // Decide again and leave it, for retraining.
    const final = await clients.trainer.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "override", after: { intent: "pricing_objection" }, revision: item.revision + 2, shownAt: new Date().toISOString(),
    });
    expect(final.status).toBe(201);
    const accepted = body.draft.items.find((candidate: { kind: string; segmentOrdinal: number }) => candidate.kind === "intent" && candidate.segmentOrdinal === 0);
    expect((await clients.rep.request("POST", `/api/review/items/${accepted.id}/decisions`, { action: "accept", revision: accepted.revision, shownAt })).status).toBe(201);
    expect((await clients.manager.request("POST", `/api/review/items/${accepted.id}/decisions`, { action: "accept", revision: accepted.revision + 1, shownAt })).status).toBe(403);
    // A rep's accept is not a label until a trainer approves it from the "corrected by the rep" queue.
    expect((await clients.secondTrainer.request("POST", `/api/review/items/${accepted.id}/decisions`, { action: "accept", revision: accepted.revision + 1, shownAt })).status).toBe(201);
  });

  it("retrains the local model on the labels and embeds approved samples for few-shot retrieval", async () => {
    const models = await eventually(async () => {
      const { rows } = await database.db.query<{ version: number; labelCount: number }>(
        `SELECT version, label_count AS "labelCount" FROM intent_models ORDER BY version DESC`,
      );
      return rows[0]?.labelCount >= 2 && rows;
    });
    expect(models[0].version).toBeGreaterThan(1);
    const samples = await eventually(async () => {
      const { rows } = await database.db.query<{ label: string; approved: boolean }>(
        "SELECT label, approved FROM embeddings WHERE source_type = 'sample' AND approved",
      );
      return rows.length >= 2 && rows;
    });
    expect(samples.map((sample) => sample.label)).toContain("pricing_objection");
  });

  it("shows trainers their calibration figures", async () => {
    const response = await clients.trainer.request("GET", "/api/review/dashboard");
    expect(response.status).toBe(200);
    const mine = response.body.trainers.find((trainer: { name: string }) => trainer.name === "trainer");
    // Override, undo, override again: only the standing decision counts.
    expect(mine.decisions).toBe(1);
    expect(mine.overrideRate).toBe(1);
    expect(mine.medianDecisionMs).toBeGreaterThan(0);
    expect((await clients.rep.request("GET", "/api/review/dashboard")).status).toBe(403);
  });

  it("stores and validates hotkey bindings per user", async () => {
    expect((await clients.trainer.request("PUT", "/api/me/hotkeys", { bindings: { "review:accept": "y", "review:reject": "y" } })).status).toBe(400);
    expect((await clients.trainer.request("PUT", "/api/me/hotkeys", { bindings: { "review:accept": "y" } })).status).toBe(200);
    expect((await clients.trainer.request("GET", "/api/me/hotkeys")).body.bindings).toEqual({ "review:accept": "y" });
    expect((await clients.rep.request("GET", "/api/me/hotkeys")).body.bindings).toEqual({});
  });
});

describe("drafting with an OpenAI-compatible endpoint", () => {
  let database: TestDatabase;
  let llm: Awaited<ReturnType<typeof startOpenAiCompatibleServer>>;
  let server: TestServer;
  /** What the model answers each agent (by structured-output name); scripted replies go first. */
  const answers: Record<string, unknown> = {
    intent_tagger: {
      intents: [
        { segment: 0, intent: "greeting", confidence: 0.95 },
        { segment: 2, intent: "pricing_objection", confidence: 0.9 },
      ],
      notes: [],
    },
    action_items: {
      actionItems: [
        { type: "send_comparison_sheet", title: "Send the comparison sheet", owner: "agent", dueDate: null, customer: null, notes: null, evidence: [3], confidence: 0.9 },
      ],
      notes: [],
    },
    talk_tracks: { talkTracks: [], notes: [] },
    call_summary: { language: "en", keyPoints: [{ text: "Price is too high.", evidence: [2] }], customerPains: [], objections: [], nextSteps: [] },
    follow_up_email: { language: "en", subject: "Follow-up", body: "Thanks. [name]" },
  };

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    await createOrganisation(database.db);
    llm = await startOpenAiCompatibleServer({
      fallback: (request) => {
        const name = request.response_format?.json_schema?.name ?? "";
        return name in answers
          ? { content: JSON.stringify(answers[name]), usage: { promptTokens: 900, completionTokens: 120 } }
          : { status: 400, message: `no answer for ${name}` };
      },
    });
    server = await startTestServer(database.db, {
      work: true,
      environment: { OPENAI_BASE_URL: llm.baseUrl, OPENAI_API_KEY: llm.apiKey },
    });
  });

  afterAll(async () => {
    await server.close();
    await llm.close();
    await database.drop();
  });

  it("runs each agent on the production version of its own prompt set and records it on its items", async () => {
    const rep = createTestClient(server.baseUrl);
    await rep.signIn("rep.north@example.com", testPassword);
    const id = await importAndDraft(rep, call, "llm-call.vtt");
    const { body } = await rep.request("GET", `/api/recordings/${id}/draft`);
    // The draft is the pipeline's container: the intent tagger's provenance, the five runs' tokens and cost.
    expect(body.draft).toMatchObject({ engine: "llm", model: "gpt-4o-mini", promptSetVersion: "intent-tagger@v1", inputTokens: 5 * 900, outputTokens: 5 * 120 });
    expect(Number(body.draft.estimatedCostUsd)).toBeGreaterThan(0);
    const intents = body.draft.items.filter((item: { kind: string }) => item.kind === "intent");
    expect(intents).toHaveLength(2);
    expect(intents[0]).toMatchObject({ engine: "llm", model: "gpt-4o-mini", promptSetVersion: "intent-tagger@v1", agent: "intent-tagger" });
    const action = body.draft.items.find((item: { kind: string }) => item.kind === "action_item");
    expect(action).toMatchObject({ promptSetVersion: "action-items@v1", agent: "action-items", content: { title: "Send the comparison sheet" } });
    // The transcript reached each model call as delimited data.
    const requests = llm.chatRequests().filter((request) => request.response_format?.json_schema?.name === "action_items");
    const sent = JSON.stringify(requests.at(-1));
    expect(sent).toContain("<transcript>");
    expect(sent).toContain("comparison sheet");
  });

  it("streams a sandbox draft of a call by a given prompt-set version (the AI SDK loaded on first use)", async () => {
    const output = {
      intents: [{ segment: 0, intent: "greeting", confidence: 0.9 }],
      actionItems: [],
      talkTracks: [],
      notes: [],
    };
    const rep = createTestClient(server.baseUrl);
    await rep.signIn("rep.north@example.com", testPassword);
    const id = await importAndDraft(rep, call.replace("Hi, thanks", "Hello, thanks"), "sandbox-call.vtt");
    // The sandbox still tries the one-shot `sales-call` set; its reply is queued once the agents are done.
    llm.enqueue({ content: JSON.stringify(output) });
    const trainer = createTestClient(server.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);
    const tried = await trainer.request("POST", "/api/prompt-sets/sales-call/versions/v1/try", { recordingId: id });
    expect(tried.status).toBe(200);
    const [streamedText, final] = String(tried.body).split("\n\u001e");
    expect(streamedText).toContain("greeting");
    expect(JSON.parse(final)).toMatchObject({ content: { intents: [{ segment: 0, intent: "greeting" }] }, provenance: { promptSetVersion: "sales-call@v1" } });
  });
});
