/**
 * The local engine on real public data: the intent classifier (accuracy, macro-F1, calibration,
 * training time, prediction speed, model size) on CLINC150, PersuasionForGood and CrossWOZ, and
 * the local embedder's nearest-neighbour accuracy on CLINC150.
 *
 *   npx tsx bench/local-engine.ts
 *
 * Timings are wall-clock on this machine and depend on what else runs on it: the load average
 * is printed first. Published reference figures are in each dataset's PROVENANCE.md.
 */
import { loadavg } from "node:os";
import {
  loadClinc150,
  loadCrossWoz,
  loadPersuasionForGood,
  persuasionFoldCount,
  type PublicSample,
} from "../core/dataset/public-sets.ts";
import { expectedCalibrationError } from "../core/draft/local/calibration.ts";
import {
  trainIntentClassifier,
  type IntentClassifier,
  type IntentPrediction,
  type TrainOptions,
} from "../core/draft/local/intent-classifier.ts";
import { createLocalEmbedder } from "../core/draft/local/local-embedder.ts";
import { createRandom, shuffleInPlace } from "../core/draft/local/random.ts";

interface Measured<T> {
  value: T;
  seconds: number;
  cpuSeconds: number;
}

function measure<T>(work: () => T): Measured<T> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = work();
  const used = process.cpuUsage(cpu);
  return {
    value,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

const percent = (value: number) => Number((value * 100).toFixed(2));
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function macroF1(truths: readonly string[], predictions: readonly string[]): number {
  const labels = [...new Set(truths)];
  const scores = labels.map((label) => {
    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    truths.forEach((truth, index) => {
      const predicted = predictions[index];
      if (predicted === label && truth === label) truePositive++;
      else if (predicted === label) falsePositive++;
      else if (truth === label) falseNegative++;
    });
    return truePositive === 0
      ? 0
      : (2 * truePositive) / (2 * truePositive + falsePositive + falseNegative);
  });
  return scores.reduce((sum, score) => sum + score, 0) / labels.length;
}

interface Evaluation {
  accuracy: number;
  macroF1: number;
  ece: number;
  predictions: IntentPrediction[];
  predictionsPerSecond: number;
  /** Per second of this process's CPU time: what the machine's other load does not change. */
  predictionsPerCpuSecond: number;
}

function evaluate(
  classifier: IntentClassifier,
  test: readonly PublicSample[],
  useContext: boolean,
): Evaluation {
  const {
    value: predictions,
    seconds,
    cpuSeconds,
  } = measure(() =>
    test.map((sample) =>
      classifier.predict(sample.text, useContext ? sample.previousText : undefined),
    ),
  );
  const labels = predictions.map((prediction) => prediction.label);
  const truths = test.map((sample) => sample.label);
  const correct = labels.map((label, index) => label === truths[index]);
  return {
    accuracy: correct.filter(Boolean).length / test.length,
    macroF1: macroF1(truths, labels),
    ece: expectedCalibrationError(
      predictions.map((prediction, index) => ({
        confidence: prediction.confidence,
        correct: correct[index],
      })),
    ),
    predictions,
    predictionsPerSecond: test.length / seconds,
    predictionsPerCpuSecond: test.length / cpuSeconds,
  };
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, value) => sum + value, 0) / values.length;
const deviation = (values: readonly number[]) => {
  const average = mean(values);
  return Math.sqrt(
    values.reduce((sum, value) => sum + (value - average) ** 2, 0) / Math.max(values.length - 1, 1),
  );
};

function clinc150(samples: readonly PublicSample[]): void {
  const train = samples.filter((sample) => sample.split === "train");
  const validation = samples.filter((sample) => sample.split === "validation");
  const test = samples.filter((sample) => sample.split === "test");
  const rows = [
    { name: "SVM + naive Bayes (default)", options: {} },
    { name: "SVM only", options: { naiveBayesWeight: 0 } },
  ].map(({ name, options }) => {
    const trained = measure(() => trainIntentClassifier(train, options));
    const onTest = evaluate(trained.value, test, false);
    const onValidation = evaluate(trained.value, validation, false);
    const bytes = trained.value.serialize();
    return {
      model: name,
      "test accuracy %": percent(onTest.accuracy),
      "test macro-F1 %": percent(onTest.macroF1),
      "val accuracy %": percent(onValidation.accuracy),
      "test ECE": round(onTest.ece, 4),
      "train s": round(trained.seconds, 2),
      "train CPU s": round(trained.cpuSeconds, 2),
      "predictions/s": Math.round(onTest.predictionsPerSecond),
      "predictions/CPU s": Math.round(onTest.predictionsPerCpuSecond),
      "model KB": Math.round(bytes.length / 1024),
      features: trained.value.info.features,
      temperature: round(trained.value.info.temperature),
    };
  });
  console.log(
    `\nCLINC150 (in-scope): train ${train.length}, test ${test.length}; paper: MLP 93.5 %, BERT 96.9 %, SVM 91.0 %`,
  );
  console.table(rows);
}

