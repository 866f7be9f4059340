/**
 * `curve`: the label-efficiency curve of the local engine on a dataset — accuracy on the test
 * split after k labelled examples per intent, labels chosen at random, by uncertainty (least
 * confident first) or in the review queue's order (balanced). Prints a table and writes the
 * points as CSV and JSON. The API computes the same curve as a job (`POST /api/label-curve`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadSamples, resolveDatasetVersion } from "../../core/dataset/datasets.ts";
import { localEngineCurve } from "../../core/eval/label-curves.ts";
import {
  labelStrategies,
  type LabelEfficiencyPoint,
  type LabelStrategy,
} from "../../core/eval/label-efficiency.ts";
import {
  exitCodes,
  numberOption,
  openCliContext,
  parseOptions,
  requireOption,
  UsageError,
} from "../cli-context.ts";
import { formatTable, percent } from "../table.ts";
import { usages } from "../usage.ts";

function parseList(value: string, name: string): number[] {
  const numbers = value.split(",").map((entry) => Number(entry.trim()));
  if (numbers.length === 0 || numbers.some((entry) => !Number.isInteger(entry) || entry < 1)) {
    throw new UsageError(
      `--${name} must be a comma-separated list of whole numbers ≥ 1, got "${value}".`,
    );
  }
  return numbers;
}

export function curveCsv(points: readonly LabelEfficiencyPoint[]): string {
  const seeds = points[0]?.accuracies.length ?? 0;
  const header = [
    "strategy",
    "labels_per_intent",
    "total_labels",
    "accuracy_mean",
    "accuracy_std",
    ...Array.from({ length: seeds }, (_, index) => `accuracy_seed_${index + 1}`),
  ];
  const rows = points.map((point) => [
    point.strategy,
    point.labelsPerIntent,
    point.totalLabels,
    point.accuracyMean.toFixed(6),
    point.accuracyStd === null ? "" : point.accuracyStd.toFixed(6),
    ...point.accuracies.map((accuracy) => accuracy.toFixed(6)),
  ]);
  return [header, ...rows].map((row) => row.join(",")).join("\n") + "\n";
}

/** One row per size, the strategies side by side: the table a person compares. */
export function curveTable(points: readonly LabelEfficiencyPoint[]): string {
  const strategies = [...new Set(points.map((point) => point.strategy))];
  const sizes = [...new Set(points.map((point) => point.labelsPerIntent))].sort(
    (left, right) => left - right,
  );
  const cell = (point: LabelEfficiencyPoint | undefined) =>
    point
      ? `${percent(point.accuracyMean)}${point.accuracyStd === null ? "" : ` ± ${(point.accuracyStd * 100).toFixed(1)}`}`
      : null;
  return formatTable(
    ["labels per intent", "total labels", ...strategies],
    sizes.map((size) => {
      const row = strategies.map((strategy) =>
        points.find((point) => point.strategy === strategy && point.labelsPerIntent === size),
      );
      return [size, row.find(Boolean)?.totalLabels ?? null, ...row.map(cell)];
    }),
  );
}

export async function curveCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    dataset: { type: "string" },
    sizes: { type: "string" },
    seeds: { type: "string" },
    strategies: { type: "string" },
    out: { type: "string" },
  });
  if (values.help) {
    process.stdout.write(`${usages.curve}\n`);
    return exitCodes.ok;
  }
  const datasetReference = requireOption(values.dataset, "dataset");
  const sizes = parseList(values.sizes ?? "1,2,5,10,20,50", "sizes");
  const seedCount =
    numberOption(
      values.seeds,
      "seeds",
      (value) => Number.isInteger(value) && value >= 1 && value <= 100,
    ) ?? 3;
  const strategies = (values.strategies ?? "random,balanced")
    .split(",")
    .map((entry) => entry.trim()) as LabelStrategy[];
  if (strategies.some((strategy) => !labelStrategies.includes(strategy))) {
    throw new UsageError(
      `--strategies takes ${labelStrategies.join(", ")}, got "${values.strategies}".`,
    );
  }

  const context = await openCliContext(values);
  try {
    const version = await resolveDatasetVersion(context.db, context.workspaceId, datasetReference);
    const samples = await loadSamples(context.db, version.id, { splits: ["train", "test"] });
    const toExample = (sample: (typeof samples)[number]) => ({
      text: sample.text,
      label: sample.label,
    });
    const train = samples.filter((sample) => sample.split === "train").map(toExample);
    const test = samples.filter((sample) => sample.split === "test").map(toExample);
    context.note(
      `Label-efficiency curve on ${version.datasetName}@${version.version}: ${train.length} train / ${test.length} test, ` +
        `sizes ${sizes.join(",")} per intent, ${seedCount} seeds, ${strategies.join(" vs ")}`,
    );
    const started = performance.now();
    const points = await localEngineCurve({
      train,
      test,
      sizes,
      seeds: seedCount,
      strategies,
      onProgress: ({ done, total }) => context.progress.update("curve", done, total),
    });
    context.progress.stop();
    const elapsedSeconds = (performance.now() - started) / 1000;

    const prefix =
      values.out ??
      path.join(
        context.config.DATA_DIR,
        "evals",
        `curve-${version.datasetName}-v${version.version}`,
      );
    await mkdir(path.dirname(path.resolve(prefix)), { recursive: true });
    const report = {
      dataset: `${version.datasetName}@${version.version}`,
      train: train.length,
      test: test.length,
      intents: new Set(train.map((example) => example.label)).size,
      sizes,
      seeds: seedCount,
      strategies,
      seconds: Math.round(elapsedSeconds * 10) / 10,
      points,
    };
    await writeFile(`${prefix}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${prefix}.csv`, curveCsv(points));
    if (context.json) context.print(JSON.stringify(report, null, 2));
    else {
      context.print(curveTable(points));
      context.print(`\n${elapsedSeconds.toFixed(1)} s; wrote ${prefix}.csv and ${prefix}.json`);
    }
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}
