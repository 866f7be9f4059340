import { describe, expect, it } from "vitest";
import { CalibrateError, ValidationError } from "../errors.ts";
import {
  labelEfficiencyCurve,
  meanAndStandardDeviation,
  pickBalanced,
  type LabelledExample,
  type Prediction,
} from "./label-efficiency.ts";

function examplesOf(counts: Record<string, number>): LabelledExample[] {
  return Object.entries(counts).flatMap(([label, count]) =>
    Array.from({ length: count }, (_, index) => ({
      text: `${label}${index + 1}`,
      label,
    })),
  );
}

/** Knows exactly the texts it was trained on; guesses "unknown" with confidence 0 otherwise. */
const memoriser = {
  trainModel: (examples: LabelledExample[]) =>
    new Map(examples.map((example) => [example.text, example.label])),
  predict: (model: Map<string, string>, texts: string[]): Prediction[] =>
    texts.map((text) => ({
      label: model.get(text) ?? "unknown",
      confidence: model.has(text) ? 1 : 0,
    })),
};

describe("labelEfficiencyCurve", () => {
  it("random: accuracy of a memoriser tested on its own train split, by hand", async () => {
    // 3 intents × 4 examples; tested on the same 12 texts, a memoriser of k per intent gets 3k/12.
    const train = examplesOf({ ask_price: 4, 异议: 4, book_demo: 4 });
    const points = await labelEfficiencyCurve({
      train,
      test: train,
      sizes: [10, 1, 2],
      seeds: [1, 2, 3],
      strategies: ["random"],
      ...memoriser,
    });
    expect(
      points.map((point) => [
        point.labelsPerIntent,
        point.totalLabels,
        point.accuracyMean,
        point.accuracyStd,
      ]),
    ).toEqual([
      [1, 3, 0.25, 0],
      [2, 6, 0.5, 0],
      [10, 12, 1, 0],
    ]);
    expect(points[0].accuracies).toEqual([0.25, 0.25, 0.25]);
  });

  it("random: samples k per intent, nested across sizes, reproducibly", async () => {
    const train = examplesOf({ a: 6, b: 3 });
    const trainedOn: string[][] = [];
    const run = () =>
      labelEfficiencyCurve({
        train,
        test: train,
        sizes: [1, 2, 5],
        seeds: [42],
        strategies: ["random"],
        trainModel: (examples) => {
          trainedOn.push(examples.map((example) => example.text));
          return memoriser.trainModel(examples);
        },
        predict: memoriser.predict,
      });
    const points = await run();
    expect(points.map((point) => point.totalLabels)).toEqual([2, 4, 8]); // b runs out at 3
    const [one, two, five] = trainedOn;
    expect(countLabels(two)).toEqual({ a: 2, b: 2 });
    expect(countLabels(five)).toEqual({ a: 5, b: 3 });
    expect(one.every((text) => two.includes(text))).toBe(true);
    expect(two.every((text) => five.includes(text))).toBe(true);
    await run();
    expect(trainedOn.slice(3)).toEqual(trainedOn.slice(0, 3));
  });

  it("uncertainty: labels the least-confident examples and reuses the model between rounds", async () => {
    const train = examplesOf({ a: 3, b: 3 });
    // The learner's confidence is fixed per text, so the choice is predictable.
    const confidence: Record<string, number> = {
      a1: 0.9,
      a2: 0.1,
      a3: 0.2,
      b1: 0.95,
      b2: 0.5,
      b3: 0.6,
    };
    const trainedOn: string[][] = [];
    const [first, second] = await labelEfficiencyCurve({
      train,
      test: train,
      sizes: [1, 2],
      seeds: [7],
      strategies: ["uncertainty"],
      batchSize: 2,
      trainModel: (examples) => {
        trainedOn.push(examples.map((example) => example.text).sort());
        return memoriser.trainModel(examples);
      },
      predict: (model, texts) =>
        texts.map((text) => ({
          label: model.get(text) ?? "a",
          confidence: confidence[text],
        })),
    });
    // One training for size 1 (reused to score the pool), one after labelling the batch.
    expect(trainedOn).toHaveLength(2);
    const [start, grown] = trainedOn;
    expect(countLabels(start)).toEqual({ a: 1, b: 1 });
    const leastConfident = train
      .map((example) => example.text)
      .filter((text) => !start.includes(text))
      .sort((left, right) => confidence[left] - confidence[right])
      .slice(0, 2);
    expect(grown).toEqual([...start, ...leastConfident].sort());
    expect(first.totalLabels).toBe(2);
    expect(second.totalLabels).toBe(4);
    // Test = train; unlabelled texts are predicted "a", so each a-text is right.
    const expectedAccuracy = (labelled: string[]) =>
      train.filter((example) => labelled.includes(example.text) || example.label === "a").length /
      train.length;
    expect(first.accuracyMean).toBe(expectedAccuracy(start));
    expect(second.accuracyMean).toBe(expectedAccuracy(grown));
  });

  it("uncertainty: may spend the budget unevenly across intents, in batches", async () => {
    // b examples are always sure; the a examples are not, so all new labels go to a.
    const train = examplesOf({ a: 5, b: 5 });
    const trainedOn: string[][] = [];
    await labelEfficiencyCurve({
      train,
      test: train,
      sizes: [3],
      seeds: [1],
      strategies: ["uncertainty"],
      batchSize: 3,
      trainModel: (examples) => trainedOn.push(examples.map((example) => example.text)),
      predict: (_model, texts) =>
        texts.map((text) => ({
          label: "b",
          confidence: text.startsWith("a") ? 0.1 : 0.9,
        })),
    });
    // 2 to start, then batches of 3 and 1 up to the budget of 6: 3 trainings.
    expect(trainedOn.map((texts) => texts.length)).toEqual([2, 5, 6]);
    expect(countLabels(trainedOn[2])).toEqual({ a: 5, b: 1 });
  });

  it("both strategies share the first point and stop at the size of the train split", async () => {
    const train = examplesOf({ a: 4, b: 4, c: 4 });
    const test = examplesOf({ a: 4, b: 4, c: 4 });
    const points = await labelEfficiencyCurve({
      train,
      test,
      sizes: [1, 50],
      seeds: [1, 2, 3, 4],
      ...memoriser,
    });
    const [random1, random50, uncertainty1, uncertainty50] = points;
    expect(points.map((point) => point.strategy)).toEqual([
      "random",
      "random",
      "uncertainty",
      "uncertainty",
    ]);
    expect(uncertainty1.accuracies).toEqual(random1.accuracies);
    expect(random50.totalLabels).toBe(12);
    expect(uncertainty50.totalLabels).toBe(12);
    expect(uncertainty50.accuracyMean).toBe(1);
  });

  it("reports progress per evaluated point", async () => {
    const train = examplesOf({ a: 3, b: 3 });
    const progress: Array<[number, number]> = [];
    await labelEfficiencyCurve({
      train,
      test: train,
      sizes: [1, 2],
      seeds: [1, 2, 3],
      ...memoriser,
      onProgress: ({ done, total }) => progress.push([done, total]),
    });
    expect(progress).toHaveLength(12);
    expect(progress.at(-1)).toEqual([12, 12]);
  });

  it("rejects bad options and a learner that returns the wrong number of predictions", async () => {
    const train = examplesOf({ a: 2 });
    const base = { train, test: train, sizes: [1], seeds: [1], ...memoriser };
    await expect(labelEfficiencyCurve({ ...base, sizes: [0] })).rejects.toThrow(ValidationError);
    await expect(labelEfficiencyCurve({ ...base, seeds: [] })).rejects.toThrow(ValidationError);
    await expect(labelEfficiencyCurve({ ...base, test: [] })).rejects.toThrow(ValidationError);
    await expect(labelEfficiencyCurve({ ...base, batchSize: 0 })).rejects.toThrow(ValidationError);
    await expect(
      labelEfficiencyCurve({ ...base, strategies: ["greedy" as never] }),
    ).rejects.toThrow(/greedy/);
    await expect(labelEfficiencyCurve({ ...base, predict: () => [] })).rejects.toThrow(
      CalibrateError,
    );
  });
});

