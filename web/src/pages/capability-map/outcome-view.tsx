/**
 * The map's outcome view: per team × stage, next-stage conversion of calls whose talk tracks the rep
 * accepted vs not, each with its 95 % interval and counts, labelled as association; a click lists
 * the calls behind a cell. Stages without any such call are left out.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { useResource } from "../../components/use-resource.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import type { ConversionGroup, OutcomeCell, OutcomeCellCall, OutcomeMap } from "../../../../core/capability-map/outcome-metrics.ts";

export function OutcomeView({ periodQuery }: { periodQuery: string }) {
  const { t } = useTranslation();
  const map = useResource<OutcomeMap>(`/api/capability-map/outcomes?${periodQuery}`);
  const [selected, setSelected] = useState<OutcomeCell | null>(null);
  const data = map.data;
  const stages = data ? data.stages.filter((stage) => data.cells.some((cell) => cell.stage === stage && cell.accepted.calls + cell.notAccepted.calls > 0)) : [];

  return (
    <section className="panel outcome-view" data-testid="outcome-view">
      <h2 className="panel__title">{t("outcomeMap.title")}</h2>
      <p className="muted small">{t("outcomeMap.intro")}</p>
      <p className="message message--info small" data-testid="outcome-caveat">
        {t("outcomeMap.caveat")}
      </p>
      {map.error !== null && <ErrorMessage error={map.error} />}
      {data && stages.length === 0 && <p className="muted">{t("outcomeMap.empty")}</p>}
      {data && stages.length > 0 && (
        <div className="table-wrap">
          <table className="table table--compact outcome-view__table">
            <thead>
              <tr>
                <th scope="col" />
                {stages.map((stage) => (
                  <th key={stage} scope="col">
                    {stageLabel(t, stage)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.teams.map((team) => (
                <tr key={team.id}>
                  <th scope="row" style={{ paddingLeft: `${0.5 + team.depth}rem` }}>
                    {team.name}
                  </th>
                  {stages.map((stage) => {
                    const cell = data.cells.find((candidate) => candidate.teamId === team.id && candidate.stage === stage)!;
                    return (
                      <td key={stage}>
                        <button
                          type="button"
                          className={`outcome-view__cell ${selected === cell ? "is-selected" : ""}`}
                          onClick={() => setSelected(cell)}
                          data-testid="outcome-cell"
                          data-insufficient={cell.insufficientData}
                        >
                          <OutcomeCellSummary cell={cell} minimum={data.minimumCalls} />
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && selected && (
        <OutcomeDrillDown
          key={`${selected.teamId}:${selected.stage}`}
          periodQuery={periodQuery}
          cell={selected}
          teamName={data.teams.find((team) => team.id === selected.teamId)?.name ?? ""}
          onClose={() => setSelected(null)}
        />
      )}
    </section>
  );
}

function OutcomeCellSummary({ cell, minimum }: { cell: OutcomeCell; minimum: number }) {
  const { t } = useTranslation();
  if (cell.accepted.calls + cell.notAccepted.calls === 0) return <span className="muted">—</span>;
  if (cell.insufficientData) {
    return <span className="muted small">{t("outcomeMap.tooLittle", { accepted: cell.accepted.calls, notAccepted: cell.notAccepted.calls, minimum })}</span>;
  }
  return (
    <span className="outcome-view__groups">
      <GroupLine label={t("outcomeMap.accepted")} group={cell.accepted} />
      <GroupLine label={t("outcomeMap.notAccepted")} group={cell.notAccepted} />
    </span>
  );
}

function GroupLine({ label, group }: { label: string; group: ConversionGroup }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  return (
    <span className="outcome-view__group">
      <span className="muted small">{label}</span>{" "}
      <strong>
        {t("outcomeMap.rate", {
          rate: format.percentPrecise(group.rate),
          low: format.percentPrecise(group.interval?.low),
          high: format.percentPrecise(group.interval?.high),
        })}
      </strong>{" "}
      <span className="muted small">{t("outcomeMap.calls", { converted: group.converted, calls: group.calls })}</span>
    </span>
  );
}

function OutcomeDrillDown({ periodQuery, cell, teamName, onClose }: { periodQuery: string; cell: OutcomeCell; teamName: string; onClose(): void }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const detail = useResource<{ calls: OutcomeCellCall[] }>(
    `/api/capability-map/outcomes/cell?${periodQuery}&teamId=${cell.teamId}&stage=${encodeURIComponent(cell.stage)}`,
  );
  return (
    <div className="outcome-view__drill" data-testid="outcome-drill-down">
      <header className="drill-down__header">
        <h3>{t("outcomeMap.drillTitle", { team: teamName, stage: stageLabel(t, cell.stage) })}</h3>
        <button type="button" className="button button--ghost" onClick={onClose}>
          {t("common.close")}
        </button>
      </header>
      {detail.error !== null && <ErrorMessage error={detail.error} />}
      {detail.data && (
        <div className="table-wrap">
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">{t("outcomeMap.columns.call")}</th>
                <th scope="col">{t("outcomeMap.columns.rep")}</th>
                <th scope="col">{t("outcomeMap.columns.date")}</th>
                <th scope="col">{t("outcomeMap.columns.reference")}</th>
                <th scope="col">{t("outcomeMap.columns.accepted")}</th>
                <th scope="col">{t("outcomeMap.columns.advanced")}</th>
                <th scope="col">{t("outcomeMap.columns.outcomes")}</th>
              </tr>
            </thead>
            <tbody>
              {detail.data.calls.map((call) => (
                <tr key={call.recordingId} data-testid="outcome-call">
                  <td>
                    <Link href={`/recordings/${call.recordingId}`}>{call.title}</Link>
                  </td>
                  <td>{call.owner.displayName}</td>
                  <td className="nowrap">{format.date(call.callDate)}</td>
                  <td>{call.customerReference}</td>
                  <td>{call.accepted ? t("outcomeMap.yes") : t("outcomeMap.no")}</td>
                  <td>{call.advanced ? <span className="badge badge--success">{t("outcomeMap.yes")}</span> : t("outcomeMap.no")}</td>
                  <td className="small">{call.outcomes.map((type) => t(`outcomes.types.${type}`)).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
