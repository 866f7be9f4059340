/** Eval runs, newest first, with their headline metrics; pick two to compare them. */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { RunStatus } from "./run-status.tsx";
import type { EvalRunSummary } from "./types.ts";
import type { LiveProgress } from "./use-eval-runs.ts";

export function RunsTable({
  runs,
  live,
  selected,
  onToggle,
}: {
  runs: EvalRunSummary[];
  live: Record<string, LiveProgress>;
  selected: string[];
  onToggle: (id: string) => void;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t("evals.runs.select")}</span>
            </th>
            <th scope="col">{t("evals.runs.created")}</th>
            <th scope="col">{t("evals.runs.dataset")}</th>
            <th scope="col">{t("evals.runs.target")}</th>
            <th scope="col">{t("evals.runs.status")}</th>
            <th scope="col" className="numeric">
              {t("evals.metrics.accuracy")}
            </th>
            <th scope="col" className="numeric">
              {t("evals.metrics.macroF1")}
            </th>
            <th scope="col" className="numeric">
              {t("evals.metrics.latencyP50Ms")}
            </th>
            <th scope="col" className="numeric">
              {t("evals.metrics.costUsd")}
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const isSelected = selected.includes(run.id);
            return (
              <tr key={run.id} data-testid="run-row" data-run-id={run.id} data-status={run.status}>
                <td>
                  <input
                    type="checkbox"
                    checked={isSelected}
                    disabled={run.status !== "completed" || (!isSelected && selected.length >= 2)}
                    onChange={() => onToggle(run.id)}
                    aria-label={t("evals.runs.selectRun", {
                      target: run.targetDescription,
                      date: format.dateTime(run.createdAt),
                    })}
                    data-testid="run-select"
                  />
                </td>
                <td className="nowrap">
                  <Link href={`/evals/runs/${run.id}`} data-testid="run-link">
                    {format.dateTime(run.createdAt)}
                  </Link>
                </td>
                <td>
                  {run.datasetName}@{run.datasetVersion}
                </td>
                <td>
                  <code>{run.targetDescription}</code>
                </td>
                <td>
                  <RunStatus run={run} live={live[run.id]} />
                </td>
                <td className="numeric" data-testid="run-accuracy">
                  {format.percentPrecise(run.metrics?.accuracy)}
                </td>
                <td className="numeric">{format.percentPrecise(run.metrics?.macroF1)}</td>
                <td className="numeric">{format.milliseconds(run.metrics?.latencyP50Ms)}</td>
                <td className="numeric">{format.usd(run.metrics?.costUsd)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
