/**
 * Webhook subscriptions of a workspace (admins only): URL, events, payload format and signing
 * secret, stored encrypted. A `json` subscription gets a generated `whsec_…` secret, shown once
 * (at creation and when rotated); bot formats take the bot's own signing secret, if it has one.
 * Also the delivery log, resend and test send.
 */
import { z } from "zod";
import type { Actor } from "../auth/actor.ts";
import { requireRole } from "../auth/actor.ts";
import type { SecretBox } from "../auth/secret-box.ts";
import { newSecret } from "../auth/secrets.ts";
import type { Db, Queryable } from "../db/database.ts";
import { NotFoundError } from "../errors.ts";
import type { Dispatcher } from "../jobs/dispatch.ts";
import { handOverAll, insertDelivery, recordWebhookEvent } from "./outbox.ts";
import { webhookEventTypes, webhookFormats } from "./types.ts";
import type { WebhookEventType, WebhookFormat } from "./types.ts";

const webhookUrl = z
  .url()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "Use an http:// or https:// URL.");

export const createWebhookRequest = z.object({
  name: z.string().trim().min(1).max(200),
  url: webhookUrl,
  events: z.array(z.enum(webhookEventTypes)).min(1, "Choose at least one event."),
  format: z.enum(webhookFormats).default("json"),
  /** For Feishu/DingTalk bots with signing turned on: the bot's secret. Ignored for `json` (generated). */
  secret: z.string().trim().max(500).optional(),
});
export const updateWebhookRequest = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  url: webhookUrl.optional(),
  events: z.array(z.enum(webhookEventTypes)).min(1).optional(),
  enabled: z.boolean().optional(),
  /** A new bot secret (bot formats); `json` secrets are rotated with POST …/rotate-secret. */
  secret: z.string().trim().max(500).optional(),
});

export interface WebhookSubscription {
  id: string;
  name: string;
  url: string;
  events: WebhookEventType[];
  format: WebhookFormat;
  hasSecret: boolean;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  deliveries: { succeeded: number; failed: number; pending: number; lastStatus: number | null; lastAt: Date | null };
}

const selectSubscriptions = `
  SELECT s.id, s.name, s.url, s.events, s.format, s.secret_ciphertext IS NOT NULL AS "hasSecret", s.enabled,
         s.created_at AS "createdAt", s.updated_at AS "updatedAt",
         json_build_object(
           'succeeded', (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'succeeded'),
           'failed', (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'failed'),
           'pending', (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending'),
           'lastStatus', (SELECT d.last_status FROM webhook_deliveries d WHERE d.subscription_id = s.id ORDER BY d.created_at DESC LIMIT 1),
           'lastAt', (SELECT max(d.created_at) FROM webhook_deliveries d WHERE d.subscription_id = s.id)
         ) AS deliveries
  FROM webhook_subscriptions s`;

export async function listWebhooks(db: Queryable, actor: Actor): Promise<WebhookSubscription[]> {
  requireRole(actor, "admin");
  const { rows } = await db.query<WebhookSubscription>(`${selectSubscriptions} WHERE s.workspace_id = $1 ORDER BY s.created_at`, [actor.workspaceId]);
  return rows;
}

export async function getWebhook(db: Queryable, actor: Actor, id: string): Promise<WebhookSubscription> {
  requireRole(actor, "admin");
  const { rows } = await db.query<WebhookSubscription>(`${selectSubscriptions} WHERE s.id = $1 AND s.workspace_id = $2`, [id, actor.workspaceId]);
  if (!rows[0]) throw new NotFoundError("Webhook not found.");
  return rows[0];
}

export function newSigningSecret(): string {
  return `whsec_${newSecret()}`;
}

