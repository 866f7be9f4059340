/**
 * Recordings in the browser: uploading a transcript with consent and metadata, seeing it in the
 * list and its transcript on the detail page, live status through server-sent events (a failed
 * transcription with its reason, then Retry), and erasure behind a confirmation.
 */
import path from "node:path";
import type { Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  segmentPerSpeechRegion,
  startOpenAiTranscriptionServer,
} from "../support/openai-transcription-server.ts";
import type { OpenAiTranscriptionServer } from "../support/openai-transcription-server.ts";
import { createUser } from "../../core/auth/users.ts";
import { testPassword } from "../support/fixtures.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

const stereoCall = path.resolve(import.meta.dirname, "../fixtures/audio/stereo_diarization.wav");

const transcript = `WEBVTT

00:00:01.000 --> 00:00:04.000
<v Agent>您好，我是 Calibrate 的小王。

00:00:04.500 --> 00:00:07.000
<v Customer>Hi, we are looking at the enterprise plan.

00:00:07.500 --> 00:00:12.000
<v Agent>好的，我先了解一下您团队的规模。
`;

let app: AppUnderTest;
let transcription: OpenAiTranscriptionServer;

beforeAll(async () => {
  transcription = await startOpenAiTranscriptionServer({
    responder: segmentPerSpeechRegion("please call me back tomorrow"),
  });
  app = await startAppUnderTest({
    work: true,
    environment: { TRANSCRIPTION_BASE_URL: transcription.baseUrl },
  });
});

afterAll(async () => {
  await app?.close();
  await transcription?.close();
});

function rowFor(fileName: string): Locator {
  return app.page.getByTestId("recording-row").filter({ hasText: fileName });
}

async function chooseAndUpload(files: Parameters<Locator["setInputFiles"]>[0]) {
  const { page } = app;
  await page.getByTestId("file-input").setInputFiles(files);
  await page.getByTestId("consent").check();
  await page.getByTestId("upload-submit").click();
}

