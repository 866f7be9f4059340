/**
 * Traces against a real database: the tracer writes a trace and its spans in one go (tokens and cost
 * summed, team/stage/rep taken from the call); a write that fails is logged and does not throw; a
 * call erased while its agent ran gets no trace; erasing a call removes its traces and scrubs its
 * examples from other calls' traces (spans, prompt, search); retention deletes old traces; the list
 * filters (Chinese search included) and pages; each role sees its scope; a rep sees other teams'
 * examples masked. Through the HTTP API for the role checks.
 */
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../core/auth/actor.ts";
import { createFileSystemBlobStore } from "../core/upload/blob-store.ts";
import { eraseRecording } from "../core/upload/recordings.ts";
import { sweepExpiredTraces } from "../core/traces/retention.ts";
import { getTrace, listTraces, traceListQuerySchema } from "../core/traces/trace-queries.ts";
import type { TraceListQuery } from "../core/traces/trace-queries.ts";
import { createDatabaseTracer } from "../core/traces/trace-store.ts";
import type { DatabaseTracer } from "../core/traces/trace-store.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import { insertRecording, recordRealisticTrace } from "./support/trace-fixtures.ts";
import { eventually } from "./support/eventually.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const list = (query: Partial<TraceListQuery> = {}) => traceListQuerySchema.parse(query);

