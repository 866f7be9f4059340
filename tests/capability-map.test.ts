/**
 * The capability map on each database, over a hand-built history with known answers: an undo, a
 * late re-decision, a cell below the data threshold, a region that sums its squads, the previous
 * quarter's delta, a quarter boundary that moves with the time zone, eval accuracy by cell, the
 * incremental refresh agreeing with a full rebuild, and the role boundaries through HTTP.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../core/auth/actor.ts";
import { createApiToken } from "../core/auth/sessions.ts";
import { createTeam } from "../core/auth/teams.ts";
import type { Team } from "../core/auth/teams.ts";
import { createUser } from "../core/auth/users.ts";
import type { CapabilityCell, CapabilityMap } from "../core/capability-map/capability-map.ts";
import { getCapabilityMap } from "../core/capability-map/capability-map.ts";
import { estimatePercentile, histogramOf } from "../core/capability-map/response-histogram.ts";
import { refreshCapabilityRollup } from "../core/capability-map/rollup.ts";
import type { Db } from "../core/db/database.ts";
import { getJob } from "../core/jobs/job-store.ts";
import { runJob } from "../core/jobs/runner.ts";
import { authenticate } from "../server/http/authenticate.ts";
import { errorHandler, notFoundHandler } from "../server/http/errors.ts";
import { authRoutes } from "../server/routes/auth.ts";
import { capabilityMapRoutes } from "../server/routes/capability-map.ts";
import { rollupHandler } from "../workers/processors/rollup.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import type { TestServer } from "./support/test-server.ts";

type Action = "accept" | "reject" | "override";
interface ItemSpec {
  kind: "intent" | "action_item" | "talk_track";
  /** In order; "undo" cancels the decision just before it. */
  decisions: Array<{ action: Action | "undo"; ms: number; at: string }>;
}

interface CallIds {
  recordingId: string;
  itemIds: string[];
}

/** Inserts a call with one draft (made at `draftedAt`) and its items and decisions, directly in SQL. */
async function insertCall(
  db: Db,
  call: {
    workspaceId: string;
    team: Team;
    ownerId: string;
    reviewerId: string;
    stage: string;
    title: string;
    draftedAt: string;
    items: ItemSpec[];
  },
): Promise<CallIds> {
  const recordingId = randomUUID();
  await db.query(
    `INSERT INTO recordings (id, workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
       byte_size, customer_stage, consent_confirmed_at, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'transcript', $5, 'call.txt', $6, 100, $7, $8, 'ready', $8, $8)`,
    [
      recordingId,
      call.workspaceId,
      call.team.id,
      call.ownerId,
      call.title,
      randomBytes(16).toString("hex"),
      call.stage,
      call.draftedAt,
    ],
  );
  const { rows: transcripts } = await db.query<{ id: string }>(
    "INSERT INTO transcripts (recording_id, transcriber) VALUES ($1, 'test') RETURNING id",
    [recordingId],
  );
  const { rows: drafts } = await db.query<{ id: string }>(
    `INSERT INTO drafts (recording_id, transcript_id, engine, model, created_at) VALUES ($1, $2, 'local', 'test', $3) RETURNING id`,
    [recordingId, transcripts[0].id, call.draftedAt],
  );
  const itemIds: string[] = [];
  for (const [position, item] of call.items.entries()) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, content) VALUES ($1, $2, $3, $4, '{}') RETURNING id`,
      [drafts[0].id, recordingId, item.kind, position],
    );
    itemIds.push(rows[0].id);
    let previous: string | null = null;
    for (const decision of item.decisions) {
      previous = await insertDecision(db, {
        workspaceId: call.workspaceId,
        teamId: call.team.id,
        stage: call.stage,
        recordingId,
        itemId: rows[0].id,
        userId: call.reviewerId,
        action: decision.action,
        ms: decision.ms,
        at: decision.at,
        undoes: decision.action === "undo" ? previous : null,
      });
    }
  }
  return { recordingId, itemIds };
}

async function insertDecision(
  db: Db,
  decision: {
    workspaceId: string;
    teamId: string;
    stage: string;
    recordingId: string;
    itemId: string;
    userId: string;
    action: Action | "undo";
    ms: number;
    at: string | null;
    undoes: string | null;
  },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO decisions (draft_item_id, recording_id, workspace_id, team_id, customer_stage, user_id, action,
       revision, undoes_decision_id, shown_at, decided_at, decision_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, coalesce($9::timestamptz, now()), coalesce($9::timestamptz, now()), $10)
     RETURNING id`,
    [
      decision.itemId,
      decision.recordingId,
      decision.workspaceId,
      decision.teamId,
      decision.stage,
      decision.userId,
      decision.action,
      decision.undoes,
      decision.at,
      decision.ms,
    ],
  );
  return rows[0].id;
}

