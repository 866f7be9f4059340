/**
 * The local engine's intent classifier: what drafts per-utterance intents when no LLM is
 * configured, trained on the trainers' labels and retrained in the background when they change.
 *
 * Model: hashed word and character n-grams (features.ts) → TF-IDF (vectorizer.ts) → one-vs-rest
 * linear SVMs (linear-svm.ts) plus a small multiple of multinomial naive Bayes (naive-bayes.ts),
 * summed into one linear model. Confidence is softmax(score / T) with the temperature T fitted on
 * leave-one-out estimates of the training scores, so it is calibrated without a held-out split
 * and without training twice. The model serialises to a compact binary (int8 weights, deflated)
 * and the in-memory model uses the same quantised weights, so a loaded model predicts exactly
 * what the trained one did.
 */
import { ValidationError, UnprocessableError } from "../../errors.ts";
import { fitTemperature, softmax } from "./calibration.ts";
import {
  defaultLinearSvmOptions,
  heldOutScores,
  scoreRow,
  trainOneVersusRest,
  type LinearModel,
} from "./linear-svm.ts";
import { ByteReader, ByteWriter, packModel, unpackModel } from "./model-codec.ts";
import { trainNaiveBayes } from "./naive-bayes.ts";
import { createRandom, shuffleInPlace } from "./random.ts";
import {
  defaultVectorizerOptions,
  fitVectorizer,
  Vectorizer,
  type VectorizerOptions,
} from "./vectorizer.ts";

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
  /** Weight of the previous utterance relative to the current one. Default 0.5. */
  contextWeight?: number;
  /** SVM inverse regularisation. Default 1. */
  cost?: number;
  /** Weight of naive Bayes in the sum (0 turns it off). Default 0.05, tuned on CLINC150 val. */
  naiveBayesWeight?: number;
  /** Fit the temperature on held-out scores (else use `defaultTemperature`). Default true. */
  calibrate?: boolean;
  /**
   * Drop features seen in fewer training texts. Default: 2 once there are 20 or more examples
   * per label on average (halves the model, same accuracy), else 1 (few-shot needs every feature).
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

export interface IntentClassifierInfo {
  examples: number;
  features: number;
  temperature: number;
  /** How the temperature was chosen. */
  calibration: "held-out" | "default";
  useContext: boolean;
  seed: number;
}

export interface IntentClassifier {
  readonly labels: readonly string[];
  readonly info: IntentClassifierInfo;
  predict(text: string, previousText?: string | null): IntentPrediction;
  predictBatch(inputs: readonly PredictionInput[]): IntentPrediction[];
  /** Compact binary form for storage (Postgres bytea); `loadIntentClassifier` reads it back. */
  serialize(): Uint8Array;
}

const modelMagic = "CALIBRATE-INTENT";
const modelFormatVersion = 1;
/**
 * Temperature when too few labels exist to fit one (fewer than two examples for most labels):
 * the value leave-one-out fitting gives on CLINC150 with 2–5 examples per intent.
 */
export const defaultTemperature = 0.15;
const naiveBayesSmoothing = 0.05;
/** Enough held-out-like rows to fit one number; more only costs time. */
const maximumCalibrationRows = 2000;
const minimumCalibrationRows = 10;

interface ClassifierState {
  labels: string[];
  vectorizer: Vectorizer;
  model: LinearModel;
  /** int8 step of the weights: weight = step × stored integer. */
  weightStep: number;
  info: IntentClassifierInfo;
}

class LinearIntentClassifier implements IntentClassifier {
  readonly labels: readonly string[];
  readonly info: IntentClassifierInfo;
  private readonly scores: Float64Array;
  private readonly probabilities: Float64Array;

  constructor(private readonly state: ClassifierState) {
    this.labels = Object.freeze([...state.labels]);
    this.info = Object.freeze({ ...state.info });
    this.scores = new Float64Array(state.labels.length);
    this.probabilities = new Float64Array(state.labels.length);
  }

  predict(text: string, previousText?: string | null): IntentPrediction {
    checkText(text, "text");
    if (previousText !== undefined && previousText !== null)
      checkText(previousText, "previousText");
    const vector = this.state.vectorizer.transform({ text, previousText });
    scoreRow(this.state.model, vector.indices, vector.values, this.scores);
    softmax(this.scores, this.state.info.temperature, this.probabilities);
    const ranked = this.state.labels.map((label, index) => ({
      label,
      confidence: this.probabilities[index],
    }));
    // Stable sort: ties keep label order, so equal scores rank the same way every time.
    ranked.sort((left, right) => right.confidence - left.confidence);
    return { label: ranked[0].label, confidence: ranked[0].confidence, ranked };
  }

