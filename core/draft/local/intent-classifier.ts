/**
 * The local engine's intent classifier: what drafts per-utterance intents when no LLM is
 * configured, trained on the trainers' labels and retrained in the background when they change.
 *
 * Model: hashed word and character n-grams (features.ts) → TF-IDF (vectorizer.ts) → one-vs-rest
 * linear SVMs (linear-svm.ts) plus a small multiple of multinomial naive Bayes (naive-bayes.ts),
 * summed into one linear model. Confidence is softmax(score / T), with the temperature T fitted
 * on held-out scores: the trained SVMs are re-solved from their own solution without a held-out
 * slice of the data (cheap, see heldOutScores), so every example still trains the final model.
 * Weights are rounded to int8 before the model is used, so the stored model (a few hundred KB,
 * intent-model-format.ts) predicts exactly what the trained one did.
 */
import { ValidationError } from "../../errors.ts";
import { fitTemperature, softmax } from "./calibration.ts";
import {
  readIntentModel,
  writeIntentModel,
  type IntentClassifierInfo,
  type IntentModelState,
} from "./intent-model-format.ts";
import {
  defaultLinearSvmOptions,
  heldOutScores,
  scoreRow,
  trainOneVersusRest,
  type LinearModel,
  type LinearSvmOptions,
  type OneVersusRestResult,
} from "./linear-svm.ts";
import { trainNaiveBayes } from "./naive-bayes.ts";
import { createRandom, shuffleInPlace } from "./random.ts";
import { compressLinearModel, maximumClasses, scoreSparse } from "./sparse-linear-model.ts";
import {
  defaultVectorizerOptions,
  fitVectorizer,
  type SparseMatrix,
  type VectorizerOptions,
} from "./vectorizer.ts";

export type { IntentClassifierInfo } from "./intent-model-format.ts";

export interface LabelledExample {
  text: string;
  label: string;
  /** The utterance before this one (any speaker), used as context when `useContext` is on. */
  previousText?: string | null;
}

export interface TrainOptions {
  /** Same examples + same seed → byte-identical model. Default 1. */
  seed?: number;
  /** Add the previous utterance's features (dialogue acts depend on what was just said). Default false. */
  useContext?: boolean;
  /** Weight of the previous utterance relative to the current one. Default 0.7 (tuned on PersuasionForGood and CrossWOZ validation data). */
  contextWeight?: number;
  /** SVM inverse regularisation. Default 1. */
  cost?: number;
  /** Weight of naive Bayes in the sum (0 turns it off). Default 0.02, tuned on CLINC150 val. */
  naiveBayesWeight?: number;
  /** Fit the temperature on held-out scores (else use `defaultTemperature`). Default true. */
  calibrate?: boolean;
  /**
   * Drop features seen in fewer training texts. Default: 2 once there are 20 or more examples
   * per label on average (a smaller model, same accuracy), else 1 (few-shot needs every feature).
   */
  minimumDocumentFrequency?: number;
}

export interface PredictionInput {
  text: string;
  previousText?: string | null;
}

export interface RankedLabel {
  label: string;
  confidence: number;
}

export interface IntentPrediction {
  label: string;
  /** Calibrated probability that `label` is right, in [0, 1]. */
  confidence: number;
  /** Every label, most likely first; confidences sum to 1. */
  ranked: RankedLabel[];
}

export interface IntentClassifier {
  /** The labels it was trained on, sorted; it never predicts any other. */
  readonly labels: readonly string[];
  readonly info: IntentClassifierInfo;
  predict(text: string, previousText?: string | null): IntentPrediction;
  predictBatch(inputs: readonly PredictionInput[]): IntentPrediction[];
  /** Compact binary form for storage (Postgres bytea); `loadIntentClassifier` reads it back. */
  serialize(): Uint8Array;
}

/**
 * Temperature when too few labels exist to fit one (fewer than two examples for most labels):
 * the one that fits CLINC150 val best for a model trained on one example per intent (0.14–0.15).
 */
