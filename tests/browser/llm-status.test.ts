/**
 * Without an LLM endpoint, the UI says so up front: the run dialog offers prompt-set targets as
 * unavailable with the reason, and the sandbox explains instead of failing on Run.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeTranscript } from "../../core/upload/recordings.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest({ environment: { OPENAI_BASE_URL: "", OPENAI_API_KEY: "" } });
  // One processed call for the sandbox to draft.
  const { db } = app.database;
  const { workspaceId, north, users } = app.organisation!;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recordings (workspace_id, team_id, owner_id, source, title, original_filename, content_sha256,
       byte_size, customer_stage, consent_confirmed_at, status)
     VALUES ($1, $2, $3, 'transcript', 'Pricing call', 'call.vtt', $4, 10, 'demo', now(), 'ready') RETURNING id`,
    [workspaceId, north.id, users.northRep.id, randomUUID()],
  );
  await storeTranscript(db, rows[0].id, {
    language: "zh",
    transcriber: "import:vtt",
    model: null,
    segments: [
      { startMs: 0, endMs: 900, speaker: "销售", text: "您好，我是小王，想了解一下您团队的情况。" },
      { startMs: 1000, endMs: 1900, speaker: "客户", text: "太贵了，能便宜点吗？" },
    ],
  });
});

afterAll(async () => {
  await app?.close();
});

describe("no LLM endpoint configured", () => {
  it("marks prompt-set targets unavailable in the run dialog, with what to set", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/evals");
    await page.getByTestId("new-run").click();
    const dialog = page.getByTestId("new-run-dialog");
    await dialog.getByTestId("llm-missing").getByText("OPENAI_BASE_URL", { exact: false }).waitFor();
    const options = dialog.getByTestId("run-target").locator("option");
    expect(await options.first().isDisabled()).toBe(false);
    // Prompt-set versions need an endpoint; agent versions (their own group) may run on the local engine.
    const promptSetOptions = dialog.getByTestId("run-target").locator('optgroup:not([data-testid="run-target-agents"]) option');
    expect(await promptSetOptions.count()).toBeGreaterThan(0);
    for (const option of await promptSetOptions.all()) {
      expect(await option.isDisabled()).toBe(true);
      expect(await option.textContent()).toContain("needs an LLM endpoint");
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.browser.screenshot("llm-not-configured-run-dialog");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("explains in the sandbox, and runs the local engine beside a version instead", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/prompt-sets");
    await page.getByTestId("prompt-sets-table").getByRole("link").first().click();
    await page.getByTestId("tab-sandbox").click();
    await page.getByTestId("llm-missing").waitFor();
    // Two prompt-set versions and no LLM: nothing could run.
    expect(await page.getByTestId("sandbox-run").isDisabled()).toBe(true);

    await page.getByTestId("sandbox-left-version").selectOption("@local");
    await page.getByTestId("sandbox-recording").selectOption({ label: "Pricing call" });
    await page.getByTestId("sandbox-run").click();
    const left = page.getByTestId("sandbox-pane-left");
    await page.locator('[data-testid="sandbox-pane-left"][data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await left.getByTestId("pane-intent").count()).toBeGreaterThan(0);
    expect(await left.getByTestId("pane-provenance").textContent()).toContain("local");
    // The version's pane was not asked (no LLM), so it did not fail either.
    expect(await page.getByTestId("sandbox-pane-right").getAttribute("data-state")).toBe("idle");
    await app.browser.screenshot("llm-not-configured-sandbox");
  });
});
