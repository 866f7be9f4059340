/**
 * Job events over Redis pub/sub: workers on any machine publish, every server process subscribes and
 * forwards to the browsers that may see them (see server/routes/events.ts). Pub/sub keeps nothing;
 * the job rows in Postgres are the record, events are only the live view of it.
 */
import { Redis } from "ioredis";
import type { EventPublisher, JobEvent } from "../core/jobs/events.ts";
import { createListeners, parseJobEvent } from "../core/jobs/events.ts";

export function eventChannel(prefix: string): string {
  return `${prefix}:job-events`;
}

export function createRedisPublisher(redisUrl: string, prefix: string): EventPublisher & { close(): Promise<void> } {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  client.on("error", () => {});
  const channel = eventChannel(prefix);
  return {
    async publish(event) {
      // Losing a live event is harmless (the row holds the truth); it must never fail a job.
      await client.publish(channel, JSON.stringify(event)).catch(() => {});
    },
    async close() {
      client.disconnect();
    },
  };
}

export interface EventSubscription {
  listen(listener: (event: JobEvent) => void): () => void;
  close(): Promise<void>;
}

export async function subscribeToEvents(redisUrl: string, prefix: string): Promise<EventSubscription> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: null });
  client.on("error", () => {});
  const listeners = createListeners();
  const channel = eventChannel(prefix);
  await client.subscribe(channel);
  client.on("message", (received, message) => {
    const event = received === channel ? parseJobEvent(message) : null;
    if (event) listeners.emit(event);
  });
  return {
    listen: listeners.listen,
    async close() {
      listeners.clear();
      client.disconnect();
    },
  };
}