  predictBatch(inputs: readonly PredictionInput[]): IntentPrediction[] {
    if (!Array.isArray(inputs))
      throw new ValidationError("predictBatch takes an array of { text, previousText? }.");
    return inputs.map((input) => this.predict(input?.text, input?.previousText));
  }

  serialize(): Uint8Array {
    const { labels, vectorizer, model, weightStep, info } = this.state;
    const writer = new ByteWriter();
    writer.string(
      JSON.stringify({
        labels,
        options: vectorizer.options,
        info,
        documents: vectorizer.documents,
      }),
    );
    writer.float64(weightStep);
    writer.varint(vectorizer.keys.length);
    // Keys ascend, so their gaps are small varints; IDF is rebuilt from document frequencies.
    let previousKey = 0;
    for (let column = 0; column < vectorizer.keys.length; column++) {
      writer.varint(vectorizer.keys[column] - previousKey);
      previousKey = vectorizer.keys[column];
      writer.varint(vectorizer.documentFrequency[column]);
    }
    for (const bias of model.biases) writer.float32(bias);
    for (const weight of model.massWeights ?? new Float32Array(model.classes))
      writer.float32(weight);
    // Sparse rows of the int8 weight matrix: per feature, (class gap, value) pairs.
    const classes = model.classes;
    for (let column = 0; column < model.features; column++) {
      const offset = column * classes;
      let count = 0;
      for (let label = 0; label < classes; label++)
        if (model.weights[offset + label] !== 0) count++;
      writer.varint(count);
      let previousLabel = 0;
      for (let label = 0; label < classes; label++) {
        const weight = model.weights[offset + label];
        if (weight === 0) continue;
        writer.varint(label - previousLabel);
        previousLabel = label;
        writer.int8(Math.round(weight / weightStep));
      }
    }
    return packModel(modelMagic, modelFormatVersion, writer.finish());
  }
}

function checkText(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string")
    throw new ValidationError(
      `${name} must be a string, got ${value === null ? "null" : typeof value}.`,
    );
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
    throw new ValidationError(
      `Invalid training examples: ${issues.slice(0, 5).join("; ")}${issues.length > 5 ? "; …" : ""}.`,
      issues,
    );
  }
}

