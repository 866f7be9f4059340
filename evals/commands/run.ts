/** `run`: evaluate a target on a dataset version, in this process, and print its metrics. */
import { resolveDatasetVersion } from "../../core/dataset/datasets.ts";
import {
  describeEvalTarget,
  listEvalRuns,
  parseEvalTarget,
  runEval,
  type EvalProgress,
  type EvalRun,
} from "../../core/eval/eval-runs.ts";
import { ValidationError } from "../../core/errors.ts";
import {
  exitCodes,
  numberOption,
  openCliContext,
  parseOptions,
  requireOption,
  UsageError,
  type CliContext,
} from "../cli-context.ts";
import { loadConfig } from "../../core/config.ts";
import { sleep } from "../../core/sleep.ts";
import { createProgressBar } from "../progress.ts";
import { RemoteError, remoteServer, type RemoteServer } from "../remote.ts";
import { dollars, formatTable, milliseconds, percent } from "../table.ts";
import { usages } from "../usage.ts";

const stageLabels: Record<EvalProgress["stage"], string> = {
  load: "loading",
  train: "training",
  cases: "evaluating",
  store: "saving",
};

/** Feeds run progress into the bar: training is one step, cases are counted. */
export function showEvalProgress(context: CliContext, prefix = "") {
  return (progress: EvalProgress) =>
    context.progress.update(
      `${prefix}${stageLabels[progress.stage]}`,
      progress.done,
      progress.total,
      progress.stage === "cases" && progress.errors > 0 ? `errors ${progress.errors}` : "",
    );
}

