/**
 * Without an LLM endpoint, the UI says so up front: the run dialog offers prompt-set targets as
 * unavailable with the reason, and the sandbox explains instead of failing on Run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest({ environment: { OPENAI_BASE_URL: "", OPENAI_API_KEY: "" } });
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
    const promptSetOptions = dialog.getByTestId("run-target").locator("optgroup option");
    expect(await promptSetOptions.count()).toBeGreaterThan(0);
    for (const option of await promptSetOptions.all()) {
      expect(await option.isDisabled()).toBe(true);
      expect(await option.textContent()).toContain("needs an LLM endpoint");
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.browser.screenshot("llm-not-configured-run-dialog");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("explains in the sandbox and does not offer Run", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/prompt-sets");
    await page.getByTestId("prompt-sets-table").getByRole("link").first().click();
    await page.getByTestId("tab-sandbox").click();
    await page.getByTestId("llm-missing").waitFor();
    expect(await page.getByTestId("sandbox-run").isDisabled()).toBe(true);
    await app.browser.screenshot("llm-not-configured-sandbox");
  });
});
