/**
 * Job events without Redis: PostgreSQL's NOTIFY carries them between processes (a worker on one
 * machine, the server on another); on PGlite, which is one process, they stay in memory. Like Redis
 * pub/sub, nothing is kept: the job rows are the record, events only the live view of it.
 */
import type { Db, Unlisten } from "../core/db/database.ts";
import type { EventPublisher, JobEvent } from "../core/jobs/events.ts";
import { createMemoryPublisher } from "../core/jobs/events.ts";
import type { EventSubscription } from "./redis-events.ts";

export const jobEventsChannel = "calibrate_job_events";

// NOTIFY payloads must stay under 8000 bytes; a long error message is cut, the row keeps it whole.
const maxErrorLength = 2_000;

export interface DatabaseEvents extends EventPublisher, EventSubscription {}

export async function createDatabaseEvents(db: Db, options: { subscribe: boolean }): Promise<DatabaseEvents> {
  if (db.kind === "pglite") {
    const memory = createMemoryPublisher();
    return {
      // Keep no history: the memory publisher's list is for tests only.
      async publish(event) {
        await memory.publish(event);
        memory.events.length = 0;
      },
      listen: memory.listen,
      async close() {},
    };
  }
  const listeners = new Set<(event: JobEvent) => void>();
  // Server processes forward events to browsers; a worker-only process only publishes.
  const unlisten: Unlisten | null = options.subscribe
    ? await db.listen(jobEventsChannel, (message) => {
        if (message === null) return; // Reconnected: missed events are not replayed; pages re-read rows.
        let event: JobEvent;
        try {
          event = JSON.parse(message) as JobEvent;
        } catch {
          return;
        }
        for (const listener of listeners) listener(event);
      })
    : null;
  return {
    async publish(event) {
      const payload = { ...event, error: event.error && event.error.slice(0, maxErrorLength) };
      // Losing a live event is harmless; it must never fail a job.
      await db.query("SELECT pg_notify($1, $2)", [jobEventsChannel, JSON.stringify(payload)]).catch(() => {});
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await unlisten?.();
    },
  };
}
