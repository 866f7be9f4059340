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
import { ValidationError } from "../errors.ts";
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
  type Vectorizer,
  type VectorizerInput,
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
  /** Weight of naive Bayes in the sum (0 turns it off). Default 0.02, or 0.1 while self-training; tuned on CLINC150 val. */
  naiveBayesWeight?: number;
  /** Fit the temperature on held-out scores (else use `defaultTemperature`). Default true. */
  calibrate?: boolean;
  /**
   * Drop features seen in fewer training texts. Default: 2 once there are 20 or more examples
   * per label on average (a smaller model, same accuracy), else 1 (few-shot needs every feature).
   */
  minimumDocumentFrequency?: number;
  /**
   * Utterances without labels (a workspace's transcripts, a dataset's unlabelled pool): while
   * labels are few, the model labels the ones it is surest of and trains on them too.
   */
  unlabelled?: readonly PredictionInput[];
  /** How self-training runs (false turns it off). Defaults tuned on CLINC150 val. */
  selfTraining?: Partial<SelfTrainingOptions> | false;
  /** Label → its names and descriptions (any language), trained as light extra examples. */
  labelDescriptions?: Readonly<Record<string, readonly string[]>>;
  /**
   * "balanced" (default): rare labels' rows count more (see classWeightsOf); on a balanced set
   * every weight is 1, so it changes nothing there. On the long-tailed CLINC150 (val) it gained
   * 1.3 points of accuracy and 1.5 of macro-F1.
   */
  classWeighting?: ClassWeighting;
}

export type ClassWeighting = "none" | "balanced";

export interface SelfTrainingOptions {
  /** One round per share: the share of the unlabelled pool pseudo-labelled in that round. */
  shares: number[];
  /** Weight of a pseudo-labelled row relative to a trainer's label. */
  weight: number;
  /** Self-train only while there are fewer examples than this per label on average. */
  untilExamplesPerLabel: number;
}

export const defaultSelfTraining: SelfTrainingOptions = {
  shares: [0.5, 1],
  weight: 1,
  untilExamplesPerLabel: 30,
};

/** A self-training round's SVM: only its ranking of the pool is used (tuned on CLINC150 val). */
const roundSvmOptions: Partial<LinearSvmOptions> = {
  tolerance: 1,
  maximumIterations: 50,
  maximumChecks: 0,
};

/** Naive Bayes' share in the sum when self-training runs (see trainIntentClassifier). */
const selfTrainingNaiveBayesWeight = 0.1;

