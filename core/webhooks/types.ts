/** Outbound webhook events: what can be subscribed to, and the envelope every event is sent in. */
export const webhookEventTypes = ["call.ready", "action_item.accepted", "decision.made"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const webhookFormats = ["json", "slack", "feishu", "dingtalk"] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

/** The JSON body of a `json` delivery (the envelope receivers parse). */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType | "webhook.test";
  createdAt: string;
  workspaceId: string;
  data: Record<string, unknown>;
}

