/**
 * From an uploaded recording to speaker-tagged, redacted segments:
 *
 *   probe → normalise (16 kHz mono PCM; stereo split into agent / customer tracks)
 *         → cut each track into chunks → transcribe → back onto the timeline → merge by time
 *         → redact personal data
 *
 * Pure of the database and the queue: the job adapter stores the result. All intermediate audio
 * lives in a private folder under `tempDirectory` that is removed however the call ends (success,
 * error or cancellation), and at most `concurrency` chunks exist at a time besides the normalised
 * tracks, so an hour-long call costs disk, not memory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  defaultChunking,
  extractChunk,
  planChunks,
  type ChunkPlan,
  type ChunkingOptions,
} from "./chunk-audio.ts";
import { defaultMediaTools, type MediaTools } from "./media-tools.ts";
import { mergeByTime, placeChunkSegments, type PlacedSegment } from "./merge-segments.ts";
import {
  normaliseAudio,
  type NormaliseResult,
  type NormalisedTrack,
  type StereoMode,
} from "./normalise-audio.ts";
import { probeAudio, type AudioLimits } from "./probe-audio.ts";
import { redactText, type Redaction } from "./redact.ts";
import type { Transcriber, TranscriptionLanguage } from "./transcriber.ts";

export type TranscriptionStage = "probe" | "normalise" | "transcribe" | "merge" | "complete";

export interface TranscribeRecordingOptions {
  transcriber: Transcriber;
  /** Parent of the private working folder (needs free space of ~4 MB per audio minute per channel). */
  tempDirectory: string;
  limits: AudioLimits;
  /** Which stereo channel carries the agent (the other is the customer). Default "left". */
  agentChannel?: "left" | "right";
  /** null: detect. */
  language?: TranscriptionLanguage | null;
  stereoMode?: StereoMode;
  chunking?: Partial<ChunkingOptions>;
  /** Chunks transcribed at once (useful with a remote API; keep 1 for local whisper). Default 1. */
  concurrency?: number;
  /** Chunks quieter than this (dBFS RMS) are not transcribed: engines invent text in silence. Default -60. */
  silenceThresholdDb?: number;
  /** Default true. Off only for callers that redact later themselves. */
  redact?: boolean;
  tools?: MediaTools;
  signal?: AbortSignal;
  /** Monotonic; ends with (1, "complete"). */
  onProgress?: (fraction: number, stage: TranscriptionStage) => void;
}

export interface RecordingSegment {
  startMs: number;
  endMs: number;
  /** "agent" / "customer" for split stereo, "speaker_1" (or the engine's labels) otherwise. */
  speaker: string;
  /** Redacted text: safe to send to a model or show to a trainer. */
  text: string;
  /** As transcribed: for the rep and admins only. */
  originalText: string;
  redactions: Redaction[];
  language: string | null;
  confidence: number | null;
}

export interface TranscribedRecording {
  durationMs: number;
  /** Channels of the uploaded file. */
  channels: number;
  layout: NormaliseResult["layout"];
  /** The language with the most transcribed speech time. */
  language: string | null;
  segments: RecordingSegment[];
  transcriber: { name: string; model: string };
}

const progressShare = { probe: 0.02, normalise: 0.13, transcribe: 0.83 };

export async function transcribeRecording(
  options: TranscribeRecordingOptions,
  audioPath: string,
): Promise<TranscribedRecording> {
  const tools = options.tools ?? defaultMediaTools;
  const chunking = { ...defaultChunking, ...options.chunking };
  const language = options.language ?? null;
  const report = monotonicReporter(options.onProgress);
  options.signal?.throwIfAborted();

  report(0, "probe");
  const probe = await probeAudio(audioPath, {
    limits: options.limits,
    signal: options.signal,
    tools,
  });
  report(progressShare.probe, "normalise");

  const workDirectory = await mkdtemp(join(options.tempDirectory, "calibrate-transcribe-"));
  try {
    const normalised = await normaliseAudio(audioPath, {
      outputDirectory: workDirectory,
      probe,
      stereoMode: options.stereoMode,
      maxDurationMs: options.limits.maxDurationMs,
      signal: options.signal,
      tools,
      onProgress: (fraction) =>
        report(progressShare.probe + progressShare.normalise * fraction, "normalise"),
    });
    const transcribeStart = progressShare.probe + progressShare.normalise;
    report(transcribeStart, "transcribe");

    const work = normalised.tracks.flatMap((track, trackIndex) => {
      const chunks = planChunks(track.durationMs, chunking);
      return chunks.map((chunk) => ({
        track,
        trackIndex,
        chunk,
        isLastChunk: chunk.index === chunks.length - 1,
      }));
    });
    // Interleave the tracks in time order, so progress and partial failures follow the call.
    work.sort((a, b) => a.chunk.startMs - b.chunk.startMs || a.trackIndex - b.trackIndex);
    const totalAudioMs = work.reduce(
      (sum, item) => sum + (item.chunk.endMs - item.chunk.startMs),
      0,
    );
    let doneAudioMs = 0;

    const placedByTrack: PlacedSegment[][] = normalised.tracks.map(() => []);
    await runPool(work, options.concurrency ?? 1, options.signal, async (item, signal) => {
      const placed = await transcribeChunk({
        ...item,
        options,
        tools,
        language,
        workDirectory,
        signal,
        speaker: speakerOf(item.track, options.agentChannel ?? "left"),
      });
      placedByTrack[item.trackIndex].push(...placed);
      doneAudioMs += item.chunk.endMs - item.chunk.startMs;
      report(
        transcribeStart + progressShare.transcribe * (doneAudioMs / Math.max(1, totalAudioMs)),
        "transcribe",
      );
    });

    report(transcribeStart + progressShare.transcribe, "merge");
    const merged = mergeByTime(placedByTrack);
    const redact = options.redact ?? true;
    const segments: RecordingSegment[] = merged.map((segment) => {
      const redaction = redact ? redactText(segment.text) : { text: segment.text, redactions: [] };
      return {
        startMs: segment.startMs,
        endMs: Math.min(segment.endMs, normalised.durationMs),
        speaker: segment.speaker,
        text: redaction.text,
        originalText: segment.text,
        redactions: redaction.redactions,
        language: segment.language,
        confidence: segment.confidence,
      };
    });
    const result: TranscribedRecording = {
      durationMs: normalised.durationMs,
      channels: probe.channels,
      layout: normalised.layout,
      language: dominantLanguage(segments) ?? language,
      segments,
      transcriber: { name: options.transcriber.name, model: options.transcriber.model },
    };
    report(1, "complete");
    return result;
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
  }
}

