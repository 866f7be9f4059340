/**
 * `npm start`: Calibrate in one process — API, web UI and workers — on port 3000. Uses the embedded
 * PGlite database under DATA_DIR unless DATABASE_URL is set, and the embedded job transport unless
 * REDIS_URL is set.
 * `npm start -- --demo` (`npm run demo`) also loads the demo workspace (core/demo/), by default into
 * its own data directory, ./data/demo, and prints the demo users and their password.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { countUsers } from "../core/auth/users.ts";
import { loadConfig } from "../core/config.ts";
import { loadDemo } from "../core/demo/demo-workspace.ts";
import type { DemoReport } from "../core/demo/demo-workspace.ts";
import { createConfiguredEmbedder } from "../core/draft/configured-embedder.ts";
import { openDatabase } from "../core/db/database.ts";
import { removeServerInfo, writeServerInfo } from "../core/db/process-files.ts";
import { migrate } from "../core/db/migrate.ts";
import { createFileSystemBlobStore } from "../core/upload/blob-store.ts";
import { createApp } from "./app.ts";
import { answerMalformedRequests } from "./http/client-errors.ts";
import { closeHttpServer, guardProcess, onShutdown, runMain } from "./lifecycle.ts";
import { createLogger } from "./logger.ts";
import { openRuntime } from "./runtime.ts";
import { createSetupToken } from "./routes/setup.ts";
import { describeSpeech, speechSummary } from "../core/transcribe/configured-transcriber.ts";
import { describeMediaToolsOnce, mediaToolsEnvironment } from "../core/transcribe/resolve-media-tools.ts";

const root = path.resolve(import.meta.dirname, "..");
const webDirectory = path.join(root, "web/dist");

async function ensureWebBuilt(log: (message: string) => void): Promise<void> {
  if (fs.existsSync(path.join(webDirectory, "index.html"))) return;
  log("Building the web UI (first start only)…");
  const { build } = await import("vite");
  await build({ configFile: path.join(root, "web/vite.config.ts"), logLevel: "warn" });
}

/** One line on what an audio upload will use (model present / downloaded on first use / endpoint). */
async function logTranscriptionSetup(config: ReturnType<typeof loadConfig>, logger: ReturnType<typeof createLogger>): Promise<void> {
  const speech = describeSpeech(config);
  const { ffmpeg, ffprobe } = await describeMediaToolsOnce(mediaToolsEnvironment(config));
  logger.info(
    { ffmpeg: `${ffmpeg.source} ${ffmpeg.version ?? "unavailable"}`, ffprobe: `${ffprobe.source} ${ffprobe.version ?? "unavailable"}`, engine: speech.engine?.selected ?? null },
    speechSummary(speech),
  );
}

function demoBanner(report: DemoReport, url: string): string {
  const width = Math.max(...report.users.map((user) => user.role.length));
  return (
    `\nDemo workspace ${report.loaded ? "loaded" : "already here"}: ${report.recordings.length} calls drafted, one reviewed. ` +
    `Sign in at ${url} with password ${report.password} as:\n` +
    report.users.map((user) => `  ${user.role.padEnd(width)}  ${user.email}`).join("\n") +
    `\n(the password is new on every --demo start)\n\n`
  );
}

runMain(async () => {
  // Milliseconds since the process started (performance.now()'s origin), logged once listening.
  const startup: Record<string, number> = { modulesLoadedMs: Math.round(performance.now()) };
  const { values: flags } = parseArgs({ options: { demo: { type: "boolean", default: false } } });
  const environment = { ...process.env };
  // The demo keeps out of ./data, where a real workspace may live.
  if (flags.demo && !environment.DATA_DIR && !environment.DATABASE_URL) environment.DATA_DIR = "./data/demo";
  const config = loadConfig(environment);
  const logger = createLogger(config);
  guardProcess(logger);
  await ensureWebBuilt((message) => logger.info(message));
  startup.webReadyMs = Math.round(performance.now());
  // Opened here rather than by the runtime only to time it apart (a fresh PGlite runs initdb).
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDirectory: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE });
  startup.databaseOpenMs = Math.round(performance.now());
  let demo: DemoReport | null = null;
  const runtime = await (async () => {
    // The demo is loaded before the workers start, so that none of them picks up its draft jobs: the
    // loader runs them itself, here and now.
    if (flags.demo) {
      const started = performance.now();
      await migrate(db);
      demo = await loadDemo({ db, blobs: createFileSystemBlobStore(config.STORAGE_DIR), embedder: createConfiguredEmbedder(config), doubleLabelShare: config.DOUBLE_LABEL_SHARE });
      logger.info({ loaded: demo.loaded, recordings: demo.recordings.length, decisions: demo.decisions, ms: Math.round(performance.now() - started) }, "Demo workspace ready");
    }
    return openRuntime(config, logger, { serve: true, work: true, db });
  })().catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  startup.runtimeReadyMs = Math.round(performance.now());
  const setupToken = (await countUsers(runtime.db)) === 0 ? createSetupToken() : null;
  const app = createApp(runtime.context(), { webDirectory, setupToken });
  const server = app.listen(config.PORT, config.HOST, () => {
    const url = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${config.PORT}`;
    startup.listeningMs = Math.round(performance.now());
    logger.info({ url, database: runtime.db.kind === "pglite" ? `PGlite in ${config.DATA_DIR}` : "PostgreSQL", startup }, "Calibrate is running");
    // The embedded database is this process's alone: tell the eval CLI where to ask instead.
    if (runtime.db.kind === "pglite") writeServerInfo(config.DATA_DIR, url);
    void logTranscriptionSetup(config, logger);
    if (demo) process.stdout.write(demoBanner(demo, url));
    if (setupToken) {
      process.stdout.write(
        `\nNo users yet. Create the first admin either way:\n` +
          `  • in the browser: ${url}/setup?token=${setupToken.value}\n` +
          `  • or stop Calibrate and run: npm run user:add -- --role admin --email you@example.com --team "Head office"\n\n`,
      );
    }
  });
  answerMalformedRequests(server);
  process.once("exit", () => removeServerInfo(config.DATA_DIR));
  onShutdown(logger, async () => {
    removeServerInfo(config.DATA_DIR);
    await closeHttpServer(server);
    await runtime.close();
    await db.close();
  });
});
