/**
 * The rep's side of the loop, through the real server and workers: the rep decides on their own
 * call's drafts (marked as the rep's), cannot touch another rep's, adds a missing action item; the
 * trainer finds those corrections in the "corrected by the rep" queue and approves them into the
 * training pool; "N drafts to confirm" counts down; the action items export as .ics and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshCapabilityRollup } from "../core/capability-map/rollup.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { importAndDraft } from "./support/imported-calls.ts";
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
  "<v Agent>I'll send over the quote by Friday.",
  "",
  "00:00:11.500 --> 00:00:15.000",
  "<v Agent>I'll set up a three-way video call with our specialist next Wednesday.",
  "",
  "00:00:15.500 --> 00:00:19.000",
  "<v Customer>Yes. Please also send me the contract draft.",
  "",
].join("\n");

interface Item {
  id: string;
  kind: string;
  status: string;
  revision: number;
  origin: string;
  decidedAs: string | null;
  content: Record<string, unknown>;
}

describe.each(databaseKinds)("the rep's call on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  const clients: Record<string, TestClient> = {};
  let recordingId: string;
  let organisation: Organisation;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, { work: true, environment: { DOUBLE_LABEL_SHARE: "0" } });
    for (const [name, email] of Object.entries({
      rep: "rep.north@example.com",
      otherRep: "rep2.north@example.com",
      trainer: "trainer@example.com",
      manager: "manager@example.com",
      admin: "admin@example.com",
    })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
    recordingId = await importAndDraft(clients.rep, call, "rep-call.vtt", { customerReference: "ACME, Ltd" });
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function items(client: TestClient = clients.rep): Promise<Item[]> {
    const response = await client.request("GET", `/api/recordings/${recordingId}/draft`);
    expect(response.status).toBe(200);
    return response.body.draft.items;
  }

  async function draftsToConfirm(): Promise<number> {
    return (await clients.rep.request("GET", `/api/recordings/${recordingId}`)).body.recording.draftsToConfirm;
  }

  const shownAt = () => new Date(Date.now() - 800).toISOString();

  it("marks the rep's decisions as the rep's, counts down the drafts to confirm, and keeps them out of the pool", async () => {
    const all = await items();
    const actions = all.filter((item) => item.kind === "action_item");
    expect(actions.length).toBeGreaterThanOrEqual(2);
    const confirmable = all.filter((item) => item.kind !== "intent").length;
    expect(await draftsToConfirm()).toBe(confirmable);
    const listed = await clients.rep.request("GET", "/api/recordings");
    expect(listed.body.recordings.find((recording: { id: string }) => recording.id === recordingId).draftsToConfirm).toBe(confirmable);

    const accepted = await clients.rep.request("POST", `/api/review/items/${actions[0].id}/decisions`, {
      action: "accept", revision: actions[0].revision, shownAt: shownAt(),
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.item).toMatchObject({ status: "accepted", decidedAs: "rep" });
    const edited = await clients.rep.request("POST", `/api/review/items/${actions[1].id}/decisions`, {
      action: "override", after: { title: "Send the comparison sheet and price list", dueDate: "2026-12-11", owner: "Rep North" }, revision: actions[1].revision, shownAt: shownAt(),
    });
    expect(edited.status).toBe(201);
    expect(edited.body.item).toMatchObject({ status: "overridden", decidedAs: "rep" });
    expect(await draftsToConfirm()).toBe(confirmable - 2);

    const { rows } = await database.db.query<{ decidedAs: string; decisionMs: number; userId: string }>(
      `SELECT decided_as AS "decidedAs", decision_ms AS "decisionMs", user_id AS "userId" FROM decisions WHERE draft_item_id = ANY($1::uuid[])`,
      [[actions[0].id, actions[1].id]],
    );
    expect(rows.map((row) => row.decidedAs)).toEqual(["rep", "rep"]);
    expect(rows.every((row) => row.decisionMs >= 700)).toBe(true);

    // A stale revision is refused, as for trainers.
    const stale = await clients.rep.request("POST", `/api/review/items/${actions[0].id}/decisions`, {
      action: "reject", revision: actions[0].revision, shownAt: shownAt(),
    });
    expect(stale.status).toBe(409);
  });

  it("loads the call page: the rep's items and what the customer raised, without every intent", async () => {
    const page = await clients.rep.request("GET", `/api/recordings/${recordingId}/follow-up`);
    expect(page.status).toBe(200);
    const kinds = new Set(page.body.draft.items.map((item: Item) => item.kind));
    expect([...kinds].sort()).toEqual(["action_item", "talk_track"].filter((kind) => kinds.has(kind)));
    expect(kinds.has("intent")).toBe(false);
    expect(page.body.actionCatalogue.length).toBeGreaterThan(5);
    // Only the customer's utterances (2nd and 5th) are summarised.
    for (const topic of page.body.raised) for (const segment of topic.segments) expect([1, 4]).toContain(segment);
    expect((await clients.otherRep.request("GET", `/api/recordings/${recordingId}/follow-up`)).status).toBe(404);
  });

  it("lets a rep decide only on their own calls", async () => {
    const [item] = (await items()).filter((candidate) => candidate.kind === "talk_track" || candidate.status === "pending");
    const other = await clients.otherRep.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "reject", revision: item.revision, shownAt: shownAt(),
    });
    expect(other.status).toBe(404);
    const added = await clients.otherRep.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "send_contract", title: "Not my call", evidence: [4], shownAt: shownAt(),
    });
    expect(added.status).toBe(404);
    const manager = await clients.manager.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "send_contract", title: "Managers read", evidence: [4], shownAt: shownAt(),
    });
    expect(manager.status).toBe(403);
    expect((await clients.otherRep.request("GET", `/api/recordings/${recordingId}/action-items.ics`)).status).toBe(404);
  });

  it("adds a missing action item from the catalogue as the rep's decision", async () => {
    const refused = await clients.rep.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "teleport_customer", title: "Nope", evidence: [4], shownAt: shownAt(),
    });
    expect(refused.status).toBe(400);
    const outside = await clients.rep.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "send_contract", title: "Nope", evidence: [99], shownAt: shownAt(),
    });
    expect(outside.status).toBe(400);

    const before = await draftsToConfirm();
    const added = await clients.rep.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "send_contract", title: "Send the contract draft", dueDate: "2026-12-12", owner: "Rep North", evidence: [4], shownAt: shownAt(),
    });
    expect(added.status).toBe(201);
    expect(added.body.item).toMatchObject({ kind: "action_item", origin: "rep", status: "accepted", decidedAs: "rep", segmentOrdinal: 4 });
    expect(added.body.item.content).toMatchObject({ type: "send_contract", title: "Send the contract draft", evidence: [4], flagged: false });
    // Already decided (it is the rep's own), so nothing more to confirm.
    expect(await draftsToConfirm()).toBe(before);
    const { rows } = await database.db.query<{ action: string; before: unknown; decidedAs: string }>(
      `SELECT action, before_content AS before, decided_as AS "decidedAs" FROM decisions WHERE draft_item_id = $1`,
      [added.body.item.id],
    );
    expect(rows).toEqual([{ action: "accept", before: null, decidedAs: "rep" }]);
  });

  it("shows trainers the rep's corrections in their own queue, and a trainer's approval takes them into the pool", async () => {
    const queue = await clients.trainer.request("GET", `/api/review/queue?correctedByRep=true&recordingId=${recordingId}`);
    expect(queue.status).toBe(200);
    expect(queue.body.total).toBe(3);
    expect(queue.body.items.every((item: Item) => item.decidedAs === "rep" && item.status !== "pending")).toBe(true);
    expect(queue.body.items.map((item: Item) => item.origin).sort()).toEqual(["engine", "engine", "rep"]);
    // The ordinary queue does not show them (they are decided).
    const pending = await clients.trainer.request("GET", `/api/review/queue?recordingId=${recordingId}&kind=action_item`);
    expect(pending.body.items.some((item: Item) => item.decidedAs === "rep")).toBe(false);

    const claimed = await clients.trainer.request("POST", "/api/review/claim", { correctedByRep: "true", recordingId, count: 10 });
    expect(claimed.status).toBe(200);
    expect(claimed.body.items).toHaveLength(3);
    const edited = claimed.body.items.find((item: Item) => item.decidedAs === "rep" && item.status === "overridden");
    const approved = await clients.trainer.request("POST", `/api/review/items/${edited.id}/decisions`, {
      action: "accept", revision: edited.revision, shownAt: shownAt(),
    });
    expect(approved.status).toBe(201);
    expect(approved.body.item.decidedAs).toBe("trainer");
    expect((await clients.trainer.request("GET", `/api/review/queue?correctedByRep=true&recordingId=${recordingId}`)).body.total).toBe(2);
  });

  it("exports the standing action items as calendar events and CSV", async () => {
    const ics = await clients.rep.request("GET", `/api/recordings/${recordingId}/action-items.ics`);
    expect(ics.status).toBe(200);
    expect(ics.headers.get("content-type")).toMatch(/^text\/calendar/);
    expect(ics.headers.get("content-disposition")).toMatch(/attachment; filename="rep-call.vtt-action-items.ics"|attachment;/);
    const text = ics.body as string;
    expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    const dated = (await items()).filter(
      (item) => item.kind === "action_item" && item.status !== "rejected" && (item as Item & { currentContent: Record<string, unknown> | null }).currentContent?.dueDate,
    );
    expect(text.match(/BEGIN:VEVENT/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(text).toContain("SUMMARY:Send the contract draft\r\n");
    expect(text).toContain("DTSTART;VALUE=DATE:20261212\r\n");
    for (const item of dated) expect(text).toContain(`UID:${item.id}@`);

    const csv = await clients.rep.request("GET", `/api/recordings/${recordingId}/action-items.csv`);
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).replace(/^\ufeff/, "").split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("type,type_en,type_zh,title,owner,due_date,customer,notes,status,origin,utterances");
    expect(lines.some((line) => line.startsWith("send_contract,Send contract,") && line.endsWith(",accepted,rep,5"))).toBe(true);
  });

  it("retrains and embeds nothing on a rep's decision alone", async () => {
    const intent = (await items()).find((item) => item.kind === "intent" && item.status === "pending")!;
    const { rows: clock } = await database.db.query<{ now: Date }>("SELECT now() AS now");
    const decided = await clients.rep.request("POST", `/api/review/items/${intent.id}/decisions`, {
      action: "override", after: { intent: "pricing_objection" }, revision: intent.revision, shownAt: shownAt(),
    });
    expect(decided.status).toBe(201);
    expect(decided.body.item.decidedAs).toBe("rep");
    const { rows } = await database.db.query<{ queue: string }>(
      "SELECT queue FROM jobs WHERE queue IN ('train-intent-model', 'embed') AND created_at >= $1",
      [clock[0].now],
    );
    expect(rows).toEqual([]);
    // The trainer's approval is what retrains.
    const approved = await clients.trainer.request("POST", `/api/review/items/${intent.id}/decisions`, {
      action: "accept", revision: decided.body.item.revision, shownAt: shownAt(),
    });
    expect(approved.status).toBe(201);
    const after = await database.db.query<{ queue: string }>(
      "SELECT DISTINCT queue FROM jobs WHERE queue IN ('train-intent-model', 'embed') AND created_at >= $1 ORDER BY queue",
      [clock[0].now],
    );
    expect(after.rows.map((row) => row.queue)).toEqual(["embed", "train-intent-model"]);
  });

  it("never counts a rep's decision as the independent second label of a double-labelled item", async () => {
    const item = (await items()).find((candidate) => candidate.kind === "intent" && candidate.status === "pending")!;
    await database.db.query("UPDATE draft_items SET double_label = true WHERE id = $1", [item.id]);
    const trainer = await clients.trainer.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "accept", revision: item.revision, shownAt: shownAt(),
    });
    expect(trainer.status).toBe(201);
    // Made on the revision it saw before the trainer: a stale save for the rep, not a second label.
    const stale = await clients.rep.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "reject", revision: item.revision, shownAt: shownAt(),
    });
    expect(stale.status).toBe(409);
    const rep = await clients.rep.request("POST", `/api/review/items/${item.id}/decisions`, {
      action: "reject", revision: trainer.body.item.revision, shownAt: shownAt(),
    });
    expect(rep.status).toBe(201);
    expect(rep.body).toMatchObject({ independent: false, item: { status: "rejected", decidedAs: "rep" } });
    // Leave it as the trainer had it, for the capability figures below.
    expect((await clients.rep.request("POST", `/api/review/decisions/${rep.body.decisionId}/undo`)).status).toBe(200);
  });

  it("splits the capability map's calibration between the rep and trainers, totals unchanged", async () => {
    // One more rep decision that intervenes: the rep rejects an open draft item.
    const open = (await items()).find((item) => item.status === "pending")!;
    expect(
      (await clients.rep.request("POST", `/api/review/items/${open.id}/decisions`, { action: "reject", revision: open.revision, shownAt: shownAt() })).status,
    ).toBe(201);
    // Standing decisions so far: the rep's accept, the rep's added item and this reject; the
    // trainer's approvals of the rep's edit and of the rep's intent override, and the trainer's
    // accept of the double-labelled item (the rep's reject of it was undone).
    await refreshCapabilityRollup(database.db, { workspaceId: organisation.workspaceId, mode: "full" });
    const today = new Date().toISOString().slice(0, 10);
    const map = await clients.admin.request("GET", `/api/capability-map?from=${today}&to=${today}&minimumDecidedItems=1`);
    expect(map.status).toBe(200);
    const cell = map.body.cells.find((candidate: { teamId: string; stage: string }) => candidate.teamId === organisation.north.id && candidate.stage === "demo");
    expect(cell.decidedItems).toBe(6);
    expect(cell.rejectedItems + cell.overriddenItems).toBe(1);
    expect(cell.interventionRate).toBe(0.1667);
    expect(cell.calibrationBy.rep).toMatchObject({ decidedItems: 3, intervenedItems: 1, interventionRate: 0.3333 });
    expect(cell.calibrationBy.trainer).toMatchObject({ decidedItems: 3, intervenedItems: 0, interventionRate: 0 });
    // Timed decisions: every live decision not undone (trainer: two approvals and one accept).
    expect(cell.calibrationBy.rep.timedDecisions + cell.calibrationBy.trainer.timedDecisions).toBe(cell.timedDecisions);
    expect(cell.calibrationBy.trainer.timedDecisions).toBe(3);
    expect(cell.calibrationBy.rep.meanResponseMs).toBeGreaterThanOrEqual(700);
  });
});