describe("recordings", () => {
  it("uploads a transcript with consent and metadata, then shows it with speakers and timestamps", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com");
    const submit = page.getByTestId("upload-submit");
    expect(await submit.isDisabled()).toBe(true);

    await page.getByTestId("file-input").setInputFiles({
      name: "首次沟通.vtt",
      mimeType: "text/vtt",
      buffer: Buffer.from(transcript),
    });
    const item = page.getByTestId("upload-list").locator("li").first();
    expect(await item.textContent()).toContain("Transcript");
    // Consent is required before anything is sent.
    expect(await submit.isDisabled()).toBe(true);
    await page.getByLabel("Customer stage").selectOption({ label: "Discovery" });
    await page.getByLabel("Customer reference").fill("CRM-42");
    await page.getByLabel("Call date").fill("2025-03-04");
    await page.getByTestId("consent").check();
    await app.browser.screenshot("recordings-upload");
    await submit.click();
    await page.locator('[data-testid="upload-list"] li[data-state="done"]').waitFor();

    const row = rowFor("首次沟通.vtt");
    await row.waitFor();
    const rowText = await row.textContent();
    expect(rowText).toContain("Discovery");
    expect(rowText).toContain("CRM-42");
    expect(rowText).toContain("Mar 4, 2025");
    expect(rowText).toContain("0:12");
    await app.browser.screenshot("recordings");

    await row.getByRole("link", { name: "首次沟通.vtt" }).click();
    await page.getByTestId("recording-detail").waitFor();
    const utterances = page.getByTestId("utterance");
    await utterances.first().waitFor();
    expect(await utterances.count()).toBe(3);
    expect(await utterances.nth(0).textContent()).toBe("0:01Rep您好，我是 Calibrate 的小王。");
    expect(await utterances.nth(1).textContent()).toBe(
      "0:04CustomerHi, we are looking at the enterprise plan.",
    );
    // An imported transcript has no audio to play.
    expect(await page.getByTestId("audio-player").count()).toBe(0);
    await app.browser.screenshot("recording-detail-transcript");

    // The same content again is recognised, not stored twice.
    await page.getByRole("link", { name: "All recordings" }).click();
    await chooseAndUpload({
      name: "首次沟通.vtt",
      mimeType: "text/vtt",
      buffer: Buffer.from(transcript),
    });
    await page.locator('[data-testid="upload-list"] li[data-state="duplicate"]').waitFor();
    expect(await rowFor("首次沟通.vtt").count()).toBe(1);
  });

  it("shows an upload the server refuses with its message, and stores nothing", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com");
    await chooseAndUpload({
      name: "notes.vtt",
      mimeType: "text/vtt",
      buffer: Buffer.from("this is not a WebVTT file"),
    });
    const failed = page.locator('[data-testid="upload-list"] li[data-state="failed"]');
    await failed.waitFor();
    expect(await failed.getByRole("alert").textContent()).toMatch(/WEBVTT|WebVTT|line/i);
    expect(await rowFor("notes.vtt").count()).toBe(0);
  });

  it("shows the server's refusal in the UI's language (Chinese)", async () => {
    const { page } = app;
    const organisation = app.organisation!;
    await createUser(app.database.db, {
      workspaceId: organisation.workspaceId,
      teamId: organisation.north.id,
      email: "rep.zh@example.com",
      role: "rep",
      password: testPassword,
      locale: "zh-CN",
    });
    await app.signInAs("rep.zh@example.com");
    await chooseAndUpload({ name: "会议记录.wav", mimeType: "audio/wav", buffer: Buffer.from("这不是音频。\n".repeat(40)) });
    const failed = page.locator('[data-testid="upload-list"] li[data-state="failed"]');
    await failed.waitFor();
    expect(await failed.getByRole("alert").textContent()).toMatch(/无法识别为音频文件/);
    await app.browser.screenshot("recordings-upload-refused-zh");
    expect(await rowFor("会议记录.wav").count()).toBe(0);
  });

  it("shows a failed transcription live with its reason, and Retry runs it again", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com");
    await page.getByTestId("live-indicator").and(page.locator('[data-state="open"]')).waitFor();
    transcription.failNext(1, 400, { message: "Invalid file format." });
    const requestsBefore = transcription.requests.length;
    await chooseAndUpload(stereoCall);
    await page.locator('[data-testid="upload-list"] li[data-state="done"]').waitFor();

    // No reload from here on: the row changes through the events stream.
    const row = rowFor("stereo_diarization.wav");
    await row.locator('[data-status="failed"]').waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain("Invalid file format.");
    await app.browser.screenshot("recordings-failed");

    await row.getByTestId("retry-recording").click();
    await row.locator('[data-status="failed"]').waitFor({ state: "detached", timeout: 20_000 });
    await expect
      .poll(() => transcription.requests.length - requestsBefore, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);

    await row.getByRole("link").first().click();
    await page.getByTestId("recording-detail").waitFor();
    await page.getByTestId("audio-player").waitFor();
    await page.getByTestId("utterance").first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("utterance").first().textContent()).toContain(
      "please call me back tomorrow",
    );
    await app.browser.screenshot("recording-detail-audio");

    // Clicking anywhere on a line (not only its timestamp) plays from the line's start.
    const line = page.getByTestId("utterance").last();
    const [minutes, seconds] = (await line.locator(".utterance__time").textContent())!.split(":").map(Number);
    await page.locator("audio").evaluate((audio: HTMLAudioElement) => {
      audio.muted = true;
      audio.currentTime = 0.5;
    });
    await line.locator(".utterance__text").click();
    await expect
      .poll(() => page.locator("audio").evaluate((audio: HTMLAudioElement) => audio.currentTime))
      .toBeGreaterThanOrEqual(minutes * 60 + seconds);
    expect(await page.locator("audio").evaluate((audio: HTMLAudioElement) => audio.currentTime)).not.toBe(0.5);
  });

  it("erases a recording only after confirmation", async () => {
    const { page, baseUrl } = app;
    await app.signInAs("rep.north@example.com");
    const row = rowFor("首次沟通.vtt");
    const id = await row.getAttribute("data-recording-id");

    await row.getByTestId("delete-recording").click();
    const dialog = page.getByTestId("confirm-dialog");
    expect(await dialog.textContent()).toContain("首次沟通.vtt");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await row.count()).toBe(1);

    await row.getByTestId("delete-recording").click();
    await app.browser.screenshot("recordings-confirm-delete");
    await dialog.getByRole("button", { name: "Delete permanently" }).click();
    await row.waitFor({ state: "detached" });
    const response = await app.browser.context.request.get(`${baseUrl}/api/recordings/${id}`);
    expect(response.status()).toBe(404);
  });

  it("watches an imported transcript reach a final state", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com");
    await chooseAndUpload({
      name: "final-state.vtt",
      mimeType: "text/vtt",
      buffer: Buffer.from(transcript.replace("小王", "小李")),
    });
    const row = rowFor("final-state.vtt");
    await row.locator('[data-status="ready"], [data-status="failed"]').waitFor({ timeout: 25_000 });
    if ((await row.locator('[data-status="failed"]').count()) > 0) {
      expect(await row.getByTestId("retry-recording").count()).toBe(1);
    }
  });
});
