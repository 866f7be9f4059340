import { describe, expect, it } from "vitest";
import {
  expectedCalibrationError,
  fitTemperature,
  negativeLogLikelihood,
  softmax,
} from "./calibration.ts";
import { createRandom } from "./random.ts";

describe("softmax", () => {
  it("sums to one, keeps the order of scores, and sharpens as the temperature falls", () => {
    const scores = [2, 1, 0.5];
    const warm = softmax(scores, 1);
    const cold = softmax(scores, 0.1);
    expect(warm.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12);
    expect(warm[0] > warm[1] && warm[1] > warm[2]).toBe(true);
    expect(cold[0]).toBeGreaterThan(warm[0]);
  });

  it("does not overflow on large scores", () => {
    const probabilities = softmax([1000, 999], 0.01);
    expect(Number.isFinite(probabilities[0])).toBe(true);
    expect(probabilities[0]).toBeCloseTo(1, 10);
  });
});

describe("fitTemperature", () => {
  it("recovers the temperature that generated the labels", () => {
    const random = createRandom(11);
    const trueTemperature = 0.4;
    const scores: number[][] = [];
    const truths: number[] = [];
    for (let row = 0; row < 4000; row++) {
      const rowScores = Array.from({ length: 5 }, () => random() * 2);
      const probabilities = softmax(rowScores, trueTemperature);
      let draw = random();
      let label = 0;
      while (label < 4 && draw > probabilities[label]) draw -= probabilities[label++];
      scores.push(rowScores);
      truths.push(label);
    }
    const fitted = fitTemperature(scores, truths);
    expect(fitted).toBeGreaterThan(0.35);
    expect(fitted).toBeLessThan(0.46);
    expect(negativeLogLikelihood(scores, truths, fitted)).toBeLessThanOrEqual(
      negativeLogLikelihood(scores, truths, trueTemperature) + 1e-3,
    );
  });
});

describe("expectedCalibrationError", () => {
  it("is zero when confidence matches accuracy in every bin, and large when overconfident", () => {
    const calibrated = [
      ...Array.from({ length: 10 }, (_, index) => ({ confidence: 0.7, correct: index < 7 })),
      ...Array.from({ length: 10 }, (_, index) => ({ confidence: 0.2, correct: index < 2 })),
    ];
    expect(expectedCalibrationError(calibrated)).toBeCloseTo(0, 12);
    const overconfident = Array.from({ length: 10 }, (_, index) => ({
      confidence: 0.99,
      correct: index < 5,
    }));
    expect(expectedCalibrationError(overconfident)).toBeCloseTo(0.49, 12);
    expect(expectedCalibrationError([])).toBe(0);
  });
});
