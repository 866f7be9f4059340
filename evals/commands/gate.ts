/**
 * `gate`: may this prompt-set version replace the baseline? Runs (or reuses) both on the dataset
 * and exits 1 when the candidate is worse by more than the margin — made for CI.
 */
import { resolveDatasetVersion } from "../../core/dataset/datasets.ts";
import {
  describeEvalTarget,
  gateMetricNames,
  parseEvalTarget,
  runGate,
} from "../../core/eval/eval-runs.ts";
import type { RunMetricName } from "../../core/eval/compare.ts";
import { ValidationError } from "../../core/errors.ts";
import {
  exitCodes,
  numberOption,
  openCliContext,
  parseOptions,
  requireOption,
  UsageError,
} from "../cli-context.ts";
import { showEvalProgress } from "./run.ts";
import { usages } from "../usage.ts";

export async function gateCommand(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    dataset: { type: "string" },
    candidate: { type: "string" },
    baseline: { type: "string" },
    margin: { type: "string" },
    metric: { type: "string" },
    fresh: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(`${usages.gate}\n`);
    return exitCodes.ok;
  }
  const datasetReference = requireOption(values.dataset, "dataset");
  let candidate;
  try {
    candidate = parseEvalTarget(requireOption(values.candidate, "candidate"));
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(error.message);
    throw error;
  }
  const margin = numberOption(values.margin, "margin", (value) => value >= 0) ?? 0.01;
  const metric = (values.metric ?? "accuracy") as RunMetricName;
  if (!gateMetricNames.includes(metric)) {
    throw new UsageError(`Unknown --metric "${metric}"; use ${gateMetricNames.join(", ")}.`);
  }
  const baseline = values.baseline ?? "production";

  const context = await openCliContext(values);
  try {
    const version = await resolveDatasetVersion(context.db, context.workspaceId, datasetReference);
    context.note(
      `Gate: ${describeEvalTarget(candidate)} against ${baseline} on ${version.datasetName}@${version.version}, ${metric} within ${margin}`,
    );
    const candidateProgress = showEvalProgress(context, "candidate ");
    const baselineProgress = showEvalProgress(context, "baseline ");
    const outcome = await runGate(context.environment, {
      workspaceId: context.workspaceId,
      datasetVersionId: version.id,
      candidate,
      baseline,
      margin,
      metric,
      reuse: !values.fresh,
      onProgress: (which, progress) =>
        (which === "candidate" ? candidateProgress : baselineProgress)(progress),
    });
    context.progress.stop();
    if (context.json) {
      context.print(
        JSON.stringify(
          {
            passed: outcome.passed,
            reason: outcome.reason,
            delta: outcome.delta,
            metric,
            margin,
            candidateRun: outcome.candidateRun.id,
            baselineRun: outcome.baselineRun?.id ?? null,
          },
          null,
          2,
        ),
      );
    } else {
      context.print(`${outcome.passed ? "PASS" : "FAIL"}: ${outcome.reason}`);
      context.print(
        `candidate run ${outcome.candidateRun.id}${outcome.baselineRun ? `, baseline run ${outcome.baselineRun.id} (${outcome.baselineRun.targetDescription})` : ""}`,
      );
    }
    return outcome.passed ? exitCodes.ok : exitCodes.gateFailed;
  } finally {
    await context.close();
  }
}
