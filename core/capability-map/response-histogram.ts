/**
 * Response-time percentiles from pre-aggregated rows. A median cannot be summed across days or
 * teams, but a histogram can: each rollup row stores how many decisions fell into each of a fixed
 * set of log-spaced buckets, and a percentile is estimated from the summed buckets.
 *
 * Buckets: bucket 0 is [0, 100 ms); bucket i ≥ 1 is [boundaries[i-1], boundaries[i]), each 1.2 times
 * wider than the one before; the last bucket (≥ 1 hour) is open-ended. The estimate interpolates
 * linearly inside the bucket the percentile falls in, so it is off by at most one bucket's width:
 * under 20 % of the true value, and usually far less because decisions spread over many buckets.
 * A percentile that falls in the open last bucket is reported as its lower bound (1 hour).
 *
 * The bucket number of a decision is computed in SQL with `width_bucket(decision_ms, boundaries)`,
 * which returns exactly this numbering, so SQL and this module cannot disagree.
 */

const firstBoundaryMs = 100;
const growth = 1.2;
const lastBoundaryMs = 3_600_000;

/** Lower bounds of buckets 1…n, in milliseconds, strictly increasing. */
export const responseBoundariesMs: readonly number[] = (() => {
  const boundaries: number[] = [];
  for (let bound = firstBoundaryMs; Math.round(bound) <= lastBoundaryMs; bound *= growth) {
    boundaries.push(Math.round(bound));
  }
  return Object.freeze(boundaries);
})();

/**
 * Names the bucket layout. Rollup rows built with another layout cannot be summed with these, so a
 * change here makes the next refresh rebuild everything.
 */
export const histogramLayout = `log-buckets:${firstBoundaryMs}ms*${growth}^${responseBoundariesMs.length}`;

/** Bucket number → number of decisions. */
export type ResponseHistogram = Map<number, number>;

/** The bucket a response time falls in; the same numbering as SQL's width_bucket. */
export function bucketOf(milliseconds: number): number {
  let low = 0;
  let high = responseBoundariesMs.length;
  // Number of boundaries ≤ milliseconds, by binary search.
  while (low < high) {
    const middle = (low + high) >> 1;
    if (responseBoundariesMs[middle] <= milliseconds) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function histogramOf(millisecondsList: Iterable<number>): ResponseHistogram {
  const histogram: ResponseHistogram = new Map();
  for (const milliseconds of millisecondsList) addToHistogram(histogram, bucketOf(milliseconds), 1);
  return histogram;
}

export function addToHistogram(target: ResponseHistogram, bucket: number, count: number): void {
  target.set(bucket, (target.get(bucket) ?? 0) + count);
}

export function mergeHistograms(target: ResponseHistogram, source: ResponseHistogram): void {
  for (const [bucket, count] of source) addToHistogram(target, bucket, count);
}

/**
 * Estimates the `fraction` percentile (0.5 for the median, 0.9 for p90) in milliseconds, or null
 * for an empty histogram. The percentile is the value below which `fraction` of decisions fall,
 * with decisions spread evenly inside each bucket.
 */
export function estimatePercentile(histogram: ResponseHistogram, fraction: number): number | null {
  if (!(fraction > 0 && fraction <= 1))
    throw new RangeError(`A percentile fraction must be in (0, 1]; got ${fraction}.`);
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return null;
  const rank = fraction * total;
  let below = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    const count = histogram.get(bucket)!;
    if (count <= 0) continue;
    if (below + count >= rank) {
      const lower = bucket === 0 ? 0 : responseBoundariesMs[bucket - 1];
      const upper = responseBoundariesMs[bucket];
      if (upper === undefined) return lower;
      return Math.round(lower + ((rank - below) / count) * (upper - lower));
    }
    below += count;
  }
  // Only reachable through rounding at fraction = 1: the top of the last filled bucket.
  const last = Math.max(...histogram.keys());
  return responseBoundariesMs[last] ?? responseBoundariesMs[last - 1];
}
