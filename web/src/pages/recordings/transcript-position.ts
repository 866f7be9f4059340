import type { TranscriptSegment } from "../../api/types.ts";

/** The index of the utterance playing at `milliseconds` (binary search; segments are in time order). */
export function segmentIndexAt(
  segments: ReadonlyArray<Pick<TranscriptSegment, "startMs" | "endMs">>,
  milliseconds: number,
): number {
  let low = 0;
  let high = segments.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (segments[middle].startMs <= milliseconds) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found === -1) return -1;
  return milliseconds < Math.max(segments[found].endMs, segments[found].startMs + 1) ? found : -1;
}
