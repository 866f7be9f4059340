import type { Server } from "node:http";
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

/**
 * The last line of defence. Every connection's "error" is handled where it is made; should one slip
 * through, a rejected promise nobody awaited is logged and the process goes on (the request or job
 * it belonged to has already failed), while an uncaught exception leaves the process in an unknown
 * state: it is logged and the process exits non-zero, for its supervisor (systemd, compose
 * `restart: unless-stopped`) to start it again.
 */
export function guardProcess(logger: Logger): void {
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: reason }, "A promise was rejected and nobody handled it; carrying on");
  });
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "Uncaught exception; exiting so the supervisor restarts the process");
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
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

/**
 * Stops an HTTP server within a bound: no new connections, idle keep-alive connections closed at
 * once, and whatever is still open after `graceMs` cut. Without the cut, `server.close()` waits for
 * every open SSE stream (`/api/events` never ends by itself) and a SIGTERM never finishes; browsers'
 * EventSource reconnects by itself, and an upload cut mid-stream keeps nothing.
 */
export function closeHttpServer(server: Server, graceMs = 5_000): Promise<void> {
  return new Promise<void>((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
