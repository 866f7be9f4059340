import { describe, expect, it } from "vitest";
import {
  defaultLinearSvmOptions,
  heldOutScores,
  scoreRow,
  trainOneVersusRest,
} from "./linear-svm.ts";
import { createRandom } from "./random.ts";
import { stackRows, type SparseMatrix } from "./vectorizer.ts";

/**
 * `classes` clusters in a 60-dimensional sparse space: each row has its class's 3 signature
 * features plus 4 random noise features, L2-normalised.
 */
function clusters(
  classes: number,
  rowsPerClass: number,
  seed: number,
): { matrix: SparseMatrix; labels: number[] } {
  const random = createRandom(seed);
  const labels: number[] = [];
  const vectors = [];
  for (let label = 0; label < classes; label++) {
    for (let copy = 0; copy < rowsPerClass; copy++) {
      const columns = new Map<number, number>();
      for (let feature = 0; feature < 3; feature++) columns.set(label * 3 + feature, 1);
      for (let noise = 0; noise < 4; noise++) {
        const column = classes * 3 + Math.floor(random() * 20);
        columns.set(column, (columns.get(column) ?? 0) + random());
      }
      const norm = Math.sqrt([...columns.values()].reduce((sum, value) => sum + value * value, 0));
      vectors.push({
        indices: Int32Array.from(columns.keys()),
        values: Float32Array.from(columns.values(), (value) => value / norm),
      });
      labels.push(label);
    }
  }
  return { matrix: stackRows(vectors, classes * 3 + 20), labels };
}

function targetsOf(labels: number[], classes: number): Int8Array[] {
  return Array.from({ length: classes }, (_, label) =>
    Int8Array.from(labels, (row) => (row === label ? 1 : -1)),
  );
}

function predictions(matrix: SparseMatrix, model: Parameters<typeof scoreRow>[0]): number[] {
  return Array.from({ length: matrix.rows }, (_, row) => {
    const start = matrix.rowStart[row];
    const end = matrix.rowStart[row + 1];
    const scores = scoreRow(
      model,
      matrix.indices.subarray(start, end),
      matrix.values.subarray(start, end),
    );
    return scores.indexOf(Math.max(...scores));
  });
}

describe("trainOneVersusRest", () => {
  it("separates separable classes", () => {
    const { matrix, labels } = clusters(5, 8, 1);
    const { model } = trainOneVersusRest(matrix, targetsOf(labels, 5));
    expect(predictions(matrix, model)).toEqual(labels);
  });

  it("reaches the same solution through working sets as from every row", () => {
    const { matrix, labels } = clusters(20, 10, 2);
    const targets = targetsOf(labels, 20);
    const tight = { ...defaultLinearSvmOptions, tolerance: 0.001 };
    const working = trainOneVersusRest(matrix, targets, {
      ...tight,
      candidateClasses: 2,
      sampledRows: 5,
    });
    const everyRow = trainOneVersusRest(matrix, targets, { ...tight, candidateClasses: 100 });
    let largest = 0;
    working.model.weights.forEach((weight, index) => {
      largest = Math.max(largest, Math.abs(weight - everyRow.model.weights[index]));
    });
    expect(largest).toBeLessThan(0.02);
  });

  it("is deterministic for a seed", () => {
    const { matrix, labels } = clusters(6, 5, 3);
    const first = trainOneVersusRest(matrix, targetsOf(labels, 6));
    const second = trainOneVersusRest(matrix, targetsOf(labels, 6));
    expect(first.model.weights).toEqual(second.model.weights);
  });

  it("supports rows with several labels or none", () => {
    const { matrix, labels } = clusters(3, 6, 4);
    // Class 2 also switched on for class-0 rows; a fourth class with no rows at all.
    const targets = [...targetsOf(labels, 3), Int8Array.from(labels, () => -1)];
    labels.forEach((label, row) => {
      if (label === 0) targets[2][row] = 1;
    });
    const { model } = trainOneVersusRest(matrix, targets);
    const start = matrix.rowStart[0];
    const scores = scoreRow(
      model,
      matrix.indices.subarray(start, matrix.rowStart[1]),
      matrix.values.subarray(start, matrix.rowStart[1]),
    );
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[2]).toBeGreaterThan(0);
    expect(scores[3]).toBeLessThan(0);
  });
});

describe("heldOutScores", () => {
  it("matches a model trained without the held-out rows", () => {
    const { matrix, labels } = clusters(12, 6, 5);
    const targets = targetsOf(labels, 12);
    const options = {
      ...defaultLinearSvmOptions,
      tolerance: 0.001,
      candidateClasses: 3,
      sampledRows: 10,
    };
    const heldOut = Int32Array.of(0, 7, 13, 30, 55);
    const trained = trainOneVersusRest(matrix, targets, options);
    const warm = heldOutScores(matrix, targets, trained, heldOut, options);

    const keep = Array.from({ length: matrix.rows }, (_, row) => row).filter(
      (row) => !heldOut.includes(row),
    );
    const rest = stackRows(
      keep.map((row) => ({
        indices: matrix.indices.slice(matrix.rowStart[row], matrix.rowStart[row + 1]),
        values: matrix.values.slice(matrix.rowStart[row], matrix.rowStart[row + 1]),
      })),
      matrix.columns,
    );
    const scratch = trainOneVersusRest(
      rest,
      targets.map((target) => Int8Array.from(keep, (row) => target[row])),
      options,
    );
    heldOut.forEach((row, sample) => {
      const start = matrix.rowStart[row];
      const end = matrix.rowStart[row + 1];
      const expected = scoreRow(
        scratch.model,
        matrix.indices.subarray(start, end),
        matrix.values.subarray(start, end),
      );
      for (let label = 0; label < 12; label++) {
        expect(Math.abs(warm[sample * 12 + label] - expected[label])).toBeLessThan(0.03);
      }
    });
    // The trained model itself is left untouched.
    expect(trainOneVersusRest(matrix, targets, options).model.weights).toEqual(
      trained.model.weights,
    );
  });
});
