/** `compare <baseline run> <candidate run>`: what moved overall, per label, and which cases flipped. */
import { compareEvalRuns } from "../../core/eval/eval-runs.ts";
import { exitCodes, openCliContext, parseOptions, UsageError } from "../cli-context.ts";
import { dollars, formatTable, milliseconds, percent, signedPercent } from "../table.ts";
import { usages } from "../usage.ts";

export async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { top: { type: "string" } });
  if (values.help) {
    process.stdout.write(`${usages.compare}\n`);
    return exitCodes.ok;
  }
  if (positionals.length !== 2)
    throw new UsageError("compare needs two run ids: the baseline, then the candidate.");
  const [baselineId, candidateId] = positionals;
  const top = Number(values.top ?? 10);
  const context = await openCliContext(values);
  try {
    const comparison = await compareEvalRuns(
      context.db,
      context.workspaceId,
      baselineId,
      candidateId,
    );
    if (context.json) {
      const { baseline: _baseline, candidate: _candidate, ...rest } = comparison;
      context.print(JSON.stringify(rest, null, 2));
      return exitCodes.ok;
    }
    const { baselineRun, candidateRun, metrics } = comparison;
    context.print(
      `Baseline  ${baselineRun.id}: ${baselineRun.targetDescription} on ${baselineRun.datasetName}@${baselineRun.datasetVersion}`,
    );
    context.print(
      `Candidate ${candidateRun.id}: ${candidateRun.targetDescription} on ${candidateRun.datasetName}@${candidateRun.datasetVersion}`,
    );
    const ratio = (name: "accuracy" | "macroF1" | "microF1" | "errorRate", label: string) => [
      label,
      percent(metrics[name].baseline),
      percent(metrics[name].candidate),
      signedPercent(metrics[name].delta),
    ];
    const time = (name: "latencyP50Ms" | "latencyP95Ms", label: string) => [
      label,
      milliseconds(metrics[name].baseline),
      milliseconds(metrics[name].candidate),
      metrics[name].delta === null
        ? null
        : `${metrics[name].delta! >= 0 ? "+" : ""}${milliseconds(metrics[name].delta!)}`,
    ];
    context.print(
      formatTable(
        ["metric", "baseline", "candidate", "change"],
        [
          ratio("accuracy", "accuracy"),
          ratio("macroF1", "macro-F1"),
          ratio("errorRate", "error rate"),
          time("latencyP50Ms", "latency p50"),
          time("latencyP95Ms", "latency p95"),
          [
            "cost",
            dollars(metrics.costUsd.baseline),
            dollars(metrics.costUsd.candidate),
            dollars(metrics.costUsd.delta),
          ],
        ],
      ),
    );
    context.print(
      `\n${comparison.matchedCases} shared cases: ${comparison.wrongToRight.length} fixed, ${comparison.rightToWrong.length} broken` +
        (comparison.relabelled.length ? `, ${comparison.relabelled.length} relabelled` : "") +
        (comparison.onlyInBaseline.length || comparison.onlyInCandidate.length
          ? ` (${comparison.onlyInBaseline.length} only in baseline, ${comparison.onlyInCandidate.length} only in candidate)`
          : ""),
    );
    const moved = comparison.perLabel
      .filter((row) => row.f1Delta !== null && Math.abs(row.f1Delta) > 1e-9)
      .sort((left, right) => Math.abs(right.f1Delta!) - Math.abs(left.f1Delta!))
      .slice(0, top);
    if (moved.length > 0) {
      context.print("\nLabels that moved most (F1):");
      context.print(
        formatTable(
          ["label", "baseline", "candidate", "change", "support"],
          moved.map((row) => [
            row.label,
            percent(row.baseline?.f1),
            percent(row.candidate?.f1),
            signedPercent(row.f1Delta),
            row.candidate?.support ?? row.baseline?.support,
          ]),
        ),
      );
    }
    if (comparison.rightToWrong.length > 0) {
      context.print("\nBroken cases (right before, wrong now):");
      context.print(
        formatTable(
          ["case", "expected", "baseline said", "candidate says"],
          comparison.rightToWrong
            .slice(0, top)
            .map((flip) => [
              flip.caseId,
              flip.candidateExpected,
              flip.baselinePredicted,
              flip.candidatePredicted ?? "(error)",
            ]),
        ),
      );
    }
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}