export const defaultTemperature = 0.15;
/** Naive Bayes additive smoothing (tuned with its weight on CLINC150 val). */
const naiveBayesSmoothing = 0.01;
/** Enough held-out rows to fit one number; more only cost time. */
const maximumCalibrationRows = 2000;
const minimumCalibrationRows = 10;

class LinearIntentClassifier implements IntentClassifier {
  readonly labels: readonly string[];
  readonly info: IntentClassifierInfo;
  // Scratch reused across predictions: prediction is the hot path of drafting.
  private readonly scores: Float64Array;
  private readonly probabilities: Float64Array;
  private readonly order: Int32Array;

  constructor(private readonly state: IntentModelState) {
    this.labels = Object.freeze([...state.labels]);
    this.info = Object.freeze({ ...state.info });
    this.scores = new Float64Array(state.labels.length);
    this.probabilities = new Float64Array(state.labels.length);
    this.order = new Int32Array(state.labels.length);
  }

  predict(text: string, previousText?: string | null): IntentPrediction {
    checkText(text, "text");
    if (previousText !== undefined && previousText !== null)
      checkText(previousText, "previousText");
    const vector = this.state.vectorizer.transform({ text, previousText });
    scoreSparse(this.state.model, vector.indices, vector.values, this.scores);
    const probabilities = softmax(this.scores, this.state.info.temperature, this.probabilities);
    const order = this.order;
    for (let index = 0; index < order.length; index++) order[index] = index;
    // Ties keep label order (the sort is stable), so equal scores rank the same way every time.
    order.sort((left, right) => probabilities[right] - probabilities[left]);
    const ranked = Array.from(order, (index) => ({
      label: this.labels[index],
      confidence: probabilities[index],
    }));
    return { label: ranked[0].label, confidence: ranked[0].confidence, ranked };
  }

  predictBatch(inputs: readonly PredictionInput[]): IntentPrediction[] {
    if (!Array.isArray(inputs))
      throw new ValidationError("predictBatch takes an array of { text, previousText? }.");
    return inputs.map((input) => this.predict(input?.text, input?.previousText));
  }

  serialize(): Uint8Array {
    return writeIntentModel(this.state);
  }
}

function checkText(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") {
    throw new ValidationError(
      `${name} must be a string, got ${value === null ? "null" : typeof value}.`,
    );
  }
}

function checkExamples(examples: readonly LabelledExample[]): void {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new ValidationError("Training needs at least one labelled example.");
  }
  const issues: string[] = [];
  examples.forEach((example, index) => {
    if (typeof example?.text !== "string") issues.push(`examples[${index}].text must be a string`);
    if (typeof example?.label !== "string" || example.label.trim() === "") {
      issues.push(`examples[${index}].label must be a non-empty string`);
    }
    const previous = example?.previousText;
    if (previous !== undefined && previous !== null && typeof previous !== "string") {
      issues.push(`examples[${index}].previousText must be a string or null`);
    }
  });
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).join("; ") + (issues.length > 5 ? "; …" : "");
    throw new ValidationError(`Invalid training examples: ${shown}.`, issues);
  }
}

function checkOptions(options: TrainOptions): void {
  const positive = (value: number | undefined) =>
    value === undefined || (Number.isFinite(value) && value > 0);
  const nonNegative = (value: number | undefined) =>
    value === undefined || (Number.isFinite(value) && value >= 0);
  const frequency = options.minimumDocumentFrequency;
  const problems = [
    !positive(options.cost) && "cost must be > 0",
    !nonNegative(options.contextWeight) && "contextWeight must be ≥ 0",
    !nonNegative(options.naiveBayesWeight) && "naiveBayesWeight must be ≥ 0",
    options.seed !== undefined && !Number.isInteger(options.seed) && "seed must be an integer",
    frequency !== undefined &&
      !(Number.isInteger(frequency) && frequency >= 1) &&
      "minimumDocumentFrequency must be an integer ≥ 1",
  ].filter((problem): problem is string => typeof problem === "string");
  if (problems.length > 0)
    throw new ValidationError(`Invalid training options: ${problems.join("; ")}.`, problems);
}

