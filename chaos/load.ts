/**
 * The load the fault suite drives, as a client would: distinct audio uploads (streamed slowly, so a
 * fault can land mid-upload), transcript imports, and review decisions. A client retries what the
 * server asks it to retry — a 503 (after its Retry-After) or a connection that failed — until a
 * deadline, as a browser or a script talking to Calibrate should; every answer is tallied.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sleep } from "./processes.ts";

export interface Tally {
  sent: number;
  accepted: number;
  /** Answers 500–599 other than 503, which is the right answer during an outage. */
  serverErrors: number;
  unavailable: number;
  /** Requests refused for a reason (4xx) after all retries. */
  refused: number;
  /** Requests that never got an answer before the deadline. */
  unanswered: number;
  retries: number;
  notes: string[];
}

export const emptyTally = (): Tally => ({ sent: 0, accepted: 0, serverErrors: 0, unavailable: 0, refused: 0, unanswered: 0, retries: 0, notes: [] });

export function addTallies(a: Tally, b: Tally): Tally {
  return {
    sent: a.sent + b.sent,
    accepted: a.accepted + b.accepted,
    serverErrors: a.serverErrors + b.serverErrors,
    unavailable: a.unavailable + b.unavailable,
    refused: a.refused + b.refused,
    unanswered: a.unanswered + b.unanswered,
    retries: a.retries + b.retries,
    notes: [...a.notes, ...b.notes],
  };
}

export interface Client {
  baseUrl: string;
  cookie: string | null;
  csrfToken: string | null;
}

type Body = { kind: "json"; value: unknown } | { kind: "multipart"; parts: MultipartPart[]; bytesPerTick?: number };

interface MultipartPart {
  name: string;
  value: string | Buffer;
  fileName?: string;
  contentType?: string;
}

function multipart(parts: MultipartPart[]): { boundary: string; bytes: Buffer } {
  const boundary = `----chaos${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.fileName ? `; filename="${part.fileName}"` : ""}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.contentType ? `Content-Type: ${part.contentType}\r\n` : ""}\r\n`;
    chunks.push(Buffer.from(head), typeof part.value === "string" ? Buffer.from(part.value) : part.value, Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, bytes: Buffer.concat(chunks) };
}

/** A body that arrives `bytesPerTick` every 20 ms, like an upload over a slow uplink. */
function slowStream(bytes: Buffer, bytesPerTick: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= bytes.length) return controller.close();
      if (offset > 0) await sleep(20);
      controller.enqueue(bytes.subarray(offset, offset + bytesPerTick));
      offset += bytesPerTick;
    },
  });
}

export async function send(
  client: Client,
  method: string,
  route: string,
  body?: Body,
): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (client.cookie) headers.cookie = client.cookie;
  if (client.csrfToken) headers["x-csrf-token"] = client.csrfToken;
  let payload: BodyInit | undefined;
  let duplex: { duplex?: "half" } = {};
  if (body?.kind === "json") {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body.value);
  } else if (body?.kind === "multipart") {
    const { boundary, bytes } = multipart(body.parts);
    headers["content-type"] = `multipart/form-data; boundary=${boundary}`;
    headers["content-length"] = String(bytes.length);
    if (body.bytesPerTick) {
      payload = slowStream(bytes, body.bytesPerTick);
      duplex = { duplex: "half" };
    } else payload = new Uint8Array(bytes);
  }
  const response = await fetch(`${client.baseUrl}${route}`, { method, headers, body: payload, ...duplex, signal: AbortSignal.timeout(60_000) } as RequestInit);
  const setCookie = response.headers.get("set-cookie");
  if (setCookie) client.cookie = setCookie.split(";")[0];
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
}

/**
 * Sends one request the way a well-behaved client does: a 503 or a failed connection is tried again
 * (after Retry-After, at most 2 s) until `deadline`. Tallies what happened.
 */
