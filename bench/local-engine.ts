/**
 * The local engine on real public data: the intent classifier (accuracy, macro-F1, calibration,
 * training time, prediction speed, model size) on CLINC150, PersuasionForGood and CrossWOZ; the
 * few-shot curve (1–50 labels per intent, random picks and the review queue's order, 3 seeds);
 * a long-tailed CLINC150 (macro-F1 beside accuracy, with and without balanced class weights);
 * CLINC150's out-of-scope queries (threshold chosen on validation); and the local embedder's
 * nearest-neighbour accuracy on CLINC150.
 *
 *   npm run bench -- local-engine                 # everything, 3 seeds
 *   npx tsx bench/local-engine.ts --seeds=1 --only=few-shot,imbalanced,out-of-scope
 *   npx tsx bench/local-engine.ts --only=few-shot --strategies=balanced   # the queue's order only
<<<<<<< HEAD
 *   npx tsx bench/local-engine.ts --only=clinc150 --validation   # full data, val only (to choose on)
 *   npx tsx bench/clinc-val-variants.ts '{"C2":{"train":{"cost":2}}}'   # option variants, val only
=======
 *   npx tsx bench/local-engine.ts --only=few-shot --split=val --seeds=1 --sizes=1,2,5,10   # tune here
>>>>>>> queue
 *
 * Nothing here is tuned on a test split: every choice (self-training shares, class weights,
 * the out-of-scope threshold, context or not) was made on validation data.
 *
 * Timings are wall-clock on this machine and depend on what else runs on it: the load average
 * is printed first. Published reference figures are in each dataset's PROVENANCE.md.
 */
