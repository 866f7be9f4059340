/**
 * Who may call what, as data: every route the app declares (read from Express's own route table)
 * must have a row here, and every cell is called on a real server. A route without a row fails the
 * test by name — add its row (one line, see tests/README.md).
 *
 * Columns: anonymous, rep, trainer, manager, admin — each calling with an empty body and, where the
 * route takes an `:id`, the row's object (a recording owned by the north rep, in the north squad).
 * `otherRep` is another north rep asking for that object; `otherTeam` the south squad's trainer.
 * An allowed caller sending an empty body gets 400: it passed the guard and reached validation.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../core/auth/sessions.ts";
import { createApp } from "../server/app.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { listRoutes } from "./support/route-table.ts";
import { recordRealisticTrace } from "./support/trace-fixtures.ts";
import { createDatabaseTracer } from "../core/traces/trace-store.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

type Caller = "anonymous" | "rep" | "trainer" | "manager" | "admin" | "otherRep" | "otherTeam";
/**
 * What `:id` stands for: a recording, job, draft item or trace of the north rep (made fresh for each cell),
 * someone else's token, a user, or an id that exists nowhere.
 */
type ObjectKind = "recording" | "job" | "item" | "token" | "user" | "trace" | "missing";

interface MatrixRow {
  /** anonymous, rep, trainer, manager, admin */
  roles: [number, number, number, number, number];
  object?: ObjectKind;
  otherRep?: number;
  otherTeam?: number;
  /** Query string to send (some GETs need one to get past validation). */
  query?: string;
  /** A valid body instead of the empty one, so the cell reaches the object's own check. */
  body?: () => unknown;
}

const row = (roles: MatrixRow["roles"], extra: Omit<MatrixRow, "roles"> = {}): MatrixRow => ({ roles, ...extra });
const everyone = (status: number) => row([401, status, status, status, status]);

