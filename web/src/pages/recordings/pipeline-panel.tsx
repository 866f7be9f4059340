/**
 * The call's agent pipeline: each agent's state, engine, version, connector and model, time and
 * cost, the error when it failed, "Why?" to its trace, and "Re-run" for those who may. Live over
 * the job events (see use-agent-runs.ts).
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../components/error-message.tsx";
import { showToast } from "../../components/toasts.tsx";
import type { AgentRun, AgentRuns } from "./use-agent-runs.ts";
import { finalRunStatuses } from "./use-agent-runs.ts";
import { WhyLink } from "../../components/why-link.tsx";
import "./pipeline-panel.css";

const badgeOf: Record<AgentRun["status"], string> = {
  waiting: "badge--neutral",
  queued: "badge--neutral",
  running: "badge--accent",
  succeeded: "badge--success",
  failed: "badge--danger",
  skipped: "badge--warning",
  needs_connector: "badge--warning",
};

function duration(milliseconds: number | null): string {
  if (milliseconds === null) return "—";
  return milliseconds < 1000
    ? `${milliseconds} ms`
    : `${(milliseconds / 1000).toFixed(1)} s`;
}

function cost(usd: number, engine: AgentRun["engine"]): string {
  if (engine !== "llm") return "—";
  return usd === 0
    ? "$0"
    : `$${usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(2)}`;
}

export function PipelinePanel({
  pipeline,
  canRerun,
}: {
  pipeline: AgentRuns;
  canRerun: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const name = (agent: string) =>
    t(`agents.names.${agent}`, { defaultValue: agent });
  const language = i18n.language === "zh-CN" ? "zh" : "en";

  const rerun = async (agent: string) => {
    setBusy(agent);
    setError(null);
    try {
      await pipeline.rerun(agent);
      showToast(t("agents.pipeline.rerunDone", { agent: name(agent) }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section
      className="panel pipeline-panel"
      aria-labelledby="pipeline-title"
      data-testid="pipeline-panel"
    >
      <h2 className="panel__title" id="pipeline-title">
        {t("agents.pipeline.title")}
      </h2>
      {error !== null && <ErrorMessage error={error} />}
      {pipeline.error !== null && <ErrorMessage error={pipeline.error} />}
      {pipeline.runs.length === 0 ? (
        <p className="muted">{t("agents.pipeline.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--compact pipeline-table">
            <thead>
              <tr>
                <th>{t("agents.pipeline.agent")}</th>
                <th>{t("agents.pipeline.state")}</th>
                <th className="pipeline-optional">
                  {t("agents.pipeline.engine")}
                </th>
                <th className="pipeline-optional">
                  {t("agents.pipeline.model")}
                </th>
                <th className="numeric">{t("agents.pipeline.duration")}</th>
                <th className="numeric">{t("agents.pipeline.cost")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {pipeline.runs.map((run) => (
                <tr
                  key={run.agent}
                  data-testid="pipeline-run"
                  data-agent={run.agent}
                  data-status={run.status}
                >
                  <td>
                    <strong title={run.purpose?.[language]}>
                      {name(run.agent)}
                    </strong>
                    <div className="muted small">{run.agentVersion}</div>
                  </td>
                  <td>
                    <span
                      className={`badge ${badgeOf[run.status]}`}
                      data-testid="pipeline-status"
                    >
                      {t(`agents.status.${run.status}`)}
                    </span>
                    {run.status === "waiting" && run.dependsOn.length > 0 && (
                      <div className="muted small">
                        {t("agents.pipeline.waitsFor", {
                          agents: run.dependsOn.map(name).join(", "),
                        })}
                      </div>
                    )}
                    {run.error && run.status !== "needs_connector" && (
                      <div
                        className="pipeline-error small"
                        data-testid="pipeline-error"
                      >
                        {run.error}
                      </div>
                    )}
                  </td>
                  <td className="pipeline-optional">
                    {run.engine
                      ? t(`agents.engines.${run.engine}`)
                      : t("common.none")}
                  </td>
                  <td className="small pipeline-optional">
                    {[run.connectorName ?? run.connectorId, run.model].filter(Boolean).join(" · ") ||
                      "—"}
                  </td>
                  <td className="numeric">{duration(run.durationMs)}</td>
                  <td className="numeric">{cost(run.costUsd, run.engine)}</td>
                  <td className="pipeline-actions">
                    <WhyLink traceId={run.traceId} />
                    {canRerun && finalRunStatuses.has(run.status) && (
                      <button
                        type="button"
                        className="button button--small"
                        disabled={busy !== null}
                        onClick={() => void rerun(run.agent)}
                        data-testid="pipeline-rerun"
                      >
                        {busy === run.agent
                          ? t("agents.pipeline.rerunning")
                          : t("agents.pipeline.rerun")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
