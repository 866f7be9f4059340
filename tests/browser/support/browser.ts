/**
 * Playwright (playwright-core) driving the system's Chromium, headless. One browser per test file,
 * in a fresh profile directory that is removed again on close.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";
import { repositoryRoot } from "./web-build.ts";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const screenshotDirectory = path.join(repositoryRoot, "test-results", "screenshots");

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page PNG to test-results/screenshots/<name>.png (a test artefact, gitignored). */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(options: { locale?: string } = {}): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-browser-"));
  // Playwright manages --user-data-dir itself (the profile argument), so it must not be in args.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    viewport: { width: 1280, height: 800 },
    locale: options.locale ?? "en-US",
  });
  // Fail inside vitest's own timeout with Playwright's clearer message.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async screenshot(name) {
      fs.mkdirSync(screenshotDirectory, { recursive: true });
      const file = path.join(screenshotDirectory, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
