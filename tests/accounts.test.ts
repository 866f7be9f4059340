/**
 * Account basics through the real HTTP server on each database: teams created nested and renamed,
 * users edited and disabled (their sessions end, sign-in refused), the last admin protected, one's
 * own password changed with the current one, and an admin's reset with a temporary password shown once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseKinds } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import type { TestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

describe.each(databaseKinds)("accounts on %s", (kind) => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  let admin: TestClient;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, { environment: { LOGIN_RATE_LIMIT_PER_15_MINUTES: "1000" } });
    admin = createTestClient(server.baseUrl);
    await admin.signIn("admin@example.com", testPassword);
  });

  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  async function newUser(email: string, role = "rep") {
    const response = await admin.request("POST", "/api/users", { email, role, teamId: organisation.north.id, password: testPassword, locale: "en" });
    expect(response.status).toBe(201);
    return response.body.user as { id: string };
  }

  it("creates a team nested under another and renames it; a sibling's name is refused", async () => {
    const created = await admin.request("POST", "/api/teams", { name: "West squad", parentId: organisation.region.id });
    expect(created.status).toBe(201);
    expect(created.body.team.path).toBe(`${organisation.region.path}${created.body.team.id}/`);
    const renamed = await admin.request("PATCH", `/api/teams/${created.body.team.id}`, { name: "West coast squad" });
    expect(renamed.body.team.name).toBe("West coast squad");
    const clash = await admin.request("PATCH", `/api/teams/${created.body.team.id}`, { name: "north SQUAD" });
    expect(clash.status).toBe(409);
    const teams = await admin.request("GET", "/api/teams");
    expect(teams.body.teams.map((team: { name: string }) => team.name)).toContain("West coast squad");
  });

  it("edits a user's name, role and team", async () => {
    const user = await newUser("edit.me@example.com");
    const response = await admin.request("PATCH", `/api/users/${user.id}`, { displayName: "Edited Person", role: "trainer", teamId: organisation.south.id });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ displayName: "Edited Person", role: "trainer", teamId: organisation.south.id });
  });

  it("disables a user: their session ends at once and they cannot sign in until enabled again", async () => {
    const user = await newUser("leaver@example.com");
    const leaver = createTestClient(server.baseUrl);
    await leaver.signIn("leaver@example.com", testPassword);
    expect((await leaver.request("GET", "/api/auth/me")).status).toBe(200);

    expect((await admin.request("PATCH", `/api/users/${user.id}`, { disabled: true })).body.user.disabled).toBe(true);
    expect((await leaver.request("GET", "/api/auth/me")).status).toBe(401);
    const refused = await createTestClient(server.baseUrl).request("POST", "/api/auth/sign-in", { email: "leaver@example.com", password: testPassword });
    expect(refused.status).toBe(401);

    expect((await admin.request("PATCH", `/api/users/${user.id}`, { disabled: false })).body.user.disabled).toBe(false);
    await createTestClient(server.baseUrl).signIn("leaver@example.com", testPassword);
  });

  it("refuses to disable or demote the last active admin", async () => {
    const disabled = await admin.request("PATCH", `/api/users/${organisation.users.admin.id}`, { disabled: true });
    expect(disabled.status).toBe(409);
    expect(disabled.body.error.code).toBe("conflict");
    const demoted = await admin.request("PATCH", `/api/users/${organisation.users.admin.id}`, { role: "trainer" });
    expect(demoted.status).toBe(409);
    expect((await admin.request("GET", "/api/auth/me")).body.user.role).toBe("admin");
  });

  it("changes one's own password only with the current one, ending other sessions but not this one", async () => {
    await newUser("changer@example.com");
    const here = createTestClient(server.baseUrl);
    const elsewhere = createTestClient(server.baseUrl);
    await here.signIn("changer@example.com", testPassword);
    await elsewhere.signIn("changer@example.com", testPassword);

    const wrong = await here.request("POST", "/api/me/password", { currentPassword: "not it at all", newPassword: "a brand new secret" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe("The current password is wrong.");
    const short = await here.request("POST", "/api/me/password", { currentPassword: testPassword, newPassword: "short" });
    expect(short.status).toBe(400);

    expect((await here.request("POST", "/api/me/password", { currentPassword: testPassword, newPassword: "a brand new secret" })).status).toBe(204);
    expect((await here.request("GET", "/api/auth/me")).status).toBe(200);
    expect((await elsewhere.request("GET", "/api/auth/me")).status).toBe(401);
    await expect(createTestClient(server.baseUrl).signIn("changer@example.com", testPassword)).rejects.toThrow(/401/);
    await createTestClient(server.baseUrl).signIn("changer@example.com", "a brand new secret");
  });

  it("resets a password to a temporary one shown once: the old one stops working, sessions end", async () => {
    const user = await newUser("forgetful@example.com");
    const session = createTestClient(server.baseUrl);
    await session.signIn("forgetful@example.com", testPassword);

    const reset = await admin.request("POST", `/api/users/${user.id}/password-reset`);
    expect(reset.status).toBe(200);
    const temporary: string = reset.body.temporaryPassword;
    expect(temporary.length).toBeGreaterThanOrEqual(10);
    expect((await session.request("GET", "/api/auth/me")).status).toBe(401);
    await expect(createTestClient(server.baseUrl).signIn("forgetful@example.com", testPassword)).rejects.toThrow(/401/);
    await createTestClient(server.baseUrl).signIn("forgetful@example.com", temporary);
    // The user record never carries it again.
    const fetched = await admin.request("GET", `/api/users/${user.id}`);
    expect(JSON.stringify(fetched.body)).not.toContain(temporary);
  });

  it("answers a Chinese caller in Chinese", async () => {
    const response = await admin.request("PATCH", `/api/users/${organisation.users.admin.id}`, { disabled: true }, { "accept-language": "zh-CN" });
    expect(response.body.error.message).toBe("这是最后一位在用的管理员：请先把另一位用户设为管理员。");
  });
});
