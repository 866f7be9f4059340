import { beforeAll, describe, expect, it } from "vitest";
import { UnprocessableError, ValidationError } from "../errors.ts";
import { loadClinc150, loadCrossWoz, type PublicSample } from "../dataset/public-sets.ts";
import {
  loadIntentClassifier,
  trainIntentClassifier,
  type IntentClassifier,
  type IntentPrediction,
  type LabelledExample,
} from "./intent-classifier.ts";

function accuracy(
  classifier: IntentClassifier,
  samples: readonly PublicSample[],
  useContext = false,
): number {
  const correct = samples.filter(
    (sample) =>
      classifier.predict(sample.text, useContext ? (sample.previousText ?? null) : undefined).label ===
      sample.label,
  ).length;
  return correct / samples.length;
}

function majorityShare(samples: readonly PublicSample[]): number {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.label, (counts.get(sample.label) ?? 0) + 1);
  return Math.max(...counts.values()) / samples.length;
}

function expectWellFormed(prediction: IntentPrediction, labels: readonly string[]): void {
  expect(labels).toContain(prediction.label);
  expect(prediction.confidence).toBeGreaterThanOrEqual(0);
  expect(prediction.confidence).toBeLessThanOrEqual(1);
  expect(prediction.ranked.map((entry) => entry.label).sort()).toEqual([...labels].sort());
  expect(prediction.ranked[0]).toEqual({
    label: prediction.label,
    confidence: prediction.confidence,
  });
  for (let index = 1; index < prediction.ranked.length; index++) {
    expect(prediction.ranked[index - 1].confidence).toBeGreaterThanOrEqual(
      prediction.ranked[index].confidence,
    );
  }
  expect(prediction.ranked.reduce((sum, entry) => sum + entry.confidence, 0)).toBeCloseTo(1, 6);
}

describe("trainIntentClassifier on a real CLINC150 slice (en)", () => {
  const intents = [
    "book_flight",
    "book_hotel",
    "car_rental",
    "cancel_reservation",
    "restaurant_reservation",
    "weather",
    "timer",
    "alarm",
    "translate",
    "calculator",
  ];
  let train: PublicSample[];
  let test: PublicSample[];
  let classifier: IntentClassifier;

  beforeAll(() => {
    const samples = loadClinc150().filter((sample) => intents.includes(sample.label));
    const perIntent = new Map<string, number>();
    train = samples.filter((sample) => {
      if (sample.split !== "train") return false;
      perIntent.set(sample.label, (perIntent.get(sample.label) ?? 0) + 1);
      return (perIntent.get(sample.label) ?? 0) <= 20;
    });
    test = samples.filter((sample) => sample.split === "test");
    classifier = trainIntentClassifier(train, { seed: 3 });
  });

  it("predicts held-out test utterances of 10 intents from 20 examples each", () => {
    expect(train.length).toBe(200);
    expect(test.length).toBe(300);
    expect(accuracy(classifier, test)).toBeGreaterThan(0.88);
  });

  it("gives well-formed, calibrated-looking predictions", () => {
    expect(classifier.labels).toEqual([...intents].sort());
    expect(classifier.info.calibration).toBe("held-out");
    const predictions = classifier.predictBatch(test);
    for (const prediction of predictions.slice(0, 50))
      expectWellFormed(prediction, classifier.labels);
    // Right answers are more confident than wrong ones on average.
    const mean = (values: number[]) =>
      values.reduce((sum, value) => sum + value, 0) / values.length;
    const right = predictions.filter((prediction, index) => prediction.label === test[index].label);
    const wrong = predictions.filter((prediction, index) => prediction.label !== test[index].label);
    expect(wrong.length).toBeGreaterThan(0);
    expect(mean(right.map((prediction) => prediction.confidence))).toBeGreaterThan(
      mean(wrong.map((prediction) => prediction.confidence)),
    );
  });

  it("serialises to a compact blob that loads back with identical predictions", () => {
    const bytes = classifier.serialize();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBeLessThan(200_000);
    const loaded = loadIntentClassifier(bytes);
    expect(loaded.labels).toEqual(classifier.labels);
    expect(loaded.info).toEqual(classifier.info);
    for (const sample of test)
      expect(loaded.predict(sample.text)).toEqual(classifier.predict(sample.text));
    expect(loaded.serialize()).toEqual(bytes);
  });

  it("is deterministic for a seed", () => {
    expect(trainIntentClassifier(train, { seed: 3 }).serialize()).toEqual(classifier.serialize());
  });
});

