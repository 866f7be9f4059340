/**
 * `npm run eval` while a server holds the database: the CLI runs through the server's API with a
 * personal token, the run is the server's (queued, run by its worker, listed for the UI), and the
 * CLI prints the same result. Without a token it says what to do instead of failing on the lock.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiToken } from "../core/auth/sessions.ts";
import { main } from "../evals/cli.ts";
import { createTestDatabase } from "./support/databases.ts";
import type { TestDatabase } from "./support/databases.ts";
import { createOrganisation, testPassword } from "./support/fixtures.ts";
import type { Organisation } from "./support/fixtures.ts";
import { createTestClient } from "./support/http-client.ts";
import { startTestServer } from "./support/test-server.ts";
import type { TestServer } from "./support/test-server.ts";

describe("the eval CLI through a running server", () => {
  let database: TestDatabase;
  let server: TestServer;
  let organisation: Organisation;
  const saved = { ...process.env };

  beforeAll(async () => {
    database = await createTestDatabase(process.env.TEST_DATABASE_URL ? "postgres" : "pglite");
    organisation = await createOrganisation(database.db);
    server = await startTestServer(database.db, { work: true });
    const trainer = createTestClient(server.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);
    const rows = [
      ...["hello there", "good morning", "hi, how are you", "hey", "hello again", "morning all"].map((text) => ({ text, label: "greeting" })),
      ...["will it rain tomorrow", "is it sunny outside", "how hot is it", "what's the weather", "is it cold today", "any snow this week"].map(
        (text) => ({ text, label: "weather" }),
      ),
    ];
    const imported = await trainer.request("POST", "/api/datasets/import", {
      name: "small",
      format: "jsonl",
      content: rows.map((row) => JSON.stringify(row)).join("\n"),
      testShare: 0.5,
    });
    expect(imported.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    vi.restoreAllMocks();
    await server?.close();
    await database?.drop();
  });

  async function runCli(args: string[], environment: Record<string, string | undefined>) {
    let stdout = "";
    let stderr = "";
    process.env = { ...saved, ...environment };
    const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const error = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      return { code: await main(args), stdout, stderr };
    } finally {
      out.mockRestore();
      error.mockRestore();
      process.env = saved;
    }
  }

  it("runs an eval through the server's API, and the run is the server's", { timeout: 180_000 }, async () => {
    const { token } = await createApiToken(database.db, organisation.users.trainer.id, { name: "cli" });
    const result = await runCli(["run", "--dataset", "small", "--target", "local"], {
      CALIBRATE_URL: server.baseUrl,
      CALIBRATE_TOKEN: token,
    });
    expect(result.stderr).toMatch(/through the server at http:\/\/127\.0\.0\.1:\d+: run [0-9a-f-]{36}, also shown in the UI/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Run [0-9a-f-]{36}: local on small@1 — completed/);
    expect(result.stdout).toMatch(/accuracy/);

    const runId = result.stdout.match(/Run ([0-9a-f-]{36})/)![1];
    const { rows } = await database.db.query<{ created_by: string; status: string }>(
      "SELECT created_by, status FROM eval_runs WHERE id = $1",
      [runId],
    );
    expect(rows[0]).toEqual({ created_by: organisation.users.trainer.id, status: "completed" });
    const job = await database.db.query("SELECT state FROM jobs WHERE queue = 'eval-run' AND subject_id = $1", [runId]);
    expect(job.rows).toEqual([{ state: "completed" }]);

    const listed = await runCli(["runs"], { CALIBRATE_URL: server.baseUrl, CALIBRATE_TOKEN: token });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(runId);
  });

  it("runs an agent version with --agent: the intent agent over the utterances, on its binding (here the local engine)", { timeout: 180_000 }, async () => {
    const { token } = await createApiToken(database.db, organisation.users.trainer.id, { name: "cli agent" });
    const result = await runCli(["run", "--dataset", "small", "--agent", "intent-tagger@v1"], {
      CALIBRATE_URL: server.baseUrl,
      CALIBRATE_TOKEN: token,
    });
    expect(result.stderr).toMatch(/Evaluating agent:intent-tagger@v1 on small@1/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Run [0-9a-f-]{36}: agent:intent-tagger@v1 on small@1 — completed/);
    // Without a server, an agent target says where it runs instead of opening the database.
    const local = await runCli(["run", "--dataset", "small", "--agent", "intent-tagger@v1"], { CALIBRATE_URL: undefined, DATABASE_URL: "postgres://127.0.0.1:1/none" });
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/Agent targets run through the server/);
  });

  it("says how to go on without a token, and passes the server's refusal on", async () => {
    const missing = await runCli(["run", "--dataset", "small", "--target", "local"], { CALIBRATE_URL: server.baseUrl, CALIBRATE_TOKEN: undefined });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Set CALIBRATE_TOKEN to a personal API token/);

    const { token } = await createApiToken(database.db, organisation.users.trainer.id, { name: "cli 2" });
    const unknown = await runCli(["run", "--dataset", "nothing-here", "--target", "local"], { CALIBRATE_URL: server.baseUrl, CALIBRATE_TOKEN: token });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/answered 404/);

    // An agent with no scorer: the server's 422 reaches the person running the CLI.
    const summary = await runCli(["run", "--dataset", "small", "--agent", "call-summary@v1"], { CALIBRATE_URL: server.baseUrl, CALIBRATE_TOKEN: token });
    expect(summary.code).toBe(2);
    expect(summary.stderr).toMatch(/answered 422.*has no scorer yet/s);

    const { token: repToken } = await createApiToken(database.db, organisation.users.northRep.id, { name: "rep cli" });
    const rep = await runCli(["run", "--dataset", "small", "--target", "local"], { CALIBRATE_URL: server.baseUrl, CALIBRATE_TOKEN: repToken });
    expect(rep.code).toBe(2);
    expect(rep.stderr).toMatch(/answered 403/);
  });
});
