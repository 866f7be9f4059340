/**
 * One cell of the map opened up: every metric with last period's value and the change, the calls
 * behind it (each linking to its recording) and the decisions people took on their drafts, each
 * list paged on its own.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { Delta } from "../../components/delta.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { useResource } from "../../components/use-resource.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { formatMetric, formatMetricDelta, metricBetter, readMetric } from "./metric-reading.ts";
import type { CapabilityCell, CapabilityMap, CellDetail } from "./types.ts";
import { metricNames } from "./types.ts";

const pageSize = 10;

export function CellDrillDown({
  map,
  cell,
  periodQuery,
  onClose,
}: {
  map: CapabilityMap;
  cell: CapabilityCell;
  /** `quarter=…` or `from=…&to=…`, as the map was asked for. */
  periodQuery: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const [callsPage, setCallsPage] = useState(1);
  const [decisionsPage, setDecisionsPage] = useState(1);
  const detail = useResource<CellDetail>(
    `/api/capability-map/cell?${periodQuery}&teamId=${cell.teamId}&stage=${encodeURIComponent(cell.stage)}` +
      `&callsPage=${callsPage}&decisionsPage=${decisionsPage}&pageSize=${pageSize}`,
  );
  const team = map.teams.find((entry) => entry.id === cell.teamId);
  const data = detail.data;

  return (
    <section className="panel drill-down" data-testid="cell-drill-down" aria-live="polite">
      <header className="drill-down__header">
        <h2>
          {t("capabilityMap.drillDown.title", {
            team: team?.name ?? cell.teamId,
            stage: stageLabel(t, cell.stage),
          })}
        </h2>
        <button type="button" className="button button--ghost" onClick={onClose}>
          {t("common.close")}
        </button>
      </header>
      <p className="muted small">
        {t("capabilityMap.cell.counts", {
          decided: format.count(cell.decidedItems),
          drafted: format.count(cell.draftedItems),
          invocations: format.count(cell.invocations),
        })}{" "}
        {t("capabilityMap.drillDown.outcomes", {
          accepted: format.count(cell.acceptedItems),
          overridden: format.count(cell.overriddenItems),
          rejected: format.count(cell.rejectedItems),
        })}
      </p>
      <p className="small">
        <Link
          data-testid="cell-traces-link"
          href={`/traces?teamId=${cell.teamId}&stage=${encodeURIComponent(cell.stage)}&from=${map.period.from}&to=${map.period.to}`}
        >
          {t("capabilityMap.drillDown.traces")} →
        </Link>
      </p>
      <p className="muted small" data-testid="calibration-split">
        {t("repCall.mapSplit", {
          rep: format.count(cell.calibrationBy.rep.decidedItems),
          repRate: formatMetric(format, "interventionRate", cell.calibrationBy.rep.interventionRate),
          trainer: format.count(cell.calibrationBy.trainer.decidedItems),
          trainerRate: formatMetric(
            format,
            "interventionRate",
            cell.calibrationBy.trainer.interventionRate,
          ),
        })}
      </p>

      <div className="table-wrap">
        <table className="table table--compact" data-testid="cell-metrics">
          <thead>
            <tr>
              <th scope="col">{t("capabilityMap.drillDown.metric")}</th>
              <th scope="col" className="numeric">
                {map.quarter ?? t("capabilityMap.drillDown.current")}
              </th>
              <th scope="col" className="numeric">
                {map.previousQuarter ?? t("capabilityMap.previousPeriod")}
              </th>
              <th scope="col" className="numeric">
                {t("capabilityMap.drillDown.change")}
              </th>
            </tr>
          </thead>
          <tbody>
            {metricNames.map((metric) => {
              const reading = readMetric(cell, metric, map.minimumDecidedItems);
              return (
                <tr key={metric} data-metric={metric}>
                  <td>{t(`capabilityMap.metrics.${metric}`)}</td>
                  <td className="numeric">
                    {reading.state === "value"
                      ? formatMetric(format, metric, reading.value)
                      : reading.state === "insufficient"
                        ? t("capabilityMap.cell.tooLittle")
                        : t("capabilityMap.cell.noDataShort")}
                  </td>
                  <td className="numeric">{formatMetric(format, metric, cell.previous[metric])}</td>
                  <td className="numeric">
                    <Delta
                      value={cell.delta[metric]}
                      better={metricBetter[metric]}
                      format={(value) => formatMetricDelta(format, metric, value)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {detail.error !== null && <ErrorMessage error={detail.error} />}
      {!data && detail.error === null && <p className="muted">{t("common.loading")}</p>}
      {data && (
        <div className={`drill-down__lists ${detail.loading ? "is-refreshing" : ""}`}>
          <div>
            <h3>
              {t("capabilityMap.drillDown.calls")}{" "}
              <span className="badge badge--neutral">{format.count(data.calls.total)}</span>
            </h3>
            {data.calls.items.length === 0 ? (
              <p className="muted">{t("capabilityMap.drillDown.noCalls")}</p>
            ) : (
              <div className="table-wrap">
                <table className="table table--compact" data-testid="cell-calls">
                  <thead>
                    <tr>
                      <th scope="col">{t("capabilityMap.drillDown.call")}</th>
                      <th scope="col">{t("capabilityMap.drillDown.owner")}</th>
                      <th scope="col">{t("capabilityMap.drillDown.callDate")}</th>
                      <th scope="col" className="numeric">
                        {t("capabilityMap.drillDown.items")}
                      </th>
                      <th scope="col" className="numeric">
                        {t("capabilityMap.drillDown.decided")}
                      </th>
                      <th scope="col" className="numeric">
                        {t("capabilityMap.drillDown.accepted")}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.calls.items.map((call) => (
                      <tr key={call.recordingId} data-testid="cell-call">
                        <td>
                          <Link href={`/recordings/${call.recordingId}`}>{call.title}</Link>
                        </td>
                        <td>{call.owner.displayName}</td>
                        <td className="nowrap">{format.date(call.callDate ?? call.uploadedAt)}</td>
                        <td className="numeric">{format.count(call.draftedItems)}</td>
                        <td className="numeric">{format.count(call.decidedItems)}</td>
                        <td className="numeric">{format.count(call.acceptedItems)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager
              page={data.calls.page}
              total={data.calls.total}
              size={data.calls.pageSize}
              onPage={setCallsPage}
              label={t("capabilityMap.drillDown.calls")}
            />
          </div>
          <div>
            <h3>
              {t("capabilityMap.drillDown.decisions")}{" "}
              <span className="badge badge--neutral">{format.count(data.decisions.total)}</span>
            </h3>
            {data.decisions.items.length === 0 ? (
              <p className="muted">{t("capabilityMap.drillDown.noDecisions")}</p>
            ) : (
              <div className="table-wrap">
                <table className="table table--compact" data-testid="cell-decisions">
                  <thead>
                    <tr>
                      <th scope="col">{t("capabilityMap.drillDown.when")}</th>
                      <th scope="col">{t("capabilityMap.drillDown.who")}</th>
                      <th scope="col">{t("capabilityMap.drillDown.action")}</th>
                      <th scope="col">{t("capabilityMap.drillDown.kind")}</th>
                      <th scope="col" className="numeric">
                        {t("capabilityMap.drillDown.took")}
                      </th>
                      <th scope="col">{t("capabilityMap.drillDown.call")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.decisions.items.map((decision) => (
                      <tr
                        key={decision.decisionId}
                        data-testid="cell-decision"
                        className={decision.undone ? "row--muted" : undefined}
                      >
                        <td className="nowrap">{format.dateTime(decision.decidedAt)}</td>
                        <td>{decision.user.displayName}</td>
                        <td>
                          <span className={`badge badge--${actionTones[decision.action]}`}>
                            {t(`capabilityMap.actions.${decision.action}`)}
                          </span>
                          {decision.undone && (
                            <span className="muted small">
                              {" "}
                              {t("capabilityMap.drillDown.undone")}
                            </span>
                          )}
                        </td>
                        <td>{t(`capabilityMap.itemKinds.${decision.itemKind}`)}</td>
                        <td className="numeric nowrap">
                          {format.milliseconds(decision.decisionMs)}
                        </td>
                        <td>
                          <Link href={`/recordings/${decision.recordingId}`}>
                            {decision.recordingTitle}
                          </Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager
              page={data.decisions.page}
              total={data.decisions.total}
              size={data.decisions.pageSize}
              onPage={setDecisionsPage}
              label={t("capabilityMap.drillDown.decisions")}
            />
          </div>
        </div>
      )}
    </section>
  );
}

const actionTones = {
  accept: "success",
  reject: "danger",
  override: "accent",
  no_fit: "warning",
  undo: "neutral",
} as const;

function Pager({
  page,
  total,
  size,
  onPage,
  label,
}: {
  page: number;
  total: number;
  size: number;
  onPage: (page: number) => void;
  label: string;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const pages = Math.max(1, Math.ceil(total / size));
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="button button--small"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        {t("capabilityMap.drillDown.previous")}
      </button>
      <span>
        {t("capabilityMap.drillDown.page", {
          page: format.count(page),
          pages: format.count(pages),
        })}
      </span>
      <button
        type="button"
        className="button button--small"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        {t("capabilityMap.drillDown.next")}
      </button>
    </nav>
  );
}
