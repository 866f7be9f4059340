/**
 * Model connectors in the browser, against the real server and a local OpenAI-compatible endpoint:
 * an admin adds a connector, sees its key only as `sk-…last4`, tests it (latency and the model's
 * answer), fetches its models, breaks the key and sees the exact error, and reads the audit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiCompatibleServer } from "../support/openai-compatible-server.ts";
import type { OpenAiCompatibleServer } from "../support/openai-compatible-server.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

const apiKey = "sk-browser-test-key-7f3a9c2e41d8";

describe("model connectors in the browser", () => {
  let app: AppUnderTest;
  let endpoint: OpenAiCompatibleServer;

  beforeAll(async () => {
    endpoint = await startOpenAiCompatibleServer({ apiKey, models: ["qwen-plus", "qwen-max", "test-model"] });
    app = await startAppUnderTest();
  });

  afterAll(async () => {
    await app?.close();
    await endpoint?.close();
  });

  it("adds a connector, shows only its key hint, tests it, fetches its models, and shows the exact error of a wrong key", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/connectors");
    await page.getByRole("heading", { name: "Model connectors" }).waitFor();
    await page.getByTestId("create-connector").locator("summary").click();
    const form = page.getByTestId("create-connector").getByTestId("connector-form");
    await form.locator('select[name="preset"]').selectOption("dashscope");
    expect(await form.locator('input[name="baseUrl"]').inputValue()).toBe("https://dashscope.aliyuncs.com/compatible-mode/v1");
    await form.locator('input[name="name"]').fill("Qwen (local test)");
    await form.locator('input[name="baseUrl"]').fill(endpoint.baseUrl);
    await form.locator('input[name="apiKey"]').fill(apiKey);
    await form.locator('input[name="defaultModel"]').fill("qwen-plus");
    await form.locator('input[name="maxConcurrency"]').fill("3");
    await form.locator('input[name="priceInput"]').fill("0.8");
    await form.locator('input[name="priceOutput"]').fill("2");
    // Ticking "Transcription" says where uploads would go, and that audio is sent unredacted.
    await form.getByLabel("Transcription").check();
    await form.getByText("The call's audio is sent as it is", { exact: false }).waitFor();
    await app.browser.screenshot("connector-transcription-hint");
    await form.getByLabel("Transcription").uncheck();
    expect(await form.getByText("The call's audio is sent as it is", { exact: false }).count()).toBe(0);
    await form.getByRole("button", { name: "Add connector" }).click();

    const row = page.getByTestId("connector-row").filter({ hasText: "Qwen (local test)" });
    await row.waitFor();
    expect(await row.getByTestId("connector-key-hint").textContent()).toBe("sk-…41d8");
    expect(await page.content()).not.toContain(apiKey);

    endpoint.enqueue({ content: JSON.stringify({ ok: true, answer: "pong" }), delayMs: 30 });
    await row.getByTestId("test-connector").click();
    const result = row.getByTestId("test-result");
    await result.waitFor();
    expect(await result.getAttribute("data-ok")).toBe("true");
    expect(await result.textContent()).toMatch(/^Connected in \d+ ms — qwen-plus answered “pong”$/);

    await row.getByTestId("fetch-models").click();
    await row.getByTestId("models-result").waitFor();
    await expect.poll(async () => row.getByTestId("connector-models").textContent()).toBe("qwen-maxqwen-plustest-model");
    await row.getByTestId("toggle-audit").click();
    await row.getByTestId("connector-audit").locator('li[data-action="tested"]').waitFor();
    await app.browser.screenshot("connectors");

    // A wrong key: the test shows the server's exact refusal.
    await row.getByTestId("edit-connector").click();
    const edit = row.getByTestId("connector-form");
    expect(await edit.locator('input[name="apiKey"]').getAttribute("placeholder")).toBe("Leave empty to keep sk-…41d8");
    await edit.locator('input[name="apiKey"]').fill("sk-not-the-right-key-0000");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => row.getByTestId("connector-key-hint").textContent()).toBe("sk-…0000");
    await row.getByTestId("test-connector").click();
    await expect.poll(async () => row.getByTestId("test-result").getAttribute("data-ok")).toBe("false");
    expect(await row.getByTestId("test-result").textContent()).toMatch(
      new RegExp(`^Failed after \\d+ ms: HTTP 401 from ${new URL(endpoint.baseUrl).host.replace(/\./g, "\\.")}: Incorrect API key provided$`),
    );
    await expect.poll(async () => row.getByTestId("connector-audit").locator("li").count()).toBeGreaterThanOrEqual(4);
    expect(await row.getByTestId("connector-audit").textContent()).toMatch(/changed — fields: apiKey/);
    await app.browser.screenshot("connectors-wrong-key");

    // In Chinese: the same page, the same exact error.
    await page.getByTestId("language-switch").selectOption("zh-CN");
    await page.getByRole("heading", { name: "模型连接器" }).waitFor();
    await row.getByTestId("test-connector").click();
    await expect.poll(async () => row.getByTestId("test-result").textContent()).toMatch(/^\d+ 毫秒后失败：HTTP 401 from .*: Incorrect API key provided$/);
    await app.browser.screenshot("connectors-zh-CN");
    await page.getByTestId("language-switch").selectOption("en");
  });
});