describe("meanAndStandardDeviation", () => {
  it("uses the sample standard deviation", () => {
    // mean 2/3; squares (1/3)² + (2/3)² + (1/3)² = 2/3; / (3 − 1) = 1/3.
    const { mean, standardDeviation } = meanAndStandardDeviation([1, 0, 1]);
    expect(mean).toBeCloseTo(2 / 3, 12);
    expect(standardDeviation).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(meanAndStandardDeviation([0.5])).toEqual({
      mean: 0.5,
      standardDeviation: null,
    });
    expect(() => meanAndStandardDeviation([])).toThrow(ValidationError);
  });
});

function countLabels(texts: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const text of texts) {
    const label = text.replace(/\d+$/, "");
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

describe("pickBalanced", () => {
  it("takes turns over the predicted labels, least confident first within each", () => {
    const scores = [
      { label: "a", confidence: 0.2 },
      { label: "a", confidence: 0.1 },
      { label: "a", confidence: 0.3 },
      { label: "b", confidence: 0.9 },
      { label: "b", confidence: 0.8 },
      { label: "c", confidence: 0.5 },
    ];
    expect(pickBalanced(scores, 3)).toEqual([1, 5, 4]);
    expect(pickBalanced(scores, 5)).toEqual([1, 5, 4, 0, 3]);
    expect(pickBalanced(scores, 10)).toEqual([1, 5, 4, 0, 3, 2]);
  });

  it("orders each turn by its own examples' confidence, as the queue's SQL does", () => {
    const scores = [
      { label: "a", confidence: 0.1 },
      { label: "a", confidence: 0.9 },
      { label: "b", confidence: 0.2 },
      { label: "b", confidence: 0.3 },
      { label: "b", confidence: 0.2 },
    ];
    // Turn 2: b's second (0.2, after its equal-confidence first in pool order) before a's 0.9,
    // although a led turn 1; then b's third.
    expect(pickBalanced(scores, 5)).toEqual([0, 2, 4, 1, 3]);
  });
});

