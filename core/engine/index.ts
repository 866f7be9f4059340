/**
 * The engine's public API: what drafting, the eval harness, the benchmarks and the tests use.
 * Everything else in this folder is how it works inside; import it from here, not file by file.
 */
export { expectedCalibrationError } from "./calibration.ts";
export { chooseContext, type ContextChoice } from "./context-choice.ts";
export type { Embedder } from "./embedder.ts";
export {
  loadIntentClassifier,
  trainIntentClassifier,
  type IntentClassifier,
  type IntentClassifierInfo,
  type IntentPrediction,
  type LabelledExample,
  type PredictionInput,
  type TrainOptions,
} from "./intent-classifier.ts";
export { createLocalEmbedder, type LocalEmbedderOptions } from "./local-embedder.ts";
export { createRandom, shuffleInPlace } from "./random.ts";