export async function sendWithRetries(
  client: Client,
  tally: Tally,
  method: string,
  route: string,
  body: Body | undefined,
  deadline: number,
): Promise<{ status: number; json: any } | null> {
  tally.sent += 1;
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) tally.retries += 1;
    try {
      const answer = await send(client, method, route, body);
      if (answer.status === 503) {
        tally.unavailable += 1;
        if (Date.now() < deadline) {
          await sleep(Math.min(2000, Number(answer.headers.get("retry-after") ?? 1) * 1000));
          continue;
        }
        tally.unanswered += 1;
        return null;
      }
      if (answer.status >= 500) {
        tally.serverErrors += 1;
        tally.notes.push(`${method} ${route} → ${answer.status} ${JSON.stringify(answer.json).slice(0, 200)}`);
        return answer;
      }
      if (answer.status >= 400) {
        tally.refused += 1;
        tally.notes.push(`${method} ${route} → ${answer.status} ${JSON.stringify(answer.json).slice(0, 200)}`);
        return answer;
      }
      tally.accepted += 1;
      return answer;
    } catch (error) {
      if (Date.now() < deadline) {
        await sleep(500);
        continue;
      }
      tally.unanswered += 1;
      tally.notes.push(`${method} ${route}: ${String(error)}`);
      return null;
    }
  }
}

export async function signIn(baseUrl: string, email: string, password: string): Promise<Client> {
  const client: Client = { baseUrl, cookie: null, csrfToken: null };
  const answer = await send(client, "POST", "/api/auth/sign-in", { kind: "json", value: { email, password } });
  if (answer.status !== 200) throw new Error(`sign-in as ${email} failed: ${answer.status} ${JSON.stringify(answer.json)}`);
  client.csrfToken = answer.json.csrfToken;
  return client;
}

/**
 * Speech from espeak-ng, resampled by sox to 16 kHz mono 16-bit (a 44-byte WAV header), repeated to
 * about `seconds`. Each upload appends a different number of silent samples, so every file is new
 * content (uploads are content-addressed: identical bytes would be recognised as a re-upload).
 */
export function speechWav(workDirectory: string, seconds: number): Buffer {
  const spoken = path.join(workDirectory, "speech.wav");
  const resampled = path.join(workDirectory, "speech-16k.wav");
  const text = "Hello, this is Alex from Calibrate. Could you send me the price list by Friday? We would like a demo next week.";
  run("espeak-ng", ["-w", spoken, text]);
  run("sox", [spoken, "-r", "16000", "-c", "1", "-b", "16", resampled, "pad", "0", "0.6", "repeat", String(Math.max(0, Math.ceil(seconds / 8) - 1))]);
  return readFileSync(resampled);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
}

export function distinctWav(base: Buffer, index: number): Buffer {
  const extra = Buffer.alloc((index + 1) * 2);
  const bytes = Buffer.concat([base, extra]);
  // RIFF chunk size and data chunk size (sox writes the canonical 44-byte header).
  bytes.writeUInt32LE(bytes.length - 8, 4);
  bytes.writeUInt32LE(bytes.readUInt32LE(40) + extra.length, 40);
  return bytes;
}

export function transcriptVtt(label: string, utterances: number): string {
  const lines = ["WEBVTT", ""];
  const sentences = [
    "Could you send me the price list by Friday?",
    "We are comparing three vendors this quarter.",
    "Let me book a demo with our engineering lead next Tuesday.",
    "Our budget is approved for the second half.",
    "I will email the security questionnaire tomorrow.",
  ];
  const stamp = (ms: number) => new Date(ms).toISOString().slice(11, 23);
  for (let index = 0; index < utterances; index += 1) {
    const start = index * 3000;
    lines.push(`${stamp(start)} --> ${stamp(start + 2500)}`, `<v ${index % 2 === 0 ? "Rep" : "Customer"}>${sentences[index % sentences.length]} (${label} #${index})`, "");
  }
  return lines.join("\n");
}

const metadata = (language: string) => [
  { name: "customerStage", value: "discovery" },
  { name: "consent", value: "true" },
  { name: "language", value: language },
];

export function uploadBody(wav: Buffer, label: string, bytesPerTick: number): Body {
  return { kind: "multipart", bytesPerTick, parts: [...metadata("en"), { name: "file", value: wav, fileName: `${label}.wav`, contentType: "audio/wav" }] };
}

export function importBody(label: string, utterances: number): Body {
  return { kind: "multipart", parts: [...metadata("en"), { name: "file", value: transcriptVtt(label, utterances), fileName: `${label}.vtt`, contentType: "text/vtt" }] };
}
