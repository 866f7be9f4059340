/**
 * Sign-in, sessions, CSRF, API tokens and the role boundaries of the user routes, through the real
 * HTTP server on each database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countUsers } from "../core/auth/users.ts";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import { redisUrl, startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

describe.each(databaseKinds)("authentication and roles on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, { environment: { LOGIN_RATE_LIMIT_PER_15_MINUTES: "5" } });
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it("signs in with the right password and not with a wrong one", async () => {
    const client = createTestClient(server.baseUrl);
    expect((await client.request("GET", "/api/auth/me")).status).toBe(401);
    const wrong = await client.request("POST", "/api/auth/sign-in", { email: "rep.north@example.com", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe("Wrong e-mail or password.");
    const unknown = await client.request("POST", "/api/auth/sign-in", { email: "nobody@example.com", password: testPassword });
    expect(unknown.status).toBe(401);

    const response = await client.request("POST", "/api/auth/sign-in", { email: "REP.north@example.com", password: testPassword });
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    client.csrfToken = response.body.csrfToken;
    const me = await client.request("GET", "/api/auth/me");
    expect(me.body.user).toMatchObject({ email: "rep.north@example.com", role: "rep", teamId: organisation.north.id });

    await client.request("POST", "/api/auth/sign-out");
    expect((await client.request("GET", "/api/auth/me")).status).toBe(401);
  });

  it("refuses a state-changing request without the CSRF token", async () => {
    const client = createTestClient(server.baseUrl);
    await client.signIn("trainer@example.com", testPassword);
    const token = client.csrfToken!;
    client.csrfToken = null;
    const refused = await client.request("POST", "/api/tokens", { name: "script" });
    expect(refused.status).toBe(403);
    client.csrfToken = "forged";
    expect((await client.request("POST", "/api/tokens", { name: "script" })).status).toBe(403);
    client.csrfToken = token;
    expect((await client.request("POST", "/api/tokens", { name: "script" })).status).toBe(201);
  });

  it("authenticates scripts with a personal API token, hashed at rest, until it is revoked", async () => {
    const client = createTestClient(server.baseUrl);
    await client.signIn("manager@example.com", testPassword);
    const created = await client.request("POST", "/api/tokens", { name: "quarterly export" });
    const secret: string = created.body.token.token;
    expect(secret).toMatch(/^clb_/);
    const stored = await database.db.query<{ token_hash: string }>("SELECT token_hash FROM api_tokens WHERE id = $1", [created.body.token.id]);
    expect(stored.rows[0].token_hash).not.toContain(secret);

    const script = createTestClient(server.baseUrl);
    const me = await script.request("GET", "/api/auth/me", undefined, { authorization: `Bearer ${secret}` });
    expect(me.body.user.email).toBe("manager@example.com");
    // No CSRF token needed with a bearer token.
    expect((await script.request("PATCH", "/api/me", { locale: "en" }, { authorization: `Bearer ${secret}` })).status).toBe(200);

    expect((await client.request("DELETE", `/api/tokens/${created.body.token.id}`)).status).toBe(204);
    expect((await script.request("GET", "/api/auth/me", undefined, { authorization: `Bearer ${secret}` })).status).toBe(401);
  });

  it("lets only admins manage users", async () => {
    for (const email of ["rep.north@example.com", "trainer@example.com", "manager@example.com"]) {
      const client = createTestClient(server.baseUrl);
      await client.signIn(email, testPassword);
      expect((await client.request("GET", "/api/users")).status).toBe(403);
      const attempt = await client.request("POST", "/api/users", {
        email: "intruder@example.com", role: "admin", teamId: organisation.region.id, password: testPassword,
      });
      expect(attempt.status).toBe(403);
      expect((await client.request("PATCH", `/api/users/${organisation.users.admin.id}`, { role: "rep" })).status).toBe(403);
    }
    const admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
    const list = await admin.request("GET", "/api/users");
    expect(list.body.users.map((user: { email: string }) => user.email)).toContain("rep.south@example.com");
    const created = await admin.request("POST", "/api/users", {
      email: "new.rep@example.com", role: "rep", teamId: organisation.south.id, password: "short",
    });
    expect(created.status).toBe(400);
    expect(created.body.error.message).toMatch(/at least 10 characters/);
    const ok = await admin.request("POST", "/api/users", {
      email: "new.rep@example.com", role: "rep", teamId: organisation.south.id, password: testPassword,
    });
    expect(ok.status).toBe(201);
    const duplicate = await admin.request("POST", "/api/users", {
      email: "New.Rep@example.com", role: "rep", teamId: organisation.south.id, password: testPassword,
    });
    expect(duplicate.status).toBe(409);

    // Disabling a user ends their sessions at once.
    const newRep = createTestClient(server.baseUrl);
    await newRep.signIn("new.rep@example.com", testPassword);
    expect((await admin.request("PATCH", `/api/users/${ok.body.user.id}`, { disabled: true })).status).toBe(200);
    expect((await newRep.request("GET", "/api/auth/me")).status).toBe(401);
    const again = await newRep.request("POST", "/api/auth/sign-in", { email: "new.rep@example.com", password: testPassword });
    expect(again.status).toBe(401);
  });

  it("shows each role only its own team subtree", async () => {
    const trainer = createTestClient(server.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);
    const teams = (await trainer.request("GET", "/api/teams")).body.teams.map((team: { name: string }) => team.name);
    expect(teams).toEqual(["North squad"]);
    const manager = createTestClient(server.baseUrl);
    await manager.signIn("manager@example.com", testPassword);
    const managed = (await manager.request("GET", "/api/teams")).body.teams.map((team: { name: string }) => team.name);
    expect(managed.sort()).toEqual(["East region", "North squad", "South squad"]);
  });

  it("validates request bodies and answers 400 with the issues", async () => {
    const admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
    const response = await admin.request("POST", "/api/users", { email: 42, role: "emperor" });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("validation_failed");
    const paths = response.body.error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["email", "role", "teamId", "password"]));
    const malformed = await admin.request("POST", "/api/users", "{not json", { "content-type": "application/json" });
    expect(malformed.status).toBe(400);
  });

  it("rate-limits sign-in attempts", async () => {
    const client = createTestClient(server.baseUrl);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      statuses.push((await client.request("POST", "/api/auth/sign-in", { email: "southrep@example.com", password: "guess" })).status);
    }
    expect(statuses.slice(0, 5).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it("reports database, migrations, the job transport and workers on /healthz", async () => {
    // The default: the embedded transport, no Redis involved.
    const response = await fetch(`${server.baseUrl}/healthz`);
    const body = await response.json();
    expect(body.database).toMatchObject({ status: "up", kind: database.db.kind, migrations: { pending: 0 } });
    expect(body).toMatchObject({ status: "ok", transport: "embedded", redis: "not used", workers: 0 });
    expect(response.status).toBe(200);
    expect(await countUsers(database.db)).toBeGreaterThan(0);

    // With workers in the process, they register and are counted.
    const working = await startTestServer(database.db, { work: true });
    try {
      const health = await (await fetch(`${working.baseUrl}/healthz`)).json();
      expect(health).toMatchObject({ transport: "embedded", workers: 1 });
    } finally {
      await working.close();
    }

    // With REDIS_URL: BullMQ, and Redis must be up.
    const scaled = await startTestServer(database.db, { environment: { REDIS_URL: redisUrl } });
    try {
      const health = await (await fetch(`${scaled.baseUrl}/healthz`)).json();
      expect(health).toMatchObject({ status: "ok", transport: "bullmq", redis: "up" });
    } finally {
      await scaled.close();
    }
  });
});