import { loadavg } from "node:os";
import {
  clincOutOfScope,
  loadClinc150,
  loadCrossWoz,
  loadPersuasionForGood,
  persuasionFoldCount,
  zipfSubsample,
  type PublicSample,
} from "../core/dataset/public-sets.ts";
import {
  chooseContext,
  createLocalEmbedder,
  createRandom,
  expectedCalibrationError,
  shuffleInPlace,
  trainIntentClassifier,
  type IntentClassifier,
  type IntentPrediction,
  type TrainOptions,
} from "../core/engine/index.ts";
import { labelEfficiencyCurve, type LabelStrategy } from "../core/eval/label-efficiency.ts";

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
      classifier.predict(sample.text, useContext ? (sample.previousText ?? null) : undefined),
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
  const labelDescriptions = clincDescriptions(train);
  const rows = [
    { name: "SVM + naive Bayes + label names (default)", options: { labelDescriptions } },
    { name: "SVM + naive Bayes", options: {} },
    { name: "SVM only", options: { naiveBayesWeight: 0 } },
  ].map(({ name, options }: { name: string; options: TrainOptions }) => {
    const trained = measure(() => trainIntentClassifier(train, options));
    // --validation: choose between variants without looking at test.
    const onTest = validationOnly ? null : evaluate(trained.value, test, false);
    const onValidation = evaluate(trained.value, validation, false);
    const speed = onTest ?? onValidation;
    const bytes = trained.value.serialize();
    return {
      model: name,
      ...(onTest && {
        "test accuracy %": percent(onTest.accuracy),
        "test macro-F1 %": percent(onTest.macroF1),
      }),
      "val accuracy %": percent(onValidation.accuracy),
      ...(onTest && { "test ECE": round(onTest.ece, 4) }),
      "train s": round(trained.seconds, 2),
      "train CPU s": round(trained.cpuSeconds, 2),
      "predictions/s": Math.round(speed.predictionsPerSecond),
      "predictions/CPU s": Math.round(speed.predictionsPerCpuSecond),
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

/** CLINC150's intent ids read as their names ("book_flight" → "book flight"): the taxonomy a workspace has. */
function clincDescriptions(samples: readonly PublicSample[]): Record<string, string[]> {
  const labels = [...new Set(samples.map((sample) => sample.label))];
  return Object.fromEntries(labels.map((label) => [label, [label.replace(/_/g, " ")]]));
}

const option = (name: string) =>
  process.argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
const seedCount = Number(option("seeds") ?? 3);
/** Score CLINC150 on val only (the split to choose on); test is not touched. */
const validationOnly = process.argv.includes("--validation");
const only = option("only")?.split(",");
const wanted = (section: string) => !only || only.includes(section);

/**
 * Few-shot: k labels per intent (random, or in the review queue's order), the rest of the train
 * split as the unlabelled utterances a workspace has. The queue is ordered by the engine itself
 * (self-trained, as the workspace's drafting model whose confidences the live queue sorts by),
 * two labels per intent per round; each point is scored with the full engine. "before" is the
 * engine as it was: no label names, no self-training. `--split=val` scores on the validation
 * split instead of test: compare variants there, never on test.
 */
async function fewShot(samples: readonly PublicSample[]): Promise<void> {
  const train = samples.filter((sample) => sample.split === "train");
  const scoredOn = option("split") === "val" ? "validation" : "test";
  const test = samples.filter((sample) => sample.split === scoredOn);
  const labelDescriptions = clincDescriptions(train);
  const seeds = Array.from({ length: seedCount }, (_, index) => index + 1);
  const sizes = option("sizes")?.split(",").map(Number) ?? [1, 2, 5, 10, 20, 50];
  const trainSeconds: number[] = [];
  const trainCpuSeconds: number[] = [];
  const engine = (examples: PublicSample[]) => {
    const labelled = new Set(examples);
    const trained = measure(() =>
      trainIntentClassifier(examples, {
        labelDescriptions,
        unlabelled: train.filter((sample) => !labelled.has(sample)),
      }),
    );
    trainSeconds.push(trained.seconds);
    trainCpuSeconds.push(trained.cpuSeconds);
    return trained.value;
  };
  const predict = (classifier: IntentClassifier, texts: string[]) =>
    classifier.predictBatch(texts.map((text) => ({ text })));
  const curve = (strategies: LabelStrategy[], trainModel: (examples: PublicSample[]) => IntentClassifier) =>
    labelEfficiencyCurve({
      train,
      test,
      sizes,
      seeds,
      strategies,
      trainModel: trainModel as (examples: { text: string; label: string }[]) => IntentClassifier,
      predict,
      batchSize: 2 * new Set(train.map((sample) => sample.label)).size,
    });
  const strategies = (option("strategies")?.split(",") ?? ["random", "balanced"]) as LabelStrategy[];
  const before = strategies.includes("random")
    ? await curve(["random"], (examples) => trainIntentClassifier(examples, { selfTraining: false }))
    : [];
  const after = await curve(strategies, engine);
  const cell = (points: typeof after, strategy: LabelStrategy, size: number) => {
    const point = points.find(
      (entry) => entry.strategy === strategy && entry.labelsPerIntent === size,
    );
    if (!point) return null;
    const spread = point.accuracyStd === null ? "" : ` ± ${(point.accuracyStd * 100).toFixed(1)}`;
    return `${(point.accuracyMean * 100).toFixed(1)}${spread}`;
  };
  const rows = sizes.map((size) => {
    const random = after.find((point) => point.strategy === "random" && point.labelsPerIntent === size);
    const balanced = after.find(
      (point) => point.strategy === "balanced" && point.labelsPerIntent === size,
    );
    return {
      "labels per intent": size,
      "before: random %": cell(before, "random", size),
      "random %": cell(after, "random", size),
      "queue order %": cell(after, "balanced", size),
      "queue − random": random && balanced ? round((balanced.accuracyMean - random.accuracyMean) * 100, 2) : null,
    };
  });
  console.log(
    `\nCLINC150 few-shot (in-scope ${scoredOn} ${test.length}; mean ± sd over ${seeds.length} seed(s)). ` +
      "Engine: label names + self-training on the unlabelled rest of train. " +
      "Goals: 1 ≥ 55 %, 5 ≥ 80 %, 10 ≥ 88 %; queue ≥ random everywhere, ≥ +2 from 10/intent.",
  );
  console.table(rows);
  console.log(
    `training time per model (engine, incl. self-training): mean ${round(mean(trainSeconds), 2)} s, max ${round(Math.max(...trainSeconds), 2)} s; ` +
      `CPU: mean ${round(mean(trainCpuSeconds), 2)} s, max ${round(Math.max(...trainCpuSeconds), 2)} s (the wall time depends on the machine's load)`,
  );
}

/**
 * A long tail: CLINC150's train split cut to a Zipf-like shape (zipfSubsample: 100 → 3 examples
 * per intent), tested on the balanced in-scope test split, where a rare intent counts as much as
 * a frequent one in macro-F1.
 */
function imbalanced(samples: readonly PublicSample[]): void {
  const train = zipfSubsample(samples.filter((sample) => sample.split === "train"));
  const test = samples.filter((sample) => sample.split === "test");
  const labelDescriptions = clincDescriptions(train);
  const countOf = new Map<string, number>();
  for (const sample of train) countOf.set(sample.label, (countOf.get(sample.label) ?? 0) + 1);
  const counts = [...countOf.values()];
  const rows = (["none", "balanced"] as const).map((classWeighting) => {
    const trained = measure(() =>
      trainIntentClassifier(train, { labelDescriptions, classWeighting, selfTraining: false }),
    );
    const result = evaluate(trained.value, test, false);
    return {
      "class weights": classWeighting,
      "accuracy %": percent(result.accuracy),
      "macro-F1 %": percent(result.macroF1),
      "accuracy − macro-F1": round((result.accuracy - result.macroF1) * 100, 2),
      "train s": round(trained.seconds, 2),
    };
  });
  console.log(
    `\nCLINC150 long tail (zipfSubsample seed 1: ${train.length} train examples, ${Math.max(...counts)} → ${Math.min(...counts)} per intent; ` +
      `balanced test ${test.length}). Goal: macro-F1 within 5 points of accuracy.`,
  );
  console.table(rows);
}

/**
 * Out-of-scope (Larson et al. 2019): trained on the 150 in-scope intents; a query whose top
 * confidence falls under a threshold is "none of these". The threshold maximises the mean of
 * in-scope accuracy and out-of-scope recall on the validation split (3,000 + 100 oos), then is
 * applied to test (4,500 + 1,000 oos).
 */
function outOfScope(): void {
  const samples = loadClinc150(undefined, { outOfScope: true });
  const split = (name: PublicSample["split"]) => samples.filter((sample) => sample.split === name);
  const train = split("train").filter((sample) => sample.label !== clincOutOfScope);
  const classifier = trainIntentClassifier(train, { labelDescriptions: clincDescriptions(train) });
  const scored = (rows: readonly PublicSample[]) =>
    rows.map((sample) => ({ sample, prediction: classifier.predict(sample.text) }));
  const rates = (rows: ReturnType<typeof scored>, threshold: number) => {
    const inScope = rows.filter((row) => row.sample.label !== clincOutOfScope);
    const outside = rows.filter((row) => row.sample.label === clincOutOfScope);
    const accepted = (row: (typeof rows)[number]) => row.prediction.confidence >= threshold;
    return {
      inScopeAccuracy:
        inScope.filter((row) => accepted(row) && row.prediction.label === row.sample.label).length /
        inScope.length,
      outOfScopeRecall: outside.filter((row) => !accepted(row)).length / outside.length,
    };
  };
  const validation = scored(split("validation"));
  let best = { threshold: 0, score: -1 };
  for (let step = 0; step <= 100; step++) {
    const threshold = step / 100;
    const { inScopeAccuracy, outOfScopeRecall } = rates(validation, threshold);
    const score = (inScopeAccuracy + outOfScopeRecall) / 2;
    if (score > best.score) best = { threshold, score };
  }
  const test = scored(split("test"));
  const rows = [0, best.threshold].map((threshold) => {
    const onValidation = rates(validation, threshold);
    const onTest = rates(test, threshold);
    return {
      threshold,
      "val in-scope accuracy %": percent(onValidation.inScopeAccuracy),
      "val oos recall %": percent(onValidation.outOfScopeRecall),
      "test in-scope accuracy %": percent(onTest.inScopeAccuracy),
      "test oos recall %": percent(onTest.outOfScopeRecall),
    };
  });
  console.log(
    "\nCLINC150 out-of-scope: confidence threshold chosen on validation (mean of in-scope accuracy and oos recall); " +
      "paper (full, threshold): SVM 89.6 % / 18.6 %, BERT 96.2 % / 52.3 %",
  );
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
  const choice = chooseContext(train, validation);
  console.log(
    `context chosen on validation (as the eval harness and workspace training do): ${choice.useContext ? "with" : "without"} ` +
      `(val accuracy ${percent(choice.accuracyWithout ?? 0)} % without, ${percent(choice.accuracyWith ?? 0)} % with)`,
  );
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
  if (wanted("clinc150")) clinc150(clinc);
  if (wanted("few-shot")) await fewShot(clinc);
  if (wanted("imbalanced")) imbalanced(clinc);
  if (wanted("out-of-scope")) outOfScope();
  if (wanted("persuasion")) persuasion(loadPersuasionForGood());
  if (wanted("crosswoz")) crossWoz(loadCrossWoz());
  if (wanted("embedder")) await embedderNeighbours(clinc);
}

await main();
