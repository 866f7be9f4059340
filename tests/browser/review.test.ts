/**
 * The trainer sandbox in a real browser: a seeded call imported and drafted by the local engine,
 * reviewed entirely with the keyboard (digits, the picker, accept, reject, undo) with the decisions
 * checked in the database; the `?` dialog lists the review actions; the call view with chips,
 * evidence links and keyboard decisions; two trainers (two browser contexts, one browser) claiming
 * the same queue get different items; a stale save shows the 409 conflict; the dashboard shows the
 * trainer's own figures. Screenshots of the queue, the session, the call view and the dashboard.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../core/auth/users.ts";
import { hotkeyActions } from "../../web/src/hotkeys/registry.ts";
import { createTestDatabase } from "../support/databases.ts";
import type { TestDatabase } from "../support/databases.ts";
import { createOrganisation, testPassword } from "../support/fixtures.ts";
import type { Organisation } from "../support/fixtures.ts";
import { createTestClient } from "../support/http-client.ts";
import type { TestClient } from "../support/http-client.ts";
import { startTestServer } from "../support/test-server.ts";
import type { TestServer } from "../support/test-server.ts";
import { chromiumPath, screenshotDirectory } from "./support/browser.ts";
import { ensureWebBuild, repositoryRoot } from "./support/web-build.ts";

const seedCalls = path.join(repositoryRoot, "datasets/seed/calls");

let database: TestDatabase;
let organisation: Organisation;
let server: TestServer;
let browser: Browser;
let first: { context: BrowserContext; page: Page };
let second: { context: BrowserContext; page: Page };
let admin: TestClient;
let englishCall: string;
let chineseCall: string;
let trainerId: string;
let secondTrainerId: string;

async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Imports a seed transcript through the API and waits until the local engine has drafted it. */
async function importSeedCall(client: TestClient, file: string, stage: string): Promise<string> {
  const form = new FormData();
  form.append("customerStage", stage);
  form.append("consent", "true");
  form.append(
    "file",
    new Blob([fs.readFileSync(path.join(seedCalls, file))], {
      type: "text/vtt",
    }),
    file,
  );
  const imported = await client.request("POST", "/api/recordings/import", form);
  expect(imported.status).toBe(201);
  const id: string = imported.body.recording.id;
  await eventually(async () => {
    const { body } = await client.request("GET", `/api/recordings/${id}`);
    if (body.recording.status === "failed") throw new Error(body.recording.failureReason);
    if (body.recording.status !== "ready") return false;
    const draft = await client.request("GET", `/api/recordings/${id}/draft`);
    return draft.body.draft !== null;
  });
  return id;
}

async function createTrainerClient(): Promise<TestClient> {
  const client = createTestClient(server.baseUrl);
  await client.signIn("trainer@example.com", testPassword);
  return client;
}

async function openContext(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
  });
  context.setDefaultTimeout(10_000);
  const response = await context.request.post(`${server.baseUrl}/api/auth/sign-in`, {
    data: { email, password: testPassword },
  });
  if (!response.ok()) throw new Error(`sign-in as ${email} failed: ${response.status()}`);
  return { context, page: await context.newPage() };
}

async function goTo(page: Page, address: string): Promise<void> {
  await page.goto(`${server.baseUrl}${address}`);
  await page.getByTestId("account").waitFor();
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({
    path: path.join(screenshotDirectory, `${name}.png`),
    fullPage: true,
  });
}

const currentItem = (page: Page) => page.getByTestId("review-item");
const currentItemId = (page: Page) => currentItem(page).getAttribute("data-item-id");

/** Presses a key and waits for the next item to replace the current one. */
async function pressAndAdvance(page: Page, key: string): Promise<void> {
  const before = await currentItemId(page);
  await page.keyboard.press(key);
  await page
    .locator(
      `[data-testid="review-item"]:not([data-item-id="${before}"]), [data-testid="session-finished"]`,
    )
    .first()
    .waitFor();
}

