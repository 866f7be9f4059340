/** `npm run server`: the API and web UI only; run workers separately with `npm run worker`. */
import path from "node:path";
import { loadConfig } from "../core/config.ts";
import { createApp } from "./app.ts";
import { answerMalformedRequests } from "./http/client-errors.ts";
import { closeHttpServer, guardProcess, onShutdown, runMain } from "./lifecycle.ts";
import { createLogger } from "./logger.ts";
import { openRuntime } from "./runtime.ts";

export const webDirectory = path.resolve(import.meta.dirname, "../web/dist");

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config);
  guardProcess(logger);
  const runtime = await openRuntime(config, logger, { serve: true, work: false });
  const server = createApp(runtime.context(), { webDirectory }).listen(config.PORT, config.HOST, () => {
    logger.info({ url: `http://${config.HOST}:${config.PORT}`, database: runtime.db.kind }, "Calibrate API listening");
  });
  answerMalformedRequests(server);
  onShutdown(logger, async () => {
    await closeHttpServer(server);
    await runtime.close();
  });
});