/** The metrics a person reads first, then the labels that need work. */
export function printRun(context: Pick<CliContext, "print">, run: EvalRun): void {
  const metrics = run.metrics;
  context.print(
    `Run ${run.id}: ${run.targetDescription} on ${run.datasetName}@${run.datasetVersion} — ${run.status}`,
  );
  if (!metrics) {
    if (run.error) context.print(`Error: ${run.error}`);
    return;
  }
  const rows: Array<[string, string | number | null]> = [
    ["cases", metrics.caseCount],
    ["accuracy", percent(metrics.accuracy)],
    ["macro-F1", percent(metrics.macroF1)],
    ["errors", `${metrics.errors} (${percent(metrics.errorRate)})`],
    ["latency p50", milliseconds(metrics.latencyP50Ms)],
    ["latency p95", milliseconds(metrics.latencyP95Ms)],
  ];
  if (metrics.training) {
    rows.push([
      "training",
      `${metrics.training.samples} samples in ${milliseconds(metrics.training.durationMs)}`,
    ]);
  }
  if (run.target.kind === "prompt_set") {
    rows.push(
      ["tokens", `${metrics.tokens.input} in + ${metrics.tokens.output} out`],
      ["cost (all cases)", dollars(metrics.costUsd)],
      ["spent this run", dollars(metrics.spent.costUsd)],
      ["cached cases", metrics.cachedCases],
      ["model requests", metrics.modelRequests],
    );
  }
  const items = metrics.actionItems;
  if (items) {
    // Item-level figures replace accuracy as the headline (accuracy: calls whose items all matched).
    for (const [name, scores] of [["items (type + evidence)", items.strict], ["items (type only)", items.typeOnly], ["items (with due date)", items.withDueDate]] as const) {
      rows.push([name, `P ${percent(scores.precision)} · R ${percent(scores.recall)} · F1 ${percent(scores.f1)} (${scores.truePositives}/${scores.predicted} predicted, ${scores.expected} expected)`]);
    }
  }
  rows.push(["duration", milliseconds(metrics.durationMs)]);
  context.print(formatTable(["metric", "value"], rows));
  if (metrics.unknownPredictions.length > 0) {
    context.print(
      `Predictions outside the dataset's labels: ${metrics.unknownPredictions.join(", ")}`,
    );
  }
  const weakest = Object.entries(metrics.perLabel)
    .filter(([, label]) => label.support > 0)
    .sort(([, left], [, right]) => left.f1 - right.f1)
    .slice(0, 5);
  if (weakest.length > 0 && metrics.accuracy !== 1) {
    context.print("\nWeakest labels:");
    context.print(
      formatTable(
        ["label", "F1", "precision", "recall", "support"],
        weakest.map(([label, values]) => [
          label,
          percent(values.f1),
          percent(values.precision),
          percent(values.recall),
          values.support,
        ]),
      ),
    );
  }
}

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    dataset: { type: "string" },
    target: { type: "string" },
    /** `--agent action-items@v1`: the same as `--target agent:action-items@v1`. */
    agent: { type: "string" },
    limit: { type: "string" },
    concurrency: { type: "string" },
    rpm: { type: "string" },
  });
  if (values.help) {
    process.stdout.write(`${usages.run}\n`);
    return exitCodes.ok;
  }
  const datasetReference = requireOption(values.dataset, "dataset");
  if (values.agent && values.target) throw new UsageError("Give --target or --agent, not both.");
  const targetText = values.agent ? `agent:${values.agent.trim()}` : values.target;
  const target = (() => {
    try {
      return parseEvalTarget(requireOption(targetText, "target"));
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError(error.message);
      throw error;
    }
  })();
  const positiveInteger = (value: number) => Number.isInteger(value) && value >= 1;
  const options = {
    limit: numberOption(values.limit, "limit", positiveInteger),
    concurrency: numberOption(values.concurrency, "concurrency", positiveInteger),
    requestsPerMinute: numberOption(values.rpm, "rpm", positiveInteger),
  };

  const remote = remoteServer(loadConfig());
  if (remote) {
    return runThroughServer(remote, {
      dataset: datasetReference,
      target: targetText!,
      options,
      json: values.json ?? false,
      quiet: values.quiet ?? false,
    });
  }
  if (target.kind === "agent") {
    // An agent runs on its binding's connector, which only the server's connector directory can open.
    throw new UsageError(
      "Agent targets run through the server: start it (npm start) or set CALIBRATE_URL and CALIBRATE_TOKEN.",
    );
  }
  const context = await openCliContext(values);
  try {
    const version = await resolveDatasetVersion(context.db, context.workspaceId, datasetReference);
    context.note(
      `Evaluating ${describeEvalTarget(target)} on ${version.datasetName}@${version.version} (${version.counts.test} test cases)…`,
    );
    const run = await runEval(context.environment, {
      workspaceId: context.workspaceId,
      datasetVersionId: version.id,
      target,
      options,
      onProgress: showEvalProgress(context),
    });
    context.progress.stop();
    if (context.json) context.print(JSON.stringify(run, null, 2));
    else printRun(context, run);
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

export async function runsCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, { dataset: { type: "string" }, limit: { type: "string" } });
  const limit =
    numberOption(values.limit, "limit", (value) => Number.isInteger(value) && value >= 1) ?? 20;
  const remote = remoteServer(loadConfig());
  if (remote) {
    if (values.dataset) {
      throw new UsageError("--dataset is not available through a running server yet; list all runs, or stop the server.");
    }
    const { runs } = await remote.request<{ runs: RemoteRun[] }>("GET", `/api/eval-runs?limit=${limit}`);
    if (values.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else process.stdout.write(`${runsTable(runs)}\n`);
    return exitCodes.ok;
  }
  const context = await openCliContext(values);
  try {
    const datasetVersionId = values.dataset?.includes("@")
      ? (await resolveDatasetVersion(context.db, context.workspaceId, values.dataset)).id
      : undefined;
    const datasetId =
      values.dataset && !datasetVersionId
        ? (await resolveDatasetVersion(context.db, context.workspaceId, values.dataset)).datasetId
        : undefined;
    const runs = await listEvalRuns(context.db, context.workspaceId, {
      datasetId,
      datasetVersionId,
      limit,
    });
    if (context.json) context.print(JSON.stringify(runs, null, 2));
    else context.print(runsTable(runs));
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

type RemoteRun = Omit<EvalRun, "createdAt" | "startedAt" | "finishedAt"> & { createdAt: string };

/**
 * `run` while a server holds the database: the server queues the run and its worker evaluates it
 * (so it shows in the UI like any other); the bar follows the run's progress until it ends.
 * Interrupting the CLI leaves the run going on the server.
 */
async function runThroughServer(
  remote: RemoteServer,
  input: {
    dataset: string;
    target: string;
    options: { limit?: number; concurrency?: number; requestsPerMinute?: number };
    json: boolean;
    quiet: boolean;
  },
): Promise<number> {
  const print = (text: string) => process.stdout.write(`${text}\n`);
  const progress = createProgressBar({ enabled: !input.quiet });
  const note = (text: string) => {
    progress.stop();
    process.stderr.write(`${text}\n`);
  };
  const options = Object.fromEntries(Object.entries(input.options).filter(([, value]) => value !== undefined));
  let created: { run: RemoteRun };
  try {
    created = await remote.request<{ run: RemoteRun }>("POST", "/api/eval-runs", {
      dataset: input.dataset,
      target: input.target,
      ...(Object.keys(options).length > 0 ? { options } : {}),
    });
  } catch (error) {
    // The server's 4xx (unknown dataset, wrong role) is the caller's to fix, as locally.
    if (error instanceof RemoteError && error.status < 500) throw new UsageError(error.message);
    throw error;
  }
  const cases = await testCaseCount(remote, created.run).catch(() => null);
  note(
    `Evaluating ${created.run.targetDescription} on ${created.run.datasetName}@${created.run.datasetVersion}` +
      `${cases === null ? "" : ` (${cases} test cases)`} through the server at ${remote.url}: run ${created.run.id}, also shown in the UI…`,
  );
  const total = cases ?? 100;
  let run = created.run;
  // Polling, as the run page's fallback does: the run row's progress is written every 500 ms.
  while (run.status === "queued" || run.status === "running") {
    progress.update(run.status === "queued" ? "waiting" : "evaluating", Math.round(run.progress * total), total);
    await sleep(500);
    run = (await remote.request<{ run: RemoteRun }>("GET", `/api/eval-runs/${run.id}`)).run;
  }
  if (run.status === "completed") progress.update("evaluating", total, total);
  progress.stop();
  if (input.json) print(JSON.stringify(run, null, 2));
  else printRun({ print }, run as unknown as EvalRun);
  return run.status === "completed" ? exitCodes.ok : exitCodes.failure;
}

async function testCaseCount(remote: RemoteServer, run: RemoteRun): Promise<number | null> {
  const limit = run.options?.limit;
  const { datasets } = await remote.request<{ datasets: Array<{ id: string; name: string }> }>("GET", "/api/datasets");
  const dataset = datasets.find((entry) => entry.name === run.datasetName);
  if (!dataset) return null;
  const { versions } = await remote.request<{ versions: Array<{ version: number; counts: Record<string, number> }> }>(
    "GET",
    `/api/datasets/${dataset.id}`,
  );
  const test = versions.find((entry) => entry.version === run.datasetVersion)?.counts.test;
  if (test === undefined) return null;
  return limit ? Math.min(limit, test) : test;
}

function runsTable(runs: Array<Omit<EvalRun, "createdAt" | "startedAt" | "finishedAt"> & { createdAt: Date | string }>): string {
  return formatTable(
    ["id", "dataset", "target", "status", "accuracy", "macro-F1", "errors", "created"],
    runs.map((run) => [
      run.id,
      `${run.datasetName}@${run.datasetVersion}`,
      run.targetDescription,
      run.status,
      percent(run.metrics?.accuracy),
      percent(run.metrics?.macroF1),
      run.metrics?.errors,
      new Date(run.createdAt).toISOString().slice(0, 16).replace("T", " "),
    ]),
  );
}
