/**
 * The quarterly capability map (managers and admins): a heat map of one metric over teams ×
 * customer stages with the change since the previous quarter, a drill-down into any cell, a
 * refresh of the rollup, and exports — CSV from the server, PNG drawn from the heat map here,
 * and a printable report. Quarter, metric and threshold live in the address.
 */
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "wouter";
import { downloadBlob, svgToPng } from "../../components/download.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { PageHeader } from "../../components/page-header.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { useResource } from "../../components/use-resource.ts";
import { CapabilityHeatMap } from "./capability-heat-map.tsx";
import { CellDrillDown } from "./cell-drill-down.tsx";
import { OutcomeView } from "./outcome-view.tsx";
import { isQuarter, quarterOfDate, quarterOptions } from "./quarters.ts";
import type { CapabilityCell, CapabilityMap, MetricName } from "./types.ts";
import { metricNames } from "./types.ts";
import { useRollupRefresh } from "./use-rollup-refresh.ts";
import "../../components/insights.css";
import "./capability-map.css";

/** The query the map, the CSV and the report share (the metric only changes the colouring). */
export function mapQuery(search: URLSearchParams): URLSearchParams {
  const query = new URLSearchParams();
  const quarter = search.get("quarter");
  if (isQuarter(quarter)) query.set("quarter", quarter);
  const minimum = Number(search.get("minimumDecidedItems"));
  if (Number.isInteger(minimum) && minimum >= 1) query.set("minimumDecidedItems", String(minimum));
  return query;
}

function isMetric(value: string | null): value is MetricName {
  return (metricNames as readonly string[]).includes(value ?? "");
}

