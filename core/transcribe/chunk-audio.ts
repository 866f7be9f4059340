/**
 * Long recordings are transcribed in chunks cut from the normalised track on disk (ffmpeg
 * `-ss/-t` on PCM WAV is sample-exact and cheap), so neither we nor the transcriber ever hold
 * more than one chunk, and a transcription API's upload limit is respected (ten minutes of 16 kHz
 * mono PCM is 19.2 MB, under OpenAI's 25 MB).
 *
 * Each chunk *owns* a stretch of the timeline and is cut with a little overlap on both sides so a
 * word at a boundary is heard whole by one of them; merge-segments.ts keeps a segment only from
 * the chunk that owns its midpoint.
 */
import { join } from "node:path";
import { ValidationError } from "../errors.ts";
import { missingToolError, parseOverallRmsDb, type MediaTools } from "./media-tools.ts";
import { runProcess } from "./run-process.ts";

export interface ChunkingOptions {
  /** Default 10 minutes. */
  chunkDurationMs: number;
  /** Context added on each side of a chunk. Default 2 s. */
  overlapMs: number;
}

export const defaultChunking: ChunkingOptions = { chunkDurationMs: 10 * 60_000, overlapMs: 2_000 };

export interface ChunkPlan {
  index: number;
  /** What is cut from the track (owned range plus overlap, clipped to the track). */
  startMs: number;
  endMs: number;
  /** The stretch of the timeline whose segments this chunk contributes. */
  ownedStartMs: number;
  ownedEndMs: number;
}

export function planChunks(
  durationMs: number,
  options: ChunkingOptions = defaultChunking,
): ChunkPlan[] {
  const { chunkDurationMs, overlapMs } = options;
  if (!(chunkDurationMs > 0) || !(overlapMs >= 0) || overlapMs * 2 >= chunkDurationMs) {
    throw new ValidationError(
      "chunkDurationMs must be positive and more than twice overlapMs",
      options,
    );
  }
  if (durationMs <= 0) return [];
  // A short tail is folded into the previous chunk instead of becoming a chunk of its own (a few
  // seconds without context transcribe badly); at most 10 % longer keeps under upload limits.
  let count = Math.ceil(durationMs / chunkDurationMs);
  if (count > 1 && durationMs - (count - 1) * chunkDurationMs < chunkDurationMs * 0.1) count -= 1;

  const chunks: ChunkPlan[] = [];
  for (let index = 0; index < count; index += 1) {
    const ownedStartMs = index * chunkDurationMs;
    const ownedEndMs = index === count - 1 ? durationMs : (index + 1) * chunkDurationMs;
    chunks.push({
      index,
      startMs: Math.max(0, ownedStartMs - overlapMs),
      endMs: Math.min(durationMs, ownedEndMs + overlapMs),
      ownedStartMs,
      ownedEndMs,
    });
  }
  return chunks;
}

export interface ExtractedChunk {
  path: string;
  /** RMS level in dBFS; -Infinity for digital silence, null if not measured. */
  rmsDb: number | null;
}

/** Cuts one chunk out of a normalised track and measures its level (to skip silent chunks). */
export async function extractChunk(
  trackPath: string,
  chunk: ChunkPlan,
  options: {
    outputDirectory: string;
    name: string;
    tools: MediaTools;
    signal?: AbortSignal;
    timeoutMs?: number;
  },
): Promise<ExtractedChunk> {
  const outputPath = join(options.outputDirectory, `${options.name}.wav`);
  let stderr: string;
  try {
    ({ stderr } = await runProcess(
      options.tools.ffmpegPath,
      [
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "info",
        // Our own file, but the same rules cost nothing.
        "-protocol_whitelist",
        "file",
        "-ss",
        String(chunk.startMs / 1000),
        "-t",
        String((chunk.endMs - chunk.startMs) / 1000),
        "-i",
        trackPath,
        "-af",
        "astats", // not measure_*=…: ffmpeg 4.1 (the bundled one) lacks those options
        "-c:a",
        "pcm_s16le",
        "-fflags",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-y",
        outputPath,
      ],
      {
        cwd: options.outputDirectory,
        timeoutMs: options.timeoutMs ?? 120_000,
        signal: options.signal,
      },
    ));
  } catch (error) {
    throw missingToolError(error, "ffmpeg") ?? error;
  }
  return { path: outputPath, rmsDb: parseOverallRmsDb(stderr) };
}
