/** Shapes of the webhook API (server/routes/webhooks.ts, core/webhooks/). */
export const webhookEventTypes = ["call.ready", "action_item.accepted", "decision.made"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];
export const webhookFormats = ["json", "slack", "feishu", "dingtalk"] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: WebhookEventType[];
  format: WebhookFormat;
  hasSecret: boolean;
  enabled: boolean;
  createdAt: string;
  deliveries: { succeeded: number; failed: number; pending: number; lastStatus: number | null; lastAt: string | null };
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: WebhookEventType | "webhook.test";
  state: "pending" | "succeeded" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  resendOf: string | null;
  createdAt: string;
  finishedAt: string | null;
  log: Array<{ attempt: number; statusCode: number | null; latencyMs: number; error: string | null; responseExcerpt: string | null; attemptedAt: string }>;
}
