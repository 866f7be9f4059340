/**
 * A trained linear model in compressed form, for prediction and storage. After int8 quantisation
 * most weights are exactly zero (on CLINC150 six in seven), so each feature keeps only its
 * non-zero (class, weight) pairs: scoring touches a seventh of the memory, and a loaded model
 * never materialises the dense matrix.
 */
import type { LinearModel } from "./linear-svm.ts";

export interface SparseLinearModel {
  classes: number;
  features: number;
  /** Entries of feature f are featureStart[f] … featureStart[f + 1] - 1. */
  featureStart: Int32Array;
  classOf: Uint16Array;
  weights: Float32Array;
  biases: Float32Array;
  /** Per-class weight on the row's total feature mass (see naive-bayes.ts); zeros if unused. */
  massWeights: Float32Array;
}

export const maximumClasses = 65_535;

export function compressLinearModel(model: LinearModel): SparseLinearModel {
  const { classes, features, weights } = model;
  if (classes > maximumClasses)
    throw new RangeError(`At most ${maximumClasses} classes are supported.`);
  const featureStart = new Int32Array(features + 1);
  for (let feature = 0; feature < features; feature++) {
    let count = 0;
    const offset = feature * classes;
    for (let label = 0; label < classes; label++) if (weights[offset + label] !== 0) count++;
    featureStart[feature + 1] = featureStart[feature] + count;
  }
  const classOf = new Uint16Array(featureStart[features]);
  const compressed = new Float32Array(featureStart[features]);
  let entry = 0;
  for (let feature = 0; feature < features; feature++) {
    const offset = feature * classes;
    for (let label = 0; label < classes; label++) {
      const weight = weights[offset + label];
      if (weight === 0) continue;
      classOf[entry] = label;
      compressed[entry++] = weight;
    }
  }
  return {
    classes,
    features,
    featureStart,
    classOf,
    weights: compressed,
    biases: model.biases.slice(),
    massWeights: model.massWeights?.slice() ?? new Float32Array(classes),
  };
}

/**
 * Decision values of one sparse row, written into `scores`. Adds the same terms in the same
 * order as `scoreRow` on the dense model minus its zeros, so the two agree exactly.
 */
export function scoreSparse(
  model: SparseLinearModel,
  indices: Int32Array,
  values: Float32Array,
  scores: Float64Array = new Float64Array(model.classes),
): Float64Array {
  const { classes, featureStart, classOf, weights, biases, massWeights } = model;
  let mass = 0;
  for (let position = 0; position < values.length; position++) mass += values[position];
  for (let label = 0; label < classes; label++)
    scores[label] = biases[label] + massWeights[label] * mass;
  for (let position = 0; position < indices.length; position++) {
    const feature = indices[position];
    const value = values[position];
    for (let entry = featureStart[feature]; entry < featureStart[feature + 1]; entry++) {
      scores[classOf[entry]] += weights[entry] * value;
    }
  }
  return scores;
}