function labelEfficiency(samples: readonly PublicSample[]): void {
  const byLabel = new Map<string, PublicSample[]>();
  for (const sample of samples) {
    if (sample.split !== "train") continue;
    byLabel.set(sample.label, [...(byLabel.get(sample.label) ?? []), sample]);
  }
  const random = createRandom(1);
  for (const group of byLabel.values()) shuffleInPlace(group, random);
  const test = samples.filter((sample) => sample.split === "test");
  const rows = [1, 2, 5, 10, 20, 50].map((perIntent) => {
    const train = [...byLabel.values()].flatMap((group) => group.slice(0, perIntent));
    const trained = measure(() => trainIntentClassifier(train));
    const result = evaluate(trained.value, test, false);
    return {
      "examples per intent": perIntent,
      "test accuracy %": percent(result.accuracy),
      "test ECE": round(result.ece, 4),
      "mean confidence": round(mean(result.predictions.map((prediction) => prediction.confidence))),
      calibration: trained.value.info.calibration,
      "train s": round(trained.seconds, 2),
    };
  });
  console.log("\nCLINC150 label efficiency (random examples per intent, seed 1; test 4,500)");
  console.table(rows);
}

function persuasion(samples: readonly PublicSample[]): void {
  const rows = [false, true].map((useContext) => {
    const folds = Array.from({ length: persuasionFoldCount }, (_, fold) => {
      const train = samples.filter((sample) => sample.fold !== fold);
      const test = samples.filter((sample) => sample.fold === fold);
      const trained = measure(() => trainIntentClassifier(train, { useContext }));
      return { ...evaluate(trained.value, test, useContext), seconds: trained.seconds };
    });
    return {
      features: useContext ? "utterance + previous persuadee turn" : "utterance",
      "accuracy %": percent(mean(folds.map((fold) => fold.accuracy))),
      "± sd": percent(deviation(folds.map((fold) => fold.accuracy))),
      "macro-F1 %": percent(mean(folds.map((fold) => fold.macroF1))),
      ECE: round(mean(folds.map((fold) => fold.ece)), 4),
      "train s per fold": round(mean(folds.map((fold) => fold.seconds)), 2),
    };
  });
  console.log(
    `\nPersuasionForGood strategies (11 labels, the authors' 5 folds, mean over folds; ${samples.length} sentences; ` +
      "published hybrid RCNN: 74.8 % accuracy, 59.6 macro-F1; majority class 40.3 %)",
  );
  console.table(rows);
}

/** Micro-F1 over the `intent+domain` acts of each turn (a label is the "|"-joined act set). */
function actMicroF1(truths: readonly string[], predictions: readonly string[]): number {
  const acts = (label: string) => new Set(label === "none" ? [] : label.split("|"));
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  truths.forEach((truth, index) => {
    const expected = acts(truth);
    const predicted = acts(predictions[index]);
    for (const act of predicted) {
      if (expected.has(act)) truePositive++;
      else falsePositive++;
    }
    for (const act of expected) if (!predicted.has(act)) falseNegative++;
  });
  return (2 * truePositive) / (2 * truePositive + falsePositive + falseNegative);
}