/** Weight of a label's name or description relative to a trainer's example. */
const descriptionWeight = 1;

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
  /**
   * `previousText`: the utterance before this one, or null when there is none. A model trained
   * with context (`info.useContext`) refuses a call without it (undefined); one trained without
   * context ignores it.
   */
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
    // A model trained with the previous utterance scores differently without it (on CrossWOZ the
    // act accuracy falls by several points), so a caller that forgot the context is refused rather
    // than served worse drafts in silence. `null` says "there is no previous utterance". The other
    // way round is harmless: a model trained without context ignores previousText.
    if (this.state.info.useContext && previousText === undefined) {
      throw new ValidationError(
        "This intent model was trained with the previous utterance as context: pass previousText " +
          "(null at the start of a conversation).",
      );
    }
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
    options.classWeighting !== undefined &&
      options.classWeighting !== "none" &&
      options.classWeighting !== "balanced" &&
      'classWeighting must be "none" or "balanced"',
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
function calibrationFolds(
  labelOfRow: Int32Array,
  classes: number,
  seed: number,
  eligibleRow: (row: number) => boolean = () => true,
): Int32Array[] {
  const rowsOf: number[][] = Array.from({ length: classes }, () => []);
  labelOfRow.forEach((label, row) => {
    if (eligibleRow(row)) rowsOf[label].push(row);
  });
  const eligible = rowsOf.filter((rows) => rows.length >= 2);
  const eligibleCount = eligible.reduce((sum, rows) => sum + rows.length, 0);
  // With fewer than two examples for most labels, held-out rows would describe a model that
  // has never seen their label: far more pessimistic than the model being calibrated.
  const trainerRows = rowsOf.reduce((sum, rows) => sum + rows.length, 0);
  if (classes < 2 || eligibleCount < Math.max(minimumCalibrationRows, trainerRows / 2))
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
  rowWeights?: Float32Array,
): { scores: Float64Array[]; rows: number[] } {
  const classes = targets.length;
  const scores: Float64Array[] = [];
  const rows: number[] = [];
  const bayesScores = new Float64Array(classes);
  for (const fold of folds) {
    const foldScores = heldOutScores(matrix, targets, svm, fold, svmOptions, rowWeights);
    const bayes =
      naiveBayesWeight > 0
        ? trainNaiveBayes(
            matrix,
            targets,
            naiveBayesSmoothing,
            maskOf(fold, matrix.rows),
            rowWeights,
          )
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
  const descriptions = descriptionExamples(options.labelDescriptions, labelIndex);
  const unlabelled = checkUnlabelled(options.unlabelled);
  const selfTraining = resolveSelfTraining(options.selfTraining, examples.length, labels.length);
  const vectorizerOptions: VectorizerOptions = {
    ...defaultVectorizerOptions,
    contextWeight: useContext ? (options.contextWeight ?? 0.7) : 0,
    minimumDocumentFrequency:
      options.minimumDocumentFrequency ?? (examples.length >= 20 * labels.length ? 2 : 1),
  };
  const labelCounts = new Array<number>(labels.length).fill(0);
  for (const example of examples) labelCounts[labelIndex.get(example.label) as number]++;
  const classWeighting = options.classWeighting ?? "balanced";
  const classWeights = classWeightsOf(labelCounts, classWeighting);
  const base: TrainingRow[] = [
    ...examples.map((example) => ({
      input: example,
      label: labelIndex.get(example.label) as number,
      weight: 1,
      trainer: true,
    })),
    ...descriptions.map((row) => ({ ...row, weight: descriptionWeight, trainer: false })),
  ];
  const settings: FitSettings = {
    classes: labels.length,
    vectorizerOptions,
    svmOptions: { ...defaultLinearSvmOptions, cost: options.cost ?? 1, seed },
    // Naive Bayes trusts each feature's class counts, which pseudo-labels multiply: with
    // self-training a larger share of it helps (CLINC150 val, 1/5/10 per intent: 71.4/85.3/87.6 %
    // at 0.02, 74.7/87.3/88.3 % at 0.1), while 0.02 stays best with full labels (94.5 vs 93.9 %).
    naiveBayesWeight:
      options.naiveBayesWeight ??
      (selfTraining && unlabelled.length > 0 ? selfTrainingNaiveBayesWeight : 0.02),
    classWeights,
    seed,
  };

  // Self-training: label the unlabelled utterances the current model is surest of (the same
  // share of every label, so frequent labels do not swallow the rare ones), train again with them
  // counting less than a trainer's label, and repeat with a larger share.
  let pseudoLabelled: TrainingRow[] = [];
  if (selfTraining && unlabelled.length > 0) {
    const roundSettings: FitSettings = {
      ...settings,
      svmOptions: { ...settings.svmOptions, ...roundSvmOptions },
    };
    for (const share of selfTraining.shares) {
      // A round's model only ranks the pool, so its SVM is solved loosely (a fraction of the time).
      const fitted = fitLinear([...base, ...pseudoLabelled], roundSettings, false);
      pseudoLabelled = pickConfident(fitted, unlabelled, labels.length, share).map((pick) => ({
        input: unlabelled[pick.row],
        label: pick.label,
        weight: selfTraining.weight,
        trainer: false,
      }));
    }
  }
  const fitted = fitLinear([...base, ...pseudoLabelled], settings, options.calibrate !== false);
  const model = fitted.model;
  const weightStep = quantize(model.weights);
  return new LinearIntentClassifier({
    labels,
    vectorizer: fitted.vectorizer,
    model: compressLinearModel(model),
    weightStep,
    info: {
      examples: examples.length,
      features: fitted.vectorizer.dimensions,
      temperature: fitted.temperature,
      calibration: fitted.calibration,
      useContext,
      seed,
      descriptions: descriptions.length,
      pseudoLabelled: pseudoLabelled.length,
      unlabelled: unlabelled.length,
      classWeighting,
      labelCounts,
      classWeights: Array.from(classWeights, (weight) => Number(weight.toFixed(4))),
    },
  });
}

interface TrainingRow {
  input: VectorizerInput;
  label: number;
  /** How much the row counts: 1 for a trainer's label, less for descriptions and pseudo-labels. */
  weight: number;
  /** A trainer's label: only these are held out to fit the temperature. */
  trainer: boolean;
}

interface FitSettings {
  classes: number;
  vectorizerOptions: VectorizerOptions;
  svmOptions: LinearSvmOptions;
  naiveBayesWeight: number;
  /** Per label, multiplies the weight of its rows (balanced class weights; else all 1). */
  classWeights: Float64Array;
  seed: number;
}

interface FittedLinear {
  vectorizer: Vectorizer;
  model: LinearModel;
  temperature: number;
  calibration: IntentClassifierInfo["calibration"];
}

/** SVM + naive Bayes over TF-IDF of `rows`, calibrated on held-out trainer rows when asked. */
function fitLinear(rows: readonly TrainingRow[], settings: FitSettings, calibrate: boolean): FittedLinear {
  const { classes, classWeights } = settings;
  const { vectorizer, matrix } = fitVectorizer(
    rows.map((row) => row.input),
    settings.vectorizerOptions,
  );
  const labelOfRow = Int32Array.from(rows, (row) => row.label);
  // Row signs per class (+1 own, -1 rest), filled by a loop: TypedArray.from with a mapping
  // function is an order of magnitude slower at this size.
  const targets = Array.from({ length: classes }, () => new Int8Array(rows.length).fill(-1));
  labelOfRow.forEach((label, row) => {
    targets[label][row] = 1;
  });
  const uniform = rows.every((row) => row.weight === 1) && classWeights.every((weight) => weight === 1);
  const rowWeights = uniform
    ? undefined
    : Float32Array.from(rows, (row) => row.weight * classWeights[row.label]);
  const svm = trainOneVersusRest(matrix, targets, settings.svmOptions, rowWeights);
  const { naiveBayesWeight } = settings;
  let temperature = defaultTemperature;
  let calibration: IntentClassifierInfo["calibration"] = "default";
  const folds = calibrate
    ? calibrationFolds(labelOfRow, classes, settings.seed, (row) => rows[row].trainer)
    : [];
  if (folds.length > 0) {
    const heldOut = heldOutDecisions(
      matrix,
      targets,
      svm,
      settings.svmOptions,
      naiveBayesWeight,
      folds,
      rowWeights,
    );
    const truths = heldOut.rows.map((row) => labelOfRow[row]);
    temperature = fitTemperature(heldOut.scores, truths, { minimum: 0.01, maximum: 10 });
    calibration = "held-out";
  }
  // Only now may the SVM's weights change: held-out scoring above starts from them.
  const model = svm.model;
  if (naiveBayesWeight > 0) {
    addScaled(
      model,
      trainNaiveBayes(matrix, targets, naiveBayesSmoothing, undefined, rowWeights),
      naiveBayesWeight,
    );
  }
  return { vectorizer, model, temperature, calibration };
}

/**
 * The unlabelled rows the model is surest of, as (row, label): for each label, the
 * `share × unlabelled / labels` rows predicted as it with the widest margin over the runner-up.
 */
function pickConfident(
  fitted: FittedLinear,
  unlabelled: readonly VectorizerInput[],
  classes: number,
  share: number,
): { row: number; label: number }[] {
  const scores = new Float64Array(classes);
  const byLabel: { row: number; margin: number }[][] = Array.from({ length: classes }, () => []);
  unlabelled.forEach((input, row) => {
    const vector = fitted.vectorizer.transform(input);
    scoreRow(fitted.model, vector.indices, vector.values, scores);
    let best = 0;
    let second = -1;
    for (let label = 1; label < classes; label++) {
      if (scores[label] > scores[best]) {
        second = best;
        best = label;
      } else if (second < 0 || scores[label] > scores[second]) second = label;
    }
    const margin = second < 0 ? scores[best] : scores[best] - scores[second];
    byLabel[best].push({ row, margin });
  });
  const quota = Math.max(1, Math.round((share * unlabelled.length) / classes));
  return byLabel.flatMap((candidates, label) =>
    candidates
      .sort((left, right) => right.margin - left.margin || left.row - right.row)
      .slice(0, quota)
      .map(({ row }) => ({ row, label })),
  );
}

/**
 * Balanced class weights (King & Zeng; scikit-learn's "balanced"): a label's rows count
 * n / (classes · n_label), so every label carries the same total weight, softened by a square
 * root so that a label with one example does not count as a hundred.
 */
function classWeightsOf(labelCounts: readonly number[], weighting: ClassWeighting): Float64Array {
  const weights = new Float64Array(labelCounts.length).fill(1);
  if (weighting !== "balanced") return weights;
  const total = labelCounts.reduce((sum, count) => sum + count, 0);
  labelCounts.forEach((count, label) => {
    weights[label] = Math.sqrt(total / (labelCounts.length * count));
  });
  return weights;
}

/** Labels' names and descriptions, as extra (lighter) rows of their label; unknown labels are ignored. */
function descriptionExamples(
  descriptions: TrainOptions["labelDescriptions"],
  labelIndex: ReadonlyMap<string, number>,
): { input: VectorizerInput; label: number }[] {
  if (descriptions === undefined) return [];
  if (descriptions === null || typeof descriptions !== "object")
    throw new ValidationError("labelDescriptions must map labels to lists of texts.");
  const rows: { input: VectorizerInput; label: number }[] = [];
  for (const [label, texts] of Object.entries(descriptions)) {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== "string"))
      throw new ValidationError(`labelDescriptions["${label}"] must be a list of texts.`);
    const index = labelIndex.get(label);
    if (index === undefined) continue;
    for (const text of texts) if (text.trim() !== "") rows.push({ input: { text }, label: index });
  }
  return rows;
}