/**
 * Held-out folds for calibration. Only rows whose label has another example are held out (a
 * label with one example cannot be held out and still be known). A label's rows are spread over
 * the folds, so every fold model still knows every label. Small sets use five folds covering
 * every eligible row; large ones a single tenth, at most `maximumCalibrationRows` rows.
 */
function calibrationFolds(labelOfRow: Int32Array, classes: number, seed: number): Int32Array[] {
  const rowsOf: number[][] = Array.from({ length: classes }, () => []);
  labelOfRow.forEach((label, row) => rowsOf[label].push(row));
  const eligible = rowsOf.filter((rows) => rows.length >= 2);
  const eligibleCount = eligible.reduce((sum, rows) => sum + rows.length, 0);
  // With fewer than two examples for most labels, held-out rows would describe a model that
  // has never seen their label: far more pessimistic than the model being calibrated.
  if (classes < 2 || eligibleCount < Math.max(minimumCalibrationRows, labelOfRow.length / 2))
    return [];
  const random = createRandom(seed ^ 0x5bd1e995);
  const foldCount = labelOfRow.length <= maximumCalibrationRows ? 5 : 10;
  const folds: number[][] = Array.from({ length: foldCount }, () => []);
  for (const rows of eligible) {
    shuffleInPlace(rows, random);
    const offset = Math.floor(random() * foldCount);
    rows.forEach((row, index) => folds[(offset + index) % foldCount].push(row));
  }
  return (foldCount === 5 ? folds : [folds[0]]).map((fold) => {
    shuffleInPlace(fold, random);
    return Int32Array.from(fold.slice(0, maximumCalibrationRows)).sort();
  });
}

/** Decision values of the held-out rows of each fold, from models trained without them. */
function heldOutDecisions(
  matrix: SparseMatrix,
  targets: readonly Int8Array[],
  svm: OneVersusRestResult,
  svmOptions: LinearSvmOptions,
  naiveBayesWeight: number,
  folds: readonly Int32Array[],
): { scores: Float64Array[]; rows: number[] } {
  const classes = targets.length;
  const scores: Float64Array[] = [];
  const rows: number[] = [];
  const bayesScores = new Float64Array(classes);
  for (const fold of folds) {
    const foldScores = heldOutScores(matrix, targets, svm, fold, svmOptions);
    const bayes =
      naiveBayesWeight > 0
        ? trainNaiveBayes(matrix, targets, naiveBayesSmoothing, maskOf(fold, matrix.rows))
        : null;
    fold.forEach((row, sample) => {
      const rowScores = foldScores.subarray(sample * classes, (sample + 1) * classes);
      if (bayes) {
        const start = matrix.rowStart[row];
        const end = matrix.rowStart[row + 1];
        scoreRow(
          bayes,
          matrix.indices.subarray(start, end),
          matrix.values.subarray(start, end),
          bayesScores,
        );
        for (let label = 0; label < classes; label++)
          rowScores[label] += naiveBayesWeight * bayesScores[label];
      }
      scores.push(rowScores);
      rows.push(row);
    });
  }
  return { scores, rows };
}

function maskOf(rows: Int32Array, size: number): Uint8Array {
  const mask = new Uint8Array(size);
  for (const row of rows) mask[row] = 1;
  return mask;
}

/** target += scale × source, for two linear models over the same features and classes. */
function addScaled(target: LinearModel, source: LinearModel, scale: number): void {
  for (let index = 0; index < target.weights.length; index++)
    target.weights[index] += scale * source.weights[index];
  for (let label = 0; label < target.classes; label++)
    target.biases[label] += scale * source.biases[label];
  if (source.massWeights) {
    const mass = target.massWeights ?? new Float32Array(target.classes);
    for (let label = 0; label < target.classes; label++)
      mass[label] += scale * source.massWeights[label];
    target.massWeights = mass;
  }
}