// prettier-ignore
export const roleMatrix: Record<string, MatrixRow> = {
  "GET /healthz":                                        row([200, 200, 200, 200, 200]),
  "POST /api/auth/sign-in":                              row([400, 400, 400, 400, 400]),
  "POST /api/auth/sign-out":                             row([204, 204, 204, 204, 204]),
  "GET /api/auth/me":                                    everyone(200),
  "GET /api/setup":                                      row([200, 200, 200, 200, 200]),
  "POST /api/setup":                                     row([400, 400, 400, 400, 400]),
  "GET /api/users":                                      row([401, 403, 403, 403, 200]),
  "POST /api/users":                                     row([401, 403, 403, 403, 400]),
  "PATCH /api/users/:id":                                row([401, 403, 403, 403, 200], { object: "user" }),
  "GET /api/workspace/profile":                          everyone(200),
  "PUT /api/workspace/profile":                          row([401, 403, 403, 403, 400]),
  "GET /api/users/:id":                                  row([401, 403, 403, 403, 200], { object: "user" }),
  "POST /api/users/:id/password-reset":                  row([401, 403, 403, 403, 404], { object: "missing" }),
  "POST /api/me/password":                               everyone(400),
  "PATCH /api/teams/:id":                                row([401, 403, 403, 403, 400], { object: "missing" }),
  "PATCH /api/me":                                       everyone(200),
  "GET /api/teams":                                      everyone(200),
  "POST /api/teams":                                     row([401, 403, 403, 403, 400]),
  "GET /api/tokens":                                     everyone(200),
  "POST /api/tokens":                                    everyone(400),
  "DELETE /api/tokens/:id":                              row([401, 404, 404, 404, 404], { object: "token" }),
  "POST /api/recordings":                                row([401, 400, 400, 403, 400]),
  "POST /api/recordings/import":                         row([401, 400, 400, 403, 400]),
  "GET /api/recordings":                                 everyone(200),
  "GET /api/recordings/:id":                             row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "GET /api/recordings/:id/audio":                       row([401, 404, 404, 404, 404], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "POST /api/recordings/:id/retry":                      row([401, 422, 422, 403, 422], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "DELETE /api/recordings/:id":                          row([401, 204, 403, 403, 204], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "GET /api/recordings/:id/draft":                       row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "GET /api/workspace":                                  everyone(200),
  "GET /api/review/queue":                               row([401, 200, 200, 403, 200]),
  "POST /api/review/claim":                              row([401, 403, 200, 403, 200]),
  "POST /api/review/release":                            row([401, 403, 400, 403, 400]),
  "POST /api/review/items/:id/decisions":                row([401, 201, 201, 403, 201], { object: "item", otherRep: 404, otherTeam: 404, body: () => ({ action: "reject", revision: 0, shownAt: new Date().toISOString() }) }),
  "POST /api/review/decisions/:id/undo":                 row([401, 404, 404, 403, 404], { object: "missing" }),
  "GET /api/review/dashboard":                           row([401, 403, 200, 200, 200]),
  "GET /api/review/no-fit":                              row([401, 403, 200, 200, 200]),
  "GET /api/me/hotkeys":                                 everyone(200),
  "PUT /api/me/hotkeys":                                 everyone(400),
  "GET /api/prompt-sets":                                row([401, 403, 200, 200, 200]),
  "POST /api/sandbox/local":                             row([401, 403, 400, 403, 400]),
  "GET /api/llm-status":                                 row([401, 403, 200, 200, 200]),
  "GET /api/prompt-sets/:set/versions/:version":         row([401, 403, 404, 404, 404]),
  "GET /api/prompt-sets/:set/diff":                      row([401, 403, 400, 400, 400]),
  "GET /api/prompt-sets/:set/history":                   row([401, 403, 404, 404, 404]),
  "POST /api/prompt-sets/:set/versions":                 row([401, 403, 400, 403, 400]),
  "PUT /api/prompt-sets/:set/labels/:label":             row([401, 403, 400, 403, 400]),
  "POST /api/prompt-sets/:set/versions/:version/try":    row([401, 403, 400, 403, 400]),
  "POST /api/prompt-sets/:set/versions/:version/gate":   row([401, 403, 400, 403, 400]),
  "GET /api/datasets":                                   row([401, 403, 200, 200, 200]),
  "POST /api/datasets":                                  row([401, 403, 400, 403, 400]),
  "GET /api/workspace/vocabulary":                       row([401, 403, 200, 200, 200]),
  "PUT /api/workspace/intents":                          row([401, 403, 400, 403, 400]),
  "PUT /api/workspace/action-catalogue":                 row([401, 403, 400, 403, 400]),
  "POST /api/datasets/preview":                          row([401, 403, 200, 403, 200]),
  "POST /api/datasets/import":                           row([401, 403, 400, 403, 400]),
  "GET /api/datasets/:id":                               row([401, 403, 404, 404, 404], { object: "missing" }),
  "POST /api/datasets/:id/versions":                     row([401, 403, 404, 403, 404], { object: "missing" }),
  "GET /api/datasets/:id/versions/:version/export":      row([401, 403, 404, 404, 404], { object: "missing" }),
  "POST /api/label-curve":                               row([401, 403, 400, 403, 400]),
  "GET /api/label-curve/latest":                         row([401, 403, 200, 200, 200]),
  "GET /api/eval-runs":                                  row([401, 403, 200, 200, 200]),
  "POST /api/eval-runs":                                 row([401, 403, 400, 403, 400]),
  "GET /api/eval-runs/compare":                          row([401, 403, 400, 400, 400]),
  "GET /api/eval-runs/:id":                              row([401, 403, 404, 404, 404], { object: "missing" }),
  "GET /api/eval-runs/:id/results":                      row([401, 403, 404, 404, 404], { object: "missing" }),
  "GET /api/capability-map":                             row([401, 403, 403, 200, 200]),
  "GET /api/capability-map/cell":                        row([401, 403, 403, 400, 400]),
  "GET /api/capability-map/export.csv":                  row([401, 403, 403, 200, 200]),
  "POST /api/capability-map/refresh":                    row([401, 403, 403, 202, 202]),
  "GET /api/events":                                     everyone(200),
  "GET /api/jobs/:id":                                   row([401, 200, 200, 200, 200], { object: "job", otherRep: 404, otherTeam: 404 }),
  "GET /api/recordings/:id/follow-up":                   row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "POST /api/recordings/:id/action-items":               row([401, 400, 400, 403, 400], { object: "recording", otherRep: 400, otherTeam: 400 }),
  "GET /api/recordings/:id/action-items.ics":            row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "GET /api/recordings/:id/action-items.csv":            row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "GET /api/recordings/:id/outcomes":                    row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  "GET /api/webhooks":                                   row([401, 403, 403, 403, 200]),
  "POST /api/webhooks":                                  row([401, 403, 403, 403, 400]),
  "PATCH /api/webhooks/:id":                             row([401, 403, 403, 403, 404], { object: "missing" }),
  "DELETE /api/webhooks/:id":                            row([401, 403, 403, 403, 404], { object: "missing" }),
  "POST /api/webhooks/:id/rotate-secret":                row([401, 403, 403, 403, 404], { object: "missing" }),
  "POST /api/webhooks/:id/test":                         row([401, 403, 403, 403, 404], { object: "missing" }),
  "GET /api/webhooks/:id/deliveries":                    row([401, 403, 403, 403, 404], { object: "missing" }),
  "POST /api/webhooks/deliveries/:id/resend":            row([401, 403, 403, 403, 404], { object: "missing" }),
  "GET /api/connectors":                                 row([401, 403, 403, 403, 200]),
  "GET /api/connectors/choices":                         row([401, 403, 200, 403, 200]),
  "POST /api/connectors":                                row([401, 403, 403, 403, 400]),
  "PATCH /api/connectors/:id":                           row([401, 403, 403, 403, 404], { object: "missing" }),
  "POST /api/connectors/:id/test":                       row([401, 403, 403, 403, 404], { object: "missing" }),
  "POST /api/connectors/:id/models":                     row([401, 403, 403, 403, 404], { object: "missing" }),
  "GET /api/connectors/:id/audit":                       row([401, 403, 403, 403, 404], { object: "missing" }),
  // Signed by the CRM, not by a user: a bearer token does not count, a missing signature is a 401.
  "POST /api/outcomes/inbound/:workspaceId":             row([401, 401, 401, 401, 401]),
  "POST /api/outcomes/import":                           row([401, 403, 403, 400, 400]),
  "GET /api/outcomes/inbound-secret":                    row([401, 403, 403, 403, 200]),
  "POST /api/outcomes/inbound-secret":                   row([401, 403, 403, 403, 200]),
  "GET /api/training/talk-tracks":                       row([401, 403, 200, 200, 200]),
  "GET /api/capability-map/outcomes":                    row([401, 403, 403, 200, 200]),
  "GET /api/capability-map/outcomes/cell":               row([401, 403, 403, 400, 400]),
  // Everyone reads traces within their view (rep: own calls; trainer/manager: team subtree; admin: all).
  "GET /api/traces":                                     everyone(200),
  "GET /api/traces/:id":                                 row([401, 200, 200, 200, 200], { object: "trace", otherRep: 404, otherTeam: 404 }),
  "GET /api/agents":                                     row([401, 403, 200, 200, 200]),
  "GET /api/agents/:agent/versions":                     row([401, 403, 200, 200, 200]),
  "PATCH /api/agents/:agent":                            row([401, 403, 403, 403, 400]),
  "POST /api/agents/:agent/try":                         row([401, 403, 400, 403, 400]),
  "GET /api/recordings/:id/agent-runs":                  row([401, 200, 200, 200, 200], { object: "recording", otherRep: 404, otherTeam: 404 }),
  // No worker runs in this test: the call has no draft yet, so an allowed re-run is refused with 422.
  "POST /api/recordings/:id/agents/:agent/runs":         row([401, 422, 422, 403, 422], { object: "recording", otherRep: 404, otherTeam: 404 }),
};

const abortedStream = (response: Response) => response.headers.get("content-type")?.includes("event-stream") ?? false;
const roleColumns = ["anonymous", "rep", "trainer", "manager", "admin"] as const;

const vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Agent>Hello, thanks for calling.\n\n00:00:02.000 --> 00:00:04.000\n<v Customer>Hi, I need a quote.\n";

describe.each(databaseKinds)("role × route matrix (%s)", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  const tokens = new Map<Caller, string>();
  let routes: string[];

  async function call(caller: Caller, method: string, path: string, body?: unknown) {
    const token = tokens.get(caller);
    const abort = new AbortController();
    const isForm = body instanceof FormData;
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      signal: abort.signal,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && !isForm ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
    });
    // Streams (server-sent events) never end by themselves: the status is all we need.
    if (response.headers.get("content-type")?.includes("event-stream")) abort.abort();
    return response;
  }

  async function importRecording(): Promise<{ recordingId: string; jobId: string }> {
    const form = new FormData();
    for (const [key, value] of Object.entries({ customerStage: "discovery", consent: "true", language: "en" })) form.append(key, value);
    form.append("file", new Blob([`${vtt}\nNOTE ${randomUUID()}\n`]), "call.vtt");
    const response = await call("rep", "POST", "/api/recordings/import", form);
    expect(response.status).toBe(201);
    const recordingId = ((await response.json()) as { recording: { id: string } }).recording.id;
    const { rows } = await database.db.query<{ id: string }>("SELECT id FROM jobs WHERE subject_id = $1 LIMIT 1", [recordingId]);
    return { recordingId, jobId: rows[0]!.id };
  }

  /** A stored draft with one pending intent item, as the drafter would leave it. */
  async function draftItemOf(recordingId: string): Promise<string> {
    const { rows: transcripts } = await database.db.query<{ id: string }>("SELECT id FROM transcripts WHERE recording_id = $1", [recordingId]);
    const { rows: drafts } = await database.db.query<{ id: string }>(
      "INSERT INTO drafts (recording_id, transcript_id, engine, model) VALUES ($1, $2, 'llm', 'matrix') RETURNING id",
      [recordingId, transcripts[0]!.id],
    );
    const { rows: items } = await database.db.query<{ id: string }>(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, confidence)
       VALUES ($1, $2, 'intent', 0, 0, '{"intent": "request_quote"}', 0.5) RETURNING id`,
      [drafts[0]!.id, recordingId],
    );
    return items[0]!.id;
  }

  async function objectId(kind: ObjectKind, caller: Caller): Promise<string> {
    switch (kind) {
      case "recording":
        return (await importRecording()).recordingId;
      case "job":
        return (await importRecording()).jobId;
      case "item":
        return draftItemOf((await importRecording()).recordingId);
      case "user":
        return organisation.users.otherNorthRep.id;
      case "trace":
        return recordRealisticTrace(createDatabaseTracer(database.db), { workspaceId: organisation.workspaceId, recordingId: (await importRecording()).recordingId });
      case "token":
        // Someone else's token: revoking it is refused as not found, whoever asks.
        return (await createApiToken(database.db, organisation.users.southRep.id, { name: `victim ${caller}` })).id;
      case "missing":
        return randomUUID();
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, { environment: { LOGIN_RATE_LIMIT_PER_15_MINUTES: "10000" } });
    const holders: Record<Exclude<Caller, "anonymous">, string> = {
      rep: organisation.users.northRep.id,
      trainer: organisation.users.trainer.id,
      manager: organisation.users.manager.id,
      admin: organisation.users.admin.id,
      otherRep: organisation.users.otherNorthRep.id,
      otherTeam: organisation.users.southTrainer.id,
    };
    for (const [caller, userId] of Object.entries(holders)) {
      tokens.set(caller as Caller, (await createApiToken(database.db, userId, { name: "matrix" })).token);
    }
    routes = listRoutes(createApp(server.runtime.context())).map((route) => `${route.method} ${route.path}`);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it("has a row for every route the app declares, and no row for a route that is gone", () => {
    const missing = routes.filter((route) => !(route in roleMatrix));
    expect(missing, `routes without a role-matrix row in tests/role-matrix.test.ts: ${missing.join(", ")}`).toEqual([]);
    const stale = Object.keys(roleMatrix).filter((route) => !routes.includes(route));
    expect(stale, `role-matrix rows for routes that no longer exist: ${stale.join(", ")}`).toEqual([]);
  });

  it("answers every cell with the expected status", async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const entry = roleMatrix[route];
      if (!entry) continue;
      const [method, template] = route.split(" ") as [string, string];
      const cells: [Caller, number][] = roleColumns.map((caller, index) => [caller, entry.roles[index]!]);
      if (entry.otherRep !== undefined) cells.push(["otherRep", entry.otherRep]);
      if (entry.otherTeam !== undefined) cells.push(["otherTeam", entry.otherTeam]);
      for (const [caller, expected] of cells) {
        // Prompt-set versions are names, dataset versions numbers; neither exists here.
        const version = template.startsWith("/api/datasets") ? "999" : "v999";
        let path = template
          .replace(":set", "call-review")
          .replace(":version", version)
          .replace(":label", "production")
          .replace(":agent", "call-summary")
          .replace(":workspaceId", organisation.workspaceId);
        if (path.includes(":id")) path = path.replace(":id", await objectId(entry.object ?? "missing", caller));
        if (entry.query) path += `?${entry.query}`;
        const response = await call(caller, method, path, method === "GET" || method === "DELETE" ? undefined : (entry.body?.() ?? {}));
        if (!response.bodyUsed && !abortedStream(response)) await response.arrayBuffer();
        if (response.status !== expected) mismatches.push(`${route} as ${caller}: expected ${expected}, got ${response.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
