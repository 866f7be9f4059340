/**
 * The quarterly report, made to be printed (or saved as PDF): a cover with the period, the
 * volumes per top-level team and where each metric moved most, then one page per metric with
 * its heat map. Print CSS drops the app's header and these controls and starts each metric on a
 * new landscape page.
 */
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "wouter";
import "../../components/delta.css";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { useResource } from "../../components/use-resource.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { CapabilityHeatMap } from "./capability-heat-map.tsx";
import { mapQuery } from "./capability-map-page.tsx";
import { formatMetricDelta, metricBetter } from "./metric-reading.ts";
import type { CapabilityCell, CapabilityMap, MetricName } from "./types.ts";
import { metricNames } from "./types.ts";
import "../../components/insights.css";
import "./capability-map.css";

/** Largest changes of a metric since last period, best first then worst. */
export function biggestMoves(
  map: CapabilityMap,
  metric: MetricName,
  count = 3,
): { better: CapabilityCell[]; worse: CapabilityCell[] } {
  const moved = map.cells.filter((cell) => {
    const delta = cell.delta[metric];
    return delta !== null && delta !== undefined && delta !== 0;
  });
  const gain = (cell: CapabilityCell) =>
    (cell.delta[metric] ?? 0) * (metricBetter[metric] === "higher" ? 1 : -1);
  const ordered = [...moved].sort((left, right) => gain(right) - gain(left));
  return {
    better: ordered.filter((cell) => gain(cell) > 0).slice(0, count),
    worse: ordered
      .filter((cell) => gain(cell) < 0)
      .reverse()
      .slice(0, count),
  };
}

export default function CapabilityReportPage() {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const [search] = useSearchParams();
  const query = mapQuery(search);
  const resource = useResource<CapabilityMap>(`/api/capability-map?${query}`);
  const map = resource.data;

  // Lets the print style sheet hide the app's header on this page only.
  useEffect(() => {
    document.body.classList.add("printing-report");
    return () => document.body.classList.remove("printing-report");
  }, []);

  const period = map ? (map.quarter ?? `${map.period.from} – ${map.period.to}`) : "";
  const teamName = (id: string) => map?.teams.find((team) => team.id === id)?.name ?? id;

  return (
    <article className="report" data-testid="capability-report">
      <div className="report__toolbar">
        <Link href={`/capability-map?${query}`} className="back-link">
          ← {t("capabilityMap.reportPage.back")}
        </Link>
        <button type="button" className="button button--primary" onClick={() => window.print()}>
          {t("capabilityMap.reportPage.print")}
        </button>
      </div>
      {resource.error !== null && <ErrorMessage error={resource.error} />}
      {!map && resource.error === null && <p className="muted">{t("common.loading")}</p>}
      {map && (
        <>
          <section className="report__cover">
            <h1>{t("capabilityMap.reportPage.title", { period })}</h1>
            <p className="muted">
              {t("capabilityMap.period", {
                from: format.date(map.period.from),
                to: format.date(map.period.to),
                timeZone: map.timeZone,
              })}
              {" · "}
              {t("capabilityMap.reportPage.comparedWith", {
                period:
                  map.previousQuarter ?? `${map.previousPeriod.from} – ${map.previousPeriod.to}`,
              })}
            </p>
            <p className="muted small">
              {[
                map.refreshedAt
                  ? t("capabilityMap.refreshedAt", {
                      date: format.dateTime(map.refreshedAt),
                    })
                  : t("capabilityMap.neverRefreshed"),
                t("capabilityMap.reportPage.threshold", {
                  minimum: format.count(map.minimumDecidedItems),
                }),
                map.workspaceEval
                  ? t("capabilityMap.workspaceEval", {
                      target: map.workspaceEval.targetDescription,
                      accuracy: format.percentPrecise(map.workspaceEval.accuracy),
                      date: format.date(map.workspaceEval.finishedAt),
                    })
                  : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </p>

            <h2>{t("capabilityMap.reportPage.volumes")}</h2>
            <table className="table table--compact report__table" data-testid="report-volumes">
              <thead>
                <tr>
                  <th scope="col">{t("capabilityMap.teams")}</th>
                  <th scope="col" className="numeric">
                    {t("capabilityMap.reportPage.invocations")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("capabilityMap.reportPage.drafted")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("capabilityMap.reportPage.decided")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("capabilityMap.reportPage.accepted")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {map.teams.map((team) => {
                  const cells = map.cells.filter((cell) => cell.teamId === team.id);
                  const sum = (pick: (cell: CapabilityCell) => number) =>
                    format.count(cells.reduce((total, cell) => total + pick(cell), 0));
                  return (
                    <tr key={team.id}>
                      <td style={{ paddingLeft: 10 + team.depth * 16 }}>{team.name}</td>
                      <td className="numeric">{sum((cell) => cell.invocations)}</td>
                      <td className="numeric">{sum((cell) => cell.draftedItems)}</td>
                      <td className="numeric">{sum((cell) => cell.decidedItems)}</td>
                      <td className="numeric">{sum((cell) => cell.acceptedItems)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>

            <h2>{t("capabilityMap.reportPage.moves")}</h2>
            <table className="table table--compact report__table" data-testid="report-moves">
              <thead>
                <tr>
                  <th scope="col">{t("capabilityMap.metric")}</th>
                  <th scope="col">{t("capabilityMap.reportPage.better")}</th>
                  <th scope="col">{t("capabilityMap.reportPage.worse")}</th>
                </tr>
              </thead>
              <tbody>
                {metricNames.map((metric) => {
                  const moves = biggestMoves(map, metric);
                  const describe = (cell: CapabilityCell) =>
                    `${teamName(cell.teamId)} × ${stageLabel(t, cell.stage)} ${formatMetricDelta(format, metric, cell.delta[metric])}`;
                  return (
                    <tr key={metric}>
                      <td>{t(`capabilityMap.metrics.${metric}`)}</td>
                      <td className={moves.better.length ? "delta delta--good" : "muted"}>
                        {moves.better.map(describe).join("; ") || t("common.none")}
                      </td>
                      <td className={moves.worse.length ? "delta delta--bad" : "muted"}>
                        {moves.worse.map(describe).join("; ") || t("common.none")}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>

          {metricNames.map((metric) => (
            <section key={metric} className="report__section" data-testid="report-section">
              <h2>
                {t(`capabilityMap.metrics.${metric}`)} · {period}
              </h2>
              <p className="muted small">{t(`capabilityMap.metricHelp.${metric}`)}</p>
              <CapabilityHeatMap map={map} metric={metric} testId={`report-map-${metric}`} />
            </section>
          ))}
        </>
      )}
    </article>
  );
}