async function transcribeChunk(context: {
  track: NormalisedTrack;
  chunk: ChunkPlan;
  isLastChunk: boolean;
  options: TranscribeRecordingOptions;
  tools: MediaTools;
  language: TranscriptionLanguage | null;
  workDirectory: string;
  signal: AbortSignal;
  speaker: string;
}): Promise<PlacedSegment[]> {
  const { track, chunk } = context;
  // Most calls fit in one chunk: then the normalised track is the chunk, and its level is known.
  const wholeTrack = chunk.startMs === 0 && chunk.endMs >= track.durationMs;
  const extracted = wholeTrack
    ? { path: track.path, rmsDb: track.rmsDb }
    : await extractChunk(track.path, chunk, {
        outputDirectory: context.workDirectory,
        name: `${track.channel}-${chunk.index}`,
        tools: context.tools,
        signal: context.signal,
      });
  try {
    const threshold = context.options.silenceThresholdDb ?? -60;
    if (extracted.rmsDb !== null && extracted.rmsDb < threshold) return [];
    const result = await context.options.transcriber.transcribe({
      audioPath: extracted.path,
      language: context.language,
      signal: context.signal,
    });
    return placeChunkSegments(result.segments, {
      chunk,
      isLastChunk: context.isLastChunk,
      speaker: context.speaker,
      speakerFromTrack: track.channel !== "mixed",
      language: result.language ?? context.language,
    });
  } finally {
    // Free the disk as we go: a long call would otherwise keep every chunk until the end.
    if (!wholeTrack) await rm(extracted.path, { force: true });
  }
}

function speakerOf(track: NormalisedTrack, agentChannel: "left" | "right"): string {
  if (track.channel === "mixed") return "speaker_1";
  return track.channel === agentChannel ? "agent" : "customer";
}

/**
 * Runs `task` over `items` with at most `concurrency` in flight. The first failure (or the
 * caller's abort) cancels the rest, and we wait for every running task to stop before returning,
 * so no child process is still writing when the working folder is removed.
 */
async function runPool<Item>(
  items: readonly Item[],
  concurrency: number,
  callerSignal: AbortSignal | undefined,
  task: (item: Item, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  if (callerSignal?.aborted) onCallerAbort();
  let next = 0;
  let firstError: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !controller.signal.aborted) {
      const item = items[next];
      next += 1;
      try {
        await task(item, controller.signal);
      } catch (error) {
        firstError ??= { error };
        controller.abort(error);
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
    );
  } finally {
    callerSignal?.removeEventListener("abort", onCallerAbort);
  }
  callerSignal?.throwIfAborted();
  if (firstError) throw (firstError as { error: unknown }).error;
}

function monotonicReporter(
  onProgress: TranscribeRecordingOptions["onProgress"],
): (fraction: number, stage: TranscriptionStage) => void {
  let last = -1;
  let lastStage: TranscriptionStage | null = null;
  return (fraction, stage) => {
    if (!onProgress) return;
    const clamped = Math.min(1, Math.max(0, fraction));
    // Never backwards, and no repeats (ffmpeg reports the same position several times).
    if (clamped < last || (clamped === last && stage === lastStage)) return;
    last = clamped;
    lastStage = stage;
    onProgress(clamped, stage);
  };
}

function dominantLanguage(segments: readonly RecordingSegment[]): string | null {
  const speechByLanguage = new Map<string, number>();
  for (const segment of segments) {
    if (!segment.language) continue;
    speechByLanguage.set(
      segment.language,
      (speechByLanguage.get(segment.language) ?? 0) + (segment.endMs - segment.startMs),
    );
  }
  let best: string | null = null;
  let bestMs = -1;
  for (const [code, milliseconds] of speechByLanguage) {
    if (milliseconds > bestMs) {
      best = code;
      bestMs = milliseconds;
    }
  }
  return best;
}
