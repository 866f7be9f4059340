import { describe, expect, it } from "vitest";
import { scoreRow, type LinearModel } from "./linear-svm.ts";
import { createRandom } from "./random.ts";
import { compressLinearModel, scoreSparse } from "./sparse-linear-model.ts";

function randomModel(
  features: number,
  classes: number,
  density: number,
  withMass: boolean,
): LinearModel {
  const random = createRandom(9);
  return {
    classes,
    features,
    weights: Float32Array.from({ length: features * classes }, () =>
      random() < density ? random() * 2 - 1 : 0,
    ),
    biases: Float32Array.from({ length: classes }, () => random() - 0.5),
    ...(withMass ? { massWeights: Float32Array.from({ length: classes }, () => -random()) } : {}),
  };
}

describe("compressLinearModel / scoreSparse", () => {
  it("keeps only non-zero weights and scores exactly like the dense model", () => {
    for (const withMass of [false, true]) {
      const dense = randomModel(300, 12, 0.15, withMass);
      const sparse = compressLinearModel(dense);
      const nonZero = dense.weights.filter((weight) => weight !== 0).length;
      expect(sparse.weights.length).toBe(nonZero);
      expect(sparse.featureStart[300]).toBe(nonZero);
      const random = createRandom(4);
      for (let row = 0; row < 50; row++) {
        const indices = Int32Array.from({ length: 20 }, () => Math.floor(random() * 300));
        const values = Float32Array.from({ length: 20 }, () => random());
        expect(scoreSparse(sparse, indices, values)).toEqual(scoreRow(dense, indices, values));
      }
    }
  });

  it("handles a model with no weights at all", () => {
    const sparse = compressLinearModel(randomModel(5, 3, 0, false));
    expect(sparse.weights.length).toBe(0);
    expect(Array.from(scoreSparse(sparse, Int32Array.of(1, 2), Float32Array.of(1, 1)))).toEqual(
      Array.from(sparse.biases),
    );
  });
});
