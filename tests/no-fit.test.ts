/**
 * Long tails (issue 14 §3) through the real server: the queue marks intent items under the
 * workspace's new-intent threshold and filters to them; "none of these fits" is a decision like
 * the others (who, when, how long), teaches the classifier no label, leaves the queue, is listed
 * for trainers, and undoes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainerLabels, unlabelledUtterances } from "../core/draft/intent-models.ts";
import { defaultNewIntentThreshold } from "../core/review/new-intents.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { importAndDraft } from "./support/imported-calls.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const call = [
  "WEBVTT",
  "",
  "00:00:00.000 --> 00:00:03.000",
  "<v Customer>Honestly the price you quoted is too high for our budget this year.",
  "",
  "00:00:03.500 --> 00:00:07.000",
  "<v Customer>Does your warehouse robot fleet integrate with our forklift telemetry?",
  "",
  "00:00:07.500 --> 00:00:11.000",
  "<v Customer>We already use another vendor, so let me think about it.",
  "",
  "00:00:11.500 --> 00:00:15.000",
  "<v Agent>I understand. I'll send over a comparison sheet with the other plans by Friday.",
  "",
].join("\n");

interface Item {
  id: string;
  kind: string;
  segmentOrdinal: number;
  segmentText: string;
  revision: number;
  confidence: number | null;
  likelyNewIntent: boolean;
  content: { intent: string };
}

describe.each(databaseKinds)("likely new intents and 'none of these fits' on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let workspaceId: string;
  const clients: Record<string, TestClient> = {};
  let items: Item[];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    workspaceId = (await createOrganisation(database.db)).workspaceId;
    server = await startTestServer(database.db, { work: true, environment: { DOUBLE_LABEL_SHARE: "0" } });
    for (const [name, email] of Object.entries({ rep: "rep.north@example.com", trainer: "trainer@example.com", manager: "manager@example.com" })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
    const recordingId = await importAndDraft(clients.rep, call, "call.vtt");
    const draft = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    items = draft.body.draft.items.filter((item: Item) => item.kind === "intent");
    expect(items).toHaveLength(4);
    // The engine's confidences depend on the seed model; pin them so the threshold splits them.
    for (const [ordinal, confidence] of [[0, 0.9], [1, 0.2], [2, 0.7], [3, 0.8]]) {
      await database.db.query("UPDATE draft_items SET confidence = $2 WHERE id = $1", [items[ordinal].id, confidence]);
    }
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it("marks intent items under the workspace's threshold and filters the queue to them", async () => {
    const all = await clients.trainer.request("GET", "/api/review/queue?kind=intent");
    expect(all.status).toBe(200);
    // No trainer decisions yet: the documented default applies.
    expect(all.body.newIntentThreshold).toBe(defaultNewIntentThreshold);
    const marked = Object.fromEntries(all.body.items.map((item: Item) => [item.segmentOrdinal, item.likelyNewIntent]));
    expect(marked).toEqual({ 0: false, 1: true, 2: false, 3: false });

    const likely = await clients.trainer.request("GET", "/api/review/queue?likelyNewIntent=true");
    expect(likely.status).toBe(200);
    expect(likely.body.total).toBe(1);
    expect(likely.body.items.map((item: Item) => item.id)).toEqual([items[1].id]);

    const claimed = await clients.trainer.request("POST", "/api/review/claim", { count: 5, likelyNewIntent: "true" });
    expect(claimed.status).toBe(200);
    expect(claimed.body.items.map((item: Item) => [item.id, item.likelyNewIntent])).toEqual([[items[1].id, true]]);
    await clients.trainer.request("POST", "/api/review/release", { itemIds: [items[1].id] });

    expect((await clients.trainer.request("GET", "/api/review/queue?likelyNewIntent=maybe")).status).toBe(400);
  });

  it("records 'none of these fits' as a decision that teaches no label, lists the utterance and undoes", async () => {
    const item = items[1];
    const shownAt = new Date(Date.now() - 1200).toISOString();
    // The call's own rep may accept or correct, but whether an intent is missing is the trainers' call.
    expect((await clients.rep.request("POST", `/api/review/items/${item.id}/decisions`, { action: "no_fit", revision: item.revision, shownAt })).status).toBe(403);
    const decided = await clients.trainer.request("POST", `/api/review/items/${item.id}/decisions`, { action: "no_fit", revision: item.revision, shownAt });
    expect(decided.status).toBe(201);
    expect(decided.body.item).toMatchObject({ status: "rejected", currentContent: { intent: null, noFit: true } });

    const { rows } = await database.db.query<{ action: string; decisionMs: number; decidedAs: string; before: { intent: string } }>(
      `SELECT action, decision_ms AS "decisionMs", decided_as AS "decidedAs", before_content AS before FROM decisions WHERE draft_item_id = $1`,
      [item.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "no_fit", decidedAs: "trainer", before: { intent: item.content.intent } });
    expect(rows[0].decisionMs).toBeGreaterThanOrEqual(1100);

    // No label from it: not a trainer label, and not in the pool self-training labels itself.
    expect((await trainerLabels(database.db, workspaceId)).map((example) => example.text)).not.toContain(item.segmentText);
    expect((await unlabelledUtterances(database.db, workspaceId)).map((example) => example.text)).not.toContain(item.segmentText);
    expect((await unlabelledUtterances(database.db, workspaceId)).map((example) => example.text)).toContain(items[0].segmentText);

    const queue = await clients.trainer.request("GET", "/api/review/queue?kind=intent");
    expect(queue.body.items.map((queued: Item) => queued.id)).not.toContain(item.id);

    const listed = await clients.trainer.request("GET", "/api/review/no-fit");
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(1);
    expect(listed.body.items[0]).toMatchObject({ itemId: item.id, text: item.segmentText, draftedIntent: item.content.intent, decidedBy: expect.any(String) });
    expect((await clients.manager.request("GET", "/api/review/no-fit")).body.total).toBe(1);
    expect((await clients.rep.request("GET", "/api/review/no-fit")).status).toBe(403);
    expect((await clients.trainer.request("GET", "/api/review/no-fit?limit=0")).status).toBe(400);

    const undone = await clients.trainer.request("POST", `/api/review/decisions/${decided.body.decisionId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.item).toMatchObject({ status: "pending", currentContent: null });
    expect((await clients.trainer.request("GET", "/api/review/no-fit")).body.total).toBe(0);
  });

  it("refuses 'none of these fits' on items that are not intents", async () => {
    const queue = await clients.trainer.request("GET", "/api/review/queue?kind=action_item");
    expect(queue.body.items.every((queued: Item) => !queued.likelyNewIntent)).toBe(true);
    const actionItem = queue.body.items[0];
    expect(actionItem).toBeDefined();
    const refused = await clients.trainer.request("POST", `/api/review/items/${actionItem.id}/decisions`, {
      action: "no_fit", revision: actionItem.revision, shownAt: new Date().toISOString(),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/intent items only/);
  });

  it("derives the threshold from the workspace's trainer decisions once there are enough", async () => {
    // 15 drafts trainers accepted (confident) and 10 they corrected (less so), on the same draft.
    const right = Array.from({ length: 15 }, (_, index) => ({ confidence: 0.85 + index * 0.01, status: "accepted" }));
    const wrong = Array.from({ length: 10 }, (_, index) => ({ confidence: 0.6 + index * 0.02, status: "overridden" }));
    const { rows } = await database.db.query<{ draftId: string; recordingId: string }>(
      `SELECT draft_id AS "draftId", recording_id AS "recordingId" FROM draft_items WHERE id = $1`,
      [items[0].id],
    );
    for (const [index, decided] of [...right, ...wrong].entries()) {
      await database.db.query(
        `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, confidence, status, decided_as)
         VALUES ($1, $2, 'intent', $3, 0, '{"segment": 0, "intent": "small_talk"}', $4, $5, 'trainer')`,
        [rows[0].draftId, rows[0].recordingId, 100 + index, decided.confidence, decided.status],
      );
    }
    const queue = await clients.trainer.request("GET", "/api/review/queue?kind=intent");
    // Between the corrected drafts (≤ 0.78) and the accepted ones (≥ 0.85), not the default.
    expect(queue.body.newIntentThreshold).toBeGreaterThan(0.7);
    expect(queue.body.newIntentThreshold).toBeLessThanOrEqual(0.85);
    const marked = Object.fromEntries(queue.body.items.map((item: Item) => [item.confidence, item.likelyNewIntent]));
    expect(marked).toMatchObject({ 0.9: false, 0.8: false });
    expect(queue.body.items.find((item: Item) => item.id === items[2].id).likelyNewIntent).toBe(true);
  });
});
