/**
 * Accuracy and macro-F1 of the completed runs on one dataset over time. Runs on different
 * datasets are not comparable, so the chart shows one dataset at a time (the latest used).
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { LineChart, seriesColors } from "../../components/line-chart.tsx";
import type { EvalRunSummary } from "./types.ts";

export function AccuracyTrend({ runs }: { runs: EvalRunSummary[] }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const completed = runs
    .filter((run) => run.status === "completed" && run.metrics)
    .sort((left, right) => (left.createdAt ?? "").localeCompare(right.createdAt ?? ""));
  const datasets = [...new Set(completed.map((run) => run.datasetName))];
  const [chosen, setChosen] = useState<string | null>(null);
  const dataset = chosen && datasets.includes(chosen) ? chosen : completed.at(-1)?.datasetName;
  const shown = completed.filter((run) => run.datasetName === dataset);

  if (completed.length === 0) {
    return <p className="muted">{t("evals.trend.empty")}</p>;
  }
  const describe = (run: EvalRunSummary, metric: "accuracy" | "macroF1") =>
    t("evals.trend.point", {
      date: format.dateTime(run.createdAt),
      target: run.targetDescription,
      dataset: `${run.datasetName}@${run.datasetVersion}`,
      metric: t(`evals.metrics.${metric}`),
      value: format.percentPrecise(run.metrics?.[metric]),
    });
  return (
    <div data-testid="accuracy-trend">
      {datasets.length > 1 && (
        <label className="field field--inline">
          <span className="field__label">{t("evals.trend.dataset")}</span>
          <select value={dataset} onChange={(event) => setChosen(event.target.value)}>
            {datasets.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      )}
      <LineChart
        title={t("evals.trend.title", { dataset })}
        testId="trend-chart"
        formatY={(value) => format.percent(value)}
        formatX={(index) => format.date(shown[index]?.createdAt ?? null)}
        yAxisLabel={t("evals.trend.axis")}
        series={(["accuracy", "macroF1"] as const).map((metric, index) => ({
          id: metric,
          label: t(`evals.metrics.${metric}`),
          color: seriesColors[index],
          points: shown.map((run, position) => ({
            x: position,
            y: run.metrics?.[metric] ?? null,
            description: describe(run, metric),
          })),
        }))}
      />
    </div>
  );
}
