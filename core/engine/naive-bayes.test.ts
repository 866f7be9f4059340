import { describe, expect, it } from "vitest";
import { scoreRow } from "./linear-svm.ts";
import { trainNaiveBayes } from "./naive-bayes.ts";
import type { SparseMatrix } from "./vectorizer.ts";

// Three rows over four features; rows 0–1 are class 0, row 2 is class 1.
const matrix: SparseMatrix = {
  rows: 3,
  columns: 4,
  rowStart: Int32Array.of(0, 2, 4, 6),
  indices: Int32Array.of(0, 1, 0, 2, 2, 3),
  values: Float32Array.of(0.5, 1, 1, 0.25, 0.75, 2),
};
const targets = [Int8Array.of(1, 1, -1), Int8Array.of(-1, -1, 1)];

/** The textbook multinomial naive Bayes log posterior (unnormalised). */
function textbook(row: Float64Array, smoothing: number, excluded: number[] = []): number[] {
  return targets.map((target) => {
    const counts = new Float64Array(4);
    let rows = 0;
    let totalRows = 0;
    for (let index = 0; index < 3; index++) {
      if (excluded.includes(index)) continue;
      totalRows++;
      if (target[index] <= 0) continue;
      rows++;
      for (
        let position = matrix.rowStart[index];
        position < matrix.rowStart[index + 1];
        position++
      ) {
        counts[matrix.indices[position]] += matrix.values[position];
      }
    }
    const mass = counts.reduce((sum, count) => sum + count, 0);
    let score = Math.log((rows + 1) / (totalRows + 2));
    row.forEach((value, feature) => {
      score += value * Math.log((counts[feature] + smoothing) / (mass + smoothing * 4));
    });
    return score;
  });
}

describe("trainNaiveBayes", () => {
  it("ranks classes exactly as textbook multinomial naive Bayes, with the same score gaps", () => {
    const model = trainNaiveBayes(matrix, targets, 0.1);
    for (const dense of [
      Float64Array.of(1, 0, 0, 0),
      Float64Array.of(0, 0.3, 0, 1.2),
      Float64Array.of(0.2, 0.2, 0.2, 0.2),
    ]) {
      const indices = Int32Array.of(0, 1, 2, 3);
      const scores = scoreRow(model, indices, Float32Array.from(dense));
      const expected = textbook(dense, 0.1);
      // Equal up to a constant shared by both classes.
      expect(scores[0] - scores[1]).toBeCloseTo(expected[0] - expected[1], 5);
    }
  });

  it("leaves excluded rows out", () => {
    const model = trainNaiveBayes(matrix, targets, 0.1, Uint8Array.of(0, 1, 0));
    const dense = Float64Array.of(0.5, 0.5, 0.5, 0.5);
    const scores = scoreRow(model, Int32Array.of(0, 1, 2, 3), Float32Array.from(dense));
    const expected = textbook(dense, 0.1, [1]);
    expect(scores[0] - scores[1]).toBeCloseTo(expected[0] - expected[1], 5);
  });

  it("stores zero weights where a feature never occurred with a class", () => {
    const model = trainNaiveBayes(matrix, targets, 0.1);
    // Feature 3 only occurs in class 1; feature 1 only in class 0.
    expect(model.weights[3 * 2 + 0]).toBe(0);
    expect(model.weights[1 * 2 + 1]).toBe(0);
    expect(model.weights[3 * 2 + 1]).toBeGreaterThan(0);
  });
});
