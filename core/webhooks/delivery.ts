/**
 * One HTTP attempt of a delivery, as the `webhook-delivery` job runs it: build the request for the
 * subscription's format, POST it with a timeout, and log the attempt (status, latency, the start of
 * the response). A 2xx (and, for Feishu/DingTalk, a zero error code) is success; anything else
 * throws a TransientError so the job transport retries with exponential backoff
 * (core/jobs/contracts.ts). When the attempts run out the delivery is marked failed.
 */
import type { SecretBox } from "../auth/secret-box.ts";
import type { Queryable } from "../db/database.ts";
import { TransientError } from "../errors.ts";
import { botRefusal, buildRequest } from "./formats.ts";
import type { WebhookEvent, WebhookFormat } from "./types.ts";

export const deliveryTimeoutMs = 10_000;
const excerptLength = 500;

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

export async function attemptDelivery(
  deps: { db: Queryable; secrets: SecretBox; fetch?: typeof fetch; signal?: AbortSignal },
  deliveryId: string,
): Promise<AttemptResult | null> {
  const { rows } = await deps.db.query<{
    state: string;
    attempts: number;
    url: string;
    format: WebhookFormat;
    secretCiphertext: string | null;
    enabled: boolean;
    payload: WebhookEvent;
  }>(
    `SELECT d.state, d.attempts, s.url, s.format, s.secret_ciphertext AS "secretCiphertext", s.enabled, e.payload
       FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id JOIN webhook_events e ON e.id = d.event_id
      WHERE d.id = $1`,
    [deliveryId],
  );
  const delivery = rows[0];
  // Deleted with its subscription, or erased with its call, while queued; or already finished.
  if (!delivery || delivery.state !== "pending") return null;
  if (!delivery.enabled) {
    // Turned off while queued: not sent; "resend" after turning it on again.
    await markDeliveryFailed(deps.db, deliveryId, "The webhook was turned off before this delivery was sent.");
    return null;
  }
  const request = buildRequest({
    url: delivery.url,
    format: delivery.format,
    secret: delivery.secretCiphertext ? deps.secrets.decrypt(delivery.secretCiphertext) : null,
    event: delivery.payload,
    deliveryId,
  });
  const started = performance.now();
  const result: AttemptResult = { ok: false, statusCode: null, latencyMs: 0, error: null, responseExcerpt: null };
  try {
    const timeout = AbortSignal.timeout(deliveryTimeoutMs);
    const response = await (deps.fetch ?? fetch)(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout,
    });
    const text = await response.text().catch(() => "");
    result.statusCode = response.status;
    result.responseExcerpt = text.slice(0, excerptLength) || null;
    const refusal = response.ok ? botRefusal(delivery.format, text) : null;
    result.ok = response.ok && !refusal;
    if (!response.ok) result.error = `HTTP ${response.status}`;
    else if (refusal) result.error = refusal;
  } catch (error) {
    const name = (error as Error).name;
    result.error = name === "TimeoutError" ? `No answer within ${deliveryTimeoutMs / 1000} s` : `${(error as Error).message}${(error as { cause?: Error }).cause ? `: ${(error as { cause?: Error }).cause!.message}` : ""}`;
  }
  result.latencyMs = Math.round(performance.now() - started);
  await deps.db.query(
    `INSERT INTO webhook_attempts (delivery_id, attempt, status_code, latency_ms, error, response_excerpt) VALUES ($1, $2, $3, $4, $5, $6)`,
    [deliveryId, delivery.attempts + 1, result.statusCode, result.latencyMs, result.error, result.responseExcerpt],
  );
  await deps.db.query(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
       state = CASE WHEN $4 THEN 'succeeded' ELSE state END, finished_at = CASE WHEN $4 THEN now() ELSE finished_at END
     WHERE id = $1`,
    [deliveryId, result.statusCode, result.error, result.ok],
  );
  // The receiver may be down for a while: retried with backoff by the job transport.
  if (!result.ok) throw new TransientError(`Webhook delivery failed: ${result.error}`);
  return result;
}

export async function markDeliveryFailed(db: Queryable, deliveryId: string, reason: string): Promise<void> {
  await db.query(
    "UPDATE webhook_deliveries SET state = 'failed', last_error = coalesce(last_error, $2), finished_at = now() WHERE id = $1 AND state = 'pending'",
    [deliveryId, reason],
  );
}
