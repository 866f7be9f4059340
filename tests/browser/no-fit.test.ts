/**
 * Long tails in a real browser: the queue's "Likely new intents" filter lists the low-confidence
 * intent item marked "Maybe a new intent"; in the session the `?` dialog lists "None of these
 * fits", pressing its key (X) records the decision and the item leaves the queue; the taxonomy page
 * then lists the utterance under "utterances fit no intent". Screenshots in English and Chinese.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../core/auth/users.ts";
import { getHotkeyAction } from "../../web/src/hotkeys/registry.ts";
import { insertDraftedCall, testPassword } from "../support/fixtures.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;
const utterances = [
  { text: "What would this cost us per seat?", intent: "pricing_question", confidence: 0.92 },
  { text: "Can your drones inspect our wind turbines at night?", intent: "product_question", confidence: 0.18 },
  { text: "Who else in our industry uses this?", intent: "product_question", confidence: 0.85 },
];
const itemIds: string[] = [];

beforeAll(async () => {
  app = await startAppUnderTest();
  const { db } = app.database;
  const { workspaceId, north } = app.organisation!;
  await createUser(db, {
    workspaceId, teamId: north.id, email: "trainer.zh@example.com", displayName: "林伟", role: "trainer", password: testPassword, locale: "zh-CN",
  });
  const { recordingId, draftId } = await insertDraftedCall(db, app.organisation!, {
    title: "Long-tail call",
    utterances: utterances.map((utterance) => utterance.text),
    model: "local-intent@1",
  });
  for (const [index, utterance] of utterances.entries()) {
    const item = await db.query<{ id: string }>(
      `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, evidence, content, confidence)
       VALUES ($1, $2, 'intent', $3, $3, ARRAY[$3::int], $4, $5) RETURNING id`,
      [draftId, recordingId, index, JSON.stringify({ segment: index, intent: utterance.intent, confidence: utterance.confidence }), utterance.confidence],
    );
    itemIds.push(item.rows[0].id);
  }
});

afterAll(async () => {
  await app?.close();
});

describe("likely new intents and 'none of these fits'", () => {
  it("shows the queue filter, the mark and the action in Chinese", async () => {
    const { page } = app;
    await app.signInAs("trainer.zh@example.com", "/review?likelyNewIntent=true");
    await page.getByTestId("queue-row").first().waitFor();
    expect(await page.getByTestId("queue-row").count()).toBe(1);
    await page.getByTestId("new-intent-mark").getByText("可能是新意图").waitFor();
    await app.browser.screenshot("no-fit-queue-zh");

    await page.goto(`${app.baseUrl}/review/session?likelyNewIntent=true`);
    await page.getByTestId("review-item").getByTestId("new-intent-mark").waitFor();
    await page.locator('[data-action="review:no-fit"]').getByText("都不合适").waitFor();
    await app.browser.screenshot("no-fit-session-zh");
    // Leave without deciding: the lease goes back to the queue.
    await page.getByTestId("stop-reviewing").click();
    await page.waitForURL(/\/review\?likelyNewIntent=true$/);
  });

  it("presses the key: the item leaves the queue and is listed on the taxonomy page", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/review?likelyNewIntent=true");
    await page.getByTestId("queue-row").first().waitFor();
    await app.browser.screenshot("no-fit-queue-en");

    await page.goto(`${app.baseUrl}/review/session?likelyNewIntent=true`);
    const card = page.locator(`[data-testid="review-item"][data-item-id="${itemIds[1]}"]`);
    await card.getByText("Maybe a new intent").waitFor();
    // The help overlay lists the action with its key.
    await page.keyboard.press("?");
    const help = page.getByTestId("hotkey-help");
    await help.locator('[data-action="review:no-fit"]').getByText("None of these fits", { exact: false }).waitFor();
    await app.browser.screenshot("no-fit-help-en");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });
    await app.browser.screenshot("no-fit-session-en");

    await page.keyboard.press(getHotkeyAction("review:no-fit").defaultKey);
    await page.getByTestId("session-finished").waitFor();
    await page.locator('[data-testid="save-state"][data-saving="false"]').waitFor();

    await expect.poll(async () => {
      const { rows } = await app.database.db.query<{ action: string }>("SELECT action FROM decisions WHERE draft_item_id = $1", [itemIds[1]]);
      return rows.map((row) => row.action);
    }).toEqual(["no_fit"]);
    const queue = await page.request.get(`${app.baseUrl}/api/review/queue?kind=intent`);
    const queued = ((await queue.json()) as { items: Array<{ id: string }> }).items.map((item) => item.id);
    expect(queued).not.toContain(itemIds[1]);
    expect(queued).toContain(itemIds[0]);

    await page.goto(`${app.baseUrl}/taxonomy`);
    const panel = page.getByTestId("no-fit-panel");
    await panel.getByText("1 utterance fits no intent.").waitFor();
    await panel.locator(`[data-testid="no-fit-utterance"][data-item-id="${itemIds[1]}"]`).getByText(utterances[1].text).waitFor();
    await app.browser.screenshot("no-fit-taxonomy-en");

    await app.signInAs("trainer.zh@example.com", "/taxonomy");
    await page.getByTestId("no-fit-panel").getByText("有 1 句话不属于任何意图。").waitFor();
    await app.browser.screenshot("no-fit-taxonomy-zh");
  });
});
