/**
 * Model connectors end to end, on PGlite and PostgreSQL, against a real local OpenAI-compatible
 * server: the bootstrap from the environment (idempotent), adding/editing/disabling through the API
 * with the audit, "Test connection" (an answer, a refused key, a timeout), "Fetch models", who may do
 * what — and that no API key appears in any response, any table (a dump of every row; `pg_dump` on
 * PostgreSQL) or any log line of the requests that carried it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretBox } from "../core/auth/secret-box.ts";
import { bootstrapAllWorkspaces } from "../core/connectors/bootstrap.ts";
import { createConnectorDirectory } from "../core/connectors/connectors.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../server/logger.ts";
import { openRuntime } from "../server/runtime.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startOpenAiCompatibleServer } from "./support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer } from "./support/openai-compatible-server.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

const run = promisify(execFile);

/** A port nothing listens on (bound, then closed): connections to it are refused. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function hasPgDump(): Promise<boolean> {
  try {
    await run("pg_dump", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

describe.each(databaseKinds)("model connectors (%s)", (kind) => {
  const adminKey = `sk-proj-admin${randomBytes(12).toString("hex")}`;
  const rotatedKey = `sk-proj-rotated${randomBytes(12).toString("hex")}`;
  const wrongKey = `sk-proj-wrong${randomBytes(12).toString("hex")}`;
  const environmentKey = `sk-env${randomBytes(12).toString("hex")}`;
  const transcriptionKey = `tr-env${randomBytes(12).toString("hex")}`;
  const secrets = [adminKey, rotatedKey, wrongKey, environmentKey, transcriptionKey];
  const logLines: string[] = [];
  let database: TestDatabase;
  let organisation: Organisation;
  let endpoint: OpenAiCompatibleServer;
  let server: TestServer;
  let admin: TestClient;
  let connectorId: string;
  let closedPort: number;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    closedPort = await freePort();
    endpoint = await startOpenAiCompatibleServer({ apiKey: adminKey, models: ["deepseek-chat", "deepseek-reasoner"] });
    // The app's own logger (with its redaction), at the most verbose level, written into an array.
    const logger = createLogger({ LOG_LEVEL: "trace" }, "connectors-test", { write: (line: string) => void logLines.push(line) });
    server = await startTestServer(database.db, {
      logger,
      environment: {
        // The production request log: one full JSON record per response, headers included — the most a log could leak.
        NODE_ENV: "production",
        OPENAI_BASE_URL: endpoint.baseUrl,
        OPENAI_API_KEY: environmentKey,
        TRANSCRIPTION_BASE_URL: `http://127.0.0.1:${closedPort}/v1/`,
        TRANSCRIPTION_API_KEY: transcriptionKey,
      },
    });
    admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
  });

  afterAll(async () => {
    await server?.close();
    await endpoint?.close();
    await database?.drop();
  });

  it("makes the environment's endpoints connectors at start, and does it once", async () => {
    const listed = await admin.request("GET", "/api/connectors");
    expect(listed.status).toBe(200);
    expect(listed.body.connectors).toEqual([
      expect.objectContaining({
        name: "Environment (OPENAI_BASE_URL)",
        baseUrl: endpoint.baseUrl,
        purposes: ["chat"],
        bootstrap: true,
        bootstrapSource: "OPENAI_BASE_URL",
        apiKeyHint: `sk-…${environmentKey.slice(-4)}`,
        enabled: true,
        allowUnredacted: false,
      }),
      expect.objectContaining({
        name: "Environment (TRANSCRIPTION_BASE_URL)",
        baseUrl: `http://127.0.0.1:${closedPort}/v1`,
        purposes: ["transcription"],
        defaultModel: "whisper-1",
        apiKeyHint: `tr-…${transcriptionKey.slice(-4)}`,
      }),
    ]);
    const deps = { db: database.db, secrets: server.runtime.connectors.secrets };
    // A second start with the same environment changes nothing.
    expect(await bootstrapAllWorkspaces(deps, server.config)).toEqual({ created: [], updated: [], disabled: [], enabled: [] });
    const chat = listed.body.connectors[0];
    const audit = await admin.request("GET", `/api/connectors/${chat.id}/audit`);
    expect(audit.body.audit).toHaveLength(1);
    expect(audit.body.audit[0]).toMatchObject({ action: "created", actor: null });

    // EMBEDDER=openai adds an embeddings connector on the same endpoint; a new key is taken over.
    const changed = { ...server.config, EMBEDDER: "openai" as const, OPENAI_API_KEY: `${environmentKey}x` };
    expect(await bootstrapAllWorkspaces(deps, changed)).toEqual({
      created: ["Environment (EMBEDDER=openai)"],
      updated: ["Environment (OPENAI_BASE_URL)"],
      disabled: [],
      enabled: [],
    });
    expect(await bootstrapAllWorkspaces(deps, changed)).toEqual({ created: [], updated: [], disabled: [], enabled: [] });
    const directory = createConnectorDirectory(database.db, deps.secrets);
    expect(await directory.defaultFor(organisation.workspaceId, "embeddings")).toMatchObject({ defaultModel: "text-embedding-3-small", apiKey: `${environmentKey}x` });
    const latest = await admin.request("GET", `/api/connectors/${chat.id}/audit`);
    expect(latest.body.audit[0]).toMatchObject({ action: "updated", fields: ["apiKey"], actor: null });

    // The variable removed: its connector is turned off; back: on again (Calibrate had turned it off).
    expect((await bootstrapAllWorkspaces(deps, { ...changed, TRANSCRIPTION_BASE_URL: undefined })).disabled).toEqual(["Environment (TRANSCRIPTION_BASE_URL)"]);
    expect(await directory.defaultFor(organisation.workspaceId, "transcription")).toBeNull();
    expect((await bootstrapAllWorkspaces(deps, changed)).enabled).toEqual(["Environment (TRANSCRIPTION_BASE_URL)"]);
    // An admin's "off" stays off.
    await admin.request("PATCH", `/api/connectors/${chat.id}`, { enabled: false });
    expect((await bootstrapAllWorkspaces(deps, server.config)).enabled).toEqual([]);
    expect((await admin.request("GET", "/api/connectors")).body.connectors[0].enabled).toBe(false);
    await admin.request("PATCH", `/api/connectors/${chat.id}`, { enabled: true });
  });

  it("replaces an environment key sealed under a lost installation key instead of failing the start", async () => {
    const otherInstallation = createSecretBox(randomBytes(32));
    const report = await bootstrapAllWorkspaces({ db: database.db, secrets: otherInstallation }, server.config);
    expect(report.updated).toEqual(["Environment (OPENAI_BASE_URL)", "Environment (TRANSCRIPTION_BASE_URL)"]);
    const chat = await createConnectorDirectory(database.db, otherInstallation).defaultFor(organisation.workspaceId, "chat");
    expect(chat).toMatchObject({ apiKey: environmentKey });
    // Back to this installation's key, for the tests that follow.
    expect((await bootstrapAllWorkspaces({ db: database.db, secrets: server.runtime.connectors.secrets }, server.config)).updated).toHaveLength(2);
  });

  it("adds a connector with an encrypted key that no response carries, refusing bad input with the reason", async () => {
    const created = await admin.request("POST", "/api/connectors", {
      name: "DeepSeek",
      baseUrl: `${endpoint.baseUrl}/`,
      apiKey: adminKey,
      models: ["deepseek-chat"],
      defaultModel: "deepseek-chat",
      maxConcurrency: 2,
      priceInputPerMTokUsd: 0.27,
      priceOutputPerMTokUsd: 1.1,
    });
    expect(created.status).toBe(201);
    connectorId = created.body.connector.id;
    expect(created.body.connector).toMatchObject({
      name: "DeepSeek",
      baseUrl: endpoint.baseUrl,
      apiKeyHint: `sk-…${adminKey.slice(-4)}`,
      models: ["deepseek-chat"],
      timeoutMs: 60_000,
      maxConcurrency: 2,
      priceInputPerMTokUsd: 0.27,
      priceOutputPerMTokUsd: 1.1,
      allowUnredacted: false,
      enabled: true,
      bootstrap: false,
    });
    expect(created.body.connector).not.toHaveProperty("apiKey");
    expect(JSON.stringify(created.body)).not.toContain(adminKey);

    const bad = async (body: Record<string, unknown>, status: number, reason: RegExp) => {
      const response = await admin.request("POST", "/api/connectors", { name: "Bad", baseUrl: endpoint.baseUrl, defaultModel: "m", ...body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(response.body.error), JSON.stringify(body)).toMatch(reason);
    };
    await bad({ baseUrl: "ftp://example.com/v1" }, 400, /baseUrl.*http:\/\/ or https:\/\//);
    await bad({ maxConcurrency: 0 }, 400, /maxConcurrency/);
    await bad({ maxConcurrency: 257 }, 400, /maxConcurrency/);
    await bad({ timeoutMs: 10 }, 400, /timeoutMs/);
    await bad({ priceInputPerMTokUsd: -1 }, 400, /priceInputPerMTokUsd/);
    await bad({ purposes: [] }, 400, /purposes/);
    await bad({ name: "DeepSeek" }, 409, /A connector named “DeepSeek” already exists/);
    const chinese = await admin.request("POST", "/api/connectors", { name: "DeepSeek", baseUrl: endpoint.baseUrl, defaultModel: "m" }, { "accept-language": "zh-CN" });
    expect(chinese.body.error.message).toBe("此工作区已有名为“DeepSeek”的模型连接器。");
    expect((await admin.request("GET", "/api/connectors")).body.connectors).toHaveLength(4);
  });

  it("edits a connector, keeps the key when none is sent, and audits field names only", async () => {
    const directory = server.runtime.connectors.directory;
    const renamed = await admin.request("PATCH", `/api/connectors/${connectorId}`, { name: "DeepSeek (prod)", maxConcurrency: 4, defaultModel: "deepseek-reasoner" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.connector).toMatchObject({ name: "DeepSeek (prod)", maxConcurrency: 4, defaultModel: "deepseek-reasoner", models: ["deepseek-reasoner", "deepseek-chat"] });
    expect((await directory.get(organisation.workspaceId, connectorId))!.apiKey).toBe(adminKey);

    const rotated = await admin.request("PATCH", `/api/connectors/${connectorId}`, { apiKey: rotatedKey });
    expect(rotated.body.connector.apiKeyHint).toBe(`sk-…${rotatedKey.slice(-4)}`);
    expect(JSON.stringify(rotated.body)).not.toContain(rotatedKey);
    // The same key again is no change, and no audit row.
    await admin.request("PATCH", `/api/connectors/${connectorId}`, { apiKey: rotatedKey });
    await admin.request("PATCH", `/api/connectors/${connectorId}`, { enabled: false });
    await admin.request("PATCH", `/api/connectors/${connectorId}`, { enabled: true, apiKey: adminKey });
    const missing = await admin.request("PATCH", `/api/connectors/${organisation.workspaceId}`, { name: "x" });
    expect(missing.status).toBe(404);

    const audit = (await admin.request("GET", `/api/connectors/${connectorId}/audit`)).body.audit;
    expect(audit.map((entry: any) => [entry.action, entry.fields])).toEqual([
      ["enabled", ["enabled"]],
      ["updated", ["apiKey"]],
      ["disabled", ["enabled"]],
      ["updated", ["apiKey"]],
      ["updated", ["name", "models", "defaultModel", "maxConcurrency"]],
      ["created", expect.arrayContaining(["name", "baseUrl", "apiKey", "defaultModel"])],
    ]);
    expect(audit[0].actor).toMatchObject({ id: organisation.users.admin.id, displayName: expect.any(String) });
    expect(JSON.stringify(audit)).not.toMatch(new RegExp(secrets.join("|")));
  });

  it("tests the connection: the model's answer and latency, or the exact error of a refused key or a timeout", async () => {
    endpoint.enqueue({ content: JSON.stringify({ ok: true, answer: "pong" }) });
    const passed = await admin.request("POST", `/api/connectors/${connectorId}/test`, {});
    expect(passed.status).toBe(200);
    expect(passed.body.result).toMatchObject({ ok: true, model: "deepseek-reasoner", answer: "pong", latencyMs: expect.any(Number) });
    expect(endpoint.chatRequests().at(-1)!.model).toBe("deepseek-reasoner");

    await admin.request("PATCH", `/api/connectors/${connectorId}`, { apiKey: wrongKey });
    const refused = await admin.request("POST", `/api/connectors/${connectorId}/test`, {});
    expect(refused.status).toBe(200);
    expect(refused.body.result).toMatchObject({ ok: false, error: `HTTP 401 from ${new URL(endpoint.baseUrl).host}: Incorrect API key provided` });

    await admin.request("PATCH", `/api/connectors/${connectorId}`, { apiKey: adminKey, timeoutMs: 1_000 });
    endpoint.enqueue({ content: JSON.stringify({ ok: true, answer: "late" }), delayMs: 3_000 });
    const slow = await admin.request("POST", `/api/connectors/${connectorId}/test`, {});
    expect(slow.body.result).toMatchObject({ ok: false, error: `Timed out: no answer from ${new URL(endpoint.baseUrl).host} within 1000 ms.` });

    const tested = (await admin.request("GET", `/api/connectors/${connectorId}/audit`)).body.audit.filter((entry: any) => entry.action === "tested");
    expect(tested.map((entry: any) => entry.detail.ok)).toEqual([false, false, true]);
    expect(tested[1].detail.error).toMatch(/^HTTP 401/);
    // The limiter's lease of each test was given back.
    const { rows } = await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM connector_leases WHERE expires_at > clock_timestamp()");
    expect(rows[0]!.count).toBe(0);
  });

  it("fetches the model list from the endpoint, and keeps the typed models where there is none", async () => {
    const fetched = await admin.request("POST", `/api/connectors/${connectorId}/models`, {});
    expect(fetched.status).toBe(200);
    expect(fetched.body.result).toEqual({ ok: true, models: ["deepseek-chat", "deepseek-reasoner"] });
    expect(fetched.body.connector.models).toEqual(["deepseek-chat", "deepseek-reasoner"]);

    const transcription = (await admin.request("GET", "/api/connectors")).body.connectors.find((connector: any) => connector.purposes.includes("transcription"));
    const unreachable = await admin.request("POST", `/api/connectors/${transcription.id}/models`, {});
    expect(unreachable.status).toBe(200);
    expect(unreachable.body.result).toMatchObject({ ok: false, error: `Cannot connect to 127.0.0.1:${closedPort}: connection refused (ECONNREFUSED).` });
    expect(unreachable.body.connector.models).toEqual(["whisper-1"]);
  });

  it("lets trainers read the choices only, and nobody but admins manage connectors", async () => {
    const trainer = createTestClient(server.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);
    const choices = await trainer.request("GET", "/api/connectors/choices");
    expect(choices.status).toBe(200);
    for (const choice of choices.body.connectors) expect(Object.keys(choice).sort()).toEqual(["defaultModel", "enabled", "id", "models", "name", "purposes"]);
    expect((await trainer.request("GET", "/api/connectors")).status).toBe(403);
    expect((await trainer.request("PATCH", `/api/connectors/${connectorId}`, { enabled: false })).status).toBe(403);
    expect((await trainer.request("POST", `/api/connectors/${connectorId}/test`, {})).status).toBe(403);
    const manager = createTestClient(server.baseUrl);
    await manager.signIn("manager@example.com", testPassword);
    expect((await manager.request("GET", "/api/connectors/choices")).status).toBe(403);
    // A cookie session without the CSRF token is refused before anything changes.
    const forged = await admin.request("PATCH", `/api/connectors/${connectorId}`, { enabled: false }, { "x-csrf-token": "forged" });
    expect(forged.status).toBe(403);
    expect((await server.runtime.connectors.directory.get(organisation.workspaceId, connectorId))!.enabled).toBe(true);
  });

  it("leaves no API key in any table, in pg_dump, or in any log line", async () => {
    const { rows: tables } = await database.db.query<{ name: string }>(
      "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    let dump = "";
    for (const table of tables) {
      const { rows } = await database.db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table.name} t`);
      dump += rows.map((row) => row.row).join("\n");
    }
    // The dump covers the connectors (their sealed keys are there) and the audit.
    expect(dump).toMatch(/"api_key_sealed":"v1\./);
    expect(dump).toContain('"action":"tested"');
    for (const secret of secrets) expect(dump).not.toContain(secret);

    if (kind === "postgres" && (await hasPgDump())) {
      const { stdout } = await run("pg_dump", ["--data-only", database.url!], { maxBuffer: 256 * 1024 * 1024 });
      expect(stdout).toContain("COPY public.connectors");
      for (const secret of secrets) expect(stdout).not.toContain(secret);
    }

    const log = logLines.join("");
    // The requests that created, edited and tested connectors were logged …
    expect(log).toMatch(/"method":"POST","url":"\/api\/connectors"/);
    expect(log).toMatch(/"url":"\/api\/connectors\/[0-9a-f-]+\/test"/);
    expect(log).toMatch(/"method":"PATCH"/);
    // … and none of them carries a key.
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});

describe("the secrets key file", () => {
  it("is generated once with mode 0600, with one loud warning line, when SECRET_KEY is unset", async () => {
    const lines: string[] = [];
    const logger = createLogger({ LOG_LEVEL: "info" }, "secrets-test", { write: (line: string) => void lines.push(line) });
    const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-secret-key-"));
    // PostgreSQL when there is one: it starts in milliseconds where PGlite takes seconds.
    const database = await createTestDatabase(databaseKinds.at(-1)!);
    try {
      // No SECRETS_KEY/SECRET_KEY: the start-up path makes the key file under DATA_DIR.
      const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDirectory });
      const runtime = await openRuntime(config, logger, { serve: false, work: false, db: database.db });
      await runtime.close();
      const file = path.join(dataDirectory, "secrets.key");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => /GENERATED A NEW SECRETS KEY/.test(entry.msg));
      expect(warnings).toEqual([expect.objectContaining({ level: 40, file })]);
      // The key itself is never logged.
      expect(lines.join("")).not.toContain(fs.readFileSync(file, "utf8").trim());
    } finally {
      await database.drop();
      fs.rmSync(dataDirectory, { recursive: true, force: true });
    }
  });
});