const decided = (action: Action, ms: number, at: string) => ({ action, ms, at });

describe.each(databaseKinds)("capability map on %s", (kind) => {
  let database: TestDatabase;
  let db: Db;
  let organisation: Organisation;
  let west: Team;
  let northManager: Actor;
  let westRecordingId: string;
  let lateDecisionItem: { call: CallIds; index: number };
  /** The response times of the north × discovery cell in Q2, by hand: every decision not undone. */
  const northTimes: number[] = [];

  const cellOf = (map: CapabilityMap, teamId: string, stage: string): CapabilityCell => {
    const cell = map.cells.find(
      (candidate) => candidate.teamId === teamId && candidate.stage === stage,
    );
    if (!cell) throw new Error(`no cell ${teamId} × ${stage}`);
    return cell;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = database.db;
    organisation = await createOrganisation(db);
    const { workspaceId, region, north, south, users } = organisation;
    west = await createTeam(db, { workspaceId, name: "华南区" });
    northManager = await createUser(db, {
      workspaceId,
      teamId: north.id,
      email: "manager.north@example.com",
      role: "manager",
      password: testPassword,
      locale: "en",
    });
    const westRep = await createUser(db, {
      workspaceId,
      teamId: west.id,
      email: "rep.west@example.com",
      role: "rep",
      password: testPassword,
    });
    const reviewer = users.trainer.id;

    // North × discovery, Q2 2026: 30 items over two calls.
    //  1–16 intent accepted, 17–18 action items accepted, 19–22 intents overridden, 23–24 rejected,
    //  25 accepted then undone (undecided again), 26 rejected then accepted, 27–30 never decided.
    const northItems: ItemSpec[] = [];
    for (let number = 1; number <= 30; number += 1) {
      const at = `2026-05-${String(1 + (number % 28)).padStart(2, "0")}T10:00:00Z`;
      const ms = 1_000 + number * 373;
      const itemKind =
        number <= 16 || (number >= 19 && number <= 22)
          ? "intent"
          : number <= 26
            ? "action_item"
            : "talk_track";
      const decisions: ItemSpec["decisions"] = [];
      if (number <= 18) decisions.push(decided("accept", ms, at));
      else if (number <= 22) decisions.push(decided("override", ms, at));
      else if (number <= 24) decisions.push(decided("reject", ms, at));
      else if (number === 25)
        decisions.push(decided("accept", 3_000_000, at), {
          action: "undo",
          ms: 500,
          at: "2026-05-29T11:00:00Z",
        });
      else if (number === 26)
        decisions.push(
          decided("reject", ms, "2026-05-02T10:00:00Z"),
          decided("accept", ms + 5_000, "2026-05-03T10:00:00Z"),
        );
      for (const decision of decisions)
        if (decision.action !== "undo" && !(number === 25)) northTimes.push(decision.ms);
      northItems.push({ kind: itemKind, decisions });
    }
    const callA = await insertCall(db, {
      workspaceId,
      team: north,
      ownerId: users.northRep.id,
      reviewerId: reviewer,
      stage: "discovery",
      title: "Call A",
      draftedAt: "2026-04-10T09:00:00Z",
      items: northItems.slice(0, 15),
    });
    await insertCall(db, {
      workspaceId,
      team: north,
      ownerId: users.otherNorthRep.id,
      reviewerId: reviewer,
      stage: "discovery",
      title: "Call B",
      draftedAt: "2026-05-20T09:00:00Z",
      items: northItems.slice(15),
    });
    lateDecisionItem = { call: callA, index: 0 };

    // South × discovery, Q2: 12 items, 10 decided (8 accepted, 2 rejected) — below the threshold of 20.
    const southItems: ItemSpec[] = Array.from({ length: 12 }, (_, index) => ({
      kind: "action_item",
      decisions:
        index < 8
          ? [decided("accept", 4_000, "2026-04-20T10:00:00Z")]
          : index < 10
            ? [decided("reject", 9_000, "2026-04-20T10:00:00Z")]
            : [],
    }));
    const callC = await insertCall(db, {
      workspaceId,
      team: south,
      ownerId: users.southRep.id,
      reviewerId: users.southTrainer.id,
      stage: "discovery",
      title: "Call C",
      draftedAt: "2026-04-15T09:00:00Z",
      items: southItems,
    });

    // The region's own call, in another stage: 3 accepted items.
    await insertCall(db, {
      workspaceId,
      team: region,
      ownerId: users.manager.id,
      reviewerId: reviewer,
      stage: "demo",
      title: "Region call",
      draftedAt: "2026-06-01T09:00:00Z",
      items: Array.from({ length: 3 }, () => ({
        kind: "intent" as const,
        decisions: [decided("accept", 2_000, "2026-06-02T10:00:00Z")],
      })),
    });

    // North × discovery, Q1: 20 items, 10 accepted and 10 rejected; plus a call drafted at
    // 20:00 UTC on 31 March — still Q1 in UTC, already 1 April (Q2) in Shanghai — with one item.
    await insertCall(db, {
      workspaceId,
      team: north,
      ownerId: users.northRep.id,
      reviewerId: reviewer,
      stage: "discovery",
      title: "Call E",
      draftedAt: "2026-02-10T09:00:00Z",
      items: Array.from({ length: 20 }, (_, index) => ({
        kind: "action_item" as const,
        decisions: [decided(index < 10 ? "accept" : "reject", 3_000, "2026-02-11T10:00:00Z")],
      })),
    });
    await insertCall(db, {
      workspaceId,
      team: north,
      ownerId: users.northRep.id,
      reviewerId: reviewer,
      stage: "discovery",
      title: "Call F",
      draftedAt: "2026-03-31T20:00:00Z",
      items: [{ kind: "intent", decisions: [] }],
    });

    // Another root team, outside the East managers' view.
    westRecordingId = (
      await insertCall(db, {
        workspaceId,
        team: west,
        ownerId: westRep.id,
        reviewerId: users.admin.id,
        stage: "discovery",
        title: "西区电话",
        draftedAt: "2026-04-11T09:00:00Z",
        items: [{ kind: "intent", decisions: [decided("accept", 1_500, "2026-04-12T10:00:00Z")] }],
      })
    ).recordingId;

    // An eval run finished in Q2 whose samples come partly from calls A (20 cases, 15 right) and
    // C (5 cases, 3 right) and partly from no call (5 cases); a later run (Q3) must not be chosen.
    const { rows: datasets } = await db.query<{ id: string }>(
      "INSERT INTO datasets (workspace_id, name) VALUES ($1, 'intents') RETURNING id",
      [workspaceId],
    );
    const { rows: versions } = await db.query<{ id: string }>(
      "INSERT INTO dataset_versions (dataset_id, version, split_seed, test_share) VALUES ($1, 1, 1, 0.2) RETURNING id",
      [datasets[0].id],
    );
    const versionId = versions[0].id;
    await db.query(
      `INSERT INTO dataset_samples (dataset_version_id, split, case_key, text, label, recording_id)
       SELECT $1, 'test', 'case-' || n, 'text', 'label', CASE WHEN n <= 20 THEN $2::uuid WHEN n <= 25 THEN $3::uuid END
         FROM generate_series(1, 30) n`,
      [versionId, callA.recordingId, callC.recordingId],
    );
    for (const [finishedAt, accuracy] of [
      ["2026-05-01T00:00:00Z", 0.7],
      ["2026-08-01T00:00:00Z", 0.9],
    ] as const) {
      const { rows: runs } = await db.query<{ id: string }>(
        `INSERT INTO eval_runs (workspace_id, dataset_version_id, target_kind, target_description, status, metrics, finished_at)
         VALUES ($1, $2, 'local', 'local intent model v1', 'completed', $3, $4) RETURNING id`,
        [workspaceId, versionId, JSON.stringify({ accuracy }), finishedAt],
      );
      await db.query(
        `INSERT INTO eval_results (run_id, case_key, expected, predicted)
         SELECT $1, 'case-' || n, 'label', CASE WHEN n <= 15 OR n BETWEEN 21 AND 23 OR n > 27 THEN 'label' ELSE 'other' END
           FROM generate_series(1, 30) n`,
        [runs[0].id],
      );
    }

    // A later Q2 run on a public benchmark (CLINC150): it measures a general assistant, not this
    // workspace's agent, and must not become the map's accuracy.
    const { rows: publicSets } = await db.query<{ id: string }>(
      "INSERT INTO datasets (workspace_id, name, source) VALUES ($1, 'clinc150', 'public:clinc150') RETURNING id",
      [workspaceId],
    );
    const { rows: publicVersions } = await db.query<{ id: string }>(
      "INSERT INTO dataset_versions (dataset_id, version, split_seed, test_share) VALUES ($1, 1, 1, 0.2) RETURNING id",
      [publicSets[0].id],
    );
    await db.query(
      `INSERT INTO eval_runs (workspace_id, dataset_version_id, target_kind, target_description, status, metrics, finished_at)
       VALUES ($1, $2, 'local', 'local intent model v1', 'completed', $3, '2026-06-01T00:00:00Z')`,
      [workspaceId, publicVersions[0].id, JSON.stringify({ accuracy: 0.938 })],
    );

    const report = await refreshCapabilityRollup(db, { workspaceId });
    expect(report.mode).toBe("full");
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("computes a cell by hand: undo, re-decision, undecided items, intent accuracy and response times", async () => {
    const map = await getCapabilityMap(db, organisation.users.admin, { quarter: "2026-Q2" });
    expect(map.quarter).toBe("2026-Q2");
    expect(map.previousQuarter).toBe("2026-Q1");
    expect(map.timeZone).toBe("UTC");
    const cell = cellOf(map, organisation.north.id, "discovery");
    expect(cell).toMatchObject({
      invocations: 2,
      draftedItems: 30,
      decidedItems: 25, // 18 accepted + 4 overridden + 2 rejected + item 26; item 25 was undone
      acceptedItems: 19,
      rejectedItems: 2,
      overriddenItems: 4,
      intentDecisions: 20,
      timedDecisions: 26, // the undone accept and the undo itself are not timed
      insufficientData: false,
      penetration: 0.6333, // 19 / 30: undecided items count as not accepted
      penetrationDecided: 0.76, // 19 / 25
      interventionRate: 0.24, // 6 / 25
      intentAccuracy: 0.8, // 16 / 20
    });
    expect(northTimes).toHaveLength(26);
    const histogram = histogramOf(northTimes);
    expect(cell.medianResponseMs).toBe(estimatePercentile(histogram, 0.5));
    expect(cell.p90ResponseMs).toBe(estimatePercentile(histogram, 0.9));
    const exactMedian = [...northTimes].sort((a, b) => a - b)[12];
    expect(Math.abs(cell.medianResponseMs! - exactMedian) / exactMedian).toBeLessThan(0.2);
  });

  it("returns counts but no metrics for a cell below the threshold, and a threshold can be chosen", async () => {
    const map = await getCapabilityMap(db, organisation.users.admin, { quarter: "2026-Q2" });
    const south = cellOf(map, organisation.south.id, "discovery");
    expect(south).toMatchObject({
      draftedItems: 12,
      decidedItems: 10,
      acceptedItems: 8,
      rejectedItems: 2,
      insufficientData: true,
    });
    expect(south.penetration).toBeNull();
    expect(south.interventionRate).toBeNull();
    expect(south.medianResponseMs).toBeNull();

    const lenient = await getCapabilityMap(db, organisation.users.admin, {
      quarter: "2026-Q2",
      minimumDecidedItems: 10,
    });
    expect(cellOf(lenient, organisation.south.id, "discovery")).toMatchObject({
      insufficientData: false,
      penetration: 0.6667,
      interventionRate: 0.2,
    });
  });

  it("rolls a region up from its squads and its own calls", async () => {
    const map = await getCapabilityMap(db, organisation.users.admin, { quarter: "2026-Q2" });
    const region = cellOf(map, organisation.region.id, "discovery");
    const north = cellOf(map, organisation.north.id, "discovery");
    const south = cellOf(map, organisation.south.id, "discovery");
    for (const count of [
      "invocations",
      "draftedItems",
      "decidedItems",
      "acceptedItems",
      "rejectedItems",
      "overriddenItems",
      "intentDecisions",
      "timedDecisions",
    ] as const) {
      expect(region[count]).toBe(north[count] + south[count]);
    }
    // Metrics come from the summed counts, so the region has them although south alone has too few.
    expect(region).toMatchObject({
      draftedItems: 42,
      decidedItems: 35,
      penetration: 0.6429,
      interventionRate: 0.2286,
    });
    expect(cellOf(map, organisation.region.id, "demo")).toMatchObject({
      invocations: 1,
      draftedItems: 3,
      decidedItems: 3,
      insufficientData: true,
    });
    // Each team before its subtree, siblings by name (the two roots' order is the collator's).
    const order = map.teams.map((team) => [team.name, team.depth]);
    expect(order).toHaveLength(4);
    expect(
      order
        .slice(
          order.findIndex(([name]) => name === "East region"),
          undefined,
        )
        .slice(0, 3),
    ).toEqual([
      ["East region", 0],
      ["North squad", 1],
      ["South squad", 1],
    ]);
    expect(order).toContainEqual(["华南区", 0]);
    expect(map.stages.slice(0, 3)).toEqual(["lead", "discovery", "demo"]);
  });

  it("compares with the previous quarter", async () => {
    const map = await getCapabilityMap(db, organisation.users.admin, {
      quarter: "2026-Q2",
      metrics: ["penetration", "interventionRate"],
    });
    const cell = cellOf(map, organisation.north.id, "discovery");
    // Q1: call E (10 of 20 accepted, 10 rejected) and call F (one undecided item, 31 March UTC).
    expect(cell.previous).toMatchObject({
      invocations: 2,
      draftedItems: 21,
      decidedItems: 20,
      penetration: 0.4762,
      penetrationDecided: 0.5,
      interventionRate: 0.5,
    });
    expect(cell.delta).toEqual({ penetration: 0.1571, interventionRate: -0.26 });
    expect(cellOf(map, organisation.south.id, "discovery").delta).toEqual({
      penetration: null,
      interventionRate: null,
    });
  });

  it("slices the latest eval run finished by the period's end by the calls its samples came from", async () => {
    const map = await getCapabilityMap(db, organisation.users.admin, { quarter: "2026-Q2" });
    expect(map.workspaceEval).toMatchObject({
      accuracy: 0.7,
      cases: 30,
      casesFromCalls: 25,
      withinPeriod: true,
    });
    expect(map.previousWorkspaceEval).toBeNull();
    expect(cellOf(map, organisation.north.id, "discovery")).toMatchObject({
      evalCases: 20,
      evalAccuracy: 0.75,
    });
    expect(cellOf(map, organisation.south.id, "discovery")).toMatchObject({
      evalCases: 5,
      evalAccuracy: null,
    });
    expect(cellOf(map, organisation.region.id, "discovery")).toMatchObject({
      evalCases: 25,
      evalAccuracy: 0.72,
    });
  });

  it("accepts a custom date range compared with the days just before it", async () => {
    const map = await getCapabilityMap(db, organisation.users.admin, {
      from: "2026-04-01",
      to: "2026-04-30",
      minimumDecidedItems: 1,
    });
    expect(map.quarter).toBeNull();
    expect(map.previousPeriod).toEqual({ from: "2026-03-02", to: "2026-03-31" });
    // Only call A was drafted in April; call F (31 March) is in the comparison period.
    expect(cellOf(map, organisation.north.id, "discovery")).toMatchObject({
      invocations: 1,
      draftedItems: 15,
    });
    expect(cellOf(map, organisation.north.id, "discovery").previous).toMatchObject({
      invocations: 1,
      draftedItems: 1,
    });
  });

  it("refreshes incrementally: a late decision on an old call moves that call's quarter, as a full rebuild would", async () => {
    const { workspaceId, north, users } = organisation;
    const { call, index } = lateDecisionItem;
    await insertDecision(db, {
      workspaceId,
      teamId: north.id,
      stage: "discovery",
      recordingId: call.recordingId,
      itemId: call.itemIds[index],
      userId: users.trainer.id,
      action: "override",
      ms: 7_000,
      at: null,
      undoes: null,
    });
    const incremental = await refreshCapabilityRollup(db, { workspaceId });
    expect(incremental.mode).toBe("incremental");
    expect(incremental.days).toBe(1); // call A's draft day
    const afterIncremental = await getCapabilityMap(db, users.admin, { quarter: "2026-Q2" });
    expect(cellOf(afterIncremental, north.id, "discovery")).toMatchObject({
      acceptedItems: 18,
      overriddenItems: 5,
      decidedItems: 25,
      timedDecisions: 27,
      interventionRate: 0.28,
    });

    const full = await refreshCapabilityRollup(db, { workspaceId, mode: "full" });
    expect(full.mode).toBe("full");
    const afterFull = await getCapabilityMap(db, users.admin, { quarter: "2026-Q2" });
    expect(afterFull.cells).toEqual(afterIncremental.cells);
  });

  it("cuts days in the workspace's time zone", async () => {
    const { workspaceId, north, users } = organisation;
    await db.query(
      `UPDATE workspaces SET settings = settings || '{"timeZone": "Asia/Shanghai"}'::jsonb WHERE id = $1`,
      [workspaceId],
    );
    try {
      const report = await refreshCapabilityRollup(db, { workspaceId });
      expect(report.mode).toBe("full"); // another layout: everything is rebuilt
      const map = await getCapabilityMap(db, users.admin, { quarter: "2026-Q2" });
      expect(map.timeZone).toBe("Asia/Shanghai");
      // Call F, drafted 2026-03-31 20:00 UTC = 1 April 04:00 in Shanghai, now belongs to Q2.
      expect(cellOf(map, north.id, "discovery")).toMatchObject({
        invocations: 3,
        draftedItems: 31,
      });
      expect(cellOf(map, north.id, "discovery").previous).toMatchObject({
        invocations: 1,
        draftedItems: 20,
      });
    } finally {
      await db.query(`UPDATE workspaces SET settings = settings - 'timeZone' WHERE id = $1`, [
        workspaceId,
      ]);
      await refreshCapabilityRollup(db, { workspaceId });
    }
    await db.query(
      `UPDATE workspaces SET settings = settings || '{"timeZone": "Mars/Olympus"}'::jsonb WHERE id = $1`,
      [workspaceId],
    );
    await expect(refreshCapabilityRollup(db, { workspaceId })).rejects.toThrow(/not a time zone/);
    await db.query(`UPDATE workspaces SET settings = settings - 'timeZone' WHERE id = $1`, [
      workspaceId,
    ]);
  });

  describe("over HTTP", () => {
    let server: TestServer;
    let mapServer: Server | null = null;
    let baseUrl: string;
    const clients: Record<string, TestClient> = {};

    beforeAll(async () => {
      // Imported here: the whole runtime (workers, drafting, embedders) comes with it, and the
      // numeric tests above need none of it.
      const { startTestServer } = await import("./support/test-server.ts");
      server = await startTestServer(db);
      // Until the lead mounts the routes in server/app.ts, serve them the same way on the side.
      const probe = await fetch(`${server.baseUrl}/api/capability-map`);
      baseUrl = server.baseUrl;
      if (probe.status === 404) {
        const context = server.runtime.context();
        const app = express();
        const api = express.Router();
        api.use(express.json());
        api.use(authenticate(db));
        api.use("/auth", authRoutes(context));
        api.use(capabilityMapRoutes(context));
        api.use(notFoundHandler());
        app.use("/api", api);
        app.use(errorHandler(pino({ level: "silent" })));
        mapServer = app.listen(0, "127.0.0.1");
        await new Promise<void>((resolve) => mapServer!.once("listening", () => resolve()));
        baseUrl = `http://127.0.0.1:${(mapServer.address() as AddressInfo).port}`;
      }
      for (const [name, email] of Object.entries({
        rep: "rep.north@example.com",
        trainer: "trainer@example.com",
        manager: "manager@example.com",
        northManager: "manager.north@example.com",
        admin: "admin@example.com",
      })) {
        clients[name] = createTestClient(baseUrl);
        await clients[name].signIn(email, testPassword);
      }
    });

    afterAll(async () => {
      if (mapServer) {
        mapServer.closeAllConnections();
        await new Promise<void>((resolve) => mapServer!.close(() => resolve()));
      }
      await server?.close();
    });

    it("refuses reps and trainers", async () => {
      for (const name of ["rep", "trainer"]) {
        expect(
          (await clients[name].request("GET", "/api/capability-map?quarter=2026-Q2")).status,
        ).toBe(403);
        expect(
          (await clients[name].request("GET", "/api/capability-map/export.csv?quarter=2026-Q2"))
            .status,
        ).toBe(403);
        expect((await clients[name].request("POST", "/api/capability-map/refresh")).status).toBe(
          403,
        );
      }
      const stranger = createTestClient(baseUrl);
      expect((await stranger.request("GET", "/api/capability-map")).status).toBe(401);
    });

    it("shows a manager their subtree and an admin the workspace", async () => {
      const region = await clients.manager.request("GET", "/api/capability-map?quarter=2026-Q2");
      expect(region.status).toBe(200);
      expect(region.body.teams.map((team: { name: string }) => team.name)).toEqual([
        "East region",
        "North squad",
        "South squad",
      ]);
      expect(region.body.cells).toHaveLength(3 * region.body.stages.length);
      const cell = region.body.cells.find(
        (candidate: CapabilityCell) =>
          candidate.teamId === organisation.north.id && candidate.stage === "discovery",
      );
      expect(cell).toMatchObject({ draftedItems: 30, decidedItems: 25, insufficientData: false });
      expect(typeof region.body.refreshedAt).toBe("string");

      const north = await clients.northManager.request(
        "GET",
        "/api/capability-map?quarter=2026-Q2",
      );
      expect(north.body.teams).toEqual([
        {
          id: organisation.north.id,
          name: "North squad",
          parentId: organisation.region.id,
          depth: 0,
        },
      ]);
      expect(
        (
          await clients.northManager.request(
            "GET",
            `/api/capability-map?quarter=2026-Q2&teamId=${organisation.south.id}`,
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await clients.manager.request(
            "GET",
            `/api/capability-map?quarter=2026-Q2&teamId=${west.id}`,
          )
        ).status,
      ).toBe(404);

      const focused = await clients.manager.request(
        "GET",
        `/api/capability-map?quarter=2026-Q2&teamId=${organisation.south.id}`,
      );
      expect(focused.body.teams.map((team: { id: string }) => team.id)).toEqual([
        organisation.south.id,
      ]);

      const admin = await clients.admin.request(
        "GET",
        "/api/capability-map?quarter=2026-Q2&metric=penetration",
      );
      expect(admin.body.teams).toHaveLength(4);
      expect(admin.body.metrics).toEqual(["penetration"]);
    });

    it("rejects bad query parameters with 400", async () => {
      for (const query of [
        "quarter=2026-Q5",
        "from=2026-01-01",
        "quarter=2026-Q1&from=2026-01-01&to=2026-01-02",
        "metric=accuracy",
        "teamId=nope",
        "minimumDecidedItems=0",
      ]) {
        const response = await clients.admin.request("GET", `/api/capability-map?${query}`);
        expect(response.status, query).toBe(400);
      }
      expect(
        (
          await clients.admin.request(
            "GET",
            `/api/capability-map/cell?teamId=${organisation.north.id}`,
          )
        ).status,
      ).toBe(400);
    });

    it("drills into a cell without leaking calls outside the caller's subtree", async () => {
      const path = (teamId: string, extra = "") =>
        `/api/capability-map/cell?quarter=2026-Q2&teamId=${teamId}&stage=discovery${extra}`;
      const north = await clients.manager.request(
        "GET",
        path(organisation.north.id, "&pageSize=5"),
      );
      expect(north.status).toBe(200);
      expect(north.body.calls.total).toBe(2);
      expect(north.body.calls.items.map((call: { title: string }) => call.title)).toEqual([
        "Call B",
        "Call A",
      ]);
      const callA = north.body.calls.items[1];
      // Call A holds items 1–15, all accepted until the late override of item 1.
      expect(callA).toMatchObject({
        drafts: 1,
        draftedItems: 15,
        decidedItems: 15,
        acceptedItems: 14,
        overriddenItems: 1,
        owner: { displayName: "rep.north" },
      });
      // 18 + 4 + 2 single decisions, two each on items 25 (accept, undo) and 26, and the late override.
      expect(north.body.decisions.total).toBe(29);
      expect(north.body.decisions.items).toHaveLength(5);
      expect(north.body.decisions.items[0]).toMatchObject({
        action: "override",
        decisionMs: 7_000,
        itemKind: "intent",
        recordingTitle: "Call A",
        undone: false,
      });
      const second = await clients.manager.request(
        "GET",
        path(organisation.north.id, "&pageSize=5&decisionsPage=6"),
      );
      expect(second.body.decisions.items).toHaveLength(4);
      const undone = await clients.manager.request(
        "GET",
        path(organisation.north.id, "&pageSize=100"),
      );
      expect(
        undone.body.decisions.items.filter((decision: { undone: boolean }) => decision.undone),
      ).toHaveLength(1);
      expect(
        undone.body.decisions.items.filter(
          (decision: { action: string }) => decision.action === "undo",
        ),
      ).toHaveLength(1);

      const region = await clients.manager.request(
        "GET",
        path(organisation.region.id, "&pageSize=100"),
      );
      const titles = region.body.calls.items.map((call: { title: string }) => call.title);
      expect(titles.sort()).toEqual(["Call A", "Call B", "Call C"]);
      expect(JSON.stringify(region.body)).not.toContain(westRecordingId);

      expect((await clients.northManager.request("GET", path(organisation.south.id))).status).toBe(
        404,
      );
      expect((await clients.northManager.request("GET", path(organisation.region.id))).status).toBe(
        404,
      );
      expect((await clients.manager.request("GET", path(west.id))).status).toBe(404);
      const adminWest = await clients.admin.request("GET", path(west.id));
      expect(
        adminWest.body.calls.items.map((call: { recordingId: string }) => call.recordingId),
      ).toEqual([westRecordingId]);
    });

    it("exports CSV with a BOM, one row per cell, Chinese intact", async () => {
      // Raw bytes through an API token: a text decoder would swallow the byte-order mark.
      const { token } = await createApiToken(db, organisation.users.admin.id, { name: "export" });
      const response = await fetch(`${baseUrl}/api/capability-map/export.csv?quarter=2026-Q2`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
      expect(response.headers.get("content-disposition")).toContain("capability-map-2026-Q2.csv");
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      const lines = text.split("\r\n").filter(Boolean);
      const map = (await clients.admin.request("GET", "/api/capability-map?quarter=2026-Q2")).body;
      expect(lines).toHaveLength(1 + map.cells.length);
      expect(text).toContain("华南区");
      expect(text).toContain("East region / North squad");
    });

    it("enqueues one rollup job per workspace, which the handler completes", async () => {
      const first = await clients.manager.request("POST", "/api/capability-map/refresh");
      expect(first.status).toBe(202);
      expect(first.body.job).toMatchObject({ queue: "rollup", state: "queued" });
      const second = await clients.admin.request("POST", "/api/capability-map/refresh");
      expect(second.body.job.jobId).toBe(first.body.job.jobId);

      const job = await getJob(db, first.body.job.jobId);
      const before = (await getCapabilityMap(db, organisation.users.admin, { quarter: "2026-Q2" }))
        .refreshedAt!;
      const outcome = await runJob({ db }, "rollup", job.payload, rollupHandler({ db }), {
        attemptsMade: 0,
        attemptsAllowed: 1,
      });
      expect(outcome).toBe("completed");
      expect((await getJob(db, job.id)).state).toBe("completed");
      const after = (await getCapabilityMap(db, organisation.users.admin, { quarter: "2026-Q2" }))
        .refreshedAt!;
      expect(after.getTime()).toBeGreaterThan(before.getTime());
    });
  });
});
