/**
 * The workspace profile in Settings: an admin declares the industry and products (the day-one
 * drafts offer only talk tracks written for that industry or for any); other roles do not see it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workspaceProfile } from "../../core/draft/workspace-profile.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest();
});

afterAll(async () => {
  await app?.close();
});

describe("workspace profile", () => {
  it("lets an admin declare the industry and products, and keeps them", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com");
    // Admins find it in the Admin menu, which opens Settings on its section.
    await page.getByTestId("admin-menu").getByRole("button", { name: "Admin" }).click();
    await page.getByTestId("admin-menu").getByRole("link", { name: "Workspace" }).click();
    const panel = page.getByTestId("workspace-profile");
    await panel.waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).hash).toBe("/settings#workspace");
    const industry = panel.getByLabel("Industry");
    await expect.poll(() => industry.isEnabled()).toBe(true);
    expect(await industry.inputValue()).toBe("");
    await industry.selectOption({ label: "Medical devices" });
    await panel.getByLabel("Products (one per line)").fill("Ventilators\nPatient monitors\n");
    await panel.getByRole("button", { name: "Save" }).click();
    await panel.getByText("Saved.").waitFor();
    await app.browser.screenshot("workspace-profile");
    const workspaceId = app.organisation!.workspaceId;
    expect(await workspaceProfile(app.database.db, workspaceId)).toEqual({
      industry: "medical_devices",
      products: ["Ventilators", "Patient monitors"],
    });
    await page.reload();
    await expect.poll(() => page.getByTestId("workspace-profile").getByLabel("Industry").inputValue()).toBe("medical_devices");
  });

  it("is in Chinese when the UI is, and hidden from a trainer", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/settings");
    await page.getByTestId("language-switch").selectOption("zh-CN");
    const panel = page.getByTestId("workspace-profile");
    await panel.getByRole("heading", { name: "工作区" }).waitFor();
    await expect.poll(() => panel.getByLabel("行业").locator("option:checked").textContent()).toBe("医疗器械");
    await app.browser.screenshot("workspace-profile-zh");
    await page.getByTestId("language-switch").selectOption("en");
    await app.signInAs("trainer@example.com", "/settings");
    await page.getByTestId("settings-page").waitFor();
    expect(await page.getByTestId("workspace-profile").count()).toBe(0);
  });
});
