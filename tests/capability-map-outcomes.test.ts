/**
 * The capability map's outcome metric on a small fixture with hand-computed answers, on each
 * database: conversion of calls whose talk tracks the rep accepted vs not, with Wilson intervals,
 * the region rolling up its squads, the too-little-data rule, the drill-down listing the calls, and
 * the outcome filter of the review queue and the advance counts of approved talk tracks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../core/auth/users.ts";
import { getOutcomeCell, getOutcomeMap } from "../core/capability-map/outcome-metrics.ts";
import { collectLabelledSamples } from "../core/dataset/datasets.ts";
import { ingestOutcomes } from "../core/outcomes/outcomes.ts";
import { approvedTalkTracks } from "../core/outcomes/training-signal.ts";
import { listQueue, queueFiltersSchema } from "../core/review/queue.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation } from "./support/fixtures.ts";
import { insertTalkTrackCall as insertCall } from "./support/outcome-fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";

describe.each(databaseKinds)("capability-map outcome metrics on %s", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    const { northRep: rep, otherNorthRep: rep2, trainer, southRep } = organisation.users;
    const accept = (by: User) => [{ by, action: "accept" as const }];
    // North × discovery, accepted by the call's rep: 5 calls, 3 advanced → 3/5.
    ids.a1 = await insertCall(database.db, organisation, { reference: "A1", owner: rep, suggestion: "Offer the pilot", talkTrack: accept(rep) });
    ids.a2 = await insertCall(database.db, organisation, { reference: "A2", owner: rep, suggestion: "Offer the pilot", talkTrack: [{ by: rep, action: "override" }] });
    ids.a3 = await insertCall(database.db, organisation, { reference: "A3", owner: rep2, talkTrack: accept(rep2) });
    ids.a4 = await insertCall(database.db, organisation, { reference: "A4", owner: rep, suggestion: "Offer the pilot", talkTrack: accept(rep) });
    ids.a5 = await insertCall(database.db, organisation, { reference: "A5", owner: rep2, talkTrack: accept(rep2) });
    // Not accepted by the rep: 4 calls, 1 advanced → 1/4.
    ids.n1 = await insertCall(database.db, organisation, { reference: "N1", owner: rep, suggestion: "Offer the pilot", talkTrack: accept(trainer) }); // a trainer's accept is not the rep's
    ids.n2 = await insertCall(database.db, organisation, { reference: "N2", owner: rep, talkTrack: [{ by: rep, action: "accept" }, { by: rep, action: "undo" }] });
    ids.n3 = await insertCall(database.db, organisation, { reference: "N3", owner: rep, talkTrack: [{ by: rep, action: "reject" }] });
    ids.n4 = await insertCall(database.db, organisation, { reference: "N4", owner: rep2, talkTrack: [] });
    // Outside the population: no customer reference.
    ids.x1 = await insertCall(database.db, organisation, { reference: null, owner: rep, talkTrack: accept(rep) });
    // South × discovery: one accepted call that advanced.
    ids.s1 = await insertCall(database.db, organisation, { reference: "S1", owner: southRep, talkTrack: accept(southRep) });

    const event = (customerReference: string, type: string, extra: Record<string, unknown> = {}) => ({ customerReference, type, occurredAt: new Date("2026-06-01T00:00:00Z"), ...extra }) as any;
    await ingestOutcomes(database.db, {
      workspaceId: organisation.workspaceId,
      actor: null,
      source: "webhook",
      events: [
        event("A1", "stage_changed", { stage: "proposal" }),
        event("A2", "deal_won", { amount: 5000 }),
        event("A3", "stage_changed", { stage: "demo" }),
        event("A4", "stage_changed", { stage: "closed_lost" }), // a move to a lost stage is no advance
        event("A4", "customer_replied", { text: "not now" }),
        event("N1", "stage_changed", { stage: "negotiation" }),
        event("N2", "meeting_booked"),
        event("N3", "stage_changed", { stage: "lead" }), // backwards
        event("S1", "deal_won", { amount: 100 }),
      ],
    });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("computes conversion with vs without the rep's accepted talk tracks, with Wilson intervals", async () => {
    const map = await getOutcomeMap(database.db, organisation.users.admin, { quarter: "2026-Q2", minimumCalls: 3 });
    expect(map.caveat).toBe("association, not proof");
    const north = map.cells.find((cell) => cell.teamId === organisation.north.id && cell.stage === "discovery")!;
    expect(north.accepted).toEqual({ calls: 5, converted: 3, rate: 0.6, interval: { low: 0.2307, high: 0.8824 } });
    expect(north.notAccepted).toEqual({ calls: 4, converted: 1, rate: 0.25, interval: { low: 0.0456, high: 0.6994 } });
    expect(north.difference).toBe(0.35);
    expect(north.insufficientData).toBe(false);

    // The south squad has one call: too little data, counts kept, no rates.
    const south = map.cells.find((cell) => cell.teamId === organisation.south.id && cell.stage === "discovery")!;
    expect(south).toMatchObject({ insufficientData: true, difference: null, accepted: { calls: 1, converted: 1, rate: null, interval: null }, notAccepted: { calls: 0 } });
    // The region sums both squads.
    const region = map.cells.find((cell) => cell.teamId === organisation.region.id && cell.stage === "discovery")!;
    expect(region.accepted).toMatchObject({ calls: 6, converted: 4 });
    expect(region.notAccepted).toMatchObject({ calls: 4, converted: 1 });
    // Another quarter has none of it.
    const later = await getOutcomeMap(database.db, organisation.users.admin, { quarter: "2026-Q3", minimumCalls: 3 });
    expect(later.cells.every((cell) => cell.accepted.calls === 0 && cell.notAccepted.calls === 0)).toBe(true);
  });

  it("lists the calls of a cell in the drill-down, and keeps reps and trainers out", async () => {
    const detail = await getOutcomeCell(database.db, organisation.users.manager, { quarter: "2026-Q2", teamId: organisation.north.id, stage: "discovery" });
    expect(detail.calls).toHaveLength(9);
    const byId = new Map(detail.calls.map((call) => [call.recordingId, call]));
    expect(byId.get(ids.a4)).toMatchObject({ accepted: true, advanced: false, outcomes: expect.arrayContaining(["stage_changed", "customer_replied"]) });
    expect(byId.get(ids.n1)).toMatchObject({ accepted: false, advanced: true });
    expect(byId.has(ids.x1)).toBe(false);
    await expect(getOutcomeMap(database.db, organisation.users.northRep, {})).rejects.toThrow(/manager or admin/);
    await expect(getOutcomeMap(database.db, organisation.users.trainer, {})).rejects.toThrow(/manager or admin/);
  });

  it("filters the review queue by outcome and counts how often approved talk tracks were followed by an advance", async () => {
    const queue = async (outcome: string) =>
      (await listQueue(database.db, organisation.users.trainer, queueFiltersSchema.parse({ order: "newest", outcome }), { limit: 50 })).items.map((item) => item.recordingId);
    expect(await queue("meeting_booked")).toEqual([ids.n2]);
    expect(await queue("none")).toEqual([ids.n4]);
    expect(await queue("advanced")).toEqual([]);
    expect((await queue("not_advanced")).sort()).toEqual([ids.n2, ids.n4].sort());

    const pool = await approvedTalkTracks(database.db, organisation.users.admin);
    // A1 (advanced), A2 (overridden; won), N1 (advanced), A4 (lost): 4 calls, 3 advances.
    expect(pool.find((track) => track.suggestion === "Offer the pilot")).toMatchObject({ calls: 4, advancedCalls: 3 });
    const onAdvancedCalls = await approvedTalkTracks(database.db, organisation.users.admin, { outcome: "advanced" });
    expect(onAdvancedCalls.find((track) => track.suggestion === "Offer the pilot")).toMatchObject({ calls: 3, advancedCalls: 3 });
    expect(onAdvancedCalls.some((track) => track.suggestion.includes("(A5)"))).toBe(false);
    // A rep sees only talk tracks of their own calls.
    const repPool = await approvedTalkTracks(database.db, organisation.users.otherNorthRep);
    expect(repPool.map((track) => track.suggestion).sort()).toEqual(["Offer the pilot (A3)", "Offer the pilot (A5)"]);
  });

  it("snapshots training samples from calls with a given outcome only", async () => {
    // A labelled utterance on an advanced call (A1) and on a call with no outcome (N4).
    for (const [recordingId, text] of [[ids.a1, "What would a pilot cost us?"], [ids.n4, "We are happy with our vendor."]]) {
      const { rows } = await database.db.query<{ draftId: string; transcriptId: string }>(
        'SELECT id AS "draftId", transcript_id AS "transcriptId" FROM drafts WHERE recording_id = $1',
        [recordingId],
      );
      await database.db.query("INSERT INTO segments (transcript_id, ordinal, start_ms, end_ms, speaker, text, original_text) VALUES ($1, 0, 0, 1000, 'customer', $2, $2)", [rows[0].transcriptId, text]);
      await database.db.query(
        `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, status) VALUES ($1, $2, 'intent', 1, 0, '{"segment":0,"intent":"pricing_question","confidence":0.9}', 'accepted')`,
        [rows[0].draftId, recordingId],
      );
    }
    const texts = async (outcome?: "advanced" | "none") =>
      (await collectLabelledSamples(database.db, organisation.users.trainer, outcome ? { outcome } : {})).map((sample) => sample.text).sort();
    expect(await texts()).toEqual(["We are happy with our vendor.", "What would a pilot cost us?"]);
    expect(await texts("advanced")).toEqual(["What would a pilot cost us?"]);
    expect(await texts("none")).toEqual(["We are happy with our vendor."]);
  });
});
