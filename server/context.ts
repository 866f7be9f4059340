import type { Logger } from "pino";
import type { Config } from "../core/config.ts";
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
  /** Live job events, from Redis pub/sub in production. */
  events: { listen(listener: (event: JobEvent) => void): () => void };
  health: () => Promise<{ redis: "up" | "down"; workers: number }>;
}
