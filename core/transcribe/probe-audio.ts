/**
 * What is really in an uploaded file, decided by ffprobe — never by the extension. Anything we
 * cannot turn into a transcript (not audio, empty, truncated, silent-length, too long) is
 * rejected here with an UnprocessableError that tells the user what is wrong and which limit
 * applies, before any expensive decoding starts.
 */
import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { NotFoundError, UnprocessableError } from "../errors.ts";
import {
  defaultMediaTools,
  formatDuration,
  missingToolError,
  untrustedInputArguments,
  type MediaTools,
} from "./media-tools.ts";
import { ProcessFailedError, runProcess } from "./run-process.ts";
import { readWavHeader } from "./wav-header.ts";

export interface AudioLimits {
  /** Longer recordings are rejected; the message names this limit. */
  maxDurationMs: number;
  /** Shorter recordings are rejected as having no usable audio. Default 100 ms. */
  minDurationMs?: number;
}

export interface AudioProbe {
  durationMs: number;
  channels: number;
  sampleRate: number;
  codec: string;
  /** ffmpeg demuxer name, e.g. "wav", "flac", "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  sizeBytes: number;
  /** True when the duration came from decoding because the container did not state it. */
  durationMeasured: boolean;
}

export interface ProbeOptions {
  limits: AudioLimits;
  signal?: AbortSignal;
  tools?: MediaTools;
  timeoutMs?: number;
}

const defaultMinimumDurationMs = 100;

const ffprobeOutputSchema = z.object({
  streams: z
    .array(
      z.object({
        index: z.number(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        channels: z.number().optional(),
        sample_rate: z.string().optional(),
        duration: z.string().optional(),
      }),
    )
    .default([]),
  format: z
    .object({ format_name: z.string().optional(), duration: z.string().optional() })
    .optional(),
});

export async function probeAudio(audioPath: string, options: ProbeOptions): Promise<AudioProbe> {
  const tools = options.tools ?? defaultMediaTools;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const minimumDurationMs = options.limits.minDurationMs ?? defaultMinimumDurationMs;

  const sizeBytes = await fileSize(audioPath);
  if (sizeBytes === 0) {
    throw new UnprocessableError("The audio file is empty (0 bytes).", { reason: "empty_file" }, { key: "upload.empty" });
  }

  let rawOutput: string;
  try {
    const result = await runProcess(
      tools.ffprobePath,
      [
        "-v",
        "error",
        ...untrustedInputArguments(),
        "-show_entries",
        "format=format_name,duration:stream=index,codec_type,codec_name,channels,sample_rate,duration",
        "-of",
        "json",
        "-i",
        audioPath,
      ],
      { cwd: dirname(audioPath), timeoutMs, signal: options.signal },
    );
    rawOutput = result.stdout;
  } catch (error) {
    throw (
      missingToolError(error, "ffprobe") ??
      (error instanceof ProcessFailedError
        ? new UnprocessableError(
            "The file is not a recognised audio file (it may be corrupt, truncated or another kind of file renamed).",
            { reason: "not_audio", tool: error.details.stderrTail },
            { cause: error, key: "upload.not_audio" },
          )
        : error)
    );
  }

  let output: unknown;
  try {
    output = JSON.parse(rawOutput || "{}");
  } catch {
    output = null;
  }
  const parsed = ffprobeOutputSchema.safeParse(output);
  if (!parsed.success) {
    throw new UnprocessableError("The file is not a recognised audio file.", { reason: "not_audio" }, { key: "upload.not_audio" });
  }
  const formatName = parsed.data.format?.format_name ?? "unknown";
  const audioStream = parsed.data.streams.find((stream) => stream.codec_type === "audio");
  if (!audioStream || !audioStream.channels || !audioStream.sample_rate) {
    throw new UnprocessableError("The file contains no audio stream.", {
      reason: "no_audio_stream",
      formatName,
    }, { key: "upload.no_audio_stream" });
  }
  const channels = audioStream.channels;
  const sampleRate = Number(audioStream.sample_rate);

  if (formatName === "wav") await rejectTruncatedWav(audioPath, sizeBytes);

  let durationMs = secondsToMilliseconds(audioStream.duration ?? parsed.data.format?.duration);
  let durationMeasured = false;
  if (durationMs === null) {
    // Browser recordings (MediaRecorder WebM) and header-only files state no duration: decode to
    // count, but never further than the limit so a huge file cannot keep us busy.
    durationMs = await measureDecodedDurationMs(audioPath, {
      tools,
      timeoutMs,
      signal: options.signal,
      stopAfterMs: options.limits.maxDurationMs + 1_000,
    });
    durationMeasured = true;
  }

  if (durationMs <= 0) {
    throw new UnprocessableError("The file contains no audio (zero length).", { reason: "zero_length" }, { key: "upload.zero_length" });
  }
  if (durationMs < minimumDurationMs) {
    throw new UnprocessableError(
      `The audio is too short (${formatDuration(durationMs)}; the minimum is ${formatDuration(minimumDurationMs)}).`,
      { reason: "too_short", durationMs, minDurationMs: minimumDurationMs },
      { key: "upload.too_short", params: { duration: formatDuration(durationMs), minimum: formatDuration(minimumDurationMs) } },
    );
  }
  assertWithinMaximumDuration(durationMs, options.limits.maxDurationMs);

  return {
    durationMs,
    channels,
    sampleRate,
    codec: audioStream.codec_name ?? "unknown",
    formatName,
    sizeBytes,
    durationMeasured,
  };
}

export function assertWithinMaximumDuration(durationMs: number, maxDurationMs: number): void {
  if (durationMs > maxDurationMs) {
    throw new UnprocessableError(
      `The recording is ${formatDuration(durationMs)} long; the maximum is ${formatDuration(maxDurationMs)}.`,
      { reason: "too_long", durationMs, maxDurationMs },
      { key: "upload.too_long", params: { duration: formatDuration(durationMs), maximum: formatDuration(maxDurationMs) } },
    );
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new UnprocessableError("The upload is not a regular file.");
    return stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError("The audio file does not exist.", { path }, { cause: error });
    }
    throw error;
  }
}

