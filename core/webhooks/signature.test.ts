import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UnauthorizedError } from "../errors.ts";
import { botRefusal, buildRequest } from "./formats.ts";
import { computeSignature, parseSignatureHeader, signatureHeaderValue, verifySignature } from "./signature.ts";

const secret = "whsec_test-secret";
const body = JSON.stringify({ id: "evt_1", type: "decision.made", data: { text: "你好" } });
const at = new Date("2026-07-01T10:00:00Z");
const seconds = at.getTime() / 1000;

describe("webhook signatures", () => {
  it("signs timestamp.body with HMAC-SHA256, as a receiver recomputes it", () => {
    const header = signatureHeaderValue(secret, body, seconds);
    const expected = createHmac("sha256", secret).update(`${seconds}.${body}`).digest("hex");
    expect(header).toBe(`t=${seconds},v1=${expected}`);
    expect(parseSignatureHeader(header)).toEqual({ timestamp: seconds, signatures: [expected] });
  });

  it("accepts a fresh signature, and any matching v1 among several (rotation)", () => {
    const header = `t=${seconds},v1=${"0".repeat(64)},v1=${computeSignature(secret, seconds, body)}`;
    expect(verifySignature({ secret, header, body, now: new Date(at.getTime() + 299_000) })).toEqual({ timestamp: seconds });
  });

  it("refuses a stale or future timestamp, a changed body, a wrong secret, and a missing or malformed header", () => {
    const header = signatureHeaderValue(secret, body, seconds);
    const refuses = (input: Partial<Parameters<typeof verifySignature>[0]>, message: RegExp) => {
      const run = () => verifySignature({ secret, header, body, now: at, ...input });
      expect(run).toThrow(UnauthorizedError);
      expect(run).toThrow(message);
    };
    refuses({ now: new Date(at.getTime() + 301_000) }, /stale or replayed/);
    refuses({ now: new Date(at.getTime() - 301_000) }, /stale or replayed/);
    refuses({ now: new Date(at.getTime() + 11_000), toleranceSeconds: 10 }, /tolerance 10 s/);
    refuses({ body: body.replace("你好", "您好") }, /does not match/);
    refuses({ secret: "whsec_other" }, /does not match/);
    refuses({ header: undefined }, /Missing/);
    refuses({ header: "v1=abc" }, /Malformed/);
    // The timestamp is part of what is signed: moving it breaks the signature.
    refuses({ header: header.replace(`t=${seconds}`, `t=${seconds + 60}`), now: new Date(at.getTime() + 60_000) }, /does not match/);
  });
});

describe("payload formats", () => {
  const event = { id: "evt_1", type: "call.ready" as const, createdAt: at.toISOString(), workspaceId: "w", data: { recording: { title: "Acme demo", customerReference: "ACME-1" }, counts: { actionItems: 3, talkTracks: 1 } } };

  it("json: the envelope, signed, with event and delivery headers", () => {
    const request = buildRequest({ url: "https://example.test/hook", format: "json", secret, event, deliveryId: "d1", now: at });
    expect(JSON.parse(request.body)).toEqual(event);
    expect(request.headers["calibrate-event-id"]).toBe("evt_1");
    expect(() => verifySignature({ secret, header: request.headers["calibrate-signature"], body: request.body, now: at })).not.toThrow();
  });

  it("feishu: a text message with timestamp and sign = base64 HMAC(key = \"timestamp\\nsecret\", \"\")", () => {
    const request = buildRequest({ url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", format: "feishu", secret: "feishu-secret", event, deliveryId: "d1", now: at });
    const message = JSON.parse(request.body);
    expect(message.msg_type).toBe("text");
    expect(message.content.text).toContain("Acme demo");
    expect(message.timestamp).toBe(String(seconds));
    expect(message.sign).toBe(createHmac("sha256", `${seconds}\nfeishu-secret`).update("").digest("base64"));
  });

  it("dingtalk: timestamp (ms) and url-encoded sign = base64 HMAC(secret, \"timestamp\\nsecret\") on the URL", () => {
    const request = buildRequest({ url: "https://oapi.dingtalk.com/robot/send?access_token=t", format: "dingtalk", secret: "SEC123", event, deliveryId: "d1", now: at });
    const url = new URL(request.url);
    expect(url.searchParams.get("access_token")).toBe("t");
    expect(url.searchParams.get("timestamp")).toBe(String(at.getTime()));
    expect(url.searchParams.get("sign")).toBe(createHmac("sha256", "SEC123").update(`${at.getTime()}\nSEC123`).digest("base64"));
    expect(JSON.parse(request.body)).toMatchObject({ msgtype: "text", text: { content: expect.stringContaining("3 action items") } });
  });

  it("slack: a plain text message, unsigned", () => {
    const request = buildRequest({ url: "https://hooks.slack.com/services/x", format: "slack", secret: null, event, deliveryId: "d1", now: at });
    expect(JSON.parse(request.body)).toEqual({ text: expect.stringContaining("Call ready") });
    expect(request.headers["calibrate-signature"]).toBeUndefined();
  });

  it("treats a bot's 200 with a non-zero error code as a refusal", () => {
    expect(botRefusal("feishu", JSON.stringify({ code: 19021, msg: "sign match fail or timestamp is not within one hour from current time" }))).toMatch(/code 19021/);
    expect(botRefusal("feishu", JSON.stringify({ code: 0, msg: "success" }))).toBeNull();
    expect(botRefusal("dingtalk", JSON.stringify({ errcode: 310000, errmsg: "sign not match" }))).toMatch(/sign not match/);
    expect(botRefusal("dingtalk", JSON.stringify({ errcode: 0, errmsg: "ok" }))).toBeNull();
    expect(botRefusal("slack", "invalid_payload")).toBeNull();
  });
});