describe.each(databaseKinds)("traces on %s", (kind) => {
  let database: TestDatabase;
  let organisation: Organisation;
  let tracer: DatabaseTracer;
  const warnings: Array<{ details: Record<string, unknown>; message: string }> = [];
  let northCall: string;
  let southCall: string;
  let storage: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    tracer = createDatabaseTracer(database.db, { logger: { warn: (details, message) => warnings.push({ details, message }) } });
    northCall = await insertRecording(database.db, organisation.users.northRep, { title: "North call", stage: "discovery" });
    southCall = await insertRecording(database.db, organisation.users.southRep, { title: "South call", stage: "proposal" });
    storage = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-traces-"));
  });

  afterAll(async () => {
    await database?.drop();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it("writes a trace with its spans in order, sums tokens and cost, and takes team and stage from the call", async () => {
    const { rows: connectors } = await database.db.query<{ id: string }>(
      `INSERT INTO connectors (workspace_id, name, base_url, purposes, default_model, timeout_ms, max_concurrency)
       VALUES ($1, 'DeepSeek', 'http://127.0.0.1:9/v1', ARRAY['chat'], 'deepseek-chat', 30000, 4) RETURNING id`,
      [organisation.workspaceId],
    );
    const id = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: northCall, repair: true, costPerCall: 0.002, connectorId: connectors[0].id });
    const trace = await getTrace(database.db, organisation.users.admin, id);
    expect(trace).toMatchObject({
      connectorId: connectors[0].id,
      connectorName: "DeepSeek",
      status: "ok",
      agent: "action-items",
      agentVersion: "action-items@v2",
      teamId: organisation.north.id,
      teamName: "North squad",
      customerStage: "discovery",
      recordingTitle: "North call",
      costUsd: 0.004,
    });
    expect(trace.spans.map((span) => `${span.kind}:${span.status}`)).toEqual([
      "retrieval:ok",
      "prompt:ok",
      "model_call:ok",
      "parse:error",
      "model_call:ok",
      "parse:ok",
      "result:ok",
    ]);
    const calls = trace.spans.filter((span) => span.kind === "model_call");
    expect(trace.inputTokens).toBe(calls[0].inputTokens + calls[1].inputTokens);
    expect(calls[1].attributes).toMatchObject({ attempt: 2, repair: true });
    expect(trace.spans[3].error).toContain("not valid JSON");
    expect((trace.spans[1].output as Array<{ role: string }>).map((message) => message.role)).toEqual(["system", "user"]);
    for (const [index, span] of trace.spans.entries()) {
      expect(span.position).toBe(index);
      expect(new Date(span.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(trace.startedAt).getTime());
    }
  });

  it("logs a trace it cannot write and lets the agent go on", async () => {
    const before = warnings.length;
    const trace = tracer.start({
      workspaceId: randomUUID(), // no such workspace: the insert fails on its foreign key
      recordingId: null,
      agent: "summary",
      agentVersion: "summary@v1",
      agentRunId: null,
      engine: "llm",
      connectorId: null,
      model: "m",
    });
    trace.span("prompt", "render").end({ output: [] });
    await expect(trace.finish({ status: "ok" })).resolves.toBeUndefined();
    expect(warnings.length).toBe(before + 1);
    expect(warnings.at(-1)!.details.traceId).toBe(trace.id);
    const { rows } = await database.db.query("SELECT 1 FROM traces WHERE id = $1", [trace.id]);
    expect(rows).toHaveLength(0);
  });

  it("writes nothing for a call erased while its agent ran", async () => {
    const call = await insertRecording(database.db, organisation.users.northRep);
    const trace = tracer.start({ workspaceId: organisation.workspaceId, recordingId: call, agent: "summary", agentVersion: "summary@v1", agentRunId: null, engine: "local", connectorId: null, model: null });
    trace.span("local_model", "intent model", null, { modelVersion: "nb-3" }).end({ output: [{ label: "request_quote", confidence: 0.7 }] });
    await database.db.query("DELETE FROM recordings WHERE id = $1", [call]);
    await trace.finish({ status: "ok" });
    const { rows } = await database.db.query("SELECT 1 FROM traces WHERE id = $1", [trace.id]);
    expect(rows).toHaveLength(0);

    // An example whose call was erased while the agent ran: the copy must not outlive the erasure, so
    // the trace is not written (and that is logged).
    const source = await insertRecording(database.db, organisation.users.southRep);
    const before = warnings.length;
    const late = tracer.start({ workspaceId: organisation.workspaceId, recordingId: northCall, agent: "summary", agentVersion: "summary@v1", agentRunId: null, engine: "llm", connectorId: null, model: "m" });
    late.span("retrieval", "examples").end({ output: [{ sourceKey: "k", text: "erased meanwhile", label: "x", similarity: 0.9, recordingId: source }] });
    await database.db.query("DELETE FROM recordings WHERE id = $1", [source]);
    await late.finish({ status: "ok" });
    expect((await database.db.query("SELECT 1 FROM traces WHERE id = $1", [late.id])).rows).toHaveLength(0);
    expect(warnings.length).toBe(before + 1);
  });

  it("filters by agent, version, status, cost, team, stage, dates and Chinese text, and pages with totals", async () => {
    const admin = organisation.users.admin;
    const ids = {
      zh: await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: southCall, agent: "summary", version: "v1", language: "zh", costPerCall: 0.01 }),
      failed: await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: southCall, agent: "summary", version: "v2", fail: "401 Incorrect API key provided" }),
    };
    const zh = await listTraces(database.db, admin, list({ q: "预算大概在二十万" }));
    expect(zh.traces.map((trace) => trace.id)).toEqual([ids.zh]);
    expect((await listTraces(database.db, admin, list({ q: "INCORRECT api key" }))).traces.map((trace) => trace.id)).toEqual([ids.failed]);
    expect((await listTraces(database.db, admin, list({ q: "100%_" }))).traces).toHaveLength(0);
    expect((await listTraces(database.db, admin, list({ status: "error" }))).traces.map((trace) => trace.id)).toEqual([ids.failed]);
    expect((await listTraces(database.db, admin, list({ agentVersion: "summary@v1" }))).traces.map((trace) => trace.id)).toEqual([ids.zh]);
    expect((await listTraces(database.db, admin, list({ minCost: 0.005 }))).traces.map((trace) => trace.id)).toEqual([ids.zh]);
    const south = await listTraces(database.db, admin, list({ teamId: organisation.south.id }));
    expect(new Set(south.traces.map((trace) => trace.id))).toEqual(new Set([ids.zh, ids.failed]));
    expect((await listTraces(database.db, admin, list({ teamId: organisation.region.id }))).totals.traces).toBeGreaterThanOrEqual(3);
    expect((await listTraces(database.db, admin, list({ stage: "proposal" }))).totals.traces).toBe(2);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listTraces(database.db, admin, list({ from: today, to: today }))).totals.traces).toBeGreaterThanOrEqual(3);
    expect((await listTraces(database.db, admin, list({ to: "2020-01-01" }))).totals.traces).toBe(0);

    const everything = await listTraces(database.db, admin, list());
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTraces(database.db, admin, list({ limit: 2, cursor }));
      expect(page.totals).toEqual(everything.totals);
      pages.push(...page.traces.map((trace) => trace.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual(everything.traces.map((trace) => trace.id));
    expect(everything.totals.errors).toBe(1);
    expect(everything.totals.costUsd).toBeCloseTo(everything.traces.reduce((sum, trace) => sum + trace.costUsd, 0), 6);
    await expect(listTraces(database.db, admin, list({ cursor: "bm9wZQ" }))).rejects.toMatchObject({ status: 400 });
    await expect(listTraces(database.db, admin, list({ minCost: 2, maxCost: 1 }))).rejects.toMatchObject({ status: 400 });
  });

  it("shows each role its scope, and masks other teams' examples in a rep's view", async () => {
    const users = organisation.users;
    // A north call whose prompt used one example from a south call and one from the north team.
    const southExample = "我们预算只有五万，能不能打折？";
    const northExample = "Please send the contract to legal first.";
    const northSource = await insertRecording(database.db, users.otherNorthRep);
    const id = await recordRealisticTrace(tracer, {
      workspaceId: organisation.workspaceId,
      recordingId: northCall,
      examples: [
        { sourceKey: "s1", text: southExample, label: "price_objection", similarity: 0.9, recordingId: southCall },
        { sourceKey: "s2", text: northExample, label: "next_step", similarity: 0.8, recordingId: northSource },
      ],
    });
    const visible = async (actor: Actor) => (await listTraces(database.db, actor, list({ limit: 200 }))).traces.map((trace) => trace.id);
    expect(await visible(users.admin)).toContain(id);
    expect(await visible(users.manager)).toContain(id);
    expect(await visible(users.trainer)).toContain(id);
    expect(await visible(users.northRep)).toContain(id);
    expect(await visible(users.otherNorthRep)).not.toContain(id);
    expect(await visible(users.southTrainer)).not.toContain(id);
    expect(await visible(users.southRep)).not.toContain(id);
    await expect(getTrace(database.db, users.southTrainer, id)).rejects.toMatchObject({ status: 404 });
    await expect(getTrace(database.db, users.otherNorthRep, id)).rejects.toMatchObject({ status: 404 });

    const trainerView = JSON.stringify(await getTrace(database.db, users.trainer, id));
    expect(trainerView).toContain(southExample);
    const repTrace = await getTrace(database.db, users.northRep, id);
    expect(repTrace.masked).toBe(true);
    const repView = JSON.stringify(repTrace);
    expect(repView).not.toContain(southExample);
    expect(repView).toContain(northExample);
    expect(repView).toContain("(example from another team)");
    const retrieval = repTrace.spans.find((span) => span.kind === "retrieval")!.output as Array<{ text: string; masked?: boolean }>;
    expect(retrieval[0]).toMatchObject({ text: "(example from another team)", masked: true });
    // The prompt and the request body carried the same text: masked there too.
    expect(JSON.stringify(repTrace.spans.find((span) => span.kind === "prompt")!.output)).toContain("(example from another team)");
    // Search follows the view: the rep cannot find their trace by the masked text, the trainer can.
    const search = (actor: Actor, q: string) => listTraces(database.db, actor, list({ q })).then((page) => page.traces.map((trace) => trace.id));
    expect(await search(users.northRep, "五万")).not.toContain(id);
    expect(await search(users.northRep, "contract to legal")).toContain(id);
    expect(await search(users.trainer, "五万")).toContain(id);
  });

  it("erasing a call removes its traces and scrubs its examples from other calls' traces", async () => {
    const users = organisation.users;
    const doomed = await insertRecording(database.db, users.southRep, { title: "Doomed" });
    const secret = "客户手机号已打码，但他说预算是七十万";
    const own = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: doomed });
    // The doomed call's example, looked up by source key from the embeddings (the agent did not name the call).
    await database.db.query(
      `INSERT INTO embeddings (workspace_id, source_type, source_key, recording_id, embedder, dimensions, content_hash, text, approved, embedding)
       VALUES ($1, 'sample', 'doomed-sample', $2, 'test', 3, 'h', $3, true, '[1,0,0]')`,
      [organisation.workspaceId, doomed, secret],
    );
    const other = await recordRealisticTrace(tracer, {
      workspaceId: organisation.workspaceId,
      recordingId: northCall,
      examples: [{ sourceKey: "doomed-sample", text: secret, label: "budget", similarity: 0.77 }],
    });
    expect((await listTraces(database.db, users.admin, list({ q: "七十万" }))).traces.map((trace) => trace.id)).toEqual([other]);

    const blobs = createFileSystemBlobStore(storage);
    await eraseRecording({ db: database.db, blobs }, users.admin, doomed);

    const { rows: gone } = await database.db.query("SELECT 1 FROM traces WHERE id = $1 UNION ALL SELECT 1 FROM trace_spans WHERE trace_id = $1", [own]);
    expect(gone).toHaveLength(0);
    const kept = await getTrace(database.db, users.admin, other);
    const dump = JSON.stringify(kept);
    expect(dump).not.toContain(secret);
    expect(dump).toContain("(erased)");
    expect((kept.spans[0].output as Array<{ erased?: boolean }>)[0].erased).toBe(true);
    expect((await listTraces(database.db, users.admin, list({ q: "七十万" }))).traces).toHaveLength(0);
    // Nothing anywhere in the trace tables still holds the text.
    const { rows: anywhere } = await database.db.query(
      `SELECT 1 FROM traces WHERE search_text LIKE $1 OR input::text LIKE $1 OR output::text LIKE $1
       UNION ALL SELECT 1 FROM trace_spans WHERE input::text LIKE $1 OR output::text LIKE $1`,
      [`%七十万%`],
    );
    expect(anywhere).toHaveLength(0);
  });

  it("deletes traces older than the retention period, and keeps everything with 0", async () => {
    const old = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: northCall });
    await database.db.query("UPDATE traces SET started_at = now() - interval '91 days' WHERE id = $1", [old]);
    const recent = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: northCall });
    expect(await sweepExpiredTraces(database.db, { retentionDays: 0 })).toEqual({ deleted: 0 });
    expect((await database.db.query("SELECT 1 FROM traces WHERE id = $1", [old])).rows).toHaveLength(1);
    expect(await sweepExpiredTraces(database.db, { retentionDays: 90 })).toEqual({ deleted: 1 });
    expect((await database.db.query("SELECT 1 FROM traces WHERE id = $1", [old])).rows).toHaveLength(0);
    expect((await database.db.query("SELECT 1 FROM trace_spans WHERE trace_id = $1", [old])).rows).toHaveLength(0);
    expect((await database.db.query("SELECT 1 FROM traces WHERE id = $1", [recent])).rows).toHaveLength(1);
  });

  it("runs the retention sweep when the server starts", async () => {
    const old = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: northCall });
    await database.db.query("UPDATE traces SET started_at = now() - interval '3 days' WHERE id = $1", [old]);
    const kept = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: northCall });
    const server = await startTestServer(database.db, { environment: { TRACE_RETENTION_DAYS: "2" } });
    try {
      await eventually(async () => (await database.db.query("SELECT 1 FROM traces WHERE id = $1", [old])).rows.length === 0);
      expect((await database.db.query("SELECT 1 FROM traces WHERE id = $1", [kept])).rows).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  describe("over HTTP", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(database.db);
    });
    afterAll(async () => {
      await server?.close();
    });

    it("answers the list and a trace per role, and refuses bad filters with 400", async () => {
      const id = await recordRealisticTrace(tracer, { workspaceId: organisation.workspaceId, recordingId: northCall, agent: "talk-tracks" });
      const signIn = async (email: string) => {
        const client = createTestClient(server.baseUrl);
        await client.signIn(email, testPassword);
        return client;
      };
      const rep = await signIn(organisation.users.northRep.email);
      const south = await signIn(organisation.users.southTrainer.email);
      const listed = await rep.request("GET", "/api/traces?agent=talk-tracks");
      expect(listed.status).toBe(200);
      expect(listed.body.traces.map((trace: { id: string }) => trace.id)).toEqual([id]);
      expect((await rep.request("GET", `/api/traces/${id}`)).body.spans).toHaveLength(5);
      expect((await south.request("GET", `/api/traces/${id}`)).status).toBe(404);
      expect((await south.request("GET", "/api/traces?agent=talk-tracks")).body.traces).toEqual([]);
      const bad = await rep.request("GET", "/api/traces?status=maybe&minCost=-1");
      expect(bad.status).toBe(400);
      expect((await rep.request("GET", "/api/traces/not-a-uuid")).status).toBe(400);
    });
  });
});
