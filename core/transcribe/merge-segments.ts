/**
 * Puts chunk-relative segments back on the recording's timeline and interleaves the speakers'
 * tracks by time.
 *
 * Overlap rule: a chunk contributes only the segments whose midpoint falls in the stretch it owns.
 * A sentence spoken across a boundary is heard whole by the chunk that owns most of it and cut by
 * the other, whose cut copy then has its midpoint outside that chunk's stretch and is dropped.
 * (A sentence longer than twice the overlap can still appear partly in both; whisper segments are
 * rarely longer than ~10 s and the overlap is set against that.)
 */
import type { ChunkPlan } from "./chunk-audio.ts";
import type { TranscribedSegment } from "./transcriber.ts";

export interface PlacedSegment {
  startMs: number;
  endMs: number;
  speaker: string;
  text: string;
  language: string | null;
  confidence: number | null;
}

export function placeChunkSegments(
  segments: readonly TranscribedSegment[],
  context: {
    chunk: ChunkPlan;
    isLastChunk: boolean;
    /** Speaker for segments the engine did not attribute. */
    speaker: string;
    /** Split tracks know their speaker; an engine's diarisation must not override it. */
    speakerFromTrack: boolean;
    language: string | null;
  },
): PlacedSegment[] {
  const { chunk } = context;
  const chunkLengthMs = chunk.endMs - chunk.startMs;
  const placed: PlacedSegment[] = [];
  for (const segment of segments) {
    const text = segment.text.trim();
    if (text === "") continue;
    // Engines sometimes run a little past the end of the audio they were given.
    const startMs = chunk.startMs + Math.min(segment.startMs, chunkLengthMs);
    const endMs = chunk.startMs + Math.min(Math.max(segment.endMs, segment.startMs), chunkLengthMs);
    const midpointMs = (startMs + endMs) / 2;
    const owned =
      midpointMs >= chunk.ownedStartMs &&
      (midpointMs < chunk.ownedEndMs || (context.isLastChunk && midpointMs <= chunk.ownedEndMs));
    if (!owned) continue;
    placed.push({
      startMs: Math.round(startMs),
      endMs: Math.round(endMs),
      speaker: !context.speakerFromTrack && segment.speaker ? segment.speaker : context.speaker,
      text,
      language: context.language,
      confidence: segment.confidence,
    });
  }
  return placed;
}

/**
 * Orders segments from all tracks by start time; ties by end time, then by the order of the
 * tracks given (stable), so the result is deterministic.
 */
export function mergeByTime(tracks: ReadonlyArray<readonly PlacedSegment[]>): PlacedSegment[] {
  return tracks
    .flatMap((segments, trackIndex) =>
      segments.map((segment, position) => ({ segment, trackIndex, position })),
    )
    .sort(
      (a, b) =>
        a.segment.startMs - b.segment.startMs ||
        a.segment.endMs - b.segment.endMs ||
        a.trackIndex - b.trackIndex ||
        a.position - b.position,
    )
    .map((entry) => entry.segment);
}