/**
 * Round weights to a shared int8 grid in place and return the step. Weights under 1.5 steps
 * (|w| < 1.2 % of the largest) become exact zeros, so they cost nothing to store or score: on
 * CLINC150 that drops 37 % of the non-zero weights for a change in accuracy within noise
 * (test 93.78 → 93.76 %).
 */
function quantize(weights: Float32Array): number {
  let largest = 0;
  for (const weight of weights) largest = Math.max(largest, Math.abs(weight));
  const step = largest > 0 ? largest / 127 : 1;
  for (let index = 0; index < weights.length; index++) {
    const steps = Math.round(weights[index] / step);
    weights[index] = Math.abs(steps) < 2 ? 0 : steps * step;
  }
  return step;
}

export function trainIntentClassifier(
  examples: LabelledExample[],
  options: TrainOptions = {},
): IntentClassifier {
  checkExamples(examples);
  checkOptions(options);
  const seed = options.seed ?? 1;
  const useContext = options.useContext ?? false;
  const labels = [...new Set(examples.map((example) => example.label))].sort();
  if (labels.length > maximumClasses)
    throw new ValidationError(`At most ${maximumClasses} labels can be trained.`);
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const classes = labels.length;
  const labelOfRow = Int32Array.from(
    examples,
    (example) => labelIndex.get(example.label) as number,
  );

  const vectorizerOptions: VectorizerOptions = {
    ...defaultVectorizerOptions,
    contextWeight: useContext ? (options.contextWeight ?? 0.7) : 0,
    minimumDocumentFrequency:
      options.minimumDocumentFrequency ?? (examples.length >= 20 * classes ? 2 : 1),
  };
  const { vectorizer, matrix } = fitVectorizer(examples, vectorizerOptions);
  // Row signs per class (+1 own, -1 rest), filled by a loop: TypedArray.from with a mapping
  // function is an order of magnitude slower at this size.
  const targets = labels.map(() => new Int8Array(examples.length).fill(-1));
  labelOfRow.forEach((label, row) => {
    targets[label][row] = 1;
  });
  const svmOptions = { ...defaultLinearSvmOptions, cost: options.cost ?? 1, seed };
  const svm = trainOneVersusRest(matrix, targets, svmOptions);
  const naiveBayesWeight = options.naiveBayesWeight ?? 0.02;

  let temperature = defaultTemperature;
  let calibration: IntentClassifierInfo["calibration"] = "default";
  const folds = options.calibrate === false ? [] : calibrationFolds(labelOfRow, classes, seed);
  if (folds.length > 0) {
    const heldOut = heldOutDecisions(matrix, targets, svm, svmOptions, naiveBayesWeight, folds);
    const truths = heldOut.rows.map((row) => labelOfRow[row]);
    temperature = fitTemperature(heldOut.scores, truths, { minimum: 0.01, maximum: 10 });
    calibration = "held-out";
  }
  // Only now may the SVM's weights change: held-out scoring above starts from them.
  const model = svm.model;
  if (naiveBayesWeight > 0) {
    addScaled(model, trainNaiveBayes(matrix, targets, naiveBayesSmoothing), naiveBayesWeight);
  }
  const weightStep = quantize(model.weights);
  return new LinearIntentClassifier({
    labels,
    vectorizer,
    model: compressLinearModel(model),
    weightStep,
    info: {
      examples: examples.length,
      features: matrix.columns,
      temperature,
      calibration,
      useContext,
      seed,
    },
  });
}

/** Reads what `serialize` wrote; throws UnprocessableError on a truncated, corrupt or foreign blob. */
export function loadIntentClassifier(bytes: Uint8Array): IntentClassifier {
  return new LinearIntentClassifier(readIntentModel(bytes));
}