describe("trainIntentClassifier with few labels (CLINC150, 15 intents)", () => {
  let labelled: PublicSample[];
  let unlabelled: PublicSample[];
  let validation: PublicSample[];
  let labelDescriptions: Record<string, string[]>;

  beforeAll(() => {
    const samples = loadClinc150();
    const intents = [...new Set(samples.map((sample) => sample.label))].sort().slice(0, 15);
    const kept = samples.filter((sample) => intents.includes(sample.label));
    const seen = new Map<string, number>();
    labelled = [];
    unlabelled = [];
    for (const sample of kept.filter((entry) => entry.split === "train")) {
      const count = (seen.get(sample.label) ?? 0) + 1;
      seen.set(sample.label, count);
      (count <= 1 ? labelled : unlabelled).push(sample);
    }
    validation = kept.filter((sample) => sample.split === "validation");
    labelDescriptions = Object.fromEntries(intents.map((label) => [label, [label.replace(/_/g, " ")]]));
  });

  it("learns from label names and from unlabelled utterances, and says how much it used", () => {
    const plain = trainIntentClassifier(labelled, { selfTraining: false });
    const named = trainIntentClassifier(labelled, { labelDescriptions, selfTraining: false });
    const selfTrained = trainIntentClassifier(labelled, { labelDescriptions, unlabelled });
    expect(named.info.descriptions).toBe(15);
    expect(selfTrained.info.unlabelled).toBe(unlabelled.length);
    expect(selfTrained.info.pseudoLabelled).toBeGreaterThan(unlabelled.length / 2);
    expect(plain.info.pseudoLabelled).toBe(0);
    const [plainAccuracy, namedAccuracy, selfTrainedAccuracy] = [plain, named, selfTrained].map(
      (classifier) => accuracy(classifier, validation),
    );
    expect(namedAccuracy).toBeGreaterThan(plainAccuracy);
    expect(selfTrainedAccuracy).toBeGreaterThan(namedAccuracy + 0.05);
    // Its confidence is fitted on held-out trainer labels only: one example per label is too few.
    expect(selfTrained.info.calibration).toBe("default");
    const loaded = loadIntentClassifier(selfTrained.serialize());
    expect(loaded.info).toEqual(selfTrained.info);
  });

  it("stops self-training once labels are plentiful", () => {
    const classifier = trainIntentClassifier(labelled, {
      unlabelled,
      selfTraining: { untilExamplesPerLabel: 1 },
    });
    expect(classifier.info.pseudoLabelled).toBe(0);
  });

  it("weighs rare labels up and shows the correction it made", () => {
    const examples = [...labelled, ...unlabelled.filter((sample) => sample.label === labelled[0].label)];
    const balanced = trainIntentClassifier(examples, { selfTraining: false });
    const counts = balanced.info.labelCounts ?? [];
    const weights = balanced.info.classWeights ?? [];
    const frequent = balanced.labels.indexOf(labelled[0].label);
    expect(balanced.info.classWeighting).toBe("balanced");
    expect(counts[frequent]).toBeGreaterThan(50);
    expect(Math.max(...weights)).toBe(weights[(frequent + 1) % weights.length]);
    expect(weights[frequent]).toBeLessThan(1);
    const flat = trainIntentClassifier(examples, { selfTraining: false, classWeighting: "none" });
    expect(flat.info.classWeights?.every((weight) => weight === 1)).toBe(true);
  });

  it("rejects bad self-training input", () => {
    expect(() =>
      trainIntentClassifier(labelled, { unlabelled: [{ text: 3 as unknown as string }] }),
    ).toThrow(ValidationError);
    expect(() => trainIntentClassifier(labelled, { selfTraining: { shares: [2] } })).toThrow(
      ValidationError,
    );
    expect(() =>
      trainIntentClassifier(labelled, { classWeighting: "loud" as unknown as "none" }),
    ).toThrow(/classWeighting/);
    expect(() =>
      trainIntentClassifier(labelled, {
        labelDescriptions: { [labelled[0].label]: "not a list" as unknown as string[] },
      }),
    ).toThrow(ValidationError);
  });
});

describe("trainIntentClassifier on a real CrossWOZ slice (zh)", () => {
  let train: PublicSample[];
  let validation: PublicSample[];

  beforeAll(() => {
    const samples = loadCrossWoz(undefined, { upstream: ["val"] });
    train = samples.filter((sample) => sample.split === "train");
    validation = samples.filter((sample) => sample.split === "validation");
  });

  it("tags Chinese user turns with their dialogue acts far above the majority baseline", () => {
    const classifier = trainIntentClassifier(train, { seed: 1 });
    const score = accuracy(classifier, validation);
    expect(score).toBeGreaterThan(majorityShare(validation) + 0.4);
    expect(score).toBeGreaterThan(0.7);
    const prediction = classifier.predict("你好，帮我推荐一个评分在4.5分以上的景点。");
    expect(prediction.label).toBe("General+greet|Inform+景点|Request+景点");
    expectWellFormed(prediction, classifier.labels);
  });

  it("round-trips a Chinese model", () => {
    const classifier = trainIntentClassifier(train.slice(0, 400), { seed: 2, useContext: true });
    const loaded = loadIntentClassifier(classifier.serialize());
    for (const sample of validation.slice(0, 100)) {
      expect(loaded.predict(sample.text, sample.previousText ?? null)).toEqual(
        classifier.predict(sample.text, sample.previousText ?? null),
      );
    }
  });
});

