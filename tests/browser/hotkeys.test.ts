/**
 * The keyboard shortcut registry in the browser: the `?` dialog lists every action from the
 * registry (translated), keys typed into fields are left alone, and rebinding refuses a key that
 * is taken and changes what the keys do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hotkeyActions } from "../../web/src/hotkeys/registry.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest();
});

afterAll(async () => {
  await app?.close();
});

const actionRow = (id: string) => `[data-testid="hotkey-help"] [data-action="${id}"]`;

describe("keyboard shortcuts", () => {
  it("opens the ? dialog listing every action in the registry, and closes it with Escape", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com");
    await page.keyboard.press("?");
    const dialog = page.getByTestId("hotkey-help");
    await dialog.waitFor();
    expect(await dialog.locator("[data-action]").count()).toBe(hotkeyActions.length);
    expect(await page.locator(actionRow("review:accept")).textContent()).toBe(
      "Accept the draft" + "A",
    );
    expect(await page.locator(`${actionRow("review:save")} kbd`).allTextContents()).toEqual([
      "Ctrl",
      "Enter",
    ]);
    expect(await page.locator(`${actionRow("review:play-pause")} kbd`).allTextContents()).toEqual([
      "Space",
    ]);
    await app.browser.screenshot("hotkey-help");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("leaves keys typed into a field alone", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com");
    const reference = page.getByLabel("Customer reference");
    await reference.click();
    await page.keyboard.type("A/B?");
    expect(await reference.inputValue()).toBe("A/B?");
    expect(await page.getByTestId("hotkey-help").count()).toBe(0);
  });

  it("shows the dialog in Chinese when the UI is in Chinese", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com");
    await page.getByTestId("language-switch").selectOption("zh-CN");
    await page.getByTestId("main-navigation").getByRole("link", { name: "录音" }).waitFor();
    await page.keyboard.press("?");
    await page.getByTestId("hotkey-help").waitFor();
    expect(await page.locator(`${actionRow("review:accept")} dt`).textContent()).toBe("采纳草稿");
    expect(await page.getByTestId("hotkey-help").getByRole("heading").first().textContent()).toBe(
      "键盘快捷键",
    );
    await page.keyboard.press("Escape");
    await page.getByTestId("language-switch").selectOption("en");
    await page.getByTestId("main-navigation").getByRole("link", { name: "Recordings" }).waitFor();
  });

  it("refuses a key another action uses, and a new binding changes what the key does", async () => {
    const { page } = app;
    // A user of its own: the new binding is saved and must not leak into the other tests.
    await app.signInAs("trainer.south@example.com", "/settings");
    const settings = page.getByTestId("hotkey-settings");
    const accept = settings.locator('[data-action="review:accept"] [data-testid="rebind"]');
    await accept.click();
    await page.keyboard.press("r");
    const notice = page.getByTestId("hotkey-notice");
    await notice.waitFor();
    expect(await notice.textContent()).toBe("R is already used by “Reject the draft”.");
    expect(await accept.textContent()).toBe("A");
    await app.browser.screenshot("settings-hotkey-conflict");

    // Move help from ? to H: afterwards H opens the dialog and ? no longer does.
    const help = settings.locator('[data-action="global:help"] [data-testid="rebind"]');
    await help.click();
    await page.keyboard.press("h");
    expect(await help.textContent()).toBe("H");
    await settings.getByTestId("save-hotkeys").click();
    await page.getByText("Saved.").waitFor();
    await page.locator("body").click({ position: { x: 5, y: 400 } });
    await page.keyboard.press("?");
    expect(await page.getByTestId("hotkey-help").count()).toBe(0);
    await page.keyboard.press("h");
    await page.getByTestId("hotkey-help").waitFor();
    expect(await page.locator(`${actionRow("global:help")} kbd`).allTextContents()).toEqual(["H"]);
    await page.keyboard.press("Escape");
  });

  it("keeps a rebinding across a reload (stored per user by the server)", async () => {
    const { page, baseUrl } = app;
    await app.signInAs("rep.north@example.com", "/settings");
    const probe = await app.browser.context.request.get(`${baseUrl}/api/me/hotkeys`);
    expect(probe.status()).toBe(200);

    const settings = page.getByTestId("hotkey-settings");
    const undo = settings.locator('[data-action="review:undo"] [data-testid="rebind"]');
    await undo.click();
    await page.keyboard.press("u");
    await settings.getByTestId("save-hotkeys").click();
    await page.getByText("Saved.").waitFor();

    await page.reload();
    await page.getByTestId("hotkey-settings").waitFor();
    await page
      .locator('[data-action="review:undo"] [data-testid="rebind"]')
      .getByText("U")
      .waitFor();
    // Another user keeps the defaults.
    await app.signInAs("rep2.north@example.com", "/settings");
    expect(
      await page.locator('[data-action="review:undo"] [data-testid="rebind"]').textContent(),
    ).toBe("Z");
  });
});
