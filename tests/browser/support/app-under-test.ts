/**
 * The whole app for a browser test file: a fresh database with the test organisation, the real
 * server (in this process) serving the built UI, and one browser. Tests share all of it and sign
 * in as whom they need; `close()` releases everything.
 */
import fs from "node:fs";
import type { Page } from "playwright-core";
import type { AgentServices } from "../../../core/agents/pipeline.ts";
import type { AppOptions } from "../../../server/app.ts";
import { createTestDatabase } from "../../support/databases.ts";
import type { TestDatabase } from "../../support/databases.ts";
import { createOrganisation, testPassword } from "../../support/fixtures.ts";
import type { Organisation } from "../../support/fixtures.ts";
import { startTestServer } from "../../support/test-server.ts";
import type { TestServer } from "../../support/test-server.ts";
import { launchBrowser } from "./browser.ts";
import type { Browser } from "./browser.ts";
import { ensureWebBuild } from "./web-build.ts";

export interface AppUnderTest {
  baseUrl: string;
  database: TestDatabase;
  server: TestServer;
  browser: Browser;
  page: Page;
  /** Null when started with `organisation: false` (an empty database, for first-run setup). */
  organisation: Organisation | null;
  /** Signs in through the API (sharing the browser's cookies) and opens `path`. */
  signInAs(email: string, path?: string): Promise<void>;
  /** Forgets the session and anything the app stored in the browser. */
  signOut(): Promise<void>;
  close(): Promise<void>;
}

export interface AppUnderTestOptions {
  /** Run the job workers too (needed for uploads to be processed). */
  work?: boolean;
  environment?: Record<string, string>;
  organisation?: boolean;
  app?: Omit<AppOptions, "webDirectory">;
  /** Swaps the agent pipeline's connector directory, limiter or tracer. */
  agents?: Partial<AgentServices>;
}

export async function startAppUnderTest(options: AppUnderTestOptions = {}): Promise<AppUnderTest> {
  const webDirectory = await ensureWebBuild();
  // A real PostgreSQL when one is configured (CI sets TEST_DATABASE_URL): it starts in milliseconds,
  // where embedded PGlite takes seconds on a busy machine.
  const database = await createTestDatabase(process.env.TEST_DATABASE_URL ? "postgres" : "pglite");
  const organisation =
    options.organisation === false ? null : await createOrganisation(database.db);
  const server = await startTestServer(database.db, {
    work: options.work ?? false,
    environment: options.environment,
    app: { ...options.app, webDirectory },
    agents: options.agents,
  });
  const browser = await launchBrowser();
  const { page, context } = browser;
  const baseUrl = server.baseUrl;

  return {
    baseUrl,
    database,
    server,
    browser,
    page,
    organisation,
    async signInAs(email, path = "/recordings") {
      await context.clearCookies();
      const response = await context.request.post(`${baseUrl}/api/auth/sign-in`, {
        data: { email, password: testPassword },
      });
      if (!response.ok())
        throw new Error(
          `sign-in as ${email} failed: ${response.status()} ${await response.text()}`,
        );
      await page.goto(`${baseUrl}${path}`);
      await page.getByTestId("account").waitFor();
    },
    async signOut() {
      await context.clearCookies();
      if (page.url().startsWith(baseUrl)) await page.evaluate(() => localStorage.clear());
    },
    async close() {
      await browser.close();
      await server.close();
      await database.drop();
      fs.rmSync(server.config.DATA_DIR, { recursive: true, force: true });
    },
  };
}