export default function CapabilityMapPage() {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const [search, setSearch] = useSearchParams();
  const query = mapQuery(search);
  const metric: MetricName = isMetric(search.get("metric"))
    ? (search.get("metric") as MetricName)
    : "penetration";
  const resource = useResource<CapabilityMap>(`/api/capability-map?${query}`);
  const map = resource.data;
  const [selected, setSelected] = useState<CapabilityCell | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const [minimumDraft, setMinimumDraft] = useState<string | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const { state: refresh, refresh: startRefresh } = useRollupRefresh(resource.reload);

  const quarter = map?.quarter ?? query.get("quarter") ?? quarterOfDate(new Date());
  const periodQuery = map?.quarter
    ? `quarter=${map.quarter}`
    : map
      ? `from=${map.period.from}&to=${map.period.to}`
      : query.toString();
  const exportQuery = new URLSearchParams(query);
  if (map?.quarter) exportQuery.set("quarter", map.quarter);

  function update(changes: Record<string, string | null>) {
    setSearch((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === "") next.delete(key);
        else next.set(key, value);
      }
      return next;
    });
  }

  async function exportPng() {
    setExportError(null);
    try {
      if (!svg.current) return;
      const png = await svgToPng(svg.current);
      downloadBlob(png, `capability-map-${quarter}-${metric}.png`);
    } catch (error) {
      setExportError(error);
    }
  }

  const latestQuarter = quarterOfDate(new Date());
  const minimumValue = minimumDraft ?? String(map?.minimumDecidedItems ?? "");

  return (
    <section data-testid="capability-map-page">
      <PageHeader
        title={t("capabilityMap.title")}
        intro={t("capabilityMap.intro")}
        actions={
          <button
            type="button"
            className="button"
            onClick={() => void startRefresh()}
            disabled={refresh.status === "running"}
            data-testid="refresh-map"
          >
            {refresh.status === "running"
              ? t("capabilityMap.refreshing")
              : t("capabilityMap.refresh")}
          </button>
        }
      />
      {refresh.status === "running" && (
        <ProgressBar
          value={refresh.progress > 0 ? refresh.progress : null}
          label={t("capabilityMap.refreshing")}
        />
      )}
      {refresh.status === "failed" && <ErrorMessage error={refresh.error} />}

      <div className="toolbar capability-map__controls">
        <label className="field field--inline">
          <span className="field__label">{t("capabilityMap.quarter")}</span>
          <select
            value={quarter}
            onChange={(event) => {
              setSelected(null);
              update({ quarter: event.target.value });
            }}
            data-testid="quarter-picker"
          >
            {quarterOptions(latestQuarter, 8, quarter).map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--inline">
          <span className="field__label">{t("capabilityMap.metric")}</span>
          <select
            value={metric}
            onChange={(event) => update({ metric: event.target.value })}
            data-testid="metric-picker"
          >
            {metricNames.map((name) => (
              <option key={name} value={name}>
                {t(`capabilityMap.metrics.${name}`)}
              </option>
            ))}
          </select>
        </label>
        <form
          className="field field--inline"
          onSubmit={(event) => {
            event.preventDefault();
            setMinimumDraft(null);
            setSelected(null);
            update({ minimumDecidedItems: minimumValue });
          }}
        >
          <label className="field field--inline">
            <span className="field__label">{t("capabilityMap.minimum")}</span>
            <input
              type="number"
              min={1}
              className="capability-map__minimum"
              value={minimumValue}
              onChange={(event) => setMinimumDraft(event.target.value)}
              data-testid="minimum-decided"
            />
          </label>
          <button type="submit" className="button button--small" disabled={minimumDraft === null}>
            {t("capabilityMap.apply")}
          </button>
        </form>
        <span className="capability-map__exports">
          <a
            className="button button--small"
            href={`/api/capability-map/export.csv?${exportQuery}`}
            download
            data-testid="export-csv"
          >
            {t("capabilityMap.exportCsv")}
          </a>
          <button
            type="button"
            className="button button--small"
            onClick={() => void exportPng()}
            disabled={!map}
            data-testid="export-png"
          >
            {t("capabilityMap.exportPng")}
          </button>
          <Link
            className="button button--small"
            href={`/capability-map/report?${exportQuery}`}
            data-testid="open-report"
          >
            {t("capabilityMap.report")}
          </Link>
        </span>
      </div>
      <p className="muted small" title={t(`capabilityMap.metricHelp.${metric}`)}>
        {t(`capabilityMap.metricHelp.${metric}`)}
      </p>

      {resource.error !== null && <ErrorMessage error={resource.error} />}
      {exportError !== null && <ErrorMessage error={exportError} />}
      {!map && resource.error === null && <p className="muted">{t("common.loading")}</p>}
      {map && (
        <>
          <p className="muted small" data-testid="map-facts">
            {[
              t("capabilityMap.period", {
                from: format.date(map.period.from),
                to: format.date(map.period.to),
                timeZone: map.timeZone,
              }),
              map.refreshedAt
                ? t("capabilityMap.refreshedAt", {
                    date: format.dateTime(map.refreshedAt),
                  })
                : null,
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
          {!map.refreshedAt && (
            <p className="message message--info" data-testid="never-refreshed">
              {t("capabilityMap.neverRefreshed")}
            </p>
          )}
          {map.teams.length === 0 || map.stages.length === 0 ? (
            <div className="panel empty-state">
              <p>{t("capabilityMap.empty")}</p>
            </div>
          ) : (
            <div
              className={`panel capability-map__panel ${resource.loading ? "is-refreshing" : ""}`}
            >
              <CapabilityHeatMap
                map={map}
                metric={metric}
                selected={selected}
                onSelect={(cell) => setSelected(cell)}
                svgRef={svg}
                caption={t("capabilityMap.caption", {
                  metric: t(`capabilityMap.metrics.${metric}`),
                  period: map.quarter ?? `${map.period.from} – ${map.period.to}`,
                })}
              />
              <p className="muted small">{t("capabilityMap.hint")}</p>
            </div>
          )}
          {selected && (
            <CellDrillDown
              key={`${selected.teamId}:${selected.stage}:${periodQuery}`}
              map={map}
              cell={
                map.cells.find(
                  (cell) => cell.teamId === selected.teamId && cell.stage === selected.stage,
                ) ?? selected
              }
              periodQuery={periodQuery}
              onClose={() => setSelected(null)}
            />
          )}
          <OutcomeView periodQuery={periodQuery} />
        </>
      )}
    </section>
  );
}
