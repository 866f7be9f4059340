/**
 * Which handler runs each queue. Each handler is a thin adapter from a job to a core function; the
 * pipeline's stages enqueue the next stage themselves.
 */
import type { Logger } from "pino";
import type { Config } from "../core/config.ts";
import type { Db } from "../core/db/database.ts";
import type { Dispatcher } from "../core/jobs/dispatch.ts";
import type { HandlerRegistry } from "./transport.ts";

export interface HandlerDependencies {
  db: Db;
  config: Config;
  dispatcher: Dispatcher;
  logger: Logger;
}

export function createHandlers(_dependencies: HandlerDependencies): HandlerRegistry {
  return {};
}
