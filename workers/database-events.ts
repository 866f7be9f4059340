/**
 * Job events without Redis: PostgreSQL's NOTIFY carries them between processes (a worker on one
 * machine, the server on another); on PGlite, which is one process, they stay in memory. Like Redis
 * pub/sub, nothing is kept: the job rows are the record, events only the live view of it.
 */
import { asyncCommit } from "../core/db/async-commit.ts";
import type { Db, Unlisten } from "../core/db/database.ts";
import type { EventPublisher } from "../core/jobs/events.ts";
import { createListeners, parseJobEvent } from "../core/jobs/events.ts";
import type { EventSubscription } from "./redis-events.ts";

export const jobEventsChannel = "calibrate_job_events";

// NOTIFY payloads must stay under 8000 bytes; a long error message is cut, the row keeps it whole.
const maxErrorLength = 2_000;

export interface DatabaseEvents extends EventPublisher, EventSubscription {}

export async function createDatabaseEvents(db: Db, options: { subscribe: boolean }): Promise<DatabaseEvents> {
  const listeners = createListeners();
  if (db.kind === "pglite") {
    return {
      async publish(event) {
        listeners.emit(event);
      },
      listen: listeners.listen,
      async close() {
        listeners.clear();
      },
    };
  }
  // Server processes forward events to browsers; a worker-only process only publishes.
  const unlisten: Unlisten | null = options.subscribe
    ? await db.listen(jobEventsChannel, (message) => {
        // null: reconnected. Missed events are not replayed; pages re-read the rows.
        const event = message === null ? null : parseJobEvent(message);
        if (event) listeners.emit(event);
      })
    : null;
  return {
    async publish(event) {
      const payload = { ...event, error: event.error && event.error.slice(0, maxErrorLength) };
      // Losing a live event is harmless; it must never fail a job.
      // Not worth an fsync (core/db/async-commit.ts).
      await db.query(`SELECT pg_notify($1, $2), ${asyncCommit}`, [jobEventsChannel, JSON.stringify(payload)]).catch(() => {});
    },
    listen: listeners.listen,
    async close() {
      listeners.clear();
      await unlisten?.();
    },
  };
}
