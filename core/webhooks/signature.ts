/**
 * Webhook signatures, Stripe-style, used both ways (outbound events and inbound outcomes):
 *
 *   Calibrate-Signature: t=1767225600,v1=<hex HMAC-SHA256(secret, "1767225600." + raw body)>
 *
 * The timestamp is signed with the body, so a captured request cannot be replayed later with a new
 * time: a receiver refuses a `t` outside its tolerance (5 minutes by default) and remembers event
 * ids it has already processed (`Calibrate-Event-Id`) to drop duplicates within the window.
 * Several `v1=` entries may appear (e.g. while a secret is rotated); one matching is enough.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { UnauthorizedError } from "../errors.ts";

export const signatureHeader = "calibrate-signature";
export const defaultToleranceSeconds = 300;

export function computeSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** The header value for `body` signed at `timestamp` (Unix seconds). */
export function signatureHeaderValue(secret: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export function parseSignatureHeader(value: string): { timestamp: number | null; signatures: string[] } {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of value.split(",")) {
    const [key, ...rest] = part.trim().split("=");
    const item = rest.join("=");
    if (key === "t" && /^\d{1,12}$/.test(item)) timestamp = Number(item);
    if (key === "v1" && /^[0-9a-f]{64}$/i.test(item)) signatures.push(item.toLowerCase());
  }
  return { timestamp, signatures };
}

/**
 * Verifies a signed request; throws UnauthorizedError (401) with the reason when the header is
 * missing or malformed, the timestamp is outside the tolerance, or no signature matches.
 */
export function verifySignature(input: {
  secret: string;
  header: string | undefined;
  body: string | Buffer;
  toleranceSeconds?: number;
  now?: Date;
}): { timestamp: number } {
  if (!input.header) throw new UnauthorizedError(`Missing the ${signatureHeader} header.`);
  const { timestamp, signatures } = parseSignatureHeader(input.header);
  if (timestamp === null || signatures.length === 0) {
    throw new UnauthorizedError(`Malformed ${signatureHeader} header; expected "t=<unix seconds>,v1=<hex HMAC-SHA256>".`);
  }
  const tolerance = input.toleranceSeconds ?? defaultToleranceSeconds;
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new UnauthorizedError(`The signature timestamp is ${Math.abs(now - timestamp)} s away from now (tolerance ${tolerance} s): stale or replayed request.`);
  }
  const expected = Buffer.from(computeSignature(input.secret, timestamp, input.body), "hex");
  const matches = signatures.some((signature) => {
    const given = Buffer.from(signature, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new UnauthorizedError("The signature does not match the body: check the secret and sign the raw body bytes.");
  return { timestamp };
}
