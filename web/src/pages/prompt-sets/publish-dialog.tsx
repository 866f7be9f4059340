/**
 * Publishing (or rolling back) moves the `production` label. Before confirming, the trainer can
 * run the regression gate: the version against production on an eval dataset, with the verdict
 * and the change in accuracy. The label move names the version production was on when the dialog
 * opened, so if someone else published meanwhile the server refuses (409) instead of overwriting.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/client.ts";
import { Delta } from "../../components/delta.tsx";
import { Dialog } from "../../components/dialog.tsx";
import { ErrorMessage, describeError } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { useResource } from "../../components/use-resource.ts";
import { displayedDelta, formatRunDelta, formatRunMetric } from "../evals/run-metric-format.ts";
import type { Dataset } from "../evals/types.ts";
import { datasetReference, runMetricBetter } from "../evals/types.ts";
import type { PromptSetVersion } from "./types.ts";
import { productionLabel } from "./types.ts";
import { useGateCheck } from "./use-gate-check.ts";
import type { GateCheck } from "./use-gate-check.ts";

const storageKey = (set: string) => `calibrate.gate-dataset.${set}`;

function rememberedDataset(set: string): string | null {
  try {
    return localStorage.getItem(storageKey(set));
  } catch {
    return null;
  }
}

export function PublishDialog({
  set,
  version,
  production,
  mode,
  onClose,
  onPublished,
}: {
  set: string;
  version: PromptSetVersion;
  production: PromptSetVersion | null;
  mode: "publish" | "rollback" | "return";
  onClose: () => void;
  onPublished: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const datasets = useResource<{ datasets: Dataset[] }>("/api/datasets");
  const usable = (datasets.data?.datasets ?? []).filter((dataset) => dataset.latestVersion);
  const [chosen, setChosen] = useState<string | null>(() => rememberedDataset(set));
  const selected = usable.find((dataset) => dataset.name === chosen) ?? usable[0] ?? null;
  const { check, start } = useGateCheck(set, version.version);
  const [publishing, setPublishing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const busy = check.status === "checking" || check.status === "pending";
  const failed = check.status === "done" && !check.verdict.passed;

  async function publish() {
    setPublishing(true);
    setError(null);
    try {
      await api.put(`/api/prompt-sets/${encodeURIComponent(set)}/labels/${productionLabel}`, {
        version: version.version,
        expectedVersionId: production?.id ?? null,
      });
      await onPublished();
      onClose();
    } catch (caught) {
      setError(caught);
      setPublishing(false);
    }
  }

  const title =
    mode === "rollback"
      ? t("promptSets.publish.rollbackTitle", { version: version.version })
      : mode === "return"
        ? t("promptSets.publish.returnTitle", { version: version.version })
        : t("promptSets.publish.title", { version: version.version });
  const moved = error instanceof ApiError && error.status === 409;

  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="medium"
      testId="publish-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={publishing}>
            {t("common.cancel")}
          </button>
          {moved ? (
            <button
              type="button"
              className="button button--primary"
              onClick={() => void onPublished().then(onClose)}
            >
              {t("common.reload")}
            </button>
          ) : (
            <button
              type="button"
              className={`button ${failed ? "button--danger" : "button--primary"}`}
              disabled={publishing || busy}
              onClick={() => void publish()}
              data-testid="confirm-publish"
            >
              {publishing
                ? t("common.saving")
                : failed
                  ? t("promptSets.publish.confirmAnyway")
                  : mode === "rollback"
                    ? t("promptSets.publish.confirmRollback", {
                        version: version.version,
                      })
                    : mode === "return"
                      ? t("promptSets.returnTo", { version: version.version })
                    : t("promptSets.publish.confirm", {
                        version: version.version,
                      })}
            </button>
          )}
        </>
      }
    >
      <p data-testid="publish-summary">
        {production
          ? t("promptSets.publish.move", {
              from: production.version,
              to: version.version,
            })
          : t("promptSets.publish.first", { to: version.version })}
      </p>

      <section className="gate" data-testid="gate" data-status={check.status}>
        <h3>{t("promptSets.gate.title")}</h3>
        <p className="muted small">{t("promptSets.gate.intro")}</p>
        {datasets.error !== null && <ErrorMessage error={datasets.error} />}
        {datasets.data && usable.length === 0 && (
          <p className="message message--info" data-testid="gate-no-dataset">
            {t("promptSets.gate.noDataset")}
          </p>
        )}
        {usable.length > 0 && (
          <div className="inline-form">
            <label className="field">
              <span className="field__label">{t("promptSets.gate.dataset")}</span>
              <select
                value={selected?.name ?? ""}
                disabled={busy}
                data-testid="gate-dataset"
                onChange={(event) => {
                  setChosen(event.target.value);
                  try {
                    localStorage.setItem(storageKey(set), event.target.value);
                  } catch {
                    // Not remembered; the choice still applies now.
                  }
                }}
              >
                {usable.map((dataset) => (
                  <option key={dataset.id} value={dataset.name}>
                    {datasetReference(dataset)}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="button"
              disabled={busy || !selected}
              data-testid="gate-check"
              onClick={() => selected && start(datasetReference(selected))}
            >
              {busy ? t("promptSets.gate.checking") : t("promptSets.gate.check")}
            </button>
          </div>
        )}
        <GateOutcome check={check} />
      </section>

      {error !== null && <ErrorMessage error={error} />}
    </Dialog>
  );
}

function GateOutcome({ check }: { check: GateCheck }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  switch (check.status) {
    case "idle":
      return null;
    case "checking":
      return <ProgressBar value={null} label={t("promptSets.gate.checking")} />;
    case "pending":
      return (
        <div data-testid="gate-pending">
          <p className="muted">{t("promptSets.gate.pending")}</p>
          <ul className="gate__runs">
            {check.runs.map((run) => (
              <li key={run.id}>
                <span>{run.targetDescription}</span>
                <ProgressBar
                  value={check.progress[run.id] ?? (run.progress > 0 ? run.progress : null)}
                  label={run.targetDescription}
                />
              </li>
            ))}
          </ul>
        </div>
      );
    case "run-failed":
      return (
        <p className="message message--error" role="alert" data-testid="gate-error">
          {t("promptSets.gate.runFailed", {
            target: check.run.targetDescription,
            reason: check.run.error ?? t("errors.unexpected"),
          })}
        </p>
      );
    case "error":
      return (
        <p className="message message--error" role="alert" data-testid="gate-error">
          {t("promptSets.gate.unavailable")} {describeError(check.error, t)}
        </p>
      );
    case "done": {
      const { verdict } = check;
      const metric = verdict.metric;
      const candidate = verdict.candidateRun.metrics?.[metric] ?? null;
      const baseline = verdict.baselineRun?.metrics?.[metric] ?? null;
      return (
        <div
          className={`gate__verdict gate__verdict--${verdict.passed ? "passed" : "failed"}`}
          data-testid="gate-verdict"
          data-passed={verdict.passed}
        >
          <strong>
            {verdict.passed ? t("promptSets.gate.passed") : t("promptSets.gate.failed")}
          </strong>
          <dl className="gate__numbers">
            <div>
              <dt>{t(`evals.metrics.${metric}`)}</dt>
              <dd>
                {verdict.baselineRun
                  ? t("promptSets.gate.values", {
                      baseline: formatRunMetric(format, metric, baseline),
                      candidate: formatRunMetric(format, metric, candidate),
                    })
                  : formatRunMetric(format, metric, candidate)}
              </dd>
            </div>
            <div>
              <dt>{t("promptSets.gate.delta")}</dt>
              <dd data-testid="gate-delta">
                <Delta
                  value={displayedDelta(metric, verdict.delta)}
                  better={runMetricBetter[metric]}
                  format={(value) => formatRunDelta(format, metric, value)}
                />
              </dd>
            </div>
            <div>
              <dt>{t("promptSets.gate.margin")}</dt>
              <dd>{formatRunMetric(format, metric, verdict.margin)}</dd>
            </div>
          </dl>
          {!verdict.baselineRun && <p className="muted small">{t("promptSets.gate.noBaseline")}</p>}
          <p className="muted small">{verdict.reason}</p>
        </div>
      );
    }
  }
}
