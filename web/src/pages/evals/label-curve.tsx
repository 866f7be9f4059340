/**
 * The label-efficiency curve: accuracy of the local engine after k labelled examples per intent,
 * labels chosen at random versus by uncertainty, with ± one standard deviation over seeds. The
 * server does not compute curves yet, so this opens the JSON file `npm run eval -- curve` wrote.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { LineChart, seriesColors } from "../../components/line-chart.tsx";
import { parseCurveReport } from "./curve-report.ts";
import type { CurveReport } from "./curve-report.ts";

export function LabelCurve() {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const [report, setReport] = useState<CurveReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function open(file: File | undefined) {
    if (!file) return;
    try {
      setReport(parseCurveReport(await file.text()));
      setProblem(null);
    } catch (error) {
      setReport(null);
      setProblem(
        t("evals.curve.invalid", {
          file: file.name,
          reason: (error as Error).message,
        }),
      );
    }
  }

  const strategies = report ? [...new Set(report.points.map((point) => point.strategy))] : [];
  return (
    <div data-testid="label-curve">
      <p className="muted">{t("evals.curve.intro")}</p>
      <p className="muted small">
        {t("evals.curve.howTo")} <code>npm run eval -- curve --dataset &lt;name&gt;</code>
      </p>
      <label className="field">
        <span className="field__label">{t("evals.curve.open")}</span>
        <input
          type="file"
          accept=".json,application/json"
          onChange={(event) => void open(event.target.files?.[0])}
          data-testid="curve-file"
        />
      </label>
      {problem && (
        <p className="message message--error" role="alert">
          {problem}
        </p>
      )}
      {report && (
        <>
          <p className="muted small" data-testid="curve-summary">
            {t("evals.curve.summary", {
              dataset: report.dataset,
              train: format.count(report.train),
              test: format.count(report.test),
              intents: format.count(report.intents),
              seeds: format.count(report.seeds),
            })}
          </p>
          <LineChart
            title={t("evals.curve.title", { dataset: report.dataset })}
            testId="curve-chart"
            xScale="log"
            formatX={(value) => format.count(value)}
            formatY={(value) => format.percent(value)}
            xAxisLabel={t("evals.curve.xAxis")}
            yAxisLabel={t("evals.metrics.accuracy")}
            series={strategies.map((strategy, index) => ({
              id: strategy,
              label: t(`evals.curve.strategies.${strategy}`),
              color: seriesColors[index],
              points: report.points
                .filter((point) => point.strategy === strategy)
                .map((point) => ({
                  x: point.labelsPerIntent,
                  y: point.accuracyMean,
                  lower: point.accuracyStd === null ? null : point.accuracyMean - point.accuracyStd,
                  upper: point.accuracyStd === null ? null : point.accuracyMean + point.accuracyStd,
                  description: t("evals.curve.point", {
                    strategy: t(`evals.curve.strategies.${strategy}`),
                    perIntent: format.count(point.labelsPerIntent),
                    total: format.count(point.totalLabels),
                    accuracy: format.percentPrecise(point.accuracyMean),
                    spread:
                      point.accuracyStd === null
                        ? ""
                        : ` ± ${format.percentPrecise(point.accuracyStd)}`,
                  }),
                })),
            }))}
          />
        </>
      )}
    </div>
  );
}