function checkOptions(options: TrainOptions): void {
  const positive = (value: number | undefined) =>
    value === undefined || (Number.isFinite(value) && value > 0);
  const nonNegative = (value: number | undefined) =>
    value === undefined || (Number.isFinite(value) && value >= 0);
  const problems = [
    !positive(options.cost) && "cost must be > 0",
    !nonNegative(options.contextWeight) && "contextWeight must be ≥ 0",
    !nonNegative(options.naiveBayesWeight) && "naiveBayesWeight must be ≥ 0",
    options.seed !== undefined && !Number.isInteger(options.seed) && "seed must be an integer",
    options.minimumDocumentFrequency !== undefined &&
      !(
        Number.isInteger(options.minimumDocumentFrequency) && options.minimumDocumentFrequency >= 1
      ) &&
      "minimumDocumentFrequency must be an integer ≥ 1",
  ].filter(Boolean);
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
  const random = createRandom(seed ^ 0x5bd1e995);
  const eligible = rowsOf.filter((rows) => rows.length >= 2);
  const eligibleCount = eligible.reduce((sum, rows) => sum + rows.length, 0);
  // Too few to fit even one number; with fewer than two examples for most labels, held-out
  // rows would describe a model that has never seen their label.
  if (classes < 2 || eligibleCount < Math.max(minimumCalibrationRows, labelOfRow.length / 2))
    return [];
  const foldCount = labelOfRow.length <= maximumCalibrationRows ? 5 : 10;
  const folds: number[][] = Array.from({ length: foldCount }, () => []);
  for (const rows of eligible) {
    shuffleInPlace(rows, random);
    const offset = Math.floor(random() * foldCount);
    rows.forEach((row, index) => folds[(offset + index) % foldCount].push(row));
  }
  const used = foldCount === 5 ? folds : [folds[0]];
  return used.map((fold) => {
    shuffleInPlace(fold, random);
    return Int32Array.from(fold.slice(0, maximumCalibrationRows)).sort();
  });
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

/** Round weights to a shared int8 grid; tiny weights become exact zeros and are not stored. */
function quantize(weights: Float32Array): number {
  let largest = 0;
  for (const weight of weights) largest = Math.max(largest, Math.abs(weight));
  const step = largest > 0 ? largest / 127 : 1;
  for (let index = 0; index < weights.length; index++)
    weights[index] = Math.round(weights[index] / step) * step;
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
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const classes = labels.length;
  const labelOfRow = Int32Array.from(
    examples,
    (example) => labelIndex.get(example.label) as number,
  );

  const vectorizerOptions: VectorizerOptions = {
    ...defaultVectorizerOptions,
    contextWeight: useContext ? (options.contextWeight ?? 0.5) : 0,
    minimumDocumentFrequency:
      options.minimumDocumentFrequency ?? (examples.length >= 20 * classes ? 2 : 1),
  };
  const T0 = performance.now();
  const { vectorizer, matrix } = fitVectorizer(examples, vectorizerOptions);
  const T1 = performance.now();
  const targets = labels.map((_, label) =>
    Int8Array.from(labelOfRow, (row) => (row === label ? 1 : -1)),
  );
  const svmOptions = { ...defaultLinearSvmOptions, cost: options.cost ?? 1, seed };
  const svm = trainOneVersusRest(matrix, targets, svmOptions);
  const T2 = performance.now();
  const naiveBayesWeight = options.naiveBayesWeight ?? 0.05;

  let temperature = defaultTemperature;
  let calibration: IntentClassifierInfo["calibration"] = "default";
  const folds = options.calibrate === false ? [] : calibrationFolds(labelOfRow, classes, seed);
  if (folds.length > 0) {
    const scores: Float64Array[] = [];
    const truths: number[] = [];
    for (const fold of folds) {
      const foldScores = heldOutScores(matrix, targets, svm, fold, svmOptions);
      if (naiveBayesWeight > 0) {
        const excluded = new Uint8Array(matrix.rows);
        for (const row of fold) excluded[row] = 1;
        const bayes = trainNaiveBayes(matrix, targets, naiveBayesSmoothing, excluded);
        const bayesScores = new Float64Array(classes);
        fold.forEach((row, sample) => {
          const start = matrix.rowStart[row];
          const end = matrix.rowStart[row + 1];
          scoreRow(
            bayes,
            matrix.indices.subarray(start, end),
            matrix.values.subarray(start, end),
            bayesScores,
          );
          for (let label = 0; label < classes; label++) {
            foldScores[sample * classes + label] += naiveBayesWeight * bayesScores[label];
          }
        });
      }
      fold.forEach((row, sample) => {
        scores.push(foldScores.subarray(sample * classes, (sample + 1) * classes));
        truths.push(labelOfRow[row]);
      });
    }
    temperature = fitTemperature(scores, truths, { minimum: 0.01, maximum: 10 });
    if (process.env.DEBUG_CAL) { let c = 0; scores.forEach((s, i) => { let b = 0; for (let k = 1; k < s.length; k++) if (s[k] > s[b]) b = k; if (b === truths[i]) c++; }); console.log("heldout acc", c / scores.length, scores.length, folds.length); }
    calibration = "held-out";
  }
  const T3 = performance.now();
  // Only now may the SVM's weights change: held-out scoring above starts from them.
  const model = svm.model;
  if (naiveBayesWeight > 0) {
    addScaled(model, trainNaiveBayes(matrix, targets, naiveBayesSmoothing), naiveBayesWeight);
  }
  const weightStep = quantize(model.weights);
  if (process.env.DEBUG_TIME) console.log({ vectorize: T1 - T0, svm: T2 - T1, calibrate: T3 - T2, merge: performance.now() - T3 });
  return new LinearIntentClassifier({
    labels,
    vectorizer,
    model,
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

export function loadIntentClassifier(bytes: Uint8Array): IntentClassifier {
  const reader = new ByteReader(unpackModel(modelMagic, modelFormatVersion, bytes));
  let header: {
    labels: string[];
    options: VectorizerOptions;
    info: IntentClassifierInfo;
    documents: number;
  };
  try {
    header = JSON.parse(reader.string());
  } catch (error) {
    throw new UnprocessableError("The model file has an unreadable header.", undefined, {
      cause: error,
    });
  }
  const classes = header.labels.length;
  const weightStep = reader.float64();
  const features = reader.varint();
  const keys = new Uint32Array(features);
  const documentFrequency = new Uint32Array(features);
  let key = 0;
  for (let column = 0; column < features; column++) {
    key += reader.varint();
    keys[column] = key;
    documentFrequency[column] = reader.varint();
  }
  const biases = Float32Array.from({ length: classes }, () => reader.float32());
  const massWeights = Float32Array.from({ length: classes }, () => reader.float32());
  const weights = new Float32Array(features * classes);
  for (let column = 0; column < features; column++) {
    const count = reader.varint();
    let label = 0;
    for (let entry = 0; entry < count; entry++) {
      label += reader.varint();
      if (label >= classes)
        throw new UnprocessableError("The model file is corrupt (label out of range).");
      weights[column * classes + label] = reader.int8() * weightStep;
    }
  }
  if (!reader.done) throw new UnprocessableError("The model file has trailing bytes.");
  return new LinearIntentClassifier({
    labels: header.labels,
    vectorizer: new Vectorizer(header.options, keys, documentFrequency, header.documents),
    model: { classes, features, weights, biases, massWeights },
    weightStep,
    info: header.info,
  });
}
