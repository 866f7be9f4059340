/**
 * Label-efficiency curves as stored runs: the API records a request (`label_curves` row), the
 * `label-curve` job computes it with the local engine and writes the points, and the UI reads the
 * latest one. `localEngineCurve` is the one place that says how the local engine is trained along
 * a curve, shared by the job, the `npm run eval -- curve` command and the benchmark.
 */
import { z } from "zod";
import type { Queryable } from "../db/database.ts";
import { getDatasetVersion, loadSamples, type DatasetVersion } from "../dataset/datasets.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  labelEfficiencyCurve,
  labelStrategies,
  type LabelEfficiencyPoint,
  type LabelStrategy,
  type LabelledExample,
} from "./label-efficiency.ts";

export const labelCurveOptionsSchema = z.strictObject({
  sizes: z.array(z.number().int().min(1).max(1000)).min(1).max(12).default([1, 2, 5, 10, 20]),
  seeds: z.number().int().min(1).max(10).default(1),
  strategies: z
    .array(z.enum(labelStrategies as [LabelStrategy, ...LabelStrategy[]]))
    .min(1)
    .max(3)
    .default(["random", "balanced"]),
});
export type LabelCurveOptions = z.infer<typeof labelCurveOptionsSchema>;

export interface LabelCurveSummary {
  dataset: string;
  train: number;
  test: number;
  intents: number;
  seeds: number;
}

export interface LabelCurve {
  id: string;
  datasetVersionId: string;
  status: "queued" | "running" | "completed" | "failed";
  options: LabelCurveOptions;
  summary: LabelCurveSummary | null;
  points: LabelEfficiencyPoint[] | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const selectCurve = `SELECT id, dataset_version_id AS "datasetVersionId", status, options, summary, points, error,
  created_at AS "createdAt", finished_at AS "finishedAt" FROM label_curves`;

export async function createLabelCurve(
  db: Queryable,
  input: { workspaceId: string; datasetVersion: DatasetVersion; options: LabelCurveOptions; createdBy: string | null },
): Promise<LabelCurve> {
  const { counts, labelCount } = input.datasetVersion;
  if ((counts.train ?? 0) === 0 || (counts.test ?? 0) === 0 || labelCount < 2) {
    throw new ValidationError(
      "A label curve needs a dataset version with train and test samples and at least two labels.",
    );
  }
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO label_curves (workspace_id, dataset_version_id, options, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
    [input.workspaceId, input.datasetVersion.id, JSON.stringify(input.options), input.createdBy],
  );
  return getLabelCurve(db, input.workspaceId, rows[0].id);
}

export async function getLabelCurve(db: Queryable, workspaceId: string, id: string): Promise<LabelCurve> {
  const { rows } = await db.query<LabelCurve>(`${selectCurve} WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  if (!rows[0]) throw new NotFoundError("Label curve not found.");
  return rows[0];
}

/** The newest curve of the workspace (of one dataset version when given), finished or not; null if none. */
export async function latestLabelCurve(
  db: Queryable,
  workspaceId: string,
  datasetVersionId?: string,
): Promise<LabelCurve | null> {
  const { rows } = await db.query<LabelCurve>(
    `${selectCurve} WHERE workspace_id = $1 AND ($2::uuid IS NULL OR dataset_version_id = $2::uuid)
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [workspaceId, datasetVersionId ?? null],
  );
  return rows[0] ?? null;
}

/**
 * Computes a queued curve and stores its points. Idempotent: a completed curve is left as it is;
 * a retried one starts over (the curve is deterministic for its options).
 */
export async function executeLabelCurve(
  db: Queryable,
  id: string,
  onProgress: (progress: { done: number; total: number }) => void = () => {},
): Promise<void> {
  const { rows } = await db.query<{ workspaceId: string; datasetVersionId: string; status: string; options: unknown }>(
    `SELECT workspace_id AS "workspaceId", dataset_version_id AS "datasetVersionId", status, options FROM label_curves WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  // Deleted with its dataset: nothing left to compute (not an error worth retrying).
  if (!row || row.status === "completed") return;
  const options = labelCurveOptionsSchema.parse(row.options);
  const version = await getDatasetVersion(db, row.workspaceId, row.datasetVersionId);
  await db.query("UPDATE label_curves SET status = 'running', error = NULL WHERE id = $1", [id]);
  const samples = await loadSamples(db, version.id, { splits: ["train", "test"] });
  const toExample = (sample: (typeof samples)[number]) => ({ text: sample.text, label: sample.label });
  const train = samples.filter((sample) => sample.split === "train").map(toExample);
  const test = samples.filter((sample) => sample.split === "test").map(toExample);
  const points = await localEngineCurve({ train, test, ...options, onProgress });
  const summary: LabelCurveSummary = {
    dataset: `${version.datasetName}@${version.version}`,
    train: train.length,
    test: test.length,
    intents: new Set(train.map((example) => example.label)).size,
    seeds: options.seeds,
  };
  await db.query(
    `UPDATE label_curves SET status = 'completed', summary = $2, points = $3, finished_at = now() WHERE id = $1`,
    [id, JSON.stringify(summary), JSON.stringify(points)],
  );
}

export async function failLabelCurve(db: Queryable, id: string, message: string): Promise<void> {
  await db.query(
    `UPDATE label_curves SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status <> 'completed'`,
    [id, message],
  );
}

/**
 * The local engine along a curve: each point's model is trained on the labelled examples with
 * the rest of the train split as its unlabelled utterances (self-training) and the label ids as
 * names. The queue's order between rounds comes from that same model, as the live queue's
 * confidences come from the workspace's drafting model, which self-trains on the workspace's
 * unlabelled utterances too (core/draft/intent-models.ts); two labels per intent per round.
 * Ordering by a cheaper model without self-training cost 0.5–1 point of the queue's lead
 * (CLINC150 val, seed 1; core/engine/README.md).
 */
export async function localEngineCurve(input: {
  train: readonly LabelledExample[];
  test: readonly LabelledExample[];
  sizes: readonly number[];
  seeds: number;
  strategies: readonly LabelStrategy[];
  onProgress?: (progress: { done: number; total: number }) => void;
}): Promise<LabelEfficiencyPoint[]> {
  // Loaded here so that the API process, which only records curves, never loads the engine.
  const { trainIntentClassifier } = await import("../engine/index.ts");
  const { train } = input;
  const labels = [...new Set(train.map((example) => example.label))];
  const labelDescriptions = Object.fromEntries(
    labels.map((label) => [label, [label.replace(/[_-]+/g, " ")]]),
  );
  return labelEfficiencyCurve({
    train,
    test: input.test,
    sizes: input.sizes,
    seeds: Array.from({ length: input.seeds }, (_, index) => index + 1),
    strategies: input.strategies,
    batchSize: 2 * labels.length,
    trainModel: (examples) => {
      const labelled = new Set(examples);
      return trainIntentClassifier(examples, {
        labelDescriptions,
        unlabelled: train.filter((example) => !labelled.has(example)),
      });
    },
    predict: (model, texts) => model.predictBatch(texts.map((text) => ({ text }))),
    onProgress: input.onProgress,
  });
}