export async function createWebhook(
  deps: { db: Queryable; secrets: SecretBox },
  actor: Actor,
  input: z.infer<typeof createWebhookRequest>,
): Promise<{ webhook: WebhookSubscription; secret: string | null }> {
  requireRole(actor, "admin");
  const secret = input.format === "json" ? newSigningSecret() : input.secret || null;
  const { rows } = await deps.db.query<{ id: string }>(
    `INSERT INTO webhook_subscriptions (workspace_id, name, url, events, format, secret_ciphertext, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [actor.workspaceId, input.name, input.url, [...new Set(input.events)], input.format, secret ? deps.secrets.encrypt(secret) : null, actor.id],
  );
  return { webhook: await getWebhook(deps.db, actor, rows[0].id), secret: input.format === "json" ? secret : null };
}

export async function updateWebhook(
  deps: { db: Queryable; secrets: SecretBox },
  actor: Actor,
  id: string,
  input: z.infer<typeof updateWebhookRequest>,
): Promise<WebhookSubscription> {
  const current = await getWebhook(deps.db, actor, id);
  const secret = input.secret !== undefined && current.format !== "json" ? (input.secret ? deps.secrets.encrypt(input.secret) : null) : undefined;
  await deps.db.query(
    `UPDATE webhook_subscriptions SET name = coalesce($2, name), url = coalesce($3, url), events = coalesce($4, events),
       enabled = coalesce($5, enabled), secret_ciphertext = CASE WHEN $6 THEN $7 ELSE secret_ciphertext END, updated_at = now()
     WHERE id = $1`,
    [id, input.name ?? null, input.url ?? null, input.events ? [...new Set(input.events)] : null, input.enabled ?? null, secret !== undefined, secret ?? null],
  );
  return getWebhook(deps.db, actor, id);
}

/** A new `whsec_…` secret for a `json` webhook; the old one stops working at once. */
export async function rotateWebhookSecret(deps: { db: Queryable; secrets: SecretBox }, actor: Actor, id: string): Promise<string> {
  const current = await getWebhook(deps.db, actor, id);
  const secret = current.format === "json" ? newSigningSecret() : null;
  if (!secret) throw new NotFoundError("Only JSON webhooks have a generated secret; set a bot's secret by editing it.");
  await deps.db.query("UPDATE webhook_subscriptions SET secret_ciphertext = $2, updated_at = now() WHERE id = $1", [id, deps.secrets.encrypt(secret)]);
  return secret;
}

export async function deleteWebhook(db: Queryable, actor: Actor, id: string): Promise<void> {
  await getWebhook(db, actor, id);
  // Unfinished delivery jobs find their delivery gone and do nothing.
  await db.query("DELETE FROM webhook_subscriptions WHERE id = $1", [id]);
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  state: "pending" | "succeeded" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  resendOf: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  log: Array<{ attempt: number; statusCode: number | null; latencyMs: number; error: string | null; responseExcerpt: string | null; attemptedAt: Date }>;
}

/** The delivery log of one webhook, newest first, each delivery with its attempts. */
export async function listDeliveries(db: Queryable, actor: Actor, webhookId: string, options: { limit?: number } = {}): Promise<WebhookDelivery[]> {
  await getWebhook(db, actor, webhookId);
  const { rows } = await db.query<WebhookDelivery>(
    `SELECT d.id, d.event_id AS "eventId", e.type AS "eventType", d.state, d.attempts, d.last_status AS "lastStatus",
            d.last_error AS "lastError", d.resend_of AS "resendOf", d.created_at AS "createdAt", d.finished_at AS "finishedAt",
            coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'statusCode', a.status_code, 'latencyMs', a.latency_ms,
                        'error', a.error, 'responseExcerpt', a.response_excerpt, 'attemptedAt', a.attempted_at) ORDER BY a.attempt)
                      FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS log
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
      WHERE d.subscription_id = $1 ORDER BY d.created_at DESC, d.id LIMIT $2`,
    [webhookId, Math.min(options.limit ?? 50, 200)],
  );
  return rows;
}

/** Sends the delivery's event again, as a new delivery with its own attempts. */
export async function resendDelivery(deps: { db: Db; dispatcher: Dispatcher }, actor: Actor, deliveryId: string): Promise<{ deliveryId: string }> {
  requireRole(actor, "admin");
  const job = await deps.db.transaction(async (transaction) => {
    const { rows } = await transaction.query<{ subscriptionId: string; eventId: string }>(
      `SELECT d.subscription_id AS "subscriptionId", d.event_id AS "eventId" FROM webhook_deliveries d
         JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1 AND s.workspace_id = $2`,
      [deliveryId, actor.workspaceId],
    );
    if (!rows[0]) throw new NotFoundError("Delivery not found.");
    return insertDelivery(transaction, { workspaceId: actor.workspaceId, ...rows[0], resendOf: deliveryId });
  });
  await handOverAll(deps.dispatcher, [job]);
  return { deliveryId: String(job.subjectId) };
}

/** A `webhook.test` event delivered to this subscription only, through the same job path. */
export async function sendTestEvent(deps: { db: Db; dispatcher: Dispatcher }, actor: Actor, webhookId: string): Promise<{ deliveryId: string }> {
  await getWebhook(deps.db, actor, webhookId);
  const jobs = await deps.db.transaction((transaction) =>
    recordWebhookEvent(transaction, {
      workspaceId: actor.workspaceId,
      type: "webhook.test",
      recordingId: null,
      subscriptionId: webhookId,
      data: { message: "Test event from Calibrate", sentBy: { id: actor.id, displayName: actor.displayName } },
    }),
  );
  await handOverAll(deps.dispatcher, jobs);
  return { deliveryId: String(jobs[0].subjectId) };
}
