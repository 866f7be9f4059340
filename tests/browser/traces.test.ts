/**
 * The trace viewer in Chromium, over traces written through the real tracer with the spans agents
 * write: the list filters by search (Chinese), status and agent and shows totals; a trace opens as a
 * waterfall whose failed parse is open and red, a model call expands to its messages and response,
 * the local engine shows its top labels with confidence bars; in Chinese the viewer reads in
 * Chinese; a rep sees their call's trace with another team's example masked and has no list link.
 * Screenshots go to test-results/screenshots/.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseTracer } from "../../core/traces/trace-store.ts";
import { insertRecording, recordRealisticTrace } from "../support/trace-fixtures.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

describe("trace viewer in the browser", () => {
  let app: AppUnderTest;
  const ids: Record<string, string> = {};
  const southSecret = "南区客户说预算只有五万";

  beforeAll(async () => {
    app = await startAppUnderTest();
    const organisation = app.organisation!;
    const db = app.database.db;
    const tracer = createDatabaseTracer(db);
    const call = await insertRecording(db, organisation.users.northRep, { title: "Acme discovery call", stage: "discovery" });
    const southCall = await insertRecording(db, organisation.users.southRep, { title: "Globex demo", stage: "demo" });
    const workspaceId = organisation.workspaceId;
    ids.repair = await recordRealisticTrace(tracer, { workspaceId, recordingId: call, agent: "action-items", version: "v2", repair: true, model: "deepseek-chat" });
    ids.failed = await recordRealisticTrace(tracer, { workspaceId, recordingId: call, agent: "summary", version: "v1", fail: "401 Incorrect API key provided: sk-…abcd" });
    ids.chinese = await recordRealisticTrace(tracer, { workspaceId, recordingId: southCall, agent: "summary", version: "v1", language: "zh", model: "qwen-plus" });
    ids.masked = await recordRealisticTrace(tracer, {
      workspaceId,
      recordingId: call,
      agent: "talk-tracks",
      version: "v3",
      examples: [
        { sourceKey: "south-1", text: southSecret, label: "price_objection", similarity: 0.91, recordingId: southCall },
        { sourceKey: "seed:7", text: "Could you walk me through the pricing tiers?", label: "request_quote", similarity: 0.74 },
      ],
    });
    // The local engine: top-k labels with confidences.
    const local = tracer.start({ workspaceId, recordingId: call, agent: "intents", agentVersion: "intents@local-nb-12", agentRunId: randomUUID(), engine: "local", connectorId: null, model: "local-nb-12" });
    local.span("local_model", "classify 40 utterances", { utterances: 40 }, { modelVersion: "local-nb-12" }).end({
      output: [
        { label: "request_quote", confidence: 0.82 },
        { label: "objection_price", confidence: 0.11 },
        { label: "small_talk", confidence: 0.04 },
      ],
    });
    local.span("result", "store draft items").end({ output: { items: 40 } });
    await local.finish({ status: "ok", output: { intents: 40 } });
    ids.local = local.id;
  });

  afterAll(async () => {
    await app?.close();
  });

  it("lists traces with totals and filters them by Chinese search, status and agent", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/traces");
    const rows = page.getByTestId("trace-row");
    await expect.poll(() => rows.count()).toBe(5);
    await expect.poll(async () => (await page.getByTestId("trace-totals").textContent()) ?? "").toContain("5 traces · 1 errors");
    await expect.poll(() => page.getByRole("navigation").getByRole("link", { name: "Traces" }).count()).toBe(1);
    await app.browser.screenshot("traces-list");

    await page.getByTestId("trace-filter-q").fill("预算大概在二十万");
    await page.getByTestId("trace-filter-apply").click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(async () => (await rows.first().textContent()) ?? "").toContain("Globex demo");
    expect(page.url()).toContain("q=");

    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByTestId("trace-filter-status").selectOption("error");
    await page.getByTestId("trace-filter-apply").click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-status")).toBe("error");
    await app.browser.screenshot("traces-list-errors");

    await page.goto(`${app.baseUrl}/traces?agent=talk-tracks`);
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(async () => (await rows.first().textContent()) ?? "").toContain("talk-tracks@v3");
  });

  it("shows a trace as a waterfall: the failed parse open in red, a model call's messages and response on demand", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", `/traces/${ids.repair}`);
    const spans = page.getByTestId("trace-span");
    await expect.poll(() => spans.count()).toBe(7);
    expect(await spans.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-kind")))).toEqual([
      "retrieval", "prompt", "model_call", "parse", "model_call", "parse", "result",
    ]);
    // Bars sit at increasing offsets on the time line.
    const lefts = await page.getByTestId("trace-span-bar").evaluateAll((bars) => bars.map((bar) => parseFloat((bar as HTMLElement).style.left)));
    expect(lefts).toEqual([...lefts].sort((a, b) => a - b));
    const error = page.getByTestId("span-error");
    await expect.poll(async () => (await error.textContent()) ?? "").toContain("not valid JSON");
    expect(await error.evaluate((element) => getComputedStyle(element).color)).toBe("rgb(180, 35, 24)");

    await spans.nth(4).getByRole("button").click();
    const body = spans.nth(4).getByTestId("span-body");
    await expect.poll(async () => (await body.textContent()) ?? "").toContain("Repair attempt");
    await expect.poll(async () => (await body.getByTestId("span-messages").textContent()) ?? "").toContain("<transcript>");
    await expect.poll(async () => (await body.getByTestId("span-response").textContent()) ?? "").toContain('"actionItems": [');
    await spans.nth(0).getByRole("button").click();
    await expect.poll(() => spans.nth(0).getByTestId("span-examples").locator("li").count()).toBe(2);
    await app.browser.screenshot("trace-detail");
  });

  it("shows a failed run's error and the local engine's top labels with confidence bars", async () => {
    const { page } = app;
    await page.goto(`${app.baseUrl}/traces/${ids.failed}`);
    await expect.poll(async () => (await page.getByTestId("trace-error").textContent()) ?? "").toContain("401 Incorrect API key");

    await page.goto(`${app.baseUrl}/traces/${ids.local}`);
    const spans = page.getByTestId("trace-span");
    await expect.poll(() => spans.count()).toBe(2);
    await spans.first().getByRole("button").click();
    const labels = page.getByTestId("span-top-labels").locator("li");
    await expect.poll(() => labels.count()).toBe(3);
    const widths = await page.getByTestId("span-top-labels").locator(".trace-meter__bar").evaluateAll((bars) => bars.map((bar) => (bar as HTMLElement).style.width));
    expect(widths).toEqual(["82%", "11%", "4%"]);
    await app.browser.screenshot("trace-local-engine");
  });

  it("reads in Chinese", async () => {
    const { page } = app;
    await page.goto(`${app.baseUrl}/traces/${ids.chinese}`);
    await page.getByTestId("language-switch").selectOption("zh-CN");
    await expect.poll(async () => (await page.getByTestId("trace-waterfall").textContent()) ?? "").toContain("模型调用");
    await page.getByTestId("trace-span").nth(1).getByRole("button").click();
    await expect.poll(async () => (await page.getByTestId("span-messages").textContent()) ?? "").toContain("预算大概在二十万");
    await app.browser.screenshot("trace-detail-zh");
    await page.goto(`${app.baseUrl}/traces`);
    await expect.poll(async () => (await page.getByTestId("trace-totals").textContent()) ?? "").toContain("条追踪");
    await app.browser.screenshot("traces-list-zh");
    await page.getByTestId("language-switch").selectOption("en");
  });

  it("shows agent invocations and AI cost on the capability map, with drill-down to the cell's traces", async () => {
    const { page } = app;
    const organisation = app.organisation!;
    await app.signInAs("manager@example.com", "/capability-map?metric=aiCostUsd");
    const cell = page.locator(`[data-testid="capability-heat-map"] [data-testid="heat-cell"][data-row="${organisation.north.id}"][data-column="discovery"]`);
    await cell.waitFor();
    expect(await cell.getAttribute("data-state")).toBe("value");
    await expect.poll(async () => (await cell.textContent()) ?? "").toContain("$0.0063"); // repair 2 × 0.0021 + masked 0.0021
    await page.getByTestId("metric-picker").selectOption("agentInvocations");
    await expect.poll(async () => (await cell.textContent()) ?? "").toContain("4");
    await app.browser.screenshot("capability-map-agent-invocations");
    await cell.click();
    await page.getByTestId("cell-traces-link").click();
    const rows = page.getByTestId("trace-row");
    await expect.poll(() => rows.count()).toBe(4);
    await expect.poll(async () => (await page.getByTestId("trace-linked-filters").textContent()) ?? "").toContain("North squad");
    expect(page.url()).toContain(`teamId=${organisation.north.id}`);
    await app.browser.screenshot("traces-from-capability-map");
  });

  it("shows a rep their own call's trace with another team's example masked, and no list link", async () => {
    const { page } = app;
    await app.signInAs("rep.north@example.com", `/traces/${ids.masked}`);
    await page.getByTestId("trace-masked").waitFor();
    await page.getByTestId("trace-span").first().getByRole("button").click();
    const examples = page.getByTestId("span-examples");
    await expect.poll(async () => (await examples.textContent()) ?? "").toContain("(example from another team)");
    expect(await page.content()).not.toContain(southSecret);
    expect(await page.getByRole("navigation").getByRole("link", { name: "Traces" }).count()).toBe(0);
    await app.browser.screenshot("trace-rep-masked");
    await page.goto(`${app.baseUrl}/traces/${ids.chinese}`);
    await expect.poll(async () => (await page.locator(".message--error, [role=alert]").first().textContent()) ?? "").toMatch(/not found/i);
  });
});
