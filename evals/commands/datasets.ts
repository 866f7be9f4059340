/** `datasets list | show | import | export`: datasets in the database, in and out of files. */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  exportDatasetVersion,
  getDataset,
  importDatasetSamples,
  importPublicDataset,
  isPublicDatasetName,
  listDatasetVersions,
  listDatasets,
  parseSamplesFile,
  publicDatasetNames,
  resolveDatasetVersion,
  sampleSplits,
  type DatasetVersion,
  type ImportResult,
  type SampleSplit,
} from "../../core/dataset/datasets.ts";
import {
  numberOption,
  openCliContext,
  parseOptions,
  requireOption,
  UsageError,
  exitCodes,
} from "../cli-context.ts";
import { formatTable } from "../table.ts";
import { usages } from "../usage.ts";

function describeVersion(version: DatasetVersion): string {
  const { train, validation, test } = version.counts;
  return (
    `${version.datasetName}@${version.version}: ${version.sampleCount} samples, ${version.labelCount} labels ` +
    `(train ${train}${validation ? `, validation ${validation}` : ""}, test ${test})`
  );
}

export async function datasetsCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseOptions(rest, {
    public: { type: "string" },
    file: { type: "string" },
    name: { type: "string" },
    dataset: { type: "string" },
    split: { type: "string" },
    out: { type: "string" },
    "test-share": { type: "string" },
    seed: { type: "string" },
  });
  if (!action || values.help) {
    process.stdout.write(`${usages.datasets}\n`);
    return action ? exitCodes.ok : exitCodes.usage;
  }
  if (!["list", "show", "import", "export"].includes(action)) {
    throw new UsageError(`Unknown datasets action "${action}".`);
  }
  // Check the arguments before opening the database: a typo should not wait for it.
  if (action === "import") {
    if (values.public === undefined && values.file === undefined) {
      throw new UsageError("datasets import needs --public <set> or --file <path>.");
    }
    if (values.public !== undefined && values.file !== undefined) {
      throw new UsageError("Give --public or --file, not both.");
    }
    if (values.public !== undefined && !isPublicDatasetName(values.public)) {
      throw new UsageError(
        `Unknown public dataset "${values.public}"; choose ${publicDatasetNames.join(", ")}.`,
      );
    }
    if (values.file !== undefined) requireOption(values.name, "name");
  }
  const testShare = numberOption(
    values["test-share"],
    "test-share",
    (value) => value > 0 && value < 1,
  );
  const seed = numberOption(values.seed, "seed", Number.isInteger);
  const splits = values.split?.split(",").map((entry) => entry.trim()) as SampleSplit[] | undefined;
  const unknownSplit = splits?.find((split) => !sampleSplits.includes(split));
  if (unknownSplit)
    throw new UsageError(`Unknown split "${unknownSplit}"; use ${sampleSplits.join(", ")}.`);

  const context = await openCliContext(values);
  try {
    const { db, workspaceId } = context;
    if (action === "list") {
      const datasets = await listDatasets(db, workspaceId);
      if (context.json) context.print(JSON.stringify(datasets, null, 2));
      else if (datasets.length === 0)
        context.print(
          "No datasets yet. Import one: npm run eval -- datasets import --public clinc150",
        );
      else {
        context.print(
          formatTable(
            ["name", "source", "latest version", "created"],
            datasets.map((dataset) => [
              dataset.name,
              dataset.source,
              dataset.latestVersion,
              dataset.createdAt.toISOString().slice(0, 10),
            ]),
          ),
        );
      }
      return exitCodes.ok;
    }

    if (action === "show") {
      const name = positionals[0] ?? requireOption(values.dataset, "dataset");
      const dataset = await getDataset(db, workspaceId, name);
      const versions = await listDatasetVersions(db, workspaceId, dataset.id);
      if (context.json) context.print(JSON.stringify({ dataset, versions }, null, 2));
      else {
        context.print(
          `${dataset.name} (${dataset.source})${dataset.description ? `: ${dataset.description}` : ""}`,
        );
        context.print(
          formatTable(
            [
              "version",
              "samples",
              "labels",
              "train",
              "validation",
              "test",
              "seed",
              "test share",
              "created",
            ],
            versions.map((version) => [
              version.version,
              version.sampleCount,
              version.labelCount,
              version.counts.train,
              version.counts.validation,
              version.counts.test,
              version.splitSeed,
              version.testShare,
              version.createdAt.toISOString().slice(0, 16).replace("T", " "),
            ]),
          ),
        );
      }
      return exitCodes.ok;
    }

    if (action === "import") {
      let result: ImportResult;
      if (values.public !== undefined) {
        context.note(`Importing the public dataset ${values.public}…`);
        result = await importPublicDataset(db, {
          workspaceId,
          set: values.public as (typeof publicDatasetNames)[number],
          name: values.name,
        });
      } else {
        const file = values.file!;
        const extension = path.extname(file).toLowerCase();
        if (extension !== ".jsonl" && extension !== ".csv" && extension !== ".ndjson") {
          throw new UsageError(`--file must end in .jsonl or .csv, got "${file}".`);
        }
        let content: string;
        try {
          content = await readFile(file, "utf8");
        } catch (error) {
          throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
        }
        result = await importDatasetSamples(db, {
          workspaceId,
          name: values.name!,
          samples: parseSamplesFile(content, extension === ".csv" ? "csv" : "jsonl"),
          source: "file",
          filters: { kind: "import", file: path.basename(file) },
          testShare,
          seed,
        });
      }
      if (context.json) context.print(JSON.stringify(result, null, 2));
      else
        context.print(
          `${result.created ? "Imported" : "Unchanged, already imported as"} ${describeVersion(result.version)}`,
        );
      return exitCodes.ok;
    }

    const version = await resolveDatasetVersion(
      db,
      workspaceId,
      requireOption(values.dataset, "dataset"),
    );
    const content = await exportDatasetVersion(db, version.id, { splits });
    if (values.out) {
      await writeFile(values.out, content);
      context.note(
        `Wrote ${content.split("\n").length - 1} samples of ${version.datasetName}@${version.version} to ${values.out}`,
      );
    } else {
      process.stdout.write(content);
    }
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}
