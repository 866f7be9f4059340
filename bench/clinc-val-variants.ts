/**
 * Experiment runner (issue 14, full-data goal): trains the intent classifier on CLINC150 train
 * with each variant of the feature, vectoriser, SVM or training options given as JSON, and
 * prints its accuracy on CLINC150 **val** (never test), training CPU seconds, predictions per CPU
 * second and model size. It sets the module defaults in place, so it is a measuring tool, not an API.
 * The variants tried for issue 14 are in core/engine/README.md; those whose options were removed
 * again (cross-word n-grams, stems, NB-SVM, hinge loss …) run from commit d16c0b4.
 *
 *   npx tsx bench/clinc-val-variants.ts '{"C2":{"train":{"cost":2}},"chars1-4":{"features":{"latinCharacterRange":[1,4]}}}'
 */
import { loadClinc150 } from "../core/dataset/public-sets.ts";
import { trainIntentClassifier, type TrainOptions } from "../core/engine/index.ts";
import { defaultFeatureOptions, type FeatureOptions } from "../core/engine/features.ts";
import { defaultLinearSvmOptions, type LinearSvmOptions } from "../core/engine/linear-svm.ts";
import { defaultVectorizerOptions, type VectorizerOptions } from "../core/engine/vectorizer.ts";

interface Variant {
  features?: Partial<FeatureOptions>;
  vectorizer?: Partial<VectorizerOptions>;
  svm?: Partial<LinearSvmOptions>;
  train?: TrainOptions;
}

const variants: Record<string, Variant> = JSON.parse(process.argv[2] ?? "{}");
const samples = loadClinc150();
const train = samples.filter((sample) => sample.split === "train");
const validation = samples.filter((sample) => sample.split === "validation");
const labelDescriptions = Object.fromEntries(
  [...new Set(train.map((sample) => sample.label))].map((label) => [
    label,
    [label.replace(/_/g, " ")],
  ]),
);
const features = { ...defaultFeatureOptions };
const vectorizer = { ...defaultVectorizerOptions };
const svm = { ...defaultLinearSvmOptions };
const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

for (const [name, variant] of Object.entries(variants)) {
  // In place: trainIntentClassifier reads these defaults. Keys a variant added are removed first.
  for (const key of Object.keys(defaultFeatureOptions))
    delete (defaultFeatureOptions as Partial<FeatureOptions>)[key as keyof FeatureOptions];
  Object.assign(defaultFeatureOptions, features, variant.features);
  Object.assign(defaultVectorizerOptions, vectorizer, variant.vectorizer, {
    features: defaultFeatureOptions,
  });
  Object.assign(defaultLinearSvmOptions, svm, variant.svm);
  const trainingStart = process.cpuUsage();
  const model = trainIntentClassifier(train, { labelDescriptions, ...variant.train });
  const trainingSeconds = cpuSecondsSince(trainingStart);
  const predictionStart = process.cpuUsage();
  const correct = validation.filter((sample) => model.predict(sample.text).label === sample.label);
  const predictionSeconds = cpuSecondsSince(predictionStart);
  console.log(
    [
      name,
      `val ${((100 * correct.length) / validation.length).toFixed(2)} %`,
      `train ${trainingSeconds.toFixed(2)} CPU s`,
      `${Math.round(validation.length / predictionSeconds)} predictions/CPU s`,
      `${Math.round(model.serialize().length / 1024)} KB`,
      `${model.info.features} features`,
    ].join("\t"),
  );
}