function crossWoz(samples: readonly PublicSample[]): void {
  const split = (name: PublicSample["split"]) => samples.filter((sample) => sample.split === name);
  const [train, validation, test] = [split("train"), split("validation"), split("test")];
  const settings: { name: string; options: TrainOptions }[] = [
    { name: "utterance", options: {} },
    { name: "utterance + previous system turn", options: { useContext: true } },
  ];
  const rows = settings.flatMap(({ name, options }) =>
    [
      {
        trainedOn: "val: train part (400 dialogues)",
        data: train,
        testedOn: "val: validation part (100)",
        target: validation,
      },
      {
        trainedOn: "all of val (500 dialogues)",
        data: [...train, ...validation],
        testedOn: "test (500 dialogues)",
        target: test,
      },
    ].map(({ trainedOn, data, testedOn, target }) => {
      const trained = measure(() => trainIntentClassifier(data, options));
      const result = evaluate(trained.value, target, options.useContext ?? false);
      return {
        features: name,
        "trained on": trainedOn,
        "tested on": testedOn,
        "turn accuracy %": percent(result.accuracy),
        "act micro-F1 %": percent(
          actMicroF1(
            target.map((sample) => sample.label),
            result.predictions.map((prediction) => prediction.label),
          ),
        ),
        "label macro-F1 %": percent(result.macroF1),
        ECE: round(result.ece, 4),
        "train s": round(trained.seconds, 2),
      };
    }),
  );
  console.log(
    "\nCrossWOZ user dialogue acts (zh). One label per turn = its set of intent+domain acts (e.g. Inform+景点|Request+景点); " +
      "act micro-F1 scores the acts of that set. Not comparable with BERTNLU's 95.5 F1 (slot values included, trained on the unshipped train split).",
  );
  console.table(rows);
}

/** Exact cosine k-NN through an inverted index over the (L2-normalised) train embeddings. */
async function embedderNeighbours(samples: readonly PublicSample[]): Promise<void> {
  const embedder = createLocalEmbedder();
  const train = samples.filter((sample) => sample.split === "train");
  const test = samples.filter((sample) => sample.split === "test");
  const started = performance.now();
  const trainVectors = await embedder.embed(train.map((sample) => sample.text));
  const testVectors = await embedder.embed(test.map((sample) => sample.text));
  const embedSeconds = (performance.now() - started) / 1000;
  const postings = Array.from({ length: embedder.dimensions }, () => ({
    rows: [] as number[],
    values: [] as number[],
  }));
  trainVectors.forEach((vector, row) => {
    vector.forEach((value, dimension) => {
      if (value === 0) return;
      postings[dimension].rows.push(row);
      postings[dimension].values.push(value);
    });
  });
  const k = 10;
  const similarities = new Float64Array(train.length);
  let correct = 0;
  for (let query = 0; query < test.length; query++) {
    similarities.fill(0);
    testVectors[query].forEach((value, dimension) => {
      if (value === 0) return;
      const { rows, values } = postings[dimension];
      for (let entry = 0; entry < rows.length; entry++)
        similarities[rows[entry]] += value * values[entry];
    });
    const nearest: number[] = [];
    for (let row = 0; row < train.length; row++) {
      if (nearest.length === k && similarities[row] <= similarities[nearest[k - 1]]) continue;
      let slot = nearest.length < k ? nearest.length : k - 1;
      nearest[slot] = row;
      while (slot > 0 && similarities[nearest[slot - 1]] < similarities[row]) {
        nearest[slot] = nearest[slot - 1];
        nearest[--slot] = row;
      }
    }
    // Majority vote; ties go to the label with the larger summed similarity.
    const votes = new Map<string, { count: number; similarity: number }>();
    for (const row of nearest) {
      const vote = votes.get(train[row].label) ?? { count: 0, similarity: 0 };
      vote.count++;
      vote.similarity += similarities[row];
      votes.set(train[row].label, vote);
    }
    const [winner] = [...votes].sort(
      ([, left], [, right]) => right.count - left.count || right.similarity - left.similarity,
    )[0];
    if (winner === test[query].label) correct++;
  }
  console.log(
    "\nLocal embedder on CLINC150: exact cosine 10-NN vote of each test utterance among the train utterances",
  );
  console.table([
    {
      embedder: embedder.name,
      dimensions: embedder.dimensions,
      "10-NN accuracy %": percent(correct / test.length),
      "embeddings/s": Math.round((train.length + test.length) / embedSeconds),
    },
  ]);
}

async function main(): Promise<void> {
  const [oneMinute, fiveMinutes] = loadavg();
  console.log(
    `Local engine benchmark — Node ${process.version}, load average ${oneMinute.toFixed(1)} / ${fiveMinutes.toFixed(1)}`,
  );
  const clinc = loadClinc150();
  clinc150(clinc);
  labelEfficiency(clinc);
  persuasion(loadPersuasionForGood());
  crossWoz(loadCrossWoz());
  await embedderNeighbours(clinc);
}

await main();
