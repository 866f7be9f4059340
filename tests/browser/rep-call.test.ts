/**
 * The rep's side of a call in a real browser: a rep uploads a transcript, sees it become ready live
 * (a notice, and "N drafts to confirm" in My calls), and then — keyboard only — confirms two action
 * items, edits one, rejects one, adds a missing one, exports the calendar file and copies the
 * follow-up e-mail. A trainer then finds those corrections under "corrected by the rep". Phone
 * screenshots (390×844) of upload + My calls and the call page, checked for sideways scrolling.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDirectory } from "./support/browser.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";

const call = [
  "WEBVTT",
  "",
  "00:00:00.000 --> 00:00:04.000",
  "<v Agent>Hi, thanks for making the time today.",
  "",
  "00:00:04.500 --> 00:00:09.000",
  "<v Customer>Honestly the price you quoted is too high for our budget this year.",
  "",
  "00:00:09.500 --> 00:00:13.000",
  "<v Agent>I'll send over the quote by Friday.",
  "",
  "00:00:13.500 --> 00:00:18.000",
  "<v Agent>I'll set up a three-way video call with our specialist.",
  "",
  "00:00:18.500 --> 00:00:22.000",
  "<v Agent>I'll set up a free trial account for your team.",
  "",
  "00:00:22.500 --> 00:00:27.000",
  "<v Agent>I'll send you a case study from a customer in your industry.",
  "",
  "00:00:27.500 --> 00:00:31.000",
  "<v Customer>We already use another vendor, so let me think about it. Please also send the contract draft.",
  "",
].join("\n");

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest({ work: true, environment: { DOUBLE_LABEL_SHARE: "0" } });
  await app.browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
    origin: app.baseUrl,
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDirectory, `${name}.png`), fullPage: true });
}

const items = (page: Page) => page.locator('[data-testid="call-action-items"] [data-testid="call-item"]');
const itemAt = (page: Page, index: number) => items(page).nth(index);
const selectedItem = (page: Page) => page.locator('[data-testid="call-item"][aria-current="true"]');

async function waitForStatus(page: Page, itemId: string, status: string): Promise<void> {
  await page.locator(`[data-testid="call-item"][data-item-id="${itemId}"][data-status="${status}"]`).waitFor();
}

let recordingId: string;

describe("the rep's call page", () => {
  it("takes a rep from upload to a confirmed action list and a follow-up e-mail, keyboard only", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com", "/recordings");
    await page.getByTestId("live-indicator").and(page.locator('[data-state="open"]')).waitFor();

    await page.getByTestId("file-input").setInputFiles({
      name: "acme-demo.vtt",
      mimeType: "text/vtt",
      buffer: Buffer.from(call),
    });
    await page.getByTestId("consent").focus();
    await page.keyboard.press("Space");
    await page.getByTestId("upload-submit").focus();
    await page.keyboard.press("Enter");

    // Ready, live: the notice and the count in My calls.
    const notice = page.getByTestId("toast").filter({ hasText: "acme-demo" });
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toMatch(/is ready: \d+ drafts? to confirm/);
    const row = page.getByTestId("recording-row").filter({ hasText: "acme-demo" });
    const badge = row.getByTestId("drafts-to-confirm");
    await badge.waitFor();
    recordingId = (await row.getAttribute("data-recording-id"))!;
    const toConfirm = Number((await badge.textContent())!.match(/\d+/)![0]);
    expect(toConfirm).toBeGreaterThanOrEqual(4);

    await badge.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("call-follow-up").waitFor();
    await items(page).nth(3).waitFor();
    expect(await page.getByTestId("summary-source").textContent()).toMatch(/Local model/);
    expect(await page.getByTestId("follow-up-email").textContent()).toContain("Template");
    const ids = await items(page).evaluateAll((elements) =>
      elements.map((element) => element.getAttribute("data-item-id")!),
    );

    // J selects the first item; A confirms it and moves on; A confirms the second.
    await page.keyboard.press("j");
    await selectedItem(page).waitFor();
    expect(await selectedItem(page).getAttribute("data-item-id")).toBe(ids[0]);
    await page.keyboard.press("a");
    await waitForStatus(page, ids[0], "accepted");
    await page.keyboard.press("a");
    await waitForStatus(page, ids[1], "accepted");

    // E edits the third in place; Ctrl+Enter saves.
    await page.keyboard.press("e");
    await page.getByTestId("editor-title").waitFor();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Book the video call with the IT lead");
    await page.keyboard.press("Control+Enter");
    await waitForStatus(page, ids[2], "overridden");
    expect(await itemAt(page, 2).textContent()).toContain("Book the video call with the IT lead");

    // J to the fourth, R rejects it.
    await page.keyboard.press("j");
    expect(await selectedItem(page).getAttribute("data-item-id")).toBe(ids[3]);
    await page.keyboard.press("r");
    await waitForStatus(page, ids[3], "rejected");

    // I adds what the draft missed: type, title, owner, due date, from the keyboard.
    await page.keyboard.press("i");
    await page.getByTestId("add-item-form").waitFor();
    // Typing on the focused type list picks the catalogue entry by name.
    await page.keyboard.type("Send contract");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Send the contract draft");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Rep North");
    await page.keyboard.press("Tab");
    await page.keyboard.type("12122026");
    await page.keyboard.press("Control+Enter");
    await page.getByTestId("add-item-form").waitFor({ state: "detached" });
    const added = items(page).filter({ hasText: "Send the contract draft" });
    await added.waitFor();
    expect(await added.getByTestId("item-status").textContent()).toBe("Added by you");
    await shoot(page, "rep-call-page");

    // D exports the calendar file: one event per item with a due date, the added one among them.
    const download = page.waitForEvent("download");
    await page.keyboard.press("d");
    const ics = fs.readFileSync((await (await download).path())!, "utf8");
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(ics).toContain("SUMMARY:Send the contract draft\r\n");
    expect(ics).toContain("DTSTART;VALUE=DATE:20261212\r\n");
    expect(ics).not.toContain((await itemAt(page, 3).locator("strong").first().textContent())!);

    // C copies the follow-up e-mail: the standing items, not the rejected one.
    await page.keyboard.press("c");
    await page.getByTestId("toast").filter({ hasText: "Follow-up e-mail copied." }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^Follow-up on our call/);
    expect(copied).toContain("(Send contract) — owner: Rep North, by 12 December 2026");
    expect(copied).toContain("Book the video call with the IT lead");
    expect(copied).toContain("Send the contract draft");
    expect(copied).toContain("Rep North");

    const { rows } = await app.database.db.query<{ action: string; decidedAs: string }>(
      `SELECT action, decided_as AS "decidedAs" FROM decisions WHERE recording_id = $1 ORDER BY decided_at`,
      [recordingId],
    );
    expect(rows).toEqual([
      { action: "accept", decidedAs: "rep" },
      { action: "accept", decidedAs: "rep" },
      { action: "override", decidedAs: "rep" },
      { action: "reject", decidedAs: "rep" },
      { action: "accept", decidedAs: "rep" },
    ]);
  }, 120_000);

  it("shows the trainer what the rep corrected", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", `/review?correctedByRep=true&recordingId=${recordingId}`);
    await page.getByTestId("queue-row").first().waitFor();
    expect(await page.getByTestId("queue-row").count()).toBe(5);
    const marks = await page.getByTestId("rep-mark").allTextContents();
    expect(marks.sort()).toEqual([
      "Added by the rep",
      "Confirmed by the rep",
      "Confirmed by the rep",
      "Edited by the rep",
      "Rejected by the rep",
    ]);
    expect(await page.getByTestId("queue-table").textContent()).toContain(
      "Book the video call with the IT lead",
    );
    await shoot(page, "rep-corrections-queue");
  });

  it("works on a phone: upload and My calls, and the call page, without sideways scrolling", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com", "/recordings");
    await page.setViewportSize({ width: 390, height: 844 });
    // What sticks out past the right edge (nothing, on a page that fits).
    const overflow = () =>
      page.evaluate(() =>
        [...document.querySelectorAll("body *")]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
          .filter((element) => !element.closest(".table-wrap, .transcript"))
          .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)
          .slice(0, 5),
      );
    try {
      await page.getByTestId("recording-row").first().waitFor();
      await shoot(page, "phone-my-calls");
      expect(await overflow()).toEqual([]);
      await page.goto(`${app.baseUrl}/recordings/${recordingId}`);
      await page.getByTestId("call-follow-up").waitFor();
      await items(page).first().waitFor();
      await shoot(page, "phone-call-page");
      expect(await overflow()).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
