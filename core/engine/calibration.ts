/**
 * Confidence calibration: turn decision values into probabilities that mean what they say, so
 * the review queue can put the drafts the engine is least sure of first.
 *
 * Temperature scaling (Guo et al., 2017) fits one number, so it cannot overfit a small held-out
 * set and never changes which label wins.
 */

/** softmax(scores / temperature), written into `output`. */
export function softmax(
  scores: ArrayLike<number>,
  temperature: number,
  output: Float64Array = new Float64Array(scores.length),
): Float64Array {
  let maximum = -Infinity;
  for (let index = 0; index < scores.length; index++) maximum = Math.max(maximum, scores[index]);
  let sum = 0;
  for (let index = 0; index < scores.length; index++) {
    output[index] = Math.exp((scores[index] - maximum) / temperature);
    sum += output[index];
  }
  for (let index = 0; index < scores.length; index++) output[index] /= sum;
  return output;
}

/** Mean negative log-likelihood of the true labels under softmax(scores / temperature). */
export function negativeLogLikelihood(
  scores: readonly ArrayLike<number>[],
  truths: ArrayLike<number>,
  temperature: number,
): number {
  let total = 0;
  for (let row = 0; row < scores.length; row++) {
    const rowScores = scores[row];
    let maximum = -Infinity;
    for (let index = 0; index < rowScores.length; index++)
      maximum = Math.max(maximum, rowScores[index]);
    let sum = 0;
    for (let index = 0; index < rowScores.length; index++)
      sum += Math.exp((rowScores[index] - maximum) / temperature);
    total += Math.log(sum) - (rowScores[truths[row]] - maximum) / temperature;
  }
  return total / Math.max(scores.length, 1);
}

/**
 * The temperature in [minimum, maximum] that minimises the NLL of held-out scores. The NLL is
 * unimodal in log-temperature, so a golden-section search is enough.
 */
export function fitTemperature(
  scores: readonly ArrayLike<number>[],
  truths: ArrayLike<number>,
  {
    minimum = 1e-3,
    maximum = 1e3,
    steps = 30,
  }: { minimum?: number; maximum?: number; steps?: number } = {},
): number {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(minimum);
  let high = Math.log(maximum);
  const loss = (logTemperature: number) =>
    negativeLogLikelihood(scores, truths, Math.exp(logTemperature));
  let left = high - ratio * (high - low);
  let right = low + ratio * (high - low);
  let leftLoss = loss(left);
  let rightLoss = loss(right);
  for (let step = 0; step < steps; step++) {
    if (leftLoss < rightLoss) {
      high = right;
      right = left;
      rightLoss = leftLoss;
      left = high - ratio * (high - low);
      leftLoss = loss(left);
    } else {
      low = left;
      left = right;
      leftLoss = rightLoss;
      right = low + ratio * (high - low);
      rightLoss = loss(right);
    }
  }
  return Math.exp((low + high) / 2);
}

/**
 * Expected calibration error: the gap between confidence and accuracy, averaged over
 * equal-width confidence bins weighted by how many predictions fall in each.
 */
export function expectedCalibrationError(
  predictions: readonly { confidence: number; correct: boolean }[],
  bins = 15,
): number {
  const confidence = new Float64Array(bins);
  const correct = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (const prediction of predictions) {
    const bin = Math.min(bins - 1, Math.floor(prediction.confidence * bins));
    confidence[bin] += prediction.confidence;
    correct[bin] += prediction.correct ? 1 : 0;
    count[bin] += 1;
  }
  let error = 0;
  for (let bin = 0; bin < bins; bin++) error += Math.abs(correct[bin] - confidence[bin]);
  return predictions.length === 0 ? 0 : error / predictions.length;
}
