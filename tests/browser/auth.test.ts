/**
 * Signing in and out, role-based navigation, the language switch, user management and first-run
 * setup, in a real browser against the real server. One server and database for the file: it
 * starts empty for the setup test, then gets the test organisation for the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSetupToken } from "../../server/routes/setup.ts";
import { createOrganisation, testPassword } from "../support/fixtures.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

let app: AppUnderTest;
const setupToken = createSetupToken();

beforeAll(async () => {
  app = await startAppUnderTest({ organisation: false, app: { setupToken } });
});

afterAll(async () => {
  await app?.close();
});

describe("first-run setup", () => {
  it("refuses without the token, then creates the first admin with it and signs them in", async () => {
    const { page, baseUrl } = app;
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByText("Calibrate has no users yet").waitFor();

    await page.goto(`${baseUrl}/setup`);
    await page.getByText("This page needs the setup link").waitFor();

    await page.goto(`${baseUrl}/setup?token=${setupToken.value}`);
    const form = page.getByTestId("setup-form");
    await form.getByLabel("E-mail").fill("owner@example.com");
    await form.getByLabel("Your name").fill("Owner");
    await form.getByLabel("Password").fill("a long enough password");
    await form.getByLabel("Your team").fill("总部");
    await app.browser.screenshot("setup");
    await form.getByRole("button", { name: "Create administrator" }).click();

    await page.getByTestId("recordings-page").waitFor();
    expect(await page.getByTestId("account-role").textContent()).toBe("Administrator");
    expect(await page.getByTestId("account-team").textContent()).toContain("总部");

    // The token is spent: the setup page now says so.
    await page.goto(`${baseUrl}/setup?token=${setupToken.value}`);
    await page.getByText("Calibrate is already set up.").waitFor();
  });
});

describe("signing in, roles and language", () => {
  let userCount: number;

  beforeAll(async () => {
    await createOrganisation(app.database.db);
    const { rows } = await app.database.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM users",
    );
    userCount = rows[0].count;
  });

  it("signs in with e-mail and password, shows who you are, and signs out", async () => {
    const { page, baseUrl } = app;
    await app.signOut();
    await page.goto(`${baseUrl}/recordings`);
    await page.getByTestId("sign-in-form").waitFor();
    await app.browser.screenshot("sign-in");

    await page.getByLabel("E-mail").fill("admin@example.com");
    await page.getByLabel("Password").fill(testPassword);
    await page.getByRole("button", { name: "Sign in" }).click();

    const account = page.getByTestId("account");
    await account.waitFor();
    expect(await page.getByTestId("account-role").textContent()).toBe("Administrator");
    expect(await page.getByTestId("account-team").textContent()).toContain("East region");
    expect(await account.textContent()).toContain("admin");
    // The address asked for before signing in is the one that opens.
    expect(new URL(page.url()).pathname).toBe("/recordings");
    await page.getByTestId("recordings-page").waitFor();

    // Settings and signing out are in the account menu.
    await account.getByRole("button", { name: "Signed in as admin" }).click();
    await page.getByTestId("sign-out").click();
    await page.getByTestId("sign-in-form").waitFor();
    // The session is gone on the server too, not just in the page.
    await page.reload();
    await page.getByTestId("sign-in-form").waitFor();
    expect(await page.getByTestId("account").count()).toBe(0);
  });

  it("shows an error for a wrong password and stays signed out", async () => {
    const { page, baseUrl } = app;
    await app.signOut();
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel("E-mail").fill("admin@example.com");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.getByTestId("sign-in-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("Wrong e-mail or password.");
    expect(await page.getByTestId("account").count()).toBe(0);
    await app.browser.screenshot("sign-in-error");
  });

  it("shows a rep only Recordings, and an admin the admin pages in an Admin menu", async () => {
    const { page, baseUrl } = app;
    const navigation = page.getByTestId("main-navigation").getByRole("link");
    const adminMenu = page.getByTestId("admin-menu");

    await app.signInAs("rep.north@example.com");
    expect(await navigation.allTextContents()).toEqual(["Recordings"]);
    expect(await page.getByTestId("account-role").textContent()).toBe("Sales rep");
    expect(await adminMenu.count()).toBe(0);
    // Typing the address of an admin screen does not open it either.
    await page.goto(`${baseUrl}/users`);
    await page.getByTestId("not-found").waitFor();

    await app.signInAs("trainer@example.com");
    expect(await navigation.allTextContents()).toEqual(["Recordings", "Review", "Dashboard", "Prompt sets", "Agents", "Evals", "Traces", "Taxonomy"]);
    expect(await adminMenu.count()).toBe(0);

    await app.signInAs("admin@example.com");
    // The menu's links are hidden while it is closed, so the top line lists only the others.
    expect(await navigation.allTextContents()).toEqual([
      "Recordings",
      "Review",
      "Dashboard",
      "Prompt sets",
      "Agents",
      "Evals",
      "Traces",
      "Taxonomy",
      "Capability map",
    ]);
    const adminButton = adminMenu.getByRole("button", { name: "Admin" });
    expect(await adminButton.getAttribute("aria-expanded")).toBe("false");
    expect(await adminButton.getAttribute("data-active")).toBeNull();

    // By keyboard: ArrowDown opens it on its first entry, Escape closes it and returns the focus.
    await adminButton.focus();
    await page.keyboard.press("ArrowDown");
    const menuLinks = adminMenu.getByRole("link");
    await expect.poll(() => menuLinks.allTextContents()).toEqual(["Users", "Integrations", "Model connectors", "Workspace"]);
    expect(await adminButton.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Users");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Integrations");
    await app.browser.screenshot("admin-menu");
    await page.keyboard.press("Escape");
    await expect.poll(() => menuLinks.count()).toBe(0);
    expect(await adminButton.getAttribute("aria-expanded")).toBe("false");
    expect(await adminButton.evaluate((button) => button === document.activeElement)).toBe(true);

    // Enter opens it too; choosing a page closes it and marks the menu as where you are.
    await page.keyboard.press("Enter");
    await adminMenu.getByRole("link", { name: "Users" }).click();
    await page.getByTestId("users-table").waitFor();
    expect(await adminButton.getAttribute("aria-expanded")).toBe("false");
    expect(await adminButton.getAttribute("data-active")).toBe("true");
    expect(await page.getByTestId("user-row").count()).toBe(userCount);
    await app.browser.screenshot("users");

    // A click elsewhere closes it as well.
    await adminButton.click();
    await adminMenu.getByRole("link", { name: "Workspace" }).waitFor();
    await page.getByTestId("users-table").click();
    await expect.poll(() => menuLinks.count()).toBe(0);
  });

  it("keeps every role's navigation on one line at 1280 px, in English and in Chinese", async () => {
    const { page } = app;
    expect(page.viewportSize()?.width).toBe(1280);
    const navigation = page.getByTestId("main-navigation");
    // One line: the navigation is no taller than its first link (it wraps onto more lines otherwise).
    const lines = async () => {
      const [box, link] = await Promise.all([
        navigation.boundingBox(),
        navigation.getByRole("link").first().boundingBox(),
      ]);
      return Math.round(box!.height / link!.height);
    };
    for (const email of ["admin@example.com", "trainer@example.com", "manager@example.com", "rep.north@example.com"]) {
      await app.signInAs(email);
      await navigation.getByRole("link", { name: "Recordings" }).waitFor();
      expect(await lines(), `${email}, English`).toBe(1);

      await page.getByTestId("language-switch").selectOption("zh-CN");
      await navigation.getByRole("link", { name: "录音" }).waitFor();
      expect(await lines(), `${email}, Chinese`).toBe(1);
      if (email === "admin@example.com") await app.browser.screenshot("navigation-admin-zh-CN");
      await page.getByTestId("language-switch").selectOption("en");
      await navigation.getByRole("link", { name: "Recordings" }).waitFor();
    }
  });

  it("lets an admin add a user with a role and team, and disable them", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/users");
    await page.getByText("Add a user").click();
    const form = page.getByTestId("create-user");
    await form.getByLabel("E-mail").fill("new.rep@example.com");
    await form.getByLabel("Name").fill("新同事");
    await form.getByLabel("Role").selectOption("rep");
    await form.getByLabel("Team").selectOption({ label: "South squad" });
    await form.getByLabel("Initial password").fill("a long enough password");
    await form.getByRole("button", { name: "Add user" }).click();
    const row = page.locator('[data-testid="user-row"][data-email="new.rep@example.com"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("新同事");
    expect(await row.textContent()).toContain("South squad");
    expect(await row.textContent()).toContain("Sales rep");

    await row.getByTestId("disable-user").click();
    const dialog = page.getByTestId("confirm-dialog");
    expect(await dialog.textContent()).toContain("新同事");
    await dialog.getByRole("button", { name: "Disable" }).click();
    await row.getByText("Disabled").waitFor();

    // The server agrees: the disabled user cannot sign in.
    const attempt = await fetch(`${app.baseUrl}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "new.rep@example.com", password: "a long enough password" }),
    });
    expect(attempt.status).toBe(401);
  });

  it("switches the language, and keeps it across a reload because the profile stores it", async () => {
    const { page } = app;
    await app.signInAs("manager@example.com");
    const navigation = page.getByTestId("main-navigation").getByRole("link");
    expect(await navigation.allTextContents()).toEqual(["Recordings", "Dashboard", "Agents", "Evals", "Traces", "Taxonomy", "Capability map", "Integrations"]);

    await page.getByTestId("language-switch").selectOption("zh-CN");
    await page.getByTestId("main-navigation").getByRole("link", { name: "录音" }).waitFor();
    expect(await navigation.allTextContents()).toEqual(["录音", "看板", "智能体", "评测", "调用追踪", "意图体系", "能力地图", "集成"]);
    expect(await page.getByTestId("account-role").textContent()).toBe("经理");
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
    await app.browser.screenshot("recordings-zh-CN");

    // Forget the browser's copy: after a reload the language can only come from the server.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByTestId("main-navigation").getByRole("link", { name: "录音" }).waitFor();
    expect(await page.getByTestId("sign-out").textContent()).toBe("退出登录");

    await page.getByTestId("language-switch").selectOption("en");
    await page.getByTestId("main-navigation").getByRole("link", { name: "Recordings" }).waitFor();
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByTestId("main-navigation").getByRole("link", { name: "Recordings" }).waitFor();
  });
});
