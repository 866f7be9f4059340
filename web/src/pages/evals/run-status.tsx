/** An eval run's status: a badge, a live progress bar while it runs, the reason when it failed. */
import { useTranslation } from "react-i18next";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { useFormatters } from "../../i18n/format.ts";
import type { EvalRunSummary } from "./types.ts";
import type { LiveProgress } from "./use-eval-runs.ts";

const tones = {
  queued: "neutral",
  running: "accent",
  completed: "success",
  failed: "danger",
} as const;

export function RunStatus({ run, live }: { run: EvalRunSummary; live?: LiveProgress }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const working = run.status === "queued" || run.status === "running";
  const progress = live?.progress ?? run.progress;
  const fraction = progress > 1 ? progress / 100 : progress;
  const stage = live?.stage;
  return (
    <div className="status" data-testid="run-status" data-status={run.status}>
      <span className={`badge badge--${tones[run.status]}`}>
        {t(`evals.status.${run.status}`)}
        {working && fraction > 0 ? ` ${format.percent(fraction)}` : ""}
      </span>
      {working && (
        <>
          <ProgressBar
            value={fraction > 0 ? fraction : null}
            label={t(`evals.status.${run.status}`)}
          />
          {stage && (
            <span className="muted small">
              {t(`evals.stages.${stage}`, { defaultValue: stage })}
            </span>
          )}
        </>
      )}
      {run.status === "failed" && run.error && <span className="status__reason">{run.error}</span>}
    </div>
  );
}
