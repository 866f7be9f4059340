/**
 * `npm run worker`: a stateless worker process. Run as many as you like, on as many machines, all
 * pointing at the same PostgreSQL (DATABASE_URL) — and Redis (REDIS_URL) to go through BullMQ.
 */
import { loadConfig } from "../core/config.ts";
import { guardProcess, onShutdown, runMain } from "../server/lifecycle.ts";
import { createLogger } from "../server/logger.ts";
import { openRuntime } from "../server/runtime.ts";

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config, "calibrate-worker");
  guardProcess(logger);
  if (!config.DATABASE_URL) {
    logger.warn("DATABASE_URL is not set: this worker opens the embedded database, which only one process can use. Use `npm start` for a single-process install, or set DATABASE_URL to scale out.");
  }
  const runtime = await openRuntime(config, logger, { serve: false, work: true });
  logger.info({ concurrency: config.WORKER_CONCURRENCY, database: runtime.db.kind }, "Worker started");
  onShutdown(logger, () => runtime.close());
});
