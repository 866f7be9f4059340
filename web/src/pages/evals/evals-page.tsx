/**
 * Evals: the accuracy trend, every run with live progress (pick two to compare), starting a run,
 * the datasets and their import, and the label-efficiency curve. Trainers and admins run and
 * import; managers read.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { LiveIndicator } from "../../components/live-indicator.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { AccuracyTrend } from "./accuracy-trend.tsx";
import { DatasetsPanel } from "./datasets-panel.tsx";
import { LabelCurve } from "./label-curve.tsx";
import { NewRunDialog } from "./new-run-dialog.tsx";
import { RunsTable } from "./runs-table.tsx";
import type { Dataset } from "./types.ts";
import { useEvalRuns } from "./use-eval-runs.ts";
import "../../components/insights.css";
import "./evals.css";

export default function EvalsPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const canRun = user.role === "trainer" || user.role === "admin";
  const [, navigate] = useLocation();
  const { runs, error, live, upsert } = useEvalRuns();
  const datasets = useResource<{ datasets: Dataset[] }>("/api/datasets");
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);

  function compare() {
    if (!runs || selected.length !== 2) return;
    // The older run is the baseline.
    const [baseline, candidate] = [...selected].sort((left, right) => {
      const created = (id: string) => runs.find((run) => run.id === id)?.createdAt ?? "";
      return created(left).localeCompare(created(right));
    });
    navigate(`/evals/compare?baseline=${baseline}&candidate=${candidate}`);
  }

  return (
    <section data-testid="evals-page">
      <PageHeader
        title={t("evals.title")}
        intro={t("evals.intro")}
        actions={
          canRun && (
            <button
              type="button"
              className="button button--primary"
              onClick={() => setCreating(true)}
              data-testid="new-run"
            >
              {t("evals.newRun.open")}
            </button>
          )
        }
      />

      <div className="panel">
        <h2 className="panel__title">{t("evals.trend.heading")}</h2>
        {runs && <AccuracyTrend runs={runs} />}
      </div>

      <div className="section-header">
        <h2>{t("evals.runs.heading")}</h2>
        <div className="toolbar">
          <LiveIndicator />
          <button
            type="button"
            className="button"
            disabled={selected.length !== 2}
            onClick={compare}
            data-testid="compare-runs"
          >
            {t("evals.runs.compare")}
          </button>
        </div>
      </div>
      {error !== null && <ErrorMessage error={error} />}
      {runs === null && error === null && <p className="muted">{t("common.loading")}</p>}
      {runs !== null && runs.length === 0 && (
        <div className="panel empty-state" data-testid="runs-empty">
          <p>{t("evals.runs.empty")}</p>
        </div>
      )}
      {runs !== null && runs.length > 0 && (
        <RunsTable
          runs={runs}
          live={live}
          selected={selected}
          onToggle={(id) =>
            setSelected((current) =>
              current.includes(id) ? current.filter((entry) => entry !== id) : [...current, id],
            )
          }
        />
      )}

      <div className="section-header">
        <h2>{t("evals.datasets.heading")}</h2>
      </div>
      <div className="panel">
        {datasets.error !== null && <ErrorMessage error={datasets.error} />}
        <DatasetsPanel
          datasets={datasets.data?.datasets ?? null}
          canImport={canRun}
          onImported={datasets.reload}
        />
      </div>

      <div className="section-header">
        <h2>{t("evals.curve.heading")}</h2>
      </div>
      <div className="panel">
        <LabelCurve datasets={datasets.data?.datasets ?? null} canRun={canRun} />
      </div>

      {creating && <NewRunDialog onClose={() => setCreating(false)} onCreated={upsert} />}
    </section>
  );
}
