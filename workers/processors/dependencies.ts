/** What every job processor may use; built once per process by `createHandlers` (../handlers.ts). */
import type { Logger } from "pino";
import type { AgentServices } from "../../core/agents/pipeline.ts";
import type { Config } from "../../core/config.ts";
import type { Db } from "../../core/db/database.ts";
import type { Dispatcher } from "../../core/jobs/dispatch.ts";
import type { BlobStore } from "../../core/upload/blob-store.ts";

export interface HandlerDependencies {
  db: Db;
  config: Config;
  dispatcher: Dispatcher;
  logger: Logger;
  blobs: BlobStore;
  /** The agents, the connector directory, the limiter and the tracer (see server/runtime.ts). */
  agents: AgentServices;
}
