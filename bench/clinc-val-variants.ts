/**
 * Experiment runner (issue 14, full-data goal): trains the intent classifier on CLINC150 train
 * with each variant of the feature, vectoriser, SVM or training options given as JSON, and
 * prints its accuracy on CLINC150 **val** (never test), training CPU seconds, predictions per CPU
 * second and model size. It sets the module defaults in place, so it is a measuring tool, not an API.
 *
 *   npx tsx bench/clinc-val-variants.ts '{"stems":{"features":{"stemmedWords":true}},"C2":{"train":{"cost":2}}}'
 */
import { loadClinc150 } from "../core/dataset/public-sets.ts";
import { trainIntentClassifier } from "../core/engine/index.ts";
import { defaultFeatureOptions } from "../core/engine/features.ts";
import { defaultLinearSvmOptions } from "../core/engine/linear-svm.ts";
import { defaultVectorizerOptions } from "../core/engine/vectorizer.ts";

const variants: Record<
  string,
  { features?: object; vectorizer?: object; train?: object; svm?: object }
> = JSON.parse(process.argv[2]);
const clinc = loadClinc150();
const train = clinc.filter((s) => s.split === "train");
const val = clinc.filter((s) => s.split === "validation");
const labelDescriptions = Object.fromEntries(
  [...new Set(train.map((s) => s.label))].map((l) => [l, [l.replace(/_/g, " ")]]),
);
const baseF = { ...defaultFeatureOptions };
const baseV = { ...defaultVectorizerOptions };
const baseS = { ...defaultLinearSvmOptions };
for (const [name, v] of Object.entries(variants)) {
  for (const key of Object.keys(defaultFeatureOptions)) delete (defaultFeatureOptions as any)[key];
  Object.assign(defaultFeatureOptions, baseF, v.features ?? {});
  Object.assign(defaultVectorizerOptions, baseV, v.vectorizer ?? {}, {
    features: defaultFeatureOptions,
  });
  Object.assign(defaultLinearSvmOptions, baseS, v.svm ?? {});
  const cpu = process.cpuUsage();
  const model = trainIntentClassifier(train, {
    labelDescriptions,
    ...(v.train ?? {}),
  });
  const used = process.cpuUsage(cpu);
  const cpu2 = process.cpuUsage();
  let correct = 0;
  for (const s of val) if (model.predict(s.text).label === s.label) correct++;
  const used2 = process.cpuUsage(cpu2);
  const kb = model.serialize().length / 1024;
  console.log(
    `${name}\tval ${((100 * correct) / val.length).toFixed(2)}\ttrainCPU ${((used.user + used.system) / 1e6).toFixed(2)}\tpred/CPUs ${Math.round(val.length / ((used2.user + used2.system) / 1e6))}\tKB ${kb.toFixed(0)}\tfeatures ${model.info.features}`,
  );
}