function checkUnlabelled(unlabelled: TrainOptions["unlabelled"]): VectorizerInput[] {
  if (unlabelled === undefined) return [];
  if (!Array.isArray(unlabelled))
    throw new ValidationError("unlabelled must be a list of { text, previousText? }.");
  unlabelled.forEach((input, index) => {
    if (typeof input?.text !== "string")
      throw new ValidationError(`unlabelled[${index}].text must be a string.`);
  });
  return unlabelled.map((input) => ({ text: input.text, previousText: input.previousText ?? null }));
}

function resolveSelfTraining(
  selfTraining: TrainOptions["selfTraining"],
  examples: number,
  classes: number,
): Required<SelfTrainingOptions> | null {
  if (selfTraining === false) return null;
  const resolved = { ...defaultSelfTraining, ...selfTraining };
  if (
    !Array.isArray(resolved.shares) ||
    resolved.shares.some((share) => !(Number.isFinite(share) && share > 0 && share <= 1)) ||
    !(Number.isFinite(resolved.weight) && resolved.weight > 0) ||
    !(Number.isFinite(resolved.untilExamplesPerLabel) && resolved.untilExamplesPerLabel >= 0)
  ) {
    throw new ValidationError(
      "selfTraining takes shares in (0, 1], a weight > 0 and untilExamplesPerLabel ≥ 0.",
    );
  }
  // With plenty of labels the pseudo-labels only add the model's own mistakes back.
  return examples < resolved.untilExamplesPerLabel * classes ? resolved : null;
}

/** Reads what `serialize` wrote; throws UnprocessableError on a truncated, corrupt or foreign blob. */
export function loadIntentClassifier(bytes: Uint8Array): IntentClassifier {
  return new LinearIntentClassifier(readIntentModel(bytes));
}
