/**
 * PostgreSQL going away must not take Calibrate with it. Through a proxy the test can cut (the server
 * unreachable) and with `pg_terminate_backend` (what a restart or failover does to open connections,
 * SQLSTATE 57P01), the real server and its embedded workers: requests answer 503 with Retry-After
 * while the database is gone — never a 500, never a hang — /healthz says so with the error, nothing
 * half-done is stored, and everything resumes by itself when the database is back.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../core/db/database.ts";
import { DatabaseUnavailableError, connectPostgres } from "../core/db/database.ts";
import { createTestDatabase } from "./support/databases.ts";
import { eventually } from "./support/eventually.ts";
import type { TestDatabase } from "./support/databases.ts";
import { startFaultProxy } from "./support/fault-proxy.ts";
import type { FaultProxy } from "./support/fault-proxy.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

let calls = 0;

/** A different call each time (identical bytes would be recognised as a re-upload). */
function importForm(): FormData {
  calls += 1;
  const transcript = ["WEBVTT", "", "00:00:00.000 --> 00:00:03.000", `<v Rep>Shall I send proposal ${calls} by Friday?`, ""].join("\n");
  const data = new FormData();
  for (const [key, value] of Object.entries({ customerStage: "discovery", consent: "true", language: "en", customerReference: "ACME-7" })) {
    data.append(key, value);
  }
  data.append("file", new Blob([transcript], { type: "text/vtt" }), "call.vtt");
  return data;
}

describe.runIf(process.env.TEST_DATABASE_URL)("surviving PostgreSQL outages", () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let proxied: Db;
  let server: TestServer;
  let organisation: Organisation;
  let rep: TestClient;
  let databaseName: string;

  const recordingCount = async () =>
    (await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM recordings")).rows[0].count;
  const terminateConnections = async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [databaseName]);
    await admin.end();
  };
  const importAndWaitUntilReady = async () => {
    const imported = await rep.request("POST", "/api/recordings/import", importForm());
    expect(imported.status).toBe(201);
    const id = imported.body.recording.id;
    return eventually(async () => {
      const detail = await rep.request("GET", `/api/recordings/${id}`);
      return detail.status === 200 && detail.body.recording.status === "ready" && detail.body;
    });
  };

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    organisation = await createOrganisation(database.db);
    databaseName = (await database.db.query<{ name: string }>("SELECT current_database() AS name")).rows[0].name;
    const direct = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const url = new URL(direct);
    url.port = String(proxy.port);
    url.pathname = `/${databaseName}`;
    // The product's default connect timeout: a shorter one turns a slow connection on a busy CI
    // machine into a 503 (a cut refuses connections at once, so the tests do not wait for it).
    proxied = connectPostgres(url.toString(), { poolSize: 5 });
    server = await startTestServer(proxied, { work: true, environment: { JOB_POLL_INTERVAL_MS: "200" } });
    rep = createTestClient(server.baseUrl);
    // A 503 asks the client to try again, as a browser would.
    await eventually(() => rep.signIn(organisation.users.northRep.email, testPassword).then(() => true, () => false));
  });

  afterAll(async () => {
    await server?.close();
    await proxied?.close();
    await proxy?.close();
    await database?.drop();
  });

  it("answers 503 with Retry-After while the database is unreachable, stores nothing, and resumes by itself", async () => {
    expect((await rep.request("GET", "/api/recordings")).status).toBe(200);
    const before = await recordingCount();

    await proxy.cut();
    const listed = await rep.request("GET", "/api/recordings");
    expect(listed.status).toBe(503);
    expect(listed.headers.get("retry-after")).toBe("5");
    expect(listed.body.error).toMatchObject({ code: "database_unavailable" });
    expect(listed.body.error.message).toMatch(/database is unreachable/);

    const health = await fetch(`${server.baseUrl}/healthz`);
    const healthBody = await health.json();
    expect(health.status).toBe(503);
    expect(healthBody.database).toMatchObject({ status: "down", error: expect.any(String) });

    const refused = await rep.request("POST", "/api/recordings/import", importForm());
    expect(refused.status).toBe(503);

    await proxy.restore();
    await eventually(async () => (await rep.request("GET", "/api/recordings")).status === 200);
    expect(await recordingCount()).toBe(before);
    const health2 = await (await fetch(`${server.baseUrl}/healthz`)).json();
    expect(health2.database.status).toBe("up");
    // The workers resumed claiming: a new call goes all the way to its drafts.
    const ready = await importAndWaitUntilReady();
    expect(ready.recording.status).toBe("ready");
  });

  it("survives the server ending every connection (a restart or failover: 57P01) and carries on", async () => {
    await terminateConnections();
    // The pool drops the dead connections and opens new ones; at most the first request notices.
    await eventually(async () => (await rep.request("GET", "/api/recordings")).status === 200);
    const ready = await importAndWaitUntilReady();
    expect(ready.recording.status).toBe("ready");
  });

  it("fails only the transaction whose connection died between two of its queries", async () => {
    const outcome = proxied.transaction(async (transaction) => {
      await transaction.query("SELECT 1");
      await terminateConnections();
      // The checked-out client gets its "error" event while idle in the transaction.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await transaction.query("SELECT 1");
    });
    await expect(outcome).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await eventually(async () => (await rep.request("GET", "/api/recordings")).status === 200);
  });
});
