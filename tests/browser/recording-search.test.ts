/**
 * Searching the recordings list in a real browser: by words said in the call, by title or
 * customer, a friendly "no match", and only within what the signed-in person may see.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeTranscript } from "../../core/upload/recordings.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;

async function call(input: { ownerId: string; teamId: string; title: string; customer: string; lines: string[] }) {
  const { db } = app.database;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
       byte_size, customer_reference, customer_stage, consent_confirmed_at, status)
     VALUES ($1, $2, $3, 'transcript', $4, 'call.vtt', $5, 10, $6, 'demo', now(), 'ready') RETURNING id`,
    [app.organisation!.workspaceId, input.teamId, input.ownerId, input.title, randomUUID(), input.customer],
  );
  await storeTranscript(db, rows[0].id, {
    language: null,
    transcriber: "import:vtt",
    model: null,
    segments: input.lines.map((text, index) => ({ startMs: index * 1000, endMs: index * 1000 + 900, speaker: "customer", text })),
  });
}

beforeAll(async () => {
  app = await startAppUnderTest();
  const { users, north, south } = app.organisation!;
  await call({ ownerId: users.northRep.id, teamId: north.id, title: "Renewal with Acme", customer: "Acme", lines: ["The warranty worries us", "预算已经冻结了"] });
  await call({ ownerId: users.northRep.id, teamId: north.id, title: "First call Globex", customer: "Globex", lines: ["Can we see a demo?"] });
  await call({ ownerId: users.southRep.id, teamId: south.id, title: "South warranty talk", customer: "Initech", lines: ["What does the warranty cover?"] });
});

afterAll(async () => {
  await app?.close();
});

describe("recordings search", () => {
  it("finds calls by words said, title or customer, and says when nothing matches", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/recordings");
    const rows = page.getByTestId("recording-row");
    await rows.nth(2).waitFor();
    const search = page.getByTestId("recordings-search");

    await search.fill("warranty");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="recording-row"]').length === 2);
    await search.fill("冻结");
    await rows.filter({ hasText: "Renewal with Acme" }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="recording-row"]').length === 1);
    await search.fill("globex");
    await rows.filter({ hasText: "First call Globex" }).waitFor();
    await app.browser.screenshot("recordings-search");
    await search.fill("100%");
    await page.getByTestId("recordings-no-match").getByText("No call matches “100%”.").waitFor();
    await search.fill("");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="recording-row"]').length === 3);
  });

  it("searches only what the signed-in person may see", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com", "/recordings");
    const response = await page.request.get(`${app.baseUrl}/api/recordings?search=warranty`);
    const { recordings } = (await response.json()) as { recordings: Array<{ title: string }> };
    expect(recordings.map((recording) => recording.title)).toEqual(["Renewal with Acme"]);
  });
});
