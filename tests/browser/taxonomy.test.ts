/**
 * The taxonomy and action-catalogue editor in a real browser: a trainer adds and renames an intent
 * (the defaults are copied on the first save, a retrain is queued), retires a used intent by moving
 * its labels, adds a sales action with examples; a manager reads without edit buttons.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultIntents } from "../../core/draft/taxonomy.ts";
import { insertDraftedCall } from "../support/fixtures.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;
const usedIntent = defaultIntents[0];
let labelledItemId: string;

beforeAll(async () => {
  app = await startAppUnderTest();
  const { db } = app.database;
  const { recordingId, draftId } = await insertDraftedCall(db, app.organisation!, { utterances: ["What would this cost us?"] });
  const item = await db.query<{ id: string }>(
    `INSERT INTO draft_items (draft_id, recording_id, kind, position, segment_ordinal, content, status)
     VALUES ($1, $2, 'intent', 0, 0, $3, 'accepted') RETURNING id`,
    [draftId, recordingId, JSON.stringify({ segment: 0, intent: usedIntent.id })],
  );
  labelledItemId = item.rows[0].id;
});

afterAll(async () => {
  await app?.close();
});

describe("taxonomy editor", () => {
  it("adds and renames an intent, copying the defaults on the first save and queueing a retrain", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/taxonomy");
    await page.getByText("This workspace uses Calibrate’s defaults", { exact: false }).waitFor();
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.browser.screenshot("taxonomy-editor-1440");
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByTestId("taxonomy-add").click();
    const dialog = page.getByTestId("taxonomy-entry-dialog");
    await dialog.getByLabel("Code").fill("warranty_question");
    await dialog.getByLabel("English name").fill("Warranty question");
    await dialog.getByLabel("Chinese name").fill("保修问题");
    await dialog.getByLabel("Description").fill("Asks what the warranty covers");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByText("The local model is retraining", { exact: false }).waitFor();
    await page.locator('[data-testid="taxonomy-row"][data-id="warranty_question"]').waitFor();
    expect(await page.getByText("This workspace uses Calibrate’s defaults", { exact: false }).count()).toBe(0);
    const jobs = await app.database.db.query("SELECT 1 FROM jobs WHERE queue = 'train-intent-model'");
    expect(jobs.rows.length).toBeGreaterThan(0);

    const row = page.locator('[data-testid="taxonomy-row"][data-id="warranty_question"]');
    await row.getByRole("button", { name: "Edit" }).click();
    await dialog.getByLabel("English name").fill("Warranty or guarantee question");
    // Enter in a field saves, as the Save button does.
    await dialog.getByLabel("English name").press("Enter");
    await row.getByText("Warranty or guarantee question").waitFor();
    await dialog.waitFor({ state: "detached" });
  });

  it("refuses a code the schema does not accept, with the reason", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/taxonomy");
    await page.getByTestId("taxonomy-add").click();
    const dialog = page.getByTestId("taxonomy-entry-dialog");
    // Same English name as an existing intent: the server's duplicate check answers.
    await dialog.getByLabel("Code").fill("copy_of_first");
    await dialog.getByLabel("English name").fill(usedIntent.name.en);
    await dialog.getByLabel("Chinese name").fill("复制");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByText("Duplicate English intent name", { exact: false }).waitFor();
    // The dialog stays open with the reason, its buttons usable again; Escape closes it.
    expect(await dialog.getByRole("button", { name: "Save" }).isEnabled()).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("retires a used intent only by moving its labels", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/taxonomy");
    const row = page.locator(`[data-testid="taxonomy-row"][data-id="${usedIntent.id}"]`);
    await row.getByText("1 label").waitFor();
    await row.getByRole("button", { name: "Retire" }).click();
    const dialog = page.getByTestId("taxonomy-retire-dialog");
    await dialog.getByText("1 stored label uses it", { exact: false }).waitFor();
    expect(await dialog.getByRole("button", { name: "Retire" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Move its labels to").selectOption("warranty_question");
    await app.browser.screenshot("taxonomy-retire");
    await dialog.getByRole("button", { name: "Retire" }).click();
    await page.getByTestId("taxonomy-notice").getByText("1 label moved", { exact: false }).waitFor();
    await row.waitFor({ state: "detached" });
    const item = await app.database.db.query<{ intent: string }>(
      "SELECT current_content->>'intent' AS intent FROM draft_items WHERE id = $1",
      [labelledItemId],
    );
    expect(item.rows[0].intent).toBe("warranty_question");
  });

  it("adds a sales action with examples in both languages", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/taxonomy");
    await page.getByTestId("tab-actions").click();
    await page.getByTestId("taxonomy-add").click();
    const dialog = page.getByTestId("taxonomy-entry-dialog");
    await dialog.getByLabel("Code").fill("send_warranty_terms");
    await dialog.getByLabel("English name").fill("Send warranty terms");
    await dialog.getByLabel("Chinese name").fill("发送保修条款");
    await dialog.getByLabel("Customer").check();
    await dialog.getByLabel("English examples (one per line)").fill("I'll send the warranty terms today\nLet me email you the guarantee");
    await dialog.getByLabel("Chinese examples (one per line)").fill("我今天把保修条款发给您");
    await app.browser.screenshot("taxonomy-action-dialog");
    await dialog.getByRole("button", { name: "Save" }).click();
    const row = page.locator('[data-testid="taxonomy-row"][data-id="send_warranty_terms"]');
    await row.getByText("我今天把保修条款发给您", { exact: false }).waitFor();
    const stored = await app.database.db.query<{ catalogue: Array<{ id: string; fields: string[]; examples: { en: string[] } }> }>(
      "SELECT action_catalogue AS catalogue FROM workspaces WHERE id = $1",
      [app.organisation!.workspaceId],
    );
    const added = stored.rows[0].catalogue.find((type) => type.id === "send_warranty_terms")!;
    expect(added.fields).toEqual(["owner", "dueDate", "customer"]);
    expect(added.examples.en).toHaveLength(2);
    await app.browser.screenshot("taxonomy-actions");
  });

  it("shows managers the lists without edit buttons", async () => {
    const { page } = app;
    await app.signInAs("manager@example.com", "/taxonomy");
    await page.getByText("trainers and admins change it", { exact: false }).waitFor();
    expect(await page.getByTestId("taxonomy-add").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Retire" }).count()).toBe(0);
  });
});
