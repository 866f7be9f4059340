/**
 * The stored form of a trained intent classifier (Postgres bytea). Layout, inside a deflated
 * `CALIBRATE-INTENT` v1 envelope (model-codec.ts):
 *
 *   header     JSON: labels, vectorizer options, classifier info, training text count
 *   weightStep float64: weight = weightStep × stored int8
 *   features   varint count, then per feature: key gap (varint; keys ascend), document frequency
 *   biases     float32 × classes;  massWeights  float32 × classes
 *   weights    per feature: entry count, then (class gap varint, int8) pairs
 *
 * IDF is rebuilt from the document frequencies and weights are the int8 grid the trained model
 * already uses, so a loaded model predicts exactly what the trained one did.
 */
import { UnprocessableError } from "../errors.ts";
import { ByteReader, ByteWriter, packModel, unpackModel } from "./model-codec.ts";
import type { SparseLinearModel } from "./sparse-linear-model.ts";
import { Vectorizer, type VectorizerOptions } from "./vectorizer.ts";

export interface IntentClassifierInfo {
  examples: number;
  features: number;
  temperature: number;
  /** How the temperature was chosen. */
  calibration: "held-out" | "default";
  useContext: boolean;
  seed: number;
  /** Rows trained from the labels' names and descriptions (absent in older models). */
  descriptions?: number;
  /** Unlabelled utterances given, and how many of them self-training labelled and used. */
  unlabelled?: number;
  pseudoLabelled?: number;
  /** The prior correction, visible to a trainer: trainer examples per label and the weight of each label's rows. */
  classWeighting?: "none" | "balanced";
  labelCounts?: number[];
  classWeights?: number[];
}

export interface IntentModelState {
  labels: string[];
  vectorizer: Vectorizer;
  model: SparseLinearModel;
  weightStep: number;
  info: IntentClassifierInfo;
}

const magic = "CALIBRATE-INTENT";
const formatVersion = 1;

export function writeIntentModel(state: IntentModelState): Uint8Array {
  const { labels, vectorizer, model, weightStep, info } = state;
  const writer = new ByteWriter();
  writer.string(
    JSON.stringify({ labels, options: vectorizer.options, info, documents: vectorizer.documents }),
  );
  writer.float64(weightStep);
  writer.varint(vectorizer.keys.length);
  let previousKey = 0;
  for (let feature = 0; feature < vectorizer.keys.length; feature++) {
    writer.varint(vectorizer.keys[feature] - previousKey);
    previousKey = vectorizer.keys[feature];
    writer.varint(vectorizer.documentFrequency[feature]);
  }
  for (const bias of model.biases) writer.float32(bias);
  for (const weight of model.massWeights) writer.float32(weight);
  for (let feature = 0; feature < model.features; feature++) {
    const start = model.featureStart[feature];
    const end = model.featureStart[feature + 1];
    writer.varint(end - start);
    let previousLabel = 0;
    for (let entry = start; entry < end; entry++) {
      writer.varint(model.classOf[entry] - previousLabel);
      previousLabel = model.classOf[entry];
      writer.int8(Math.round(model.weights[entry] / weightStep));
    }
  }
  return packModel(magic, formatVersion, writer.finish());
}

interface Header {
  labels: string[];
  options: VectorizerOptions;
  info: IntentClassifierInfo;
  documents: number;
}

function readHeader(reader: ByteReader): Header {
  let header: Header;
  try {
    header = JSON.parse(reader.string());
  } catch (error) {
    throw new UnprocessableError("The model file has an unreadable header.", undefined, {
      cause: error,
    });
  }
  const valid =
    Array.isArray(header?.labels) &&
    header.labels.length > 0 &&
    header.labels.every((label) => typeof label === "string") &&
    typeof header.options === "object" &&
    typeof header.info?.temperature === "number" &&
    Number.isInteger(header.documents);
  if (!valid) throw new UnprocessableError("The model file has an incomplete header.");
  return header;
}

export function readIntentModel(bytes: Uint8Array): IntentModelState {
  const reader = new ByteReader(unpackModel(magic, formatVersion, bytes));
  const header = readHeader(reader);
  const classes = header.labels.length;
  const weightStep = reader.float64();
  const features = reader.varint();
  const keys = new Uint32Array(features);
  const documentFrequency = new Uint32Array(features);
  let key = 0;
  for (let feature = 0; feature < features; feature++) {
    key += reader.varint();
    keys[feature] = key;
    documentFrequency[feature] = reader.varint();
  }
  const biases = new Float32Array(classes);
  for (let label = 0; label < classes; label++) biases[label] = reader.float32();
  const massWeights = new Float32Array(classes);
  for (let label = 0; label < classes; label++) massWeights[label] = reader.float32();
  const featureStart = new Int32Array(features + 1);
  const classOf: number[] = [];
  const weights: number[] = [];
  for (let feature = 0; feature < features; feature++) {
    const count = reader.varint();
    let label = 0;
    for (let entry = 0; entry < count; entry++) {
      label += reader.varint();
      if (label >= classes)
        throw new UnprocessableError("The model file is corrupt (class out of range).");
      classOf.push(label);
      weights.push(reader.int8() * weightStep);
    }
    featureStart[feature + 1] = classOf.length;
  }
  if (!reader.done) throw new UnprocessableError("The model file has trailing bytes.");
  return {
    labels: header.labels,
    vectorizer: new Vectorizer(header.options, keys, documentFrequency, header.documents),
    model: {
      classes,
      features,
      featureStart,
      classOf: Uint16Array.from(classOf),
      weights: Float32Array.from(weights),
      biases,
      massWeights,
    },
    weightStep,
    info: header.info,
  };
}
