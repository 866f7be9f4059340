/**
 * An agent eval from the UI: a trainer's decisions on a call (accept, reject, add) become a dataset
 * of reviewed calls in the dataset builder; in the new-run dialog the trainer picks the action-items agent under "Agents",
 * starts the run and reads its item-level precision / recall / F1 and the per-type table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPassword } from "../support/fixtures.ts";
import { createTestClient } from "../support/http-client.ts";
import { importAndDraft } from "../support/imported-calls.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";

const call = [
  "WEBVTT",
  "",
  "00:00:00.000 --> 00:00:03.000",
  "<v Agent>Hi, thanks for taking the time today.",
  "",
  "00:00:03.500 --> 00:00:07.000",
  "<v Customer>Honestly the price you quoted is too high for our budget this year.",
  "",
  "00:00:07.500 --> 00:00:11.000",
  "<v Agent>I'll send over the quote by Friday.",
  "",
  "00:00:11.500 --> 00:00:15.000",
  "<v Agent>I'll set up a three-way video call with our specialist next Wednesday.",
  "",
].join("\n");

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest({ work: true, environment: { DOUBLE_LABEL_SHARE: "0" } });
}, 180_000);

afterAll(async () => {
  await app?.close();
});

describe("agent evals in the browser", () => {
  it("starts an action-items agent run from the dialog and shows its item-level metrics", async () => {
    const { page } = app;
    // The decisions go through the API as a trainer would make them in the review screen.
    const rep = createTestClient(app.baseUrl);
    await rep.signIn("rep.north@example.com", testPassword);
    const recordingId = await importAndDraft(rep, call, "agent-eval.vtt");
    const trainer = createTestClient(app.baseUrl);
    await trainer.signIn("trainer@example.com", testPassword);
    const draft = await trainer.request("GET", `/api/recordings/${recordingId}/draft`);
    const items = draft.body.draft.items.filter((item: { kind: string }) => item.kind === "action_item");
    expect(items.length).toBe(2);
    const shownAt = new Date(Date.now() - 3000).toISOString();
    // The trainer accepts the quote, rejects the video call and adds a follow-up.
    for (const [item, action] of [[items[0], "accept"], [items[1], "reject"]] as const) {
      const decided = await trainer.request("POST", `/api/review/items/${item.id}/decisions`, { action, revision: item.revision, shownAt });
      expect(decided.status).toBe(201);
    }
    const added = await trainer.request("POST", `/api/recordings/${recordingId}/action-items`, {
      type: "schedule_follow_up",
      title: "Call back about the budget",
      evidence: [1],
      shownAt,
    });
    expect(added.status).toBe(201);
    await app.signInAs("trainer@example.com", "/evals");
    // The builder makes a dataset of reviewed calls: one call, expecting the quote and the follow-up.
    const builder = page.getByTestId("dataset-builder");
    await builder.getByTestId("dataset-kind").selectOption("action_items");
    await builder.getByTestId("dataset-preview-count").getByText("1 reviewed call · action types expected: 2").waitFor();
    await builder.getByLabel("Dataset name").fill("reviewed-calls");
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.browser.screenshot("dataset-builder-reviewed-calls");
    await builder.getByTestId("build-dataset").click();
    await builder.getByTestId("dataset-built").getByText("Dataset reviewed-calls v1 is ready: 0 train, 1 test", { exact: false }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByTestId("new-run").click();
    const dialog = page.getByTestId("new-run-dialog");
    await dialog.getByTestId("run-dataset").selectOption("reviewed-calls");
    await dialog.locator('optgroup[label="Agents"] option[value="agent:action-items@v1"]').waitFor({ state: "attached" });
    await dialog.getByTestId("run-target").selectOption("agent:action-items@v1");
    await dialog.getByTestId("start-run").click();
    await dialog.waitFor({ state: "detached" });
    await page.locator('[data-testid="run-row"][data-status="completed"]').waitFor({ timeout: 60_000 });
    await page.getByTestId("run-row").first().getByTestId("run-link").click();
    const scores = page.getByTestId("action-item-scores");
    await scores.waitFor();
    // Predicted: quote (2) and video call (3); expected: quote (2) and the follow-up (1).
    // TP 1 → precision 50%, recall 50%, F1 50%.
    const strict = scores.locator('[data-testid="action-item-row"][data-matching="strict"]');
    expect((await strict.textContent())!.match(/50(\.0)?%/g)).toHaveLength(3);
    await page.locator('[data-testid="per-label-row"][data-label="schedule_follow_up"]').waitFor();
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.browser.screenshot("eval-agent-action-items");
  });
});
