/**
 * Outbound webhooks through the real server, job runner (embedded and BullMQ) and a local receiver: a
 * receiver that fails twice then succeeds gets three attempts spaced by the exponential backoff,
 * the delivery log shows them, "resend" delivers again; a decision and a drafted call emit their
 * events, signed so that a receiver can verify them; only admins manage webhooks.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../core/db/database.ts";
import { jobOptions } from "../core/jobs/contracts.ts";
import { verifySignature } from "../core/webhooks/signature.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { redisUrl, startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";
import { startWebhookReceiver } from "./support/webhook-receiver.ts";
import type { WebhookReceiver } from "./support/webhook-receiver.ts";

/** A ready call with one draft: an action item and a talk track, straight in SQL. */
async function insertDraftedCall(db: Db, organisation: Organisation, reference: string) {
  const recordingId = randomUUID();
  await db.query(
    `INSERT INTO recordings (id, workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size,
       customer_reference, customer_stage, call_date, consent_confirmed_at, status)
     VALUES ($1, $2, $3, $4, 'transcript', 'Acme discovery', 'call.txt', $5, 10, $6, 'discovery', '2026-06-01', now(), 'ready')`,
    [recordingId, organisation.workspaceId, organisation.north.id, organisation.users.northRep.id, randomBytes(16).toString("hex"), reference],
  );
  const transcript = await db.query<{ id: string }>("INSERT INTO transcripts (recording_id, transcriber) VALUES ($1, 'test') RETURNING id", [recordingId]);
  const draft = await db.query<{ id: string }>(
    "INSERT INTO drafts (recording_id, transcript_id, engine, model) VALUES ($1, $2, 'local', 'test') RETURNING id",
    [recordingId, transcript.rows[0].id],
  );
  const item = await db.query<{ id: string }>(
    `INSERT INTO draft_items (draft_id, recording_id, kind, position, content) VALUES ($1, $2, 'action_item', 0, $3) RETURNING id`,
    [draft.rows[0].id, recordingId, JSON.stringify({ type: "send_materials", flagged: false, title: "Send the comparison sheet", owner: "rep", dueDate: "2026-06-05", customer: null, notes: null, evidence: [0], confidence: 0.8 })],
  );
  return { recordingId, actionItemId: item.rows[0].id };
}

// Both job transports deliver (and retry) webhooks: the embedded one on each database, BullMQ once.
const setups = [...databaseKinds.map((kind) => ({ kind, transport: "embedded" })), { kind: "pglite" as const, transport: "bullmq" }];