function secondsToMilliseconds(value: string | undefined): number | null {
  if (value === undefined || value === "N/A") return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
}

/**
 * A WAV header states how many bytes of audio follow; an upload cut short has fewer. A tenth of a
 * second of slack tolerates writers that round the size.
 */
async function rejectTruncatedWav(path: string, sizeBytes: number): Promise<void> {
  const header = await readWavHeader(path);
  if (!header || header.declaredDataBytes === null || header.byteRate <= 0) return;
  const presentBytes = Math.max(0, sizeBytes - header.dataOffset);
  const missingBytes = header.declaredDataBytes - presentBytes;
  if (missingBytes > header.byteRate * 0.1) {
    const declaredMs = (header.declaredDataBytes / header.byteRate) * 1000;
    const presentMs = (presentBytes / header.byteRate) * 1000;
    throw new UnprocessableError(
      `The WAV file is truncated: its header declares ${formatDuration(declaredMs)} of audio but only ${formatDuration(presentMs)} is present. Upload the complete file.`,
      { reason: "truncated", declaredMs, presentMs },
      { key: "upload.truncated", params: { declared: formatDuration(declaredMs), present: formatDuration(presentMs) } },
    );
  }
}

/** Decodes the first audio stream to nowhere and reads how far ffmpeg got. */
export async function measureDecodedDurationMs(
  audioPath: string,
  options: { tools: MediaTools; timeoutMs: number; signal?: AbortSignal; stopAfterMs: number },
): Promise<number> {
  let lastOutTimeMicroseconds = 0;
  try {
    const { stdout } = await runProcess(
      options.tools.ffmpegPath,
      [
        "-nostdin",
        "-v",
        "error",
        ...untrustedInputArguments(),
        "-i",
        audioPath,
        "-map",
        "0:a:0",
        "-t",
        String(options.stopAfterMs / 1000),
        "-f",
        "null",
        "-progress",
        "pipe:1",
        "-nostats",
        "-",
      ],
      { cwd: dirname(audioPath), timeoutMs: options.timeoutMs, signal: options.signal },
    );
    for (const match of stdout.matchAll(/^out_time_us=(\d+)$/gm)) {
      lastOutTimeMicroseconds = Math.max(lastOutTimeMicroseconds, Number(match[1]));
    }
  } catch (error) {
    throw (
      missingToolError(error, "ffmpeg") ??
      (error instanceof ProcessFailedError
        ? new UnprocessableError(
            "The audio could not be decoded.",
            { reason: "undecodable" },
            {
              cause: error,
            },
          )
        : error)
    );
  }
  return Math.round(lastOutTimeMicroseconds / 1000);
}
