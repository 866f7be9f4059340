import type { Logger } from "pino";
import { ConfigError } from "../core/config.ts";

/** Runs `main`; prints configuration and start-up problems as a plain message, not a stack trace. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`\ncalibrate: ${message}\n\n`);
    process.exit(1);
  });
}

/** Stops cleanly on SIGTERM/SIGINT: finish or hand back running jobs, close connections. A second signal forces exit. */
export function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const handle = (signal: string) => {
    if (closing) {
      logger.warn({ signal }, "Forced exit");
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, "Shutting down: finishing running jobs");
    close()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error({ err: error }, "Shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => handle("SIGTERM"));
  process.on("SIGINT", () => handle("SIGINT"));
}
