/**
 * `npm start`: Calibrate in one process — API, web UI and workers — on port 3000. Uses the embedded
 * PGlite database under DATA_DIR unless DATABASE_URL is set, and the embedded job transport unless
 * REDIS_URL is set.
 */
import fs from "node:fs";
import path from "node:path";
import { countUsers } from "../core/auth/users.ts";
import { loadConfig } from "../core/config.ts";
import { createApp } from "./app.ts";
import { closeHttpServer, guardProcess, onShutdown, runMain } from "./lifecycle.ts";
import { createLogger } from "./logger.ts";
import { openRuntime } from "./runtime.ts";
import { createSetupToken } from "./routes/setup.ts";

const root = path.resolve(import.meta.dirname, "..");
const webDirectory = path.join(root, "web/dist");

async function ensureWebBuilt(log: (message: string) => void): Promise<void> {
  if (fs.existsSync(path.join(webDirectory, "index.html"))) return;
  log("Building the web UI (first start only)…");
  const { build } = await import("vite");
  await build({ configFile: path.join(root, "web/vite.config.ts"), logLevel: "warn" });
}

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config);
  guardProcess(logger);
  await ensureWebBuilt((message) => logger.info(message));
  const runtime = await openRuntime(config, logger, { serve: true, work: true });
  const setupToken = (await countUsers(runtime.db)) === 0 ? createSetupToken() : null;
  const app = createApp(runtime.context(), { webDirectory, setupToken });
  const server = app.listen(config.PORT, config.HOST, () => {
    const url = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${config.PORT}`;
    logger.info({ url, database: runtime.db.kind === "pglite" ? `PGlite in ${config.DATA_DIR}` : "PostgreSQL" }, "Calibrate is running");
    if (setupToken) {
      process.stdout.write(
        `\nNo users yet. Create the first admin either way:\n` +
          `  • in the browser: ${url}/setup?token=${setupToken.value}\n` +
          `  • or stop Calibrate and run: npm run user:add -- --role admin --email you@example.com --team "Head office"\n\n`,
      );
    }
  });
  onShutdown(logger, async () => {
    await closeHttpServer(server);
    await runtime.close();
  });
});
