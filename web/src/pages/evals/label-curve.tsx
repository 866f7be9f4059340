/**
 * The label-efficiency curve: accuracy of the local engine after k labelled examples per intent,
 * labels picked at random versus in the review queue's order, with ± one standard deviation over
 * seeds. The API computes it as a job (`POST /api/label-curve`); this shows the latest one
 * (`GET /api/label-curve/latest`) and asks again every few seconds while it is being computed.
 */
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { LabelCurve as StoredCurve } from "../../../../core/eval/label-curves.ts";
import { api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { LineChart, seriesColors } from "../../components/line-chart.tsx";
import { useResource } from "../../components/use-resource.ts";
import type { Dataset } from "./types.ts";

const pollMs = 3000;

export function LabelCurve({
  datasets,
  canRun,
}: {
  datasets: Dataset[] | null;
  canRun: boolean;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const latest = useResource<{ curve: StoredCurve | null }>("/api/label-curve/latest");
  const [dataset, setDataset] = useState("");
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const curve = latest.data?.curve ?? null;
  const working = curve?.status === "queued" || curve?.status === "running";

  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => void latest.reload(), pollMs);
    return () => clearInterval(timer);
  }, [working, latest.reload]);

  async function compute() {
    const chosen = dataset || datasets?.[0]?.name;
    if (!chosen) return;
    setStarting(true);
    try {
      const { curve: queued } = await api.post<{ curve: StoredCurve }>("/api/label-curve", {
        dataset: chosen,
      });
      latest.setData(() => ({ curve: queued }));
      setProblem(null);
    } catch (error) {
      setProblem(error);
    } finally {
      setStarting(false);
    }
  }

  const points = curve?.status === "completed" ? (curve.points ?? []) : [];
  const strategies = [...new Set(points.map((point) => point.strategy))];
  return (
    <div data-testid="label-curve">
      <p className="muted">{t("evals.curve.intro")}</p>
      {canRun && (
        <div className="toolbar">
          <label className="field">
            <span className="field__label">{t("evals.curve.dataset")}</span>
            <select
              value={dataset}
              onChange={(event) => setDataset(event.target.value)}
              data-testid="curve-dataset"
            >
              {(datasets ?? []).map((entry) => (
                <option key={entry.id} value={entry.name}>
                  {entry.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button"
            disabled={starting || working || !datasets?.length}
            onClick={() => void compute()}
            data-testid="curve-compute"
          >
            {t("evals.curve.compute")}
          </button>
        </div>
      )}
      {latest.error !== null && <ErrorMessage error={latest.error} />}
      {problem !== null && <ErrorMessage error={problem} />}
      {latest.data && !curve && (
        <p className="muted small" data-testid="curve-empty">
          {t("evals.curve.none")}
        </p>
      )}
      {curve && curve.status !== "completed" && (
        <p
          className={curve.status === "failed" ? "message message--error" : "muted small"}
          role={curve.status === "failed" ? "alert" : "status"}
          data-testid="curve-status"
          data-status={curve.status}
        >
          {curve.status === "failed"
            ? t("evals.curve.failed", { reason: curve.error ?? "" })
            : t("evals.curve.working")}
        </p>
      )}
      {curve?.status === "completed" && curve.summary && (
        <>
          <p className="muted small" data-testid="curve-summary">
            {t("evals.curve.summary", {
              dataset: curve.summary.dataset,
              train: format.count(curve.summary.train),
              test: format.count(curve.summary.test),
              intents: format.count(curve.summary.intents),
              seeds: format.count(curve.summary.seeds),
            })}
          </p>
          <LineChart
            title={t("evals.curve.title", { dataset: curve.summary.dataset })}
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
              points: points
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
