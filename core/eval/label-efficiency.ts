/**
 * The label-efficiency curve: how accuracy grows with the number of labelled examples per
 * intent, for labels picked at random versus picked by active learning (least confident first).
 * It answers "how many examples must a trainer label before the local engine is useful?" and
 * "does asking trainers to label what the model is unsure of save work?".
 *
 * Generic over the learner: pass `trainModel` and `predict`, so a trivial learner tests this
 * file and the real local classifier plugs in unchanged.
 */
import { CalibrateError, ValidationError } from "../errors.ts";
import { createRandom, seedFromText, shuffle } from "../dataset/snapshot.ts";

export interface LabelledExample {
  text: string;
  label: string;
}

export interface Prediction {
  label: string;
  /** The model's confidence in `label`, higher is surer; only its order matters here. */
  confidence: number;
}

/**
 * random: k examples of every intent. uncertainty: the least confident examples first (the
 * old queue order). balanced: the queue's order now — round-robin over the intents the model
 * predicts, the least confident of each first — so early labels cover every intent instead of
 * piling up where the model is most confused.
 */
export type LabelStrategy = "random" | "uncertainty" | "balanced";
export const labelStrategies: readonly LabelStrategy[] = ["random", "uncertainty", "balanced"];

export interface LabelEfficiencyOptions<Model> {
  train: readonly LabelledExample[];
  test: readonly LabelledExample[];
  /** Labels per intent at each point of the curve, e.g. [1, 2, 5, 10, 20, 50]. */
  sizes: readonly number[];
  /** One run per seed; points report the mean and spread over seeds. */
  seeds: readonly number[];
  strategies?: readonly LabelStrategy[];
  trainModel: (examples: LabelledExample[]) => Model | Promise<Model>;
  /**
   * The model that orders the pool between active-learning rounds (default: `trainModel`). A
   * cheaper one keeps a long curve affordable: the points are still scored with `trainModel`.
   */
  trainSelector?: (examples: LabelledExample[]) => Model | Promise<Model>;
  predict: (model: Model, texts: string[]) => Prediction[] | Promise<Prediction[]>;
  /** Examples added per active-learning round (default: the number of intents). */
  batchSize?: number;
  /** Called after each evaluated point of each seed (strategies × seeds × sizes in all). */
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface LabelEfficiencyPoint {
  strategy: LabelStrategy;
  labelsPerIntent: number;
  /** Labels actually used: less than labelsPerIntent × intents when the train split runs out. */
  totalLabels: number;
  accuracyMean: number;
  /** Sample standard deviation over seeds (n − 1); null with a single seed. */
  accuracyStd: number | null;
  /** Accuracy per seed, in the order of `seeds`. */
  accuracies: number[];
}

/**
 * Random: for each intent, a seeded shuffle of its examples; the first k are used at size k.
 * Sizes are nested (the 5 examples at k = 5 include the 2 at k = 2), which keeps one seed's
 * curve from zig-zagging because of a lucky draw at one size only.
 *
 * Uncertainty: start from the first example of each intent in the same seeded shuffles (so both
 * strategies share their first point), then repeatedly train on the labelled set, score the
 * unlabelled rest of the train split and label the `batchSize` least-confident examples, until
 * the total reaches k × intents. The budget is a total, not per intent: active learning may
 * spend more labels on the intents that are hard. Ties in confidence go in a seeded order.
 *
 * Points come back per strategy (in the order given), sizes ascending.
 */
export async function labelEfficiencyCurve<Model>(
  options: LabelEfficiencyOptions<Model>,
): Promise<LabelEfficiencyPoint[]> {
  const { train, test, seeds, trainModel, predict, onProgress } = options;
  const strategies = options.strategies ?? ["random", "uncertainty"];
  const sizes = validateSizes(options.sizes);
  if (seeds.length === 0 || !seeds.every(Number.isInteger)) {
    throw new ValidationError("seeds must be a non-empty list of integers", {
      seeds,
    });
  }
  if (train.length === 0 || test.length === 0) {
    throw new ValidationError("train and test must both have examples");
  }
  for (const strategy of strategies) {
    if (!labelStrategies.includes(strategy)) {
      throw new ValidationError(`unknown strategy "${String(strategy)}"`);
    }
  }

  const byIntent = groupByLabel(train);
  const intents = [...byIntent.keys()].sort();
  const batchSize = options.batchSize ?? intents.length;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
  }

  const testTexts = test.map((example) => example.text);
  const evaluate = async (labelled: LabelledExample[], model?: Model): Promise<number> => {
    const predictions = await predictChecked(
      predict,
      model ?? (await trainModel(labelled)),
      testTexts,
    );
    const correct = predictions.filter(
      (prediction, index) => prediction.label === test[index].label,
    );
    return correct.length / test.length;
  };

  const total = strategies.length * seeds.length * sizes.length;
  let done = 0;
  const progressed = () => onProgress?.({ done: ++done, total });

