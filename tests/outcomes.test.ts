/**
 * Customer outcomes in, through the real server: the signed inbound webhook refuses a bad signature
 * (401), a stale timestamp (401) and an unknown customer reference (422, with the reason) and stores
 * nothing then; a good batch attaches to the calls of its reference (date window respected), once
 * even when re-sent; the CSV import reports each bad row and is all-or-nothing; outcomes show on the
 * call and its account's calls within each role's view; erasing a call takes its outcomes along.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../core/db/database.ts";
import { signatureHeaderValue } from "../core/webhooks/signature.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

async function insertCall(db: Db, organisation: Organisation, input: { reference: string; callDate: string; owner?: "northRep" | "southRep"; stage?: string }) {
  const id = randomUUID();
  const owner = organisation.users[input.owner ?? "northRep"];
  await db.query(
    `INSERT INTO recordings (id, workspace_id, team_id, owner_id, source, title, original_filename, content_sha256, byte_size,
       customer_reference, customer_stage, call_date, consent_confirmed_at, status)
     VALUES ($1, $2, $3, $4, 'transcript', $5, 'call.txt', $6, 10, $7, $8, $9, now(), 'ready')`,
    [id, organisation.workspaceId, owner.teamId, owner.id, `${input.reference} ${input.callDate}`, randomBytes(16).toString("hex"), input.reference, input.stage ?? "discovery", input.callDate],
  );
  return id;
}

describe.each(databaseKinds)("inbound outcomes on %s", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;
  let server: TestServer;
  let admin: TestClient;
  let secret: string;
  let inboundPath: string;
  const calls: Record<string, string> = {};

  const countOutcomes = async () => (await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM outcome_events")).rows[0].count;
  const post = (body: unknown, options: { secret?: string; timestamp?: number; header?: string } = {}) => {
    const text = JSON.stringify(body);
    const header = options.header ?? signatureHeaderValue(options.secret ?? secret, text, options.timestamp);
    return fetch(`${server.baseUrl}${inboundPath}`, { method: "POST", headers: { "content-type": "application/json", "calibrate-signature": header }, body: text });
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db);
    admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
    calls.acmeMay = await insertCall(database.db, organisation, { reference: "ACME-1", callDate: "2026-05-10" });
    calls.acmeJune = await insertCall(database.db, organisation, { reference: "ACME-1", callDate: "2026-06-10" });
    calls.acmeAugust = await insertCall(database.db, organisation, { reference: "acme-1", callDate: "2026-08-01" });
    calls.globex = await insertCall(database.db, organisation, { reference: "GLOBEX", callDate: "2026-06-01", owner: "southRep" });
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it("sets up an inbound secret (admins only) and refuses unsigned, badly signed and stale requests with 401", async () => {
    const manager = createTestClient(server.baseUrl);
    await manager.signIn("manager@example.com", testPassword);
    expect((await manager.request("POST", "/api/outcomes/inbound-secret")).status).toBe(403);
    const rotated = await admin.request("POST", "/api/outcomes/inbound-secret");
    expect(rotated.status).toBe(200);
    secret = rotated.body.secret;
    inboundPath = rotated.body.path;
    expect(inboundPath).toBe(`/api/outcomes/inbound/${organisation.workspaceId}`);

    const event = { id: "crm-1", customerReference: "ACME-1", type: "stage_changed", stage: "proposal", occurredAt: "2026-06-20T09:00:00Z" };
    const unsigned = await fetch(`${server.baseUrl}${inboundPath}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(event) });
    expect(unsigned.status).toBe(401);
    const wrong = await post(event, { secret: "whsec_wrong" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toMatch(/does not match/);
    const stale = await post(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    expect((await stale.json()).error.message).toMatch(/stale or replayed/);
    expect(await countOutcomes()).toBe(0);
  });

  it("refuses a batch with an unknown customer reference with 422 and the reason, storing nothing", async () => {
    const response = await post({
      events: [
        { id: "crm-1", customerReference: "ACME-1", type: "stage_changed", stage: "proposal", occurredAt: "2026-06-20T09:00:00Z" },
        { id: "crm-2", customerReference: "NOBODY-9", type: "deal_won", amount: 1000, occurredAt: "2026-06-20T09:00:00Z" },
      ],
    });
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.message).toMatch(/Unknown customer reference "NOBODY-9"/);
    expect(error.issues).toEqual([expect.objectContaining({ index: 1, customerReference: "NOBODY-9" })]);
    expect(await countOutcomes()).toBe(0);
    // Well signed but malformed: 400 with the field.
    const malformed = await post({ customerReference: "ACME-1", type: "deal_won", occurredAt: "2026-06-20" });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify((await malformed.json()).error.issues)).toContain("amount");
  });

  it("attaches events to the calls on or before the event (or in its window), once even when re-sent", async () => {
    const batch = {
      events: [
        { id: "crm-1", customerReference: "ACME-1", type: "stage_changed", stage: "proposal", occurredAt: "2026-06-20T09:00:00Z" },
        { id: "crm-3", customerReference: "ACME-1", type: "customer_replied", text: "Sounds good, send the contract", keywords: ["contract"], occurredAt: "2026-08-02T09:00:00Z", window: { from: "2026-08-01", to: "2026-08-31" } },
      ],
    };
    const response = await post(batch);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ stored: 2, duplicates: 0, attachments: 3 });
    const again = await post(batch);
    expect(await again.json()).toMatchObject({ stored: 0, duplicates: 2 });

    const june = await admin.request("GET", `/api/recordings/${calls.acmeJune}/outcomes`);
    expect(june.body.outcomes).toEqual([expect.objectContaining({ type: "stage_changed", stage: "proposal", advance: true })]);
    const august = await admin.request("GET", `/api/recordings/${calls.acmeAugust}/outcomes`);
    expect(august.body.outcomes).toEqual([expect.objectContaining({ type: "customer_replied", keywords: ["contract"], advance: false })]);
    expect(august.body.accountCalls.map((call: { id: string }) => call.id)).toEqual([calls.acmeAugust, calls.acmeJune, calls.acmeMay]);
    expect(august.body.accountCalls.find((call: { id: string }) => call.id === calls.acmeJune)).toMatchObject({ outcomes: 1, advanced: true });
  });

  it("imports a CSV all-or-nothing with each bad row's line; managers match only calls in their view", async () => {
    const bad = ["customer_reference,type,occurred_at,amount,stage", "ACME-1,deal_won,2026-06-30,", "GLOBEX,teleported,2026-06-30,,", "ACME-1,stage_changed,2026-06-30,,no-such-stage"].join("\n");
    const refused = await admin.request("POST", "/api/outcomes/import", { csv: bad });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues.map((issue: { line: number }) => issue.line)).toEqual([2, 3]);
    const unknownStage = await admin.request("POST", "/api/outcomes/import", { csv: ["customer_reference,type,occurred_at,stage", "ACME-1,stage_changed,2026-06-30,no-such-stage"].join("\n") });
    expect(unknownStage.status).toBe(422);
    expect(unknownStage.body.error.issues[0]).toMatchObject({ line: 2, message: expect.stringMatching(/Unknown stage/) });
    expect(await countOutcomes()).toBe(2);

    const rep = createTestClient(server.baseUrl);
    await rep.signIn("rep.north@example.com", testPassword);
    const csv = ["customer_reference,type,occurred_at,amount,currency,id", "GLOBEX,deal_won,2026-06-30,\"12,500\",cny,csv-1", "ACME-1,meeting_booked,2026-06-15,,,csv-2"].join("\r\n");
    expect((await rep.request("POST", "/api/outcomes/import", { csv })).status).toBe(403);
    const imported = await admin.request("POST", "/api/outcomes/import", { csv });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ stored: 2, attachments: 3 });
    const globex = await admin.request("GET", `/api/recordings/${calls.globex}/outcomes`);
    expect(globex.body.outcomes[0]).toMatchObject({ type: "deal_won", amount: 12500, currency: "CNY", source: "csv", advance: true });

    // A rep sees outcomes on their own calls only; the other rep's call is not found.
    expect((await rep.request("GET", `/api/recordings/${calls.acmeJune}/outcomes`)).body.outcomes).toHaveLength(2);
    expect((await rep.request("GET", `/api/recordings/${calls.globex}/outcomes`)).status).toBe(404);
  });

  it("erasing a call removes its links and the outcomes no other call holds", async () => {
    const before = await countOutcomes();
    // The reply (window August) is held only by the August call.
    expect((await admin.request("DELETE", `/api/recordings/${calls.acmeAugust}`)).status).toBeLessThan(300);
    expect(await countOutcomes()).toBe(before - 1);
    const erasure = await database.db.query<{ items: { outcomes: number } }>("SELECT items FROM erasures WHERE recording_id = $1", [calls.acmeAugust]);
    expect(erasure.rows[0].items.outcomes).toBe(1);
    const june = await admin.request("GET", `/api/recordings/${calls.acmeJune}/outcomes`);
    expect(june.body.outcomes).toHaveLength(2);
  });
});
