/**
 * The agent pipeline in a real browser, on the LLM engine (OPENAI_BASE_URL → the local
 * OpenAI-compatible server): a rep imports a call whose action-item agent is refused by the model;
 * the call page's pipeline panel shows it failed and the e-mail agent skipped — live, without a
 * reload — then the rep re-runs both and sees the agent's summary and e-mail. An admin opens the
 * Agents page (connectors not managed on this server yet: it says so), saves a binding and tries
 * both versions of the summary on the call side by side in the sandbox.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentModel } from "../support/agent-model.ts";
import { startOpenAiCompatibleServer } from "../support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer, ScriptedReply } from "../support/openai-compatible-server.ts";
import { screenshotDirectory } from "./support/browser.ts";
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
  "<v Agent>I'll send over the revised quote by Friday.",
  "",
].join("\n");

let app: AppUnderTest;
let model: OpenAiCompatibleServer;
const scripts = new Map<string, ScriptedReply[]>();

beforeAll(async () => {
  model = await startOpenAiCompatibleServer({ fallback: agentModel(scripts) });
  app = await startAppUnderTest({
    work: true,
    environment: { DOUBLE_LABEL_SHARE: "0", OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: model.apiKey },
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await model?.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDirectory, `${name}.png`), fullPage: true });
}

const run = (page: Page, agent: string) => page.locator(`[data-testid="pipeline-run"][data-agent="${agent}"]`);

describe("the agent pipeline on a call", () => {
  it("shows each agent's state live, and re-running a failed agent and its dependent fills the call page", async () => {
    const { page } = app;
    scripts.set("action_items", [
      { status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens.", type: "invalid_request_error", code: "context_length_exceeded" } } },
    ]);
    await app.signInAs("rep.north@example.com", "/recordings");
    await page.getByTestId("live-indicator").and(page.locator('[data-state="open"]')).waitFor();
    await page.getByTestId("file-input").setInputFiles({ name: "pipeline-demo.vtt", mimeType: "text/vtt", buffer: Buffer.from(call) });
    await page.getByTestId("consent").check();
    await page.getByTestId("upload-submit").click();
    const row = page.getByTestId("recording-row").filter({ hasText: "pipeline-demo" });
    await row.waitFor();
    const recordingId = (await row.getAttribute("data-recording-id"))!;
    await page.goto(`${app.baseUrl}/recordings/${recordingId}`);
    await page.getByTestId("pipeline-panel").waitFor();

    // Live: the states arrive over SSE while the page stays open.
    await run(page, "action-items").and(page.locator('[data-status="failed"]')).waitFor({ timeout: 60_000 });
    await run(page, "follow-up-email").and(page.locator('[data-status="skipped"]')).waitFor({ timeout: 60_000 });
    for (const agent of ["intent-tagger", "talk-tracks", "call-summary"]) {
      await run(page, agent).and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 60_000 });
    }
    expect(await run(page, "action-items").getByTestId("pipeline-error").textContent()).toMatch(/context/);
    expect(await run(page, "follow-up-email").getByTestId("pipeline-error").textContent()).toBe("skipped: action-items failed");
    expect(await run(page, "call-summary").textContent()).toMatch(/call-summary@v1.*LLM.*Environment \(OPENAI_BASE_URL\) · gpt-4o-mini/);
    const why = await run(page, "call-summary").getByTestId("why-link").getAttribute("href");
    expect(why).toMatch(/^\/traces\/[0-9a-f-]{36}$/);
    await page.getByTestId("agent-summary").waitFor();
    expect(await page.getByTestId("agent-summary-keyPoints").textContent()).toContain("The customer finds the quote too high.");
    expect(await page.getByTestId("email-source").textContent()).toBe("Template");
    await shoot(page, "agents-pipeline-failed");

    // Re-run the action items (the model answers this time), then the e-mail that waited for them.
    await run(page, "action-items").getByTestId("pipeline-rerun").click();
    await run(page, "action-items").and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="call-action-items"] [data-testid="call-item"]').first().waitFor();
    expect(await page.locator('[data-testid="call-action-items"]').textContent()).toContain("Send the revised quote");
    await run(page, "follow-up-email").getByTestId("pipeline-rerun").click();
    await run(page, "follow-up-email").and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 60_000 });
    await page.getByTestId("email-source").filter({ hasText: "Written by the e-mail agent" }).waitFor();
    expect(await page.getByTestId("email-body").textContent()).toContain("I will send the revised quote by Friday.");
    const emailRequest = model.chatRequests().filter((request) => request.response_format?.json_schema?.name === "follow_up_email").at(-1)!;
    expect(JSON.stringify(emailRequest.messages)).toContain("Send the revised quote");
    await shoot(page, "agents-pipeline-rerun");
  });

  it("lets an admin see the agents and save a binding as a new version", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/agents");
    await page.getByTestId("agents-page").waitFor();
    // The environment's endpoint is a connector: no "add a connector" notice.
    await page.locator('[data-testid="agent-card"]').first().waitFor();
    expect(await page.getByTestId("connectors-missing").count()).toBe(0);
    const summary = page.locator('[data-testid="agent-card"][data-agent="call-summary"]');
    expect(await summary.getByTestId("agent-version").textContent()).toBe("call-summary@v1");
    await summary.getByTestId("agent-engine").selectOption("llm");
    await summary.getByTestId("agent-model").fill("gpt-4o");
    await summary.getByTestId("agent-save").click();
    await summary.getByTestId("agent-version").filter({ hasText: "call-summary@v2" }).waitFor();

    // The sandbox: v1 and v2 of the summary on the ready call, side by side, nothing stored.
    await page.reload();
    const sandbox = page.locator('[data-testid="agent-card"][data-agent="call-summary"] [data-testid="agent-sandbox"]');
    await sandbox.locator("summary").click();
    await sandbox.getByTestId("sandbox-version-1").locator("option").nth(1).waitFor({ state: "attached" });
    await sandbox.getByTestId("sandbox-version-0").selectOption("1");
    await sandbox.getByTestId("sandbox-version-1").selectOption("2");
    await sandbox.getByTestId("sandbox-run").click();
    await sandbox.getByTestId("sandbox-result").nth(1).waitFor({ timeout: 60_000 });
    const results = await sandbox.getByTestId("sandbox-result").allTextContents();
    expect(results[0]).toMatch(/call-summary@v1.*Environment \(OPENAI_BASE_URL\) · gpt-4o-mini/);
    expect(results[1]).toMatch(/call-summary@v2.*gpt-4o/);
    expect(results[1]).toContain("keyPoints · The customer finds the quote too high.");
    await shoot(page, "agents-page");
    const local = page.locator('[data-testid="agent-card"][data-agent="follow-up-email"] option[value="local"]');
    expect(await local.isDisabled()).toBe(true);
  });
});
