/**
 * Emitting an event: one `webhook_events` row, one delivery per enabled subscription to its type,
 * and one `webhook-delivery` job per delivery — written in the caller's transaction, so the change
 * and its event commit together (an outbox). Jobs inserted this way are handed to the transport
 * after the commit (`handOverAll`); if that hand-over is lost, the reconciler delivers them later.
 * Workspaces without subscriptions pay one indexed query and store nothing.
 */
import type { Queryable } from "../db/database.ts";
import type { Dispatcher } from "../jobs/dispatch.ts";
import type { Job } from "../jobs/job-store.ts";
import { insertJob } from "../jobs/job-store.ts";
import type { WebhookEventType } from "./types.ts";

export interface NewWebhookEvent {
  workspaceId: string;
  type: WebhookEventType | "webhook.test";
  /** The call the event is about: erasing it erases the event. */
  recordingId: string | null;
  data: Record<string, unknown>;
  /** The same key twice is one event (a retried job emitting again). */
  dedupeKey?: string;
  /** Deliver only to this subscription (a test send), whatever its events. */
  subscriptionId?: string;
}

export async function recordWebhookEvent(db: Queryable, event: NewWebhookEvent): Promise<Job[]> {
  const subscriptions = await db.query<{ id: string }>(
    event.subscriptionId
      ? "SELECT id FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2"
      : "SELECT id FROM webhook_subscriptions WHERE workspace_id = $1 AND enabled AND $2 = ANY(events)",
    [event.workspaceId, event.subscriptionId ?? event.type],
  );
  if (subscriptions.rows.length === 0) return [];
  const id = crypto.randomUUID();
  const envelope = { id, type: event.type, createdAt: new Date().toISOString(), workspaceId: event.workspaceId, data: event.data };
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO webhook_events (id, workspace_id, type, recording_id, payload, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (workspace_id, dedupe_key) DO NOTHING RETURNING id`,
    [id, event.workspaceId, event.type, event.recordingId, JSON.stringify(envelope), event.dedupeKey ?? null],
  );
  if (!inserted.rows[0]) return [];
  const jobs: Job[] = [];
  for (const subscription of subscriptions.rows) {
    jobs.push(await insertDelivery(db, { workspaceId: event.workspaceId, subscriptionId: subscription.id, eventId: id, resendOf: null }));
  }
  return jobs;
}

export async function insertDelivery(
  db: Queryable,
  delivery: { workspaceId: string; subscriptionId: string; eventId: string; resendOf: string | null },
): Promise<Job> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO webhook_deliveries (subscription_id, event_id, resend_of) VALUES ($1, $2, $3) RETURNING id",
    [delivery.subscriptionId, delivery.eventId, delivery.resendOf],
  );
  const { job } = await insertJob(db, {
    queue: "webhook-delivery",
    payload: { deliveryId: rows[0].id },
    workspaceId: delivery.workspaceId,
    subject: { type: "webhook_delivery", id: rows[0].id },
  });
  return job;
}

export async function handOverAll(dispatcher: Dispatcher | undefined, jobs: Job[]): Promise<void> {
  if (!dispatcher) return;
  for (const job of jobs) await dispatcher.handOver(job);
}