describe.each(setups)("outbound webhooks on $kind with the $transport transport", ({ kind, transport }) => {
  let database: TestDatabase;
  let organisation: Organisation;
  let server: TestServer;
  let receiver: WebhookReceiver;
  let admin: TestClient;
  let webhookId: string;
  let secret: string;

  const deliveries = async () => (await admin.request("GET", `/api/webhooks/${webhookId}/deliveries`)).body.deliveries as any[];
  const finished = (deliveryId: string) =>
    eventually(async () => {
      const delivery = (await deliveries()).find((candidate) => candidate.id === deliveryId);
      return delivery && delivery.state !== "pending" && delivery;
    });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, {
      work: true,
      environment: { DOUBLE_LABEL_SHARE: "0", ...(transport === "bullmq" ? { REDIS_URL: redisUrl } : {}) },
    });
    receiver = await startWebhookReceiver();
    admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await database?.drop();
  });

  it("lets only admins manage webhooks, and shows the secret once, stored encrypted", async () => {
    const manager = createTestClient(server.baseUrl);
    await manager.signIn("manager@example.com", testPassword);
    expect((await manager.request("GET", "/api/webhooks")).status).toBe(403);
    expect((await manager.request("POST", "/api/webhooks", { name: "x", url: receiver.url, events: ["call.ready"] })).status).toBe(403);
    expect((await admin.request("POST", "/api/webhooks", { name: "x", url: "ftp://example.test", events: ["call.ready"] })).status).toBe(400);
    // Not a URL at all: a 400, not a 500 from the protocol check.
    expect((await admin.request("POST", "/api/webhooks", { name: "x", url: "not a url", events: ["call.ready"] })).status).toBe(400);

    const created = await admin.request("POST", "/api/webhooks", {
      name: "CRM",
      url: receiver.url,
      events: ["call.ready", "decision.made", "action_item.accepted"],
    });
    expect(created.status).toBe(201);
    webhookId = created.body.webhook.id;
    secret = created.body.secret;
    expect(secret).toMatch(/^whsec_/);
    const listed = await admin.request("GET", "/api/webhooks");
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.webhooks[0]).toMatchObject({ id: webhookId, hasSecret: true, format: "json" });
    const stored = await database.db.query<{ sealed: string }>("SELECT secret_ciphertext AS sealed FROM webhook_subscriptions WHERE id = $1", [webhookId]);
    expect(stored.rows[0].sealed).not.toContain(secret.slice(6));
  });

  it("retries a receiver that fails twice with exponential backoff through the job runner, logs each attempt, and resends", async () => {
    receiver.received.length = 0;
    receiver.script = [500, 503];
    const sent = await admin.request("POST", `/api/webhooks/${webhookId}/test`);
    expect(sent.status).toBe(202);
    const delivery = await finished(sent.body.deliveryId);
    expect(delivery).toMatchObject({ state: "succeeded", attempts: 3, lastStatus: 200, eventType: "webhook.test" });
    expect(delivery.log.map((attempt: any) => attempt.statusCode)).toEqual([500, 503, 200]);
    expect(delivery.log[0].responseExcerpt).toContain("scripted 500");
    expect(delivery.log.every((attempt: any) => attempt.latencyMs >= 0)).toBe(true);

    // Three requests, the same event and delivery id each time, each verifiable with the secret.
    expect(receiver.received).toHaveLength(3);
    const [first, second, third] = receiver.received;
    for (const request of receiver.received) {
      expect(request.headers["calibrate-delivery-id"]).toBe(sent.body.deliveryId);
      expect(() => verifySignature({ secret, header: request.headers["calibrate-signature"] as string, body: request.body })).not.toThrow();
    }
    expect(JSON.parse(third.body).id).toBe(JSON.parse(first.body).id);
    // Backoff: the first retry waits the base delay, the second twice that.
    const base = jobOptions["webhook-delivery"].backoffMs;
    expect(second.at - first.at).toBeGreaterThanOrEqual(base * 0.9);
    expect(third.at - second.at).toBeGreaterThanOrEqual(base * 2 * 0.9);

    const resent = await admin.request("POST", `/api/webhooks/deliveries/${sent.body.deliveryId}/resend`);
    expect(resent.status).toBe(202);
    const again = await finished(resent.body.deliveryId);
    expect(again).toMatchObject({ state: "succeeded", attempts: 1, resendOf: sent.body.deliveryId });
    expect(JSON.parse(receiver.received[3].body).id).toBe(JSON.parse(first.body).id);
  });

  it("emits decision.made and action_item.accepted when a rep accepts an action item", async () => {
    receiver.received.length = 0;
    const call = await insertDraftedCall(database.db, organisation, "ACME-1");
    const rep = createTestClient(server.baseUrl);
    await rep.signIn("rep.north@example.com", testPassword);
    const decided = await rep.request("POST", `/api/review/items/${call.actionItemId}/decisions`, { action: "accept", revision: 0, shownAt: new Date(Date.now() - 1500).toISOString() });
    expect(decided.status).toBe(201);
    await eventually(async () => receiver.received.length >= 2 && true);
    const events = receiver.received.map((request) => JSON.parse(request.body));
    const made = events.find((event) => event.type === "decision.made");
    const accepted = events.find((event) => event.type === "action_item.accepted");
    expect(made.data).toMatchObject({ action: "accept", decidedBy: { id: organisation.users.northRep.id, isCallOwner: true }, recording: { id: call.recordingId, customerReference: "ACME-1" } });
    expect(accepted.data.item.content.title).toBe("Send the comparison sheet");
    expect(accepted.data.edited).toBe(false);
  });

  it("emits call.ready when a call's drafts are done, and erasing the call erases its events", async () => {
    receiver.received.length = 0;
    const rep = createTestClient(server.baseUrl);
    await rep.signIn("rep.north@example.com", testPassword);
    const data = new FormData();
    for (const [key, value] of Object.entries({ customerStage: "demo", consent: "true", language: "en", customerReference: "ACME-2" })) data.append(key, value);
    const transcript = "Agent: Hi, thanks for your time.\nCustomer: The price is too high for us.\nAgent: I'll send the comparison sheet by Friday.\n";
    data.append("file", new Blob([transcript], { type: "text/plain" }), "acme.txt");
    const imported = await rep.request("POST", "/api/recordings/import", data);
    expect(imported.status).toBe(201);
    const id = imported.body.recording.id;
    await eventually(async () => receiver.received.some((request) => JSON.parse(request.body).type === "call.ready"));
    const ready = receiver.received.map((request) => JSON.parse(request.body)).find((event) => event.type === "call.ready");
    expect(ready.data.recording).toMatchObject({ id, customerReference: "ACME-2", customerStage: "demo" });
    expect(ready.data.counts.actionItems).toBe(ready.data.actionItems.length);

    expect((await rep.request("DELETE", `/api/recordings/${id}`)).status).toBeLessThan(300);
    const left = await database.db.query("SELECT 1 FROM webhook_events WHERE recording_id = $1", [id]);
    expect(left.rows).toHaveLength(0);
  });
});
