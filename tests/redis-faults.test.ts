/**
 * The BullMQ path when Redis goes away: uploads are still accepted (the job row is the truth) within
 * a bounded time, and the work is dispatched by itself once Redis is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { startFaultProxy } from "./support/fault-proxy.ts";
import type { FaultProxy } from "./support/fault-proxy.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { redisUrl, startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

function importForm(text: string): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries({ customerStage: "discovery", consent: "true", language: "en" })) data.append(key, value);
  data.append("file", new Blob([`WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Rep>${text}\n`], { type: "text/vtt" }), "call.vtt");
  return data;
}

describe("surviving a Redis outage (BullMQ transport)", () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let server: TestServer;
  let rep: TestClient;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    const organisation = await createOrganisation(database.db);
    const target = new URL(redisUrl);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
    server = await startTestServer(database.db, {
      work: true,
      environment: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, RECONCILE_INTERVAL_MS: "500", RECONCILE_GRACE_MS: "0" },
    });
    rep = createTestClient(server.baseUrl);
    await rep.signIn(organisation.users.northRep.email, testPassword);
  });

  afterAll(async () => {
    await proxy?.restore().catch(() => {});
    await server?.close();
    await proxy?.close();
    await database?.drop();
  });

  it("accepts an import while Redis is down and drafts it once Redis is back", async () => {
    await proxy.cut();
    const imported = await rep.request("POST", "/api/recordings/import", importForm("Can you send the price list on Monday?"));
    expect(imported.status).toBe(201);
    const id = imported.body.recording.id;
    const { rows } = await database.db.query<{ state: string }>("SELECT state FROM jobs WHERE subject_id = $1", [id]);
    expect(rows.map((row) => row.state)).toEqual(["queued"]);
    const health = await (await fetch(`${server.baseUrl}/healthz`)).json();
    expect(health).toMatchObject({ transport: "bullmq", redis: "down" });

    await proxy.restore();
    const deadline = Date.now() + 30_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await rep.request("GET", `/api/recordings/${id}`)).body.recording.status;
      if (status === "ready") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe("ready");
  });
});
