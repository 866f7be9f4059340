/**
 * Every case of the bad-input corpus (fixtures/bad-input/corpus.ts) against every endpoint that
 * accepts its kind: the answer is the case's 4xx with a reason, nothing is left on disk or in the
 * database, and the process stays healthy.
 */
import fs from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../core/auth/sessions.ts";
import { badInputCases, uploadLimitBytes } from "./fixtures/bad-input/corpus.ts";
import type { CaseRequest, EndpointKind, JsonEndpointShape } from "./fixtures/bad-input/corpus.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

interface Endpoint {
  kind: EndpointKind;
  method: string;
  path: string;
  caller: "anonymous" | "rep" | "trainer" | "admin";
  shape?: JsonEndpointShape;
}

function endpoints(organisation: Organisation): Endpoint[] {
  const json = (method: string, path: string, caller: Endpoint["caller"], shape: JsonEndpointShape): Endpoint => ({ kind: "json", method, path, caller, shape });
  return [
    { kind: "audio-upload", method: "POST", path: "/api/recordings", caller: "rep" },
    { kind: "transcript-import", method: "POST", path: "/api/recordings/import", caller: "rep" },
    json("POST", "/api/auth/sign-in", "anonymous", { valid: { email: "rep.north@example.com", password: "x" }, stringField: "email" }),
    json("POST", "/api/users", "admin", {
      valid: { email: "new.rep@example.com", role: "rep", teamId: organisation.north.id, password: "a long enough password" },
      stringField: "displayName",
      enumField: "role",
    }),
    json("PATCH", "/api/users/" + organisation.users.otherNorthRep.id, "admin", { valid: { displayName: "Renamed" }, stringField: "displayName", enumField: "role" }),
    json("PATCH", "/api/me", "rep", { valid: { displayName: "Me" }, stringField: "displayName", enumField: "locale" }),
    json("POST", "/api/teams", "admin", { valid: { name: "New squad" }, stringField: "name", enumField: "agentChannel" }),
    json("POST", "/api/tokens", "rep", { valid: { name: "script" }, stringField: "name" }),
    json("PUT", "/api/me/hotkeys", "trainer", { valid: { bindings: { "review:accept": "a" } }, stringField: "bindings" }),
    json("POST", "/api/review/claim", "trainer", { valid: { count: 1 }, stringField: "customerStage", enumField: "order" }),
    json("POST", "/api/datasets", "trainer", { valid: { name: "golden" }, stringField: "name" }),
    json("POST", "/api/eval-runs", "trainer", { valid: { dataset: "golden", target: "local" }, stringField: "dataset" }),
    json("POST", "/api/connectors", "admin", { valid: { name: "Local", baseUrl: "http://127.0.0.1:11434/v1", defaultModel: "qwen2.5" }, stringField: "apiKey", enumField: "kind" }),
    json("POST", "/api/setup", "anonymous", { valid: { token: "x", email: "first@example.com", password: "x" }, stringField: "email", enumField: "locale" }),
  ];
}

/** Tables a rejected request must not have written to. */
const watchedTables = ["recordings", "transcripts", "segments", "blob_leases", "jobs", "users", "teams", "api_tokens", "sessions", "datasets", "eval_runs", "erasures", "connectors", "connector_audit"];

function storedFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`);
}

/** Sends bytes as they are, Content-Length included, and reads the first response's status and body. */
function rawPost(baseUrl: string, path: string, headers: Record<string, string>, request: Extract<CaseRequest, { type: "raw" }>) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(received.slice(0, end))?.[1] ?? 0);
      if (received.length - end - 4 < length) return;
      socket.destroy();
      const text = Buffer.from(received.slice(end + 4, end + 4 + length), "latin1").toString("utf8");
      resolve({ status: Number(received.slice(9, 12)), body: text ? JSON.parse(text) : null });
    });
    socket.on("error", reject);
    const head = [
      `POST ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      `Content-Type: multipart/form-data; boundary=${request.boundary}`,
      `Content-Length: ${request.declaredLength}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      "",
      "",
    ].join("\r\n");
    socket.write(head);
    socket.write(request.body, () => {});
  });
}

describe.each(databaseKinds)("bad input on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  const tokens = new Map<string, string>();

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of watchedTables) {
      const { rows } = await database.db.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`);
      result[table] = Number(rows[0]!.count);
    }
    return result;
  }

  async function send(endpoint: Endpoint, request: CaseRequest): Promise<{ status: number; body: any }> {
    const token = tokens.get(endpoint.caller);
    const headers: Record<string, string> = { "accept-language": "en", ...(token ? { authorization: `Bearer ${token}` } : {}) };
    if (request.type === "raw") return rawPost(server.baseUrl, endpoint.path, headers, request);
    let body: BodyInit;
    if (request.type === "json") {
      headers["content-type"] = "application/json";
      body = request.text;
    } else {
      const form = new FormData();
      const fields = { consent: "true", customerStage: "discovery", language: "en", ...request.fields };
      for (const [name, value] of Object.entries(fields)) if (value !== null) form.append(name, value);
      form.append("file", new Blob([new Uint8Array(request.bytes)]), request.fileName);
      body = form;
    }
    const response = await fetch(`${server.baseUrl}${endpoint.path}`, { method: endpoint.method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the assertion on error.message below reports it
    }
    return { status: response.status, body: parsed };
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, {
      environment: { UPLOAD_MAX_BYTES: String(uploadLimitBytes), LOGIN_RATE_LIMIT_PER_15_MINUTES: "10000" },
    });
    tokens.set("rep", (await createApiToken(database.db, organisation.users.northRep.id, { name: "bad input" })).token);
    tokens.set("trainer", (await createApiToken(database.db, organisation.users.trainer.id, { name: "bad input" })).token);
    tokens.set("admin", (await createApiToken(database.db, organisation.users.admin.id, { name: "bad input" })).token);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it("answers every case on every endpoint with its 4xx and a reason, keeps nothing, and stays healthy", async () => {
    const before = await counts();
    const filesBefore = storedFiles(server.config.STORAGE_DIR);
    const mismatches: string[] = [];
    let sent = 0;
    for (const endpoint of endpoints(organisation)) {
      for (const badCase of badInputCases.filter((candidate) => candidate.kinds.includes(endpoint.kind))) {
        const request = badCase.build(endpoint.shape);
        if (!request) continue;
        sent++;
        const label = `${badCase.name} → ${endpoint.method} ${endpoint.path}`;
        const response = await send(endpoint, request);
        const message = response.body?.error?.message;
        if (response.status !== badCase.status) mismatches.push(`${label}: expected ${badCase.status}, got ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        else if (typeof message !== "string" || !badCase.reason.test(message)) mismatches.push(`${label}: reason ${JSON.stringify(message)} does not match ${badCase.reason}`);
        else if (typeof response.body.error.code !== "string") mismatches.push(`${label}: no error code`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(sent).toBeGreaterThan(60);

    // Staging files of rejected uploads are removed after the answer; give that a moment.
    const deadline = Date.now() + 5000;
    while (storedFiles(server.config.STORAGE_DIR).length > filesBefore.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(storedFiles(server.config.STORAGE_DIR)).toEqual(filesBefore);
    expect(await counts()).toEqual(before);
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  }, 180_000);
});