describe("trainIntentClassifier edge cases", () => {
  it("works with a single label: always that label, fully confident", () => {
    const classifier = trainIntentClassifier([
      { text: "hello there", label: "greeting" },
      { text: "hi", label: "greeting" },
    ]);
    expect(classifier.labels).toEqual(["greeting"]);
    for (const text of ["hello", "", "what is the weather"]) {
      expect(classifier.predict(text)).toEqual({
        label: "greeting",
        confidence: 1,
        ranked: [{ label: "greeting", confidence: 1 }],
      });
    }
  });

  it("learns from one example per intent and recalls them", () => {
    const examples: LabelledExample[] = [
      { text: "what's the weather tomorrow", label: "weather" },
      { text: "book a table for two tonight", label: "restaurant" },
      { text: "set an alarm for 7am", label: "alarm" },
      { text: "我想订一张去上海的机票", label: "flight" },
    ];
    const classifier = trainIntentClassifier(examples);
    expect(classifier.info.calibration).toBe("default");
    for (const example of examples)
      expect(classifier.predict(example.text).label).toBe(example.label);
    expect(classifier.predict("will it rain tomorrow? weather please").label).toBe("weather");
    expect(classifier.predict("帮我订去北京的机票").label).toBe("flight");
  });

  it("predicts well-formed results for empty or unseen text, and never invents labels", () => {
    const classifier = trainIntentClassifier([
      { text: "yes please", label: "agree" },
      { text: "no thanks", label: "decline" },
      { text: "sure", label: "agree" },
    ]);
    for (const text of ["", "   ", "完全没见过的句子", "zzzz qqqq"])
      expectWellFormed(classifier.predict(text), classifier.labels);
    expect(classifier.labels).toEqual(["agree", "decline"]);
  });

  it("trains on texts without a single feature, falling back to the label prior", () => {
    const classifier = trainIntentClassifier([
      { text: "", label: "silence" },
      { text: "...", label: "silence" },
      { text: "", label: "noise" },
    ]);
    expect(classifier.info.features).toBe(0);
    const prediction = classifier.predict("hello");
    expectWellFormed(prediction, classifier.labels);
    expect(prediction.label).toBe("silence");
  });

  it("uses the previous utterance when asked to", () => {
    // The same reply means different things after different questions.
    const examples: LabelledExample[] = [];
    for (let copy = 0; copy < 5; copy++) {
      examples.push({
        text: "yes",
        previousText: "would you like to donate today?",
        label: "agree_to_donate",
      });
      examples.push({
        text: "yes",
        previousText: "have you heard of save the children?",
        label: "knows_charity",
      });
      examples.push({
        text: "sure",
        previousText: "could you donate a dollar?",
        label: "agree_to_donate",
      });
      examples.push({
        text: "sure",
        previousText: "do you know the charity save the children?",
        label: "knows_charity",
      });
    }
    const withContext = trainIntentClassifier(examples, { useContext: true });
    expect(withContext.predict("yes", "would you donate to the children?").label).toBe(
      "agree_to_donate",
    );
    expect(withContext.predict("yes", "have you heard of this charity?").label).toBe(
      "knows_charity",
    );
    // Trained with context, it refuses to guess without it; null says "no previous utterance".
    expect(() => withContext.predict("yes")).toThrow(/previous utterance as context/);
    expect(() => withContext.predictBatch([{ text: "yes" }])).toThrow(ValidationError);
    expect(withContext.predict("yes", null).ranked).toHaveLength(2);
    const withoutContext = trainIntentClassifier(examples);
    const answers = new Set(
      ["would you donate?", "heard of the charity?"].map(
        (previous) => withoutContext.predict("yes", previous).label,
      ),
    );
    expect(answers.size).toBe(1);
  });

  it("rejects bad training input with a ValidationError", () => {
    expect(() => trainIntentClassifier([])).toThrow(ValidationError);
    expect(() => trainIntentClassifier([{ text: "hi", label: "" }])).toThrow(
      /label must be a non-empty string/,
    );
    expect(() => trainIntentClassifier([{ text: 42 as unknown as string, label: "x" }])).toThrow(
      /text must be a string/,
    );
    expect(() => trainIntentClassifier([{ text: "hi", label: "x" }], { cost: -1 })).toThrow(
      /cost must be > 0/,
    );
    expect(() =>
      trainIntentClassifier([{ text: "hi", label: "x" }], { minimumDocumentFrequency: 0 }),
    ).toThrow(ValidationError);
  });

  it("rejects bad prediction input and corrupt model bytes", () => {
    const classifier = trainIntentClassifier([
      { text: "hi", label: "greeting" },
      { text: "bye", label: "farewell" },
    ]);
    expect(() => classifier.predict(null as unknown as string)).toThrow(ValidationError);
    expect(() => classifier.predictBatch("hi" as unknown as [])).toThrow(ValidationError);
    const bytes = classifier.serialize();
    expect(() => loadIntentClassifier(bytes.subarray(0, bytes.length - 5))).toThrow(
      UnprocessableError,
    );
    expect(() => loadIntentClassifier(new TextEncoder().encode("not a model at all"))).toThrow(
      UnprocessableError,
    );
  });
});
