import type { Logger } from "pino";
import type { SecretBox } from "../core/auth/secret-box.ts";
import type { AgentServices } from "../core/agents/pipeline.ts";
import type { Config } from "../core/config.ts";
import type { ConnectorDirectory, ConnectorLimiter } from "../core/connectors/connector.ts";
import type { Db } from "../core/db/database.ts";
import type { Dispatcher } from "../core/jobs/dispatch.ts";
import type { JobEvent } from "../core/jobs/events.ts";
import type { BlobStore } from "../core/upload/blob-store.ts";

/** Everything a route needs, built once at start-up (see runtime.ts) or by a test. */
export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  dispatcher: Dispatcher;
  /** Uploaded files, content-addressed. */
  blobs: BlobStore;
  /** The agents and what they run with (connector directory, limiter, tracer). */
  agents: AgentServices;
  /** Live job events: Redis pub/sub with BullMQ, NOTIFY (PostgreSQL) or memory (PGlite) without. */
  events: { listen(listener: (event: JobEvent) => void): () => void };
  health: () => Promise<QueueHealth>;
  /** Model connectors: the installation's secret box, the directory calls go through, the shared limiter. */
  connectors: { secrets: SecretBox; directory: ConnectorDirectory; limiter: ConnectorLimiter };
}

export interface QueueHealth {
  transport: "embedded" | "bullmq";
  redis: "up" | "down" | "not used";
  /** Worker processes connected (BullMQ) or heart-beating (embedded). */
  workers: number;
}
