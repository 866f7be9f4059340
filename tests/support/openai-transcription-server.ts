/**
 * A real local HTTP server that speaks OpenAI's `POST /v1/audio/transcriptions`, for testing the
 * OpenAI-compatible transcriber and the pipeline without the internet.
 *
 * It parses the multipart request like the real API (file, model, response_format, language,
 * timestamp_granularities[]), records what arrived, and answers in the verbose_json shape. What it
 * "hears" is measured from the uploaded audio itself: a simple energy detector finds the speech
 * regions in the WAV, and the default answer has one segment per region. The text is whatever the
 * test configures (a server fixture), never a claim about what was said. It can be told to fail
 * the next N requests with 500/429 or any status.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import busboy from "busboy";
import { parseWavHeader } from "../../core/transcribe/wav-header.ts";

export interface SpeechRegion {
  startMs: number;
  endMs: number;
}

export interface ReceivedTranscriptionRequest {
  /** Sequence number, from 0. */
  index: number;
  authorization: string | null;
  model: string | null;
  responseFormat: string | null;
  language: string | null;
  timestampGranularities: string[];
  fileName: string | null;
  fileBytes: number;
  /** null when the upload was not a PCM WAV. */
  audio: {
    sampleRate: number;
    channels: number;
    durationMs: number;
    speechRegions: SpeechRegion[];
  } | null;
}

export interface VerboseTranscription {
  language?: string;
  duration?: number;
  text?: string;
  segments?: Array<{
    start: number;
    end: number;
    text: string;
    avg_logprob?: number;
    no_speech_prob?: number;
  }>;
}

export type Responder = (
  request: ReceivedTranscriptionRequest,
) => VerboseTranscription | Promise<VerboseTranscription>;

export interface OpenAiTranscriptionServer {
  /** Base URL including /v1, as the transcriber expects. */
  baseUrl: string;
  requests: ReceivedTranscriptionRequest[];
  setResponder(responder: Responder): void;
  /** The next `count` requests fail with `status` (after their upload was read). */
  failNext(
    count: number,
    status: number,
    options?: { retryAfterSeconds?: number; message?: string },
  ): void;
  close(): Promise<void>;
}

/** One segment per speech region, each with the given text (default "speech"). */
export function segmentPerSpeechRegion(text = "speech", avgLogprob = -0.2): Responder {
  return (request) => {
    const regions = request.audio?.speechRegions ?? [];
    return {
      language: request.language === "zh" ? "chinese" : "english",
      duration: (request.audio?.durationMs ?? 0) / 1000,
      text: regions.map(() => text).join(" "),
      segments: regions.map((region) => ({
        start: region.startMs / 1000,
        end: region.endMs / 1000,
        text: ` ${text}`,
        avg_logprob: avgLogprob,
        no_speech_prob: 0.01,
      })),
    };
  };
}