  const points: LabelEfficiencyPoint[] = [];
  for (const strategy of strategies) {
    const accuracies = sizes.map(() => [] as number[]);
    const totals = sizes.map(() => 0);
    for (const seed of seeds) {
      // Each intent's order depends on the seed and the intent only, as in splitDataset.
      const orders = intents.map((intent) =>
        shuffle(byIntent.get(intent)!, createRandom(seedFromText(intent, seed))),
      );
      if (strategy === "random") {
        for (const [position, size] of sizes.entries()) {
          const labelled = orders.flatMap((examples) => examples.slice(0, size));
          totals[position] = labelled.length;
          accuracies[position].push(await evaluate(labelled));
          progressed();
        }
        continue;
      }

      const labelled = orders.map((examples) => examples[0]);
      // The unlabelled pool, in a seeded order that settles ties between equal confidences.
      let pool = shuffle(
        orders.flatMap((examples) => examples.slice(1)),
        createRandom(seed),
      );
      // The models trained on exactly the current labelled set, reused by the next round.
      const trainSelector = options.trainSelector ?? trainModel;
      let current: { model: Model; size: number } | undefined;
      let currentSelector: { model: Model; size: number } | undefined;
      const modelFor = async () => {
        if (current?.size !== labelled.length) {
          current = {
            model: await trainModel([...labelled]),
            size: labelled.length,
          };
        }
        return current.model;
      };
      const selectorFor = async () => {
        if (!options.trainSelector) return modelFor();
        if (currentSelector?.size !== labelled.length) {
          currentSelector = { model: await trainSelector([...labelled]), size: labelled.length };
        }
        return currentSelector.model;
      };
      for (const [position, size] of sizes.entries()) {
        const budget = Math.min(size * intents.length, train.length);
        while (labelled.length < budget && pool.length > 0) {
          const scores = await predictChecked(
            predict,
            await selectorFor(),
            pool.map((example) => example.text),
          );
          const take = Math.min(batchSize, budget - labelled.length);
          const chosen = new Set(
            strategy === "balanced"
              ? pickBalanced(scores, take)
              : leastConfident(scores).slice(0, take),
          );
          for (const index of chosen) labelled.push(pool[index]);
          pool = pool.filter((_, index) => !chosen.has(index));
        }
        totals[position] = labelled.length;
        accuracies[position].push(await evaluate(labelled, await modelFor()));
        progressed();
      }
    }
    sizes.forEach((size, position) => {
      const { mean, standardDeviation } = meanAndStandardDeviation(accuracies[position]);
      points.push({
        strategy,
        labelsPerIntent: size,
        totalLabels: totals[position],
        accuracyMean: mean,
        accuracyStd: standardDeviation,
        accuracies: accuracies[position],
      });
    });
  }
  return points;
}

/** Pool indices, least confident first (ties in pool order, which is seeded). */
function leastConfident(scores: readonly Prediction[]): number[] {
  return scores
    .map((score, index) => ({ confidence: score.confidence, index }))
    .sort((left, right) => left.confidence - right.confidence || left.index - right.index)
    .map((entry) => entry.index);
}

/**
 * `take` pool indices in the review queue's "balanced" order (core/review/queue.ts, which sorts
 * by the same two keys in SQL): round-robin over the predicted labels, each label's least
 * confident example, then each label's second, …; within a turn, least confident first. While
 * labels are few this covers every intent (as random picks per intent do) and still asks about
 * the examples the model is unsure of; once the model is firm, it is close to plain uncertainty
 * within each predicted intent. Ties go in pool order (the queue's: created_at, id).
 */
export function pickBalanced(scores: readonly Prediction[], take: number): number[] {
  // An example's turn: how many examples of its predicted label are less confident (SQL's row_number).
  const turns = new Array<number>(scores.length);
  const counted = new Map<string, number>();
  const byConfidence = leastConfident(scores);
  for (const index of byConfidence) {
    const turn = counted.get(scores[index].label) ?? 0;
    counted.set(scores[index].label, turn + 1);
    turns[index] = turn;
  }
  // byConfidence is already in (confidence, pool index) order; a stable sort by turn keeps it.
  return byConfidence.sort((left, right) => turns[left] - turns[right]).slice(0, take);
}

/** Mean and sample standard deviation (n − 1); the deviation is null for fewer than 2 values. */
export function meanAndStandardDeviation(values: readonly number[]): {
  mean: number;
  standardDeviation: number | null;
} {
  if (values.length === 0) throw new ValidationError("no values to average");
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (values.length < 2) return { mean, standardDeviation: null };
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, standardDeviation: Math.sqrt(squares / (values.length - 1)) };
}

function validateSizes(sizes: readonly number[]): number[] {
  if (sizes.length === 0 || !sizes.every((size) => Number.isInteger(size) && size >= 1)) {
    throw new ValidationError("sizes must be a non-empty list of integers ≥ 1", { sizes });
  }
  return [...new Set(sizes)].sort((left, right) => left - right);
}

function groupByLabel(examples: readonly LabelledExample[]): Map<string, LabelledExample[]> {
  const groups = new Map<string, LabelledExample[]>();
  for (const example of examples) {
    const group = groups.get(example.label);
    if (group) group.push(example);
    else groups.set(example.label, [example]);
  }
  return groups;
}

async function predictChecked<Model>(
  predict: LabelEfficiencyOptions<Model>["predict"],
  model: Model,
  texts: string[],
): Promise<Prediction[]> {
  const predictions = await predict(model, texts);
  if (!Array.isArray(predictions) || predictions.length !== texts.length) {
    // A learner bug, not bad input: the curve would silently misalign otherwise.
    throw new CalibrateError(
      `predict returned ${Array.isArray(predictions) ? predictions.length : "no"} predictions for ${texts.length} texts`,
    );
  }
  return predictions;
}