async function allSaved(page: Page): Promise<void> {
  await page.locator('[data-testid="save-state"][data-saving="false"]').waitFor();
}

beforeAll(async () => {
  const webDirectory = await ensureWebBuild();
  database = await createTestDatabase(process.env.TEST_DATABASE_URL ? "postgres" : "pglite");
  organisation = await createOrganisation(database.db);
  trainerId = organisation.users.trainer.id;
  const secondTrainer = await createUser(database.db, {
    workspaceId: organisation.workspaceId,
    teamId: organisation.north.id,
    email: "trainer2.north@example.com",
    displayName: "Lin Wei",
    role: "trainer",
    password: testPassword,
    locale: "zh-CN",
  });
  secondTrainerId = secondTrainer.id;
  // Drafting needs the workers; reviewing does not. The workers also retrain the local model after
  // decisions, CPU-heavy work in this very process that would slow the browser's driver, so the
  // calls are drafted by one server and reviewed through another over the same database.
  const drafting = await startTestServer(database.db, {
    work: true,
    environment: { DOUBLE_LABEL_SHARE: "0" },
  });
  try {
    const importer = createTestClient(drafting.baseUrl);
    await importer.signIn("trainer@example.com", testPassword);
    englishCall = await importSeedCall(importer, "saas-discovery.en.vtt", "discovery");
    chineseCall = await importSeedCall(importer, "insurance-renewal.zh.vtt", "renewal");
  } finally {
    await drafting.close();
  }
  server = await startTestServer(database.db, {
    work: false,
    environment: {
      DOUBLE_LABEL_SHARE: "0",
      DATA_DIR: drafting.config.DATA_DIR,
    },
    app: { webDirectory },
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
  });
  admin = createTestClient(server.baseUrl);
  await admin.signIn("admin@example.com", testPassword);
  first = await openContext("trainer@example.com");
  second = await openContext("trainer2.north@example.com");
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop();
  if (server) fs.rmSync(server.config.DATA_DIR, { recursive: true, force: true });
});