export async function startOpenAiTranscriptionServer(
  options: { responder?: Responder; apiKey?: string } = {},
): Promise<OpenAiTranscriptionServer> {
  let responder = options.responder ?? segmentPerSpeechRegion();
  const failures: Array<{ status: number; retryAfterSeconds?: number; message?: string }> = [];
  const requests: ReceivedTranscriptionRequest[] = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorBody(String(error), "server_error"));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "POST" || request.url !== "/v1/audio/transcriptions") {
      sendJson(
        response,
        404,
        errorBody(`Unknown route ${request.method} ${request.url}`, "invalid_request_error"),
      );
      return;
    }
    const authorization = request.headers.authorization ?? null;
    const upload = await readMultipart(request);
    const received: ReceivedTranscriptionRequest = {
      index: requests.length,
      authorization,
      model: upload.fields.get("model")?.[0] ?? null,
      responseFormat: upload.fields.get("response_format")?.[0] ?? null,
      language: upload.fields.get("language")?.[0] ?? null,
      timestampGranularities: upload.fields.get("timestamp_granularities[]") ?? [],
      fileName: upload.fileName,
      fileBytes: upload.file?.length ?? 0,
      audio: upload.file ? analyseWav(upload.file) : null,
    };
    requests.push(received);

    if (options.apiKey && authorization !== `Bearer ${options.apiKey}`) {
      sendJson(response, 401, errorBody("Incorrect API key provided.", "invalid_request_error"));
      return;
    }
    const failure = failures.shift();
    if (failure) {
      const headers: Record<string, string> = {};
      if (failure.retryAfterSeconds !== undefined)
        headers["retry-after"] = String(failure.retryAfterSeconds);
      sendJson(
        response,
        failure.status,
        errorBody(
          failure.message ?? `Injected failure ${failure.status}`,
          failure.status === 429 ? "rate_limit_exceeded" : "server_error",
        ),
        headers,
      );
      return;
    }
    if (!upload.file || upload.file.length === 0) {
      sendJson(
        response,
        400,
        errorBody("Missing required parameter: 'file'.", "invalid_request_error"),
      );
      return;
    }
    if (!received.model) {
      sendJson(
        response,
        400,
        errorBody("Missing required parameter: 'model'.", "invalid_request_error"),
      );
      return;
    }
    if (received.responseFormat !== "verbose_json") {
      sendJson(
        response,
        400,
        errorBody(
          "This test server only answers response_format=verbose_json.",
          "invalid_request_error",
        ),
      );
      return;
    }
    if (!received.audio) {
      sendJson(
        response,
        400,
        errorBody("Invalid file format. Supported formats: wav", "invalid_request_error"),
      );
      return;
    }
    const answer = await responder(received);
    sendJson(response, 200, { task: "transcribe", ...answer });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setResponder: (next) => {
      responder = next;
    },
    failNext: (count, status, failureOptions = {}) => {
      for (let index = 0; index < count; index += 1) failures.push({ status, ...failureOptions });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function errorBody(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

async function readMultipart(
  request: IncomingMessage,
): Promise<{ fields: Map<string, string[]>; file: Buffer | null; fileName: string | null }> {
  const fields = new Map<string, string[]>();
  let file: Buffer | null = null;
  let fileName: string | null = null;
  const contentType = request.headers["content-type"] ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    request.resume();
    return { fields, file, fileName };
  }
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: request.headers });
    parser.on("field", (name, value) => fields.set(name, [...(fields.get(name) ?? []), value]));
    parser.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (name === "file") {
          file = Buffer.concat(chunks);
          fileName = info.filename ?? null;
        }
      });
    });
    parser.on("close", resolve);
    parser.on("error", reject);
    request.pipe(parser);
  });
  return { fields, file, fileName };
}

/** Frame energy detector on 16-bit PCM: 20 ms frames above -40 dBFS, gaps under 400 ms bridged. */
export function analyseWav(bytes: Buffer): ReceivedTranscriptionRequest["audio"] {
  const header = parseWavHeader(bytes);
  if (!header || header.audioFormat !== 1 || header.bitsPerSample !== 16) return null;
  const dataEnd = Math.min(
    bytes.length,
    header.dataOffset + (header.declaredDataBytes ?? bytes.length),
  );
  const frameCount = Math.floor((dataEnd - header.dataOffset) / header.blockAlign);
  const durationMs = Math.round((frameCount / header.sampleRate) * 1000);
  const samplesPerWindow = Math.round(header.sampleRate * 0.02);
  const threshold = 0.01; // -40 dBFS
  const regions: SpeechRegion[] = [];
  let open: SpeechRegion | null = null;
  for (let start = 0; start < frameCount; start += samplesPerWindow) {
    const end = Math.min(frameCount, start + samplesPerWindow);
    let sumOfSquares = 0;
    for (let frame = start; frame < end; frame += 1) {
      // First channel only: the pipeline sends mono.
      const sample = bytes.readInt16LE(header.dataOffset + frame * header.blockAlign) / 32768;
      sumOfSquares += sample * sample;
    }
    const loud = Math.sqrt(sumOfSquares / Math.max(1, end - start)) > threshold;
    const windowStartMs = (start / header.sampleRate) * 1000;
    const windowEndMs = (end / header.sampleRate) * 1000;
    if (loud) {
      if (open && windowStartMs - open.endMs < 400) open.endMs = windowEndMs;
      else {
        open = { startMs: windowStartMs, endMs: windowEndMs };
        regions.push(open);
      }
    }
  }
  return {
    sampleRate: header.sampleRate,
    channels: header.channels,
    durationMs,
    speechRegions: regions
      .filter((region) => region.endMs - region.startMs >= 100)
      .map((region) => ({ startMs: Math.round(region.startMs), endMs: Math.round(region.endMs) })),
  };
}
