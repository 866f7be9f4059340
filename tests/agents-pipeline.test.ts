/**
 * The per-call agent pipeline on the local engine (no LLM connector), through the real server and
 * workers: three agents succeed and two end as "needs an LLM connector"; every item says which run
 * (and trace) made it; re-running one agent replaces its undecided items and keeps decisions; the
 * call becomes ready once; a second delivery of a finished job changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentRegistry } from "../agents/registry.ts";
import { runAgent, startPipeline } from "../core/agents/pipeline.ts";
import type { TraceDetail } from "../core/traces/trace-queries.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { importAndDraft } from "./support/imported-calls.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.ts";

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

interface Run {
  id: string;
  agent: string;
  status: string;
  engine: string | null;
  model: string | null;
  agentVersion: string;
  traceId: string | null;
  error: string | null;
  items: number;
}

describe.each(databaseKinds)("the agent pipeline on the local engine (%s)", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  let receiver: WebhookReceiver;
  const clients: Record<string, TestClient> = {};
  let recordingId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    receiver = await startWebhookReceiver();
    await database.db.query(
      `INSERT INTO webhook_subscriptions (workspace_id, name, url, events, format) VALUES ($1, 'ready', $2, '{call.ready}', 'slack')`,
      [organisation.workspaceId, receiver.url],
    );
    server = await startTestServer(database.db, { work: true, environment: { DOUBLE_LABEL_SHARE: "0" }, });
    for (const [name, email] of Object.entries({ rep: "rep.north@example.com", trainer: "trainer@example.com", manager: "manager@example.com", admin: "admin@example.com" })) {
      clients[name] = createTestClient(server.baseUrl);
      await clients[name].signIn(email, testPassword);
    }
    recordingId = await importAndDraft(clients.rep, call, "pipeline-call.vtt");
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await database?.drop();
  });

  async function runs(): Promise<Run[]> {
    const response = await clients.rep.request("GET", `/api/recordings/${recordingId}/agent-runs`);
    expect(response.status).toBe(200);
    return response.body.runs;
  }

  it("runs three agents locally and says the other two need an LLM connector; the call is ready", async () => {
    const pipeline = await runs();
    expect(pipeline.map((run) => [run.agent, run.status])).toEqual([
      ["intent-tagger", "succeeded"],
      ["action-items", "succeeded"],
      ["talk-tracks", "succeeded"],
      ["call-summary", "needs_connector"],
      ["follow-up-email", "needs_connector"],
    ]);
    for (const run of pipeline.slice(0, 3)) {
      expect(run.engine).toBe("local");
      expect(run.agentVersion).toBe(`${run.agent}@v1`);
      expect(run.traceId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(pipeline[3].error).toBe("needs an LLM connector");
    expect(pipeline.find((run) => run.agent === "action-items")!.items).toBeGreaterThan(0);
    const recording = await clients.rep.request("GET", `/api/recordings/${recordingId}`);
    expect(recording.body.recording.status).toBe("ready");
  });

  it("traces every invocation: the local model's top-k labels, and what was stored", async () => {
    const intentRun = (await runs()).find((run) => run.agent === "intent-tagger")!;
    // As the trace viewer reads it, from the database.
    const response = await clients.admin.request("GET", `/api/traces/${intentRun.traceId}`);
    expect(response.status).toBe(200);
    const trace: TraceDetail = response.body;
    expect(trace).toMatchObject({ agent: "intent-tagger", agentVersion: "intent-tagger@v1", agentRunId: intentRun.id, engine: "local", status: "ok" });
    const local = trace.spans.find((span) => span.kind === "local_model")!;
    expect(local.attributes.model).toMatch(/^local-intent@\d+$/);
    const ranked = local.output as Array<{ segment: number; labels: Array<{ label: string; confidence: number }> }>;
    expect(ranked).toHaveLength(5);
    expect(ranked[0].labels.length).toBeGreaterThan(0);
    expect(ranked[0].labels.length).toBeLessThanOrEqual(3);
    const result = trace.spans.find((span) => span.kind === "result")!;
    expect((result.output as { items: number }).items).toBe(intentRun.items);
  });

  it("gives every drafted item its run and trace, so the UI can ask why", async () => {
    const response = await clients.trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    const pipeline = await runs();
    const byAgent = new Map(pipeline.map((run) => [run.agent, run]));
    const agentOfKind: Record<string, string> = { intent: "intent-tagger", action_item: "action-items", talk_track: "talk-tracks" };
    expect(response.body.draft.items.length).toBeGreaterThan(0);
    for (const item of response.body.draft.items) {
      const run = byAgent.get(agentOfKind[item.kind])!;
      expect(item).toMatchObject({ agentRunId: run.id, agent: run.agent, traceId: run.traceId, engine: "local" });
    }
  });

  it("re-runs one agent on the call: its undecided items are replaced, decisions stay, nothing is duplicated", async () => {
    const before = (await clients.rep.request("GET", `/api/recordings/${recordingId}/draft`)).body.draft.items.filter(
      (item: { kind: string }) => item.kind === "action_item",
    );
    expect(before.length).toBeGreaterThanOrEqual(2);
    const decided = before[0];
    const decision = await clients.rep.request("POST", `/api/review/items/${decided.id}/decisions`, {
      action: "accept",
      revision: decided.revision,
      shownAt: new Date(Date.now() - 2000).toISOString(),
    });
    expect(decision.status).toBe(201);
    const previousRun = (await runs()).find((run) => run.agent === "action-items")!;

    const rerun = await clients.rep.request("POST", `/api/recordings/${recordingId}/agents/action-items/runs`);
    expect(rerun.status).toBe(202);
    const finished = await eventually(async () => {
      const run = (await runs()).find((candidate) => candidate.agent === "action-items")!;
      return run.id === rerun.body.runId && run.status === "succeeded" ? run : null;
    });
    expect(finished.id).not.toBe(previousRun.id);

    const after = (await clients.rep.request("GET", `/api/recordings/${recordingId}/draft`)).body.draft.items.filter(
      (item: { kind: string }) => item.kind === "action_item",
    );
    const kept = after.find((item: { id: string }) => item.id === decided.id);
    expect(kept).toMatchObject({ status: "accepted", agentRunId: previousRun.id });
    // The undecided ones were made again by the new run; the decided one is not made twice.
    const fresh = after.filter((item: { id: string }) => item.id !== decided.id);
    expect(fresh.length).toBe(before.length - 1);
    for (const item of fresh) {
      expect(item.agentRunId).toBe(finished.id);
      expect(before.some((old: { id: string }) => old.id === item.id)).toBe(false);
    }
    expect(after.filter((item: { content: { title: string } }) => item.content.title === decided.content.title)).toHaveLength(1);
  });

  it("lets no one else re-run agents: managers read, another team cannot see the call, an unknown agent is 404", async () => {
    expect((await clients.manager.request("POST", `/api/recordings/${recordingId}/agents/action-items/runs`)).status).toBe(403);
    expect((await clients.trainer.request("POST", `/api/recordings/${recordingId}/agents/no-such-agent/runs`)).status).toBe(404);
    const southTrainer = createTestClient(server.baseUrl);
    await southTrainer.signIn("trainer.south@example.com", testPassword);
    expect((await southTrainer.request("POST", `/api/recordings/${recordingId}/agents/action-items/runs`)).status).toBe(404);
  });

  it("makes the call ready exactly once (one call.ready event), re-runs included", async () => {
    const { rows } = await database.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM webhook_events WHERE recording_id = $1 AND type = 'call.ready'",
      [recordingId],
    );
    expect(rows[0].count).toBe(1);
  });

  it("does nothing on a second delivery of a finished draft job or agent-run job", async () => {
    const { rows: drafts } = await database.db.query<{ id: string; jobId: string }>(
      `SELECT id, pipeline_job_id AS "jobId" FROM drafts WHERE recording_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [recordingId],
    );
    const countRows = async () =>
      (
        await database.db.query<{ runs: number; items: number }>(
          "SELECT (SELECT count(*)::int FROM agent_runs WHERE recording_id = $1) AS runs, (SELECT count(*)::int FROM draft_items WHERE recording_id = $1) AS items",
          [recordingId],
        )
      ).rows[0];
    const before = await countRows();
    const again = await startPipeline({ db: database.db, registry: agentRegistry }, recordingId, { jobId: drafts[0].jobId });
    expect(again.draftId).toBe(drafts[0].id);
    expect(again.jobs).toEqual([]);
    const run = (await runs()).find((candidate) => candidate.agent === "talk-tracks")!;
    const outcome = await runAgent({ db: database.db, ...server.runtime.context().agents }, run.id);
    expect(outcome).toEqual({ status: "succeeded", jobs: [], traceId: run.traceId });
    expect(await countRows()).toEqual(before);
    const recording = await clients.rep.request("GET", `/api/recordings/${recordingId}`);
    expect(recording.body.recording.status).toBe("ready");
  });

  it("runs an agent only where it is enabled: an admin's scope is a new version the next call follows", async () => {
    const scoped = await clients.admin.request("PATCH", "/api/agents/talk-tracks", { enabledFor: { customerStages: ["negotiation"] }, expectedVersion: 1 });
    expect(scoped.status).toBe(200);
    expect(scoped.body.version).toMatchObject({ reference: "talk-tracks@v2", definition: { enabledFor: { customerStages: ["negotiation"] } } });
    // Someone else's older view of the agent is refused, not silently overwritten.
    expect((await clients.admin.request("PATCH", "/api/agents/talk-tracks", { enabled: false, expectedVersion: 1 })).status).toBe(409);
    expect((await clients.trainer.request("PATCH", "/api/agents/talk-tracks", { enabled: false })).status).toBe(403);
    const other = await importAndDraft(clients.rep, `${call}\nNOTE scoped\n`, "scoped-call.vtt", { customerStage: "demo" });
    const response = await clients.rep.request("GET", `/api/recordings/${other}/agent-runs`);
    expect(response.body.runs.map((run: Run) => run.agent)).toEqual(["intent-tagger", "action-items", "call-summary", "follow-up-email"]);
    const restored = await clients.admin.request("PATCH", "/api/agents/talk-tracks", { enabledFor: {} });
    expect(restored.body.version.reference).toBe("talk-tracks@v3");
  });
});
