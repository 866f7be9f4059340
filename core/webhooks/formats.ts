/**
 * What one delivery sends, per payload format:
 *
 * - `json`: the event as JSON, signed (`Calibrate-Signature`, see signature.ts).
 * - `slack`: a Slack incoming-webhook message `{ text }` (Slack signs nothing; the URL is the secret).
 * - `feishu`: a Feishu/Lark custom-bot text message `{ msg_type: "text", content: { text } }`; with a
 *   signing secret, `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key = "timestamp\nsecret",
 *   message = "")) go in the body, as Feishu documents.
 * - `dingtalk`: a DingTalk robot text message `{ msgtype: "text", text: { content } }`; with a signing
 *   secret, `&timestamp=<ms>&sign=<urlencoded base64(HMAC-SHA256(key = secret, "timestamp\nsecret"))>`
 *   is appended to the URL, as DingTalk documents.
 */
import { createHmac } from "node:crypto";
import { signatureHeaderValue } from "./signature.ts";
import type { WebhookEvent, WebhookFormat } from "./types.ts";

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One line a person reads in a chat: what happened, to which call. */
export function eventSummary(event: WebhookEvent): string {
  const data = event.data as Record<string, any>;
  const call = data.recording ? `"${data.recording.title}"${data.recording.customerReference ? ` (${data.recording.customerReference})` : ""}` : "";
  switch (event.type) {
    case "call.ready":
      return `Calibrate · Call ready: ${call} — ${data.counts?.actionItems ?? 0} action items, ${data.counts?.talkTracks ?? 0} talk tracks to confirm.`;
    case "action_item.accepted":
      return `Calibrate · Action item accepted on ${call}: ${data.item?.content?.title ?? ""}${data.item?.content?.dueDate ? ` (due ${data.item.content.dueDate})` : ""} — by ${data.decidedBy?.displayName ?? "someone"}.`;
    case "decision.made":
      return `Calibrate · ${data.decidedBy?.displayName ?? "Someone"} ${data.action} a ${String(data.item?.kind ?? "draft item").replace("_", " ")} on ${call}.`;
    case "webhook.test":
      return "Calibrate · Test message: this webhook is connected.";
    default:
      return `Calibrate · ${event.type}`;
  }
}

export function buildRequest(input: {
  url: string;
  format: WebhookFormat;
  secret: string | null;
  event: WebhookEvent;
  deliveryId: string;
  now?: Date;
}): OutgoingRequest {
  const now = input.now ?? new Date();
  const seconds = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Calibrate-Webhooks/1" };
  switch (input.format) {
    case "json": {
      const body = JSON.stringify(input.event);
      headers["calibrate-event-id"] = input.event.id;
      headers["calibrate-event-type"] = input.event.type;
      headers["calibrate-delivery-id"] = input.deliveryId;
      if (input.secret) headers["calibrate-signature"] = signatureHeaderValue(input.secret, body, seconds);
      return { url: input.url, headers, body };
    }
    case "slack":
      return { url: input.url, headers, body: JSON.stringify({ text: eventSummary(input.event) }) };
    case "feishu": {
      const message: Record<string, unknown> = { msg_type: "text", content: { text: eventSummary(input.event) } };
      if (input.secret) {
        message.timestamp = String(seconds);
        message.sign = createHmac("sha256", `${seconds}\n${input.secret}`).update("").digest("base64");
      }
      return { url: input.url, headers, body: JSON.stringify(message) };
    }
    case "dingtalk": {
      let url = input.url;
      if (input.secret) {
        const milliseconds = now.getTime();
        const sign = createHmac("sha256", input.secret).update(`${milliseconds}\n${input.secret}`).digest("base64");
        url += `${url.includes("?") ? "&" : "?"}timestamp=${milliseconds}&sign=${encodeURIComponent(sign)}`;
      }
      return { url, headers, body: JSON.stringify({ msgtype: "text", text: { content: eventSummary(input.event) } }) };
    }
  }
}

/**
 * Feishu and DingTalk answer HTTP 200 with an error code in the body when they refuse a message
 * (bad signature, rate limit); that is a failed delivery.
 */
export function botRefusal(format: WebhookFormat, responseText: string): string | null {
  if (format !== "feishu" && format !== "dingtalk") return null;
  try {
    const parsed = JSON.parse(responseText) as { code?: number; StatusCode?: number; errcode?: number; msg?: string; errmsg?: string };
    const code = format === "feishu" ? (parsed.code ?? parsed.StatusCode ?? 0) : (parsed.errcode ?? 0);
    return code === 0 ? null : `${format} refused the message (code ${code}): ${parsed.msg ?? parsed.errmsg ?? ""}`.trim();
  } catch {
    return null;
  }
}
