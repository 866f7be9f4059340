/**
 * Starts the real Express app on a random local port over a given database, with the job transport
 * `npm start` uses by default: the embedded one on the job rows. Pass `environment: { REDIS_URL:
 * redisUrl }` for BullMQ + Redis; each call then uses its own queue prefix, so test files never see
 * each other's jobs.
 */
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { pino } from "pino";
import type { Logger } from "pino";
import type { Config } from "../../core/config.ts";
import { loadConfig } from "../../core/config.ts";
import type { Db } from "../../core/db/database.ts";
import { createApp } from "../../server/app.ts";
import { answerMalformedRequests } from "../../server/http/client-errors.ts";
import type { AppOptions } from "../../server/app.ts";
import { openRuntime } from "../../server/runtime.ts";
import type { Runtime } from "../../server/runtime.ts";
import type { AgentServices } from "../../core/agents/pipeline.ts";

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestServer {
  baseUrl: string;
  runtime: Runtime;
  config: Config;
  close(): Promise<void>;
}

export async function startTestServer(
  db: Db,
  options: { work?: boolean; environment?: Record<string, string>; app?: AppOptions; logger?: Logger; agents?: Partial<AgentServices> } = {},
): Promise<TestServer> {
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    QUEUE_PREFIX: `test-${randomBytes(5).toString("hex")}`,
    RECONCILE_INTERVAL_MS: "3600000",
    RECONCILE_GRACE_MS: "0",
    JOB_POLL_INTERVAL_MS: "250",
    DATA_DIR: `/tmp/calibrate-test-${randomBytes(5).toString("hex")}`,
    // Encrypts webhook secrets; set so that no key file is written under DATA_DIR.
    SECRETS_KEY: randomBytes(32).toString("base64"),
    ...options.environment,
  });
  const logger = options.logger ?? pino({ level: "silent" });
  const runtime = await openRuntime(config, logger, { serve: true, work: options.work ?? false, db, agents: options.agents });
  const server: Server = createApp(runtime.context(), options.app).listen(0, "127.0.0.1");
  answerMalformedRequests(server);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    runtime,
    config,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}