describe("review in the browser", () => {
  it("reviews a whole call with the keyboard: digits, the picker, accept, reject and undo", async () => {
    const { page } = first;
    await goTo(page, "/review");
    await page.getByTestId("queue-row").first().waitFor();
    expect(await page.getByTestId("queue-total").textContent()).toMatch(/Waiting: \d+/);
    // Filters go into the address; the list follows them.
    await page.getByTestId("filter-kind").selectOption("talk_track");
    await page.waitForURL(/kind=talk_track/);
    await page.getByTestId("filter-kind").selectOption("intent");
    await page.waitForURL(/kind=intent/);
    await page.getByTestId("queue-row").first().waitFor();
    await screenshot(page, "review-queue");

    const intents = (await admin.request("GET", `/api/recordings/${englishCall}/draft`)).body;
    const itemCount = intents.draft.items.filter(
      (item: { kind: string }) => item.kind === "intent",
    ).length;
    expect(itemCount).toBeGreaterThan(10);

    await goTo(page, `/review?recordingId=${englishCall}&kind=intent&order=oldest`);
    await page.getByTestId("start-reviewing").click();
    await currentItem(page).waitFor();
    expect(await page.getByTestId("review-utterance").textContent()).toContain(
      "Hi, thanks for making the time today.",
    );
    await screenshot(page, "review-session");

    // 1 picks the first intent of the taxonomy.
    const firstItem = await currentItemId(page);
    const firstQuickIntent = await page
      .locator(".intent-grid__option")
      .first()
      .getAttribute("data-intent");
    await pressAndAdvance(page, "1");

    // A accepts the prediction.
    const acceptedItem = await currentItemId(page);
    await pressAndAdvance(page, "a");

    // / opens the picker: search an intent in words, Enter overrides to it.
    const overriddenItem = await currentItemId(page);
    const predicted = await page
      .locator(".intent-grid__option--predicted")
      .getAttribute("data-intent");
    const target =
      predicted === "competitor_comparison" ? "compliance_concern" : "competitor_comparison";
    // Keyboard only: the search field has the focus at once, letters typed right after / are
    // kept, the arrows move the highlight, Escape cancels without deciding, Enter picks.
    const search = page.getByTestId("intent-search");
    const options = page.locator('[data-testid="intent-picker"] [role="option"]');
    const highlighted = page.locator(
      '[data-testid="intent-picker"] [role="option"][aria-selected="true"]',
    );
    await page.keyboard.press("/");
    await page.keyboard.type("zzz");
    await page.getByTestId("intent-picker").waitFor();
    expect(await search.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await search.inputValue()).toBe("zzz");
    await page.keyboard.press("Escape");
    await page.getByTestId("intent-picker").waitFor({ state: "detached" });
    expect(await currentItemId(page)).toBe(overriddenItem);

    await page.keyboard.press("/");
    await page.keyboard.type("com");
    await page.getByTestId("intent-picker").waitFor();
    expect(await search.inputValue()).toBe("com");
    const listed = await options.evaluateAll((rows) =>
      rows.map((row) => row.getAttribute("data-intent")),
    );
    expect(listed.length).toBeGreaterThan(1);
    expect(await highlighted.getAttribute("data-intent")).toBe(listed[0]);
    await page.keyboard.press("ArrowUp");
    expect(await highlighted.getAttribute("data-intent")).toBe(listed.at(-1));
    await page.keyboard.press("ArrowDown");
    for (let step = 0; step < listed.indexOf(target); step += 1)
      await page.keyboard.press("ArrowDown");
    expect(await highlighted.getAttribute("data-intent")).toBe(target);
    await screenshot(page, "review-intent-picker");
    await page.keyboard.press("Enter");
    await page.getByTestId("intent-picker").waitFor({ state: "detached" });
    await page
      .locator(`[data-testid="review-item"]:not([data-item-id="${overriddenItem}"])`)
      .waitFor();

    // R rejects, Z undoes it and brings the item back, open again.
    const rejectedItem = await currentItemId(page);
    await pressAndAdvance(page, "r");
    await page.keyboard.press("z");
    await page
      .locator(`[data-testid="review-item"][data-item-id="${rejectedItem}"][data-status="pending"]`)
      .waitFor();

    // The rest of the call: A on every item, typed as fast as the keyboard sends it (each press
    // applies to the item on screen at that moment), a batch at a time until the queue is done.
    for (let guard = 0; guard < itemCount; guard += 1) {
      if ((await page.getByTestId("session-finished").count()) > 0) break;
      const position = page.getByTestId("session-position");
      const index = Number(await position.getAttribute("data-index"));
      const total = Number(await position.getAttribute("data-total"));
      if (total > index) await page.keyboard.type("a".repeat(total - index));
      await page
        .locator(
          `[data-testid="session-position"]:not([data-index="${index}"]), [data-testid="session-finished"]`,
        )
        .first()
        .waitFor();
      await page
        .locator('[data-testid="review-item"], [data-testid="session-finished"]')
        .first()
        .waitFor();
    }
    await page.getByTestId("session-finished").waitFor();
    await allSaved(page);

    const { rows } = await database.db.query<{
      itemId: string;
      action: string;
      intent: string | null;
      decisionMs: number;
      undone: boolean;
    }>(
      `SELECT x.draft_item_id AS "itemId", x.action, x.after_content->>'intent' AS intent, x.decision_ms AS "decisionMs",
              EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_decision_id = x.id) AS undone
       FROM decisions x WHERE x.recording_id = $1 AND x.user_id = $2 ORDER BY x.decided_at`,
      [englishCall, trainerId],
    );
    const standing = rows.filter((row) => row.action !== "undo" && !row.undone);
    expect(standing).toHaveLength(itemCount);
    expect(new Set(standing.map((row) => row.itemId)).size).toBe(itemCount);
    const byItem = new Map(standing.map((row) => [row.itemId, row]));
    expect(byItem.get(firstItem!)!.intent).toBe(firstQuickIntent);
    expect(byItem.get(acceptedItem!)!.action).toBe("accept");
    expect(byItem.get(overriddenItem!)).toMatchObject({
      action: "override",
      intent: target,
    });
    expect(byItem.get(rejectedItem!)!.action).toBe("accept");
    expect(rows.filter((row) => row.action === "reject" && row.undone)).toHaveLength(1);
    expect(rows.filter((row) => row.action === "undo")).toHaveLength(1);
    // The time to decide was counted from when each item was shown.
    for (const row of standing) expect(row.decisionMs).toBeGreaterThanOrEqual(0);
    expect(standing.some((row) => row.decisionMs > 0)).toBe(true);
    const { rows: items } = await database.db.query<{ status: string }>(
      "SELECT status FROM draft_items WHERE recording_id = $1 AND kind = 'intent'",
      [englishCall],
    );
    expect(items.every((item) => item.status !== "pending")).toBe(true);
  }, 120_000);

  it("lists every review action in the ? dialog", async () => {
    const { page } = first;
    await page.keyboard.press("?");
    const dialog = page.getByTestId("hotkey-help");
    await dialog.waitFor();
    const reviewActions = hotkeyActions
      .filter((action) => action.scope === "review")
      .map((action) => action.id);
    for (const id of [
      "review:accept",
      "review:pick-intent-1",
      "review:open-intent-picker",
      "review:undo",
      "review:next-call",
    ])
      expect(reviewActions).toContain(id);
    const listed = await dialog
      .locator("[data-action]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-action")));
    expect(listed.filter((id) => id?.startsWith("review:")).sort()).toEqual(
      [...reviewActions].sort(),
    );
    expect(
      await dialog.locator('[data-action="review:pick-intent-3"] kbd').allTextContents(),
    ).toEqual(["3"]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("shows the call with intent chips and evidence, and decides there with the keyboard", async () => {
    const { page } = first;
    await goTo(page, `/review/calls/${englishCall}?segment=20`);
    await page.getByTestId("call-view").waitFor();
    const utterances = page.getByTestId("call-utterance");
    await utterances.first().waitFor();
    // Virtualised: not every one of the call's utterances is in the document.
    expect(await utterances.count()).toBeLessThan(43);
    await page
      .locator('[data-testid="call-utterance"][data-ordinal="20"][data-selected="true"]')
      .waitFor();
    expect(
      await page
        .locator('[data-testid="call-utterance"][data-ordinal="20"] [data-testid="intent-chip"]')
        .count(),
    ).toBe(1);

    // J moves to the next utterance; a digit sets its intent.
    await page.keyboard.press("j");
    const selected = page.locator(
      '[data-testid="call-utterance"][data-ordinal="21"][data-selected="true"]',
    );
    await selected.waitFor();
    await page.keyboard.press("2");
    await selected.locator('[data-testid="intent-chip"]').waitFor();
    await allSaved(page);

    // Action items and talk tracks beside the transcript, with evidence links.
    const cards = page.getByTestId("call-card");
    await cards.first().waitFor();
    const actionCards = page.locator('[data-testid="call-card"][data-kind="action_item"]');
    expect(await actionCards.count()).toBeGreaterThan(0);
    const firstAction = actionCards.first();
    const typeName = await firstAction
      .locator('[data-testid="action-type"], [data-testid="flagged"]')
      .first()
      .textContent();
    expect(typeName?.trim().length).toBeGreaterThan(0);
    const evidenceLink = firstAction.getByTestId("evidence-link").first();
    const segment = await evidenceLink.getAttribute("data-segment");
    await firstAction.click();
    await evidenceLink.click();
    await page
      .locator(`[data-testid="call-utterance"][data-ordinal="${segment}"].utterance--evidence`)
      .waitFor();

    // A accepts the selected card; Z takes it back.
    const actionId = await firstAction.getAttribute("data-item-id");
    await page.keyboard.press("a");
    await page
      .locator(`[data-testid="call-card"][data-item-id="${actionId}"][data-status="accepted"]`)
      .waitFor();
    await allSaved(page);
    await screenshot(page, "review-call-view");
    await page.keyboard.press("z");
    await page
      .locator(`[data-testid="call-card"][data-item-id="${actionId}"][data-status="pending"]`)
      .waitFor();
    await allSaved(page);

    // E edits the card in place; Ctrl+Enter saves from inside the text field.
    await page.keyboard.press("e");
    const editor = page.getByTestId("item-editor");
    await editor.waitFor();
    await page.getByTestId("editor-title").fill("Send the pricing comparison by Friday");
    await page.keyboard.press("Control+Enter");
    await editor.waitFor({ state: "detached" });
    await page
      .locator(`[data-testid="call-card"][data-item-id="${actionId}"][data-status="overridden"]`)
      .filter({ hasText: "Send the pricing comparison by Friday" })
      .waitFor();
    await allSaved(page);
    const { rows } = await database.db.query<{ action: string; title: string | null }>(
      `SELECT action, after_content->>'title' AS title FROM decisions WHERE draft_item_id = $1 ORDER BY decided_at`,
      [actionId],
    );
    expect(rows.map((row) => row.action)).toEqual(["accept", "undo", "override"]);
    expect(rows[2].title).toBe("Send the pricing comparison by Friday");
  });

  it("gives two trainers on one queue different items", async () => {
    const address = `/review/session?recordingId=${chineseCall}`;
    await goTo(first.page, address);
    await currentItem(first.page).waitFor();
    await goTo(second.page, address);
    await currentItem(second.page).waitFor();
    // The second trainer works in Chinese.
    await second.page.getByRole("heading", { name: "审核中" }).waitFor();
    await screenshot(second.page, "review-session-zh");

    expect(await currentItemId(first.page)).not.toBe(await currentItemId(second.page));
    const { rows } = await database.db.query<{
      userId: string;
      itemId: string;
    }>(
      `SELECT user_id AS "userId", draft_item_id AS "itemId" FROM review_leases WHERE expires_at > now()`,
    );
    const firstLeases = new Set(
      rows.filter((row) => row.userId === trainerId).map((row) => row.itemId),
    );
    const secondLeases = rows
      .filter((row) => row.userId === secondTrainerId)
      .map((row) => row.itemId);
    expect(firstLeases.size).toBeGreaterThan(0);
    expect(secondLeases.length).toBeGreaterThan(0);
    for (const id of secondLeases) expect(firstLeases.has(id)).toBe(false);
    expect(firstLeases.has((await currentItemId(first.page))!)).toBe(true);
    expect(secondLeases).toContain(await currentItemId(second.page));

    await second.page.getByTestId("stop-reviewing").click();
    await second.page.getByTestId("review-queue").waitFor();

    // G opens the evidence in the call view, with the item selected there; Back returns to the
    // same item of the same session.
    const onScreen = (await currentItemId(first.page))!;
    const kind = await currentItem(first.page).getAttribute("data-kind");
    await first.page.keyboard.press("g");
    await first.page.getByTestId("call-view").waitFor();
    await first.page
      .locator(
        kind === "intent"
          ? '[data-testid="call-utterance"][data-selected="true"]'
          : `[data-testid="call-card"][data-item-id="${onScreen}"][aria-current="true"]`,
      )
      .waitFor();
    await first.page.goBack();
    await first.page.locator(`[data-testid="review-item"][data-item-id="${onScreen}"]`).waitFor();
  });

  it("shows a stale save as a conflict with the other decision, and reloads it", async () => {
    const { page } = first;
    const itemId = (await currentItemId(page))!;
    const { rows } = await database.db.query<{ revision: number }>(
      "SELECT revision FROM draft_items WHERE id = $1",
      [itemId],
    );
    // Someone else decides the item this trainer has on screen.
    const theirs = await admin.request("POST", `/api/review/items/${itemId}/decisions`, {
      action: "reject",
      revision: rows[0].revision,
      shownAt: new Date().toISOString(),
    });
    expect(theirs.status).toBe(201);

    await page.keyboard.press("a");
    const conflict = page.locator(`[data-testid="review-conflict"][data-item-id="${itemId}"]`);
    await conflict.waitFor();
    expect(await conflict.getByTestId("conflict-message").textContent()).toMatch(
      /already decided this item \(reject\)/,
    );
    await conflict
      .getByTestId("conflict-their-decision")
      .filter({ hasText: "Their decision: Rejected" })
      .waitFor();
    await screenshot(page, "review-conflict");

    await conflict.getByRole("button", { name: "Show the item" }).click();
    await page.locator(`[data-testid="review-item"][data-item-id="${itemId}"]`).waitFor();
    await conflict.getByTestId("conflict-reload").click();
    await conflict.waitFor({ state: "detached" });
    await page
      .locator(`[data-testid="review-item"][data-item-id="${itemId}"][data-status="rejected"]`)
      .waitFor();
    await allSaved(page);

    const decisions = await database.db.query<{
      userId: string;
      action: string;
    }>(`SELECT user_id AS "userId", action FROM decisions WHERE draft_item_id = $1`, [itemId]);
    // Only the other decision stands; nothing was overwritten.
    expect(decisions.rows).toEqual([{ userId: organisation.users.admin.id, action: "reject" }]);
    await page.getByTestId("stop-reviewing").click();
    await page.getByTestId("review-queue").waitFor();
  });

  it("shows the trainer's own figures on the dashboard", async () => {
    const { page } = first;
    await goTo(page, "/dashboard");
    const rows = page.getByTestId("trainer-row");
    await rows.first().waitFor();
    // A trainer sees only themselves.
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-user-id")).toBe(trainerId);
    const { rows: counts } = await database.db.query<{
      decisions: number;
      overrides: number;
    }>(
      `SELECT count(*)::int AS decisions, count(*) FILTER (WHERE x.action = 'override')::int AS overrides
       FROM decisions x WHERE x.user_id = $1 AND x.action <> 'undo'
         AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_decision_id = x.id)`,
      [trainerId],
    );
    expect(await rows.first().getByTestId("trainer-decisions").textContent()).toBe(
      String(counts[0].decisions),
    );
    expect(await rows.first().getByTestId("trainer-override-rate").textContent()).toBe(
      `${Math.round((100 * counts[0].overrides) / counts[0].decisions)}%`,
    );
    expect(await rows.first().getByTestId("trainer-agreement").textContent()).toBe(
      "Not enough overlap",
    );
    expect(await rows.first().getByTestId("trainer-median").textContent()).toMatch(
      /^\d+(\.\d)? s$|^\d+:\d\d$/,
    );
    // The chart draws the API's daily counts, every day of the range.
    const bars = page.locator('[data-testid="daily-chart"] rect[data-value]');
    const values = await bars.evaluateAll((rects) =>
      rects.map((rect) => Number(rect.getAttribute("data-value"))),
    );
    expect(values).toHaveLength(30);
    const daily = await createTrainerClient().then((client) =>
      client.request("GET", "/api/review/dashboard"),
    );
    const apiTotal = daily.body.daily.reduce(
      (sum: number, row: { decisions: number }) => sum + row.decisions,
      0,
    );
    expect(values.reduce((sum, value) => sum + value, 0)).toBe(apiTotal);
    expect(apiTotal).toBeGreaterThanOrEqual(counts[0].decisions);
    await screenshot(page, "review-dashboard");
  });
});
