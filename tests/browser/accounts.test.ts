/**
 * Account basics in a real browser: an admin adds a nested team and renames it, edits a person's
 * name, role and team, resets a password (the temporary one works, the old one not), disables a
 * user (their open session ends); a user changes their own password in Settings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPassword } from "../support/fixtures.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";
import { launchBrowser } from "./support/browser.ts";

let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest({ environment: { LOGIN_RATE_LIMIT_PER_15_MINUTES: "1000" } });
});

afterAll(async () => {
  await app?.close();
});

async function signInStatus(email: string, password: string): Promise<number> {
  const response = await fetch(`${app.baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return response.status;
}

describe("users and teams admin", () => {
  it("adds a team inside another and renames it", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/users");
    const panel = page.getByTestId("teams-panel");
    await panel.locator("summary").click();
    await panel.getByLabel("Team name").fill("West squad");
    await panel.getByLabel("Inside").selectOption({ label: "East region" });
    await panel.getByRole("button", { name: "Add team" }).click();
    await panel.getByText("Team “West squad” added.").waitFor();
    // Nested: indented one level below its parent in the tree.
    const row = panel.locator('[data-testid="team-row"][data-name="West squad"]');
    const indent = await row.evaluate((element) => getComputedStyle(element).paddingInlineStart);
    expect(indent).not.toBe("0px");

    await row.getByRole("button", { name: "Rename" }).click();
    await row.getByRole("textbox").fill("West coast squad");
    await row.getByRole("button", { name: "Save" }).click();
    await panel.locator('[data-testid="team-row"][data-name="West coast squad"]').waitFor();
    await app.browser.screenshot("users-teams");
  });

  it("edits a person's name, role and team", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/users");
    const row = page.locator('[data-testid="user-row"][data-email="rep2.north@example.com"]');
    await row.getByTestId("edit-user").click();
    const dialog = page.getByTestId("edit-user-dialog");
    await dialog.getByLabel("Name").fill("Renamed Rep");
    await dialog.getByLabel("Role").selectOption({ label: "Trainer" });
    await dialog.getByLabel("Team").selectOption({ label: "\u00a0\u00a0South squad" });
    await app.browser.screenshot("users-edit");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "detached" });
    await row.getByText("Renamed Rep").waitFor();
    expect(await row.locator("td").nth(2).textContent()).toBe("Trainer");
    expect(await row.locator("td").nth(3).textContent()).toBe("South squad");
  });

  it("resets a password: the temporary one is shown once and works, the old one stops", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/users");
    const row = page.locator('[data-testid="user-row"][data-email="trainer.south@example.com"]');
    await row.getByTestId("reset-password").click();
    await page.getByTestId("confirm-dialog").getByRole("button", { name: "Reset password" }).click();
    const shown = page.getByTestId("temporary-password");
    await shown.waitFor();
    const temporary = (await shown.textContent())!.trim();
    await app.browser.screenshot("users-reset-password");
    expect(await signInStatus("trainer.south@example.com", testPassword)).toBe(401);
    expect(await signInStatus("trainer.south@example.com", temporary)).toBe(200);
    await page.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
  });

  it("disables a user: their open session in another browser ends, and sign-in is refused", async () => {
    const other = await launchBrowser();
    try {
      const signIn = await other.context.request.post(`${app.baseUrl}/api/auth/sign-in`, {
        data: { email: "rep.south@example.com", password: testPassword },
      });
      expect(signIn.ok()).toBe(true);
      expect((await other.context.request.get(`${app.baseUrl}/api/auth/me`)).status()).toBe(200);

      const { page } = app;
      await app.signInAs("admin@example.com", "/users");
      const row = page.locator('[data-testid="user-row"][data-email="rep.south@example.com"]');
      await row.getByTestId("disable-user").click();
      await page.getByTestId("confirm-dialog").getByRole("button", { name: "Disable" }).click();
      await row.getByText("Disabled").waitFor();
      expect((await other.context.request.get(`${app.baseUrl}/api/auth/me`)).status()).toBe(401);
      expect(await signInStatus("rep.south@example.com", testPassword)).toBe(401);
      await app.browser.screenshot("users-admin");
    } finally {
      await other.close();
    }
  });
});

describe("my password", () => {
  it("refuses a wrong current password, then changes it", async () => {
    const { page } = app;
    await app.signInAs("manager@example.com", "/settings");
    const form = page.getByTestId("password-settings");
    await form.getByLabel("Current password").fill("not my password");
    await form.locator('input[name="newPassword"]').fill("a fresh long password");
    await form.getByLabel("New password again").fill("a fresh long password");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("The current password is wrong.").waitFor();

    await form.getByLabel("Current password").fill(testPassword);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Password changed.", { exact: false }).waitFor();
    await app.browser.screenshot("settings-password");
    // Still signed in here; the new password works, the old one does not.
    expect((await page.request.get(`${app.baseUrl}/api/auth/me`)).status()).toBe(200);
    expect(await signInStatus("manager@example.com", "a fresh long password")).toBe(200);
    expect(await signInStatus("manager@example.com", testPassword)).toBe(401);
  });
});
