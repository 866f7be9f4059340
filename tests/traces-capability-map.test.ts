/**
 * The capability map's trace metrics: agent invocations and AI cost per team × stage come from the
 * traces of the period (a region rolls up its squads), last quarter's traces are the previous
 * values, and the CSV carries both columns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCapabilityMap } from "../core/capability-map/capability-map.ts";
import { formatCapabilityMapCsv } from "../core/capability-map/csv.ts";
import { createDatabaseTracer } from "../core/traces/trace-store.ts";
import { listTraces, traceListQuerySchema } from "../core/traces/trace-queries.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { insertRecording, recordRealisticTrace } from "./support/trace-fixtures.ts";

describe.each(databaseKinds)("capability map from traces on %s", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    const tracer = createDatabaseTracer(database.db);
    const north = await insertRecording(database.db, organisation.users.northRep, { stage: "discovery" });
    const south = await insertRecording(database.db, organisation.users.southRep, { stage: "discovery" });
    const at = async (id: Promise<string>, startedAt: string) =>
      database.db.query("UPDATE traces SET started_at = $2 WHERE id = $1", [await id, startedAt]);
    const trace = (recordingId: string, costPerCall: number) =>
      recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId, costPerCall });
    await at(trace(north, 0.01), "2026-04-02T10:00:00Z");
    await at(trace(north, 0.02), "2026-06-30T23:00:00Z");
    await at(trace(south, 0.005), "2026-05-15T08:00:00Z");
    await at(trace(north, 0.5), "2026-03-20T08:00:00Z"); // previous quarter
    await at(trace(north, 0.7), "2026-07-01T00:30:00Z"); // next quarter: not counted
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("counts invocations and sums cost per team × stage, rolled up, with the previous quarter", async () => {
    const map = await getCapabilityMap(database.db, organisation.users.admin, { quarter: "2026-Q2" });
    const cell = (teamId: string) => map.cells.find((entry) => entry.teamId === teamId && entry.stage === "discovery")!;
    expect(cell(organisation.north.id)).toMatchObject({ agentInvocations: 2, aiCostUsd: 0.03 });
    expect(cell(organisation.north.id).previous).toMatchObject({ agentInvocations: 1, aiCostUsd: 0.5 });
    expect(cell(organisation.north.id).delta).toMatchObject({ agentInvocations: 1, aiCostUsd: -0.47 });
    expect(cell(organisation.south.id)).toMatchObject({ agentInvocations: 1, aiCostUsd: 0.005 });
    expect(cell(organisation.region.id)).toMatchObject({ agentInvocations: 3, aiCostUsd: 0.035 });
    // No drafts and no decisions: the rate metrics stay "no data"; the trace counts do not need any.
    expect(cell(organisation.north.id)).toMatchObject({ insufficientData: true, penetration: null });
    const proposal = map.cells.find((entry) => entry.teamId === organisation.north.id && entry.stage === "proposal");
    expect(proposal?.agentInvocations ?? null).toBeNull();

    // A manager of the region sees the same; the drill-down's filter lists exactly those traces.
    const managerMap = await getCapabilityMap(database.db, organisation.users.manager, { quarter: "2026-Q2" });
    expect(managerMap.cells.find((entry) => entry.teamId === organisation.region.id && entry.stage === "discovery")).toMatchObject({ agentInvocations: 3 });
    const drill = await listTraces(
      database.db,
      organisation.users.manager,
      traceListQuerySchema.parse({ teamId: organisation.north.id, stage: "discovery", from: map.period.from, to: map.period.to }),
    );
    expect(drill.totals).toMatchObject({ traces: 2, costUsd: 0.03 });

    const csv = formatCapabilityMapCsv(map).replace(/^\ufeff/, "").split("\r\n");
    const header = csv[0].split(",");
    const northRow = csv.find((line) => line.includes(organisation.north.id) && line.includes(",discovery,"))!.split(",");
    expect(northRow[header.indexOf("agent_invocations")]).toBe("2");
    expect(northRow[header.indexOf("ai_cost_usd")]).toBe("0.03");
  });
});
