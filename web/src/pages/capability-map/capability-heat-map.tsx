/**
 * The capability map as a heat grid: teams (as a tree) down, customer stages across, one metric
 * coloured on a shared scale, with the change since the previous period in each cell. Used by
 * the interactive screen and the printed report.
 */
import type { Ref } from "react";
import { useTranslation } from "react-i18next";
import { domainOf, positionIn } from "../../components/color-scale.ts";
import { deltaArrow } from "../../components/delta.tsx";
import { HeatGrid } from "../../components/heat-grid.tsx";
import type { HeatGridCell } from "../../components/heat-grid.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { formatMetric, formatMetricDelta, metricKinds, readMetric } from "./metric-reading.ts";
import type { CapabilityCell, CapabilityMap, MetricName } from "./types.ts";

export function cellKey(teamId: string, stage: string): string {
  return `${teamId}\u0000${stage}`;
}

export function CapabilityHeatMap({
  map,
  metric,
  selected,
  onSelect,
  svgRef,
  caption,
  testId = "capability-heat-map",
}: {
  map: CapabilityMap;
  metric: MetricName;
  selected?: { teamId: string; stage: string } | null;
  onSelect?: (cell: CapabilityCell) => void;
  svgRef?: Ref<SVGSVGElement>;
  caption?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const minimum = map.minimumDecidedItems;
  const byKey = new Map(map.cells.map((cell) => [cellKey(cell.teamId, cell.stage), cell]));
  const teamNames = new Map(map.teams.map((team) => [team.id, team.name]));
  const kind = metricKinds[metric];
  const domain = domainOf(
    map.cells.map((cell) => cell[metric]),
    kind === "rate" ? { min: 0, max: 1 } : undefined,
  );
  const metricName = t(`capabilityMap.metrics.${metric}`);
  const previousName = map.previousQuarter ?? t("capabilityMap.previousPeriod");

  const cells: HeatGridCell[] = map.cells.map((cell) => {
    const reading = readMetric(cell, metric, minimum);
    const where = `${teamNames.get(cell.teamId) ?? cell.teamId} × ${stageLabel(t, cell.stage)}`;
    const counts = t("capabilityMap.cell.counts", {
      decided: format.count(cell.decidedItems),
      drafted: format.count(cell.draftedItems),
      invocations: format.count(cell.invocations),
    });
    const base = { rowId: cell.teamId, columnId: cell.stage };
    if (reading.state === "insufficient") {
      return {
        ...base,
        state: "insufficient",
        text: t("capabilityMap.cell.tooLittle"),
        secondaryText: t("capabilityMap.cell.haveNeed", {
          have: format.count(reading.have),
          need: format.count(reading.need),
        }),
        description: `${where}: ${t("capabilityMap.cell.tooLittleLong", {
          metric: metricName,
          have: format.count(reading.have),
          need: format.count(reading.need),
        })} ${counts}`,
      };
    }
    if (reading.state === "empty") {
      return {
        ...base,
        state: "empty",
        text: t("capabilityMap.cell.noData"),
        description: `${where}: ${t("capabilityMap.cell.noDataLong", { metric: metricName })} ${counts}`,
      };
    }
    const delta = cell.delta[metric] ?? null;
    const previous = cell.previous[metric];
    return {
      ...base,
      state: "value",
      position: positionIn(reading.value, domain),
      text: formatMetric(format, metric, reading.value),
      secondaryText:
        delta === null
          ? undefined
          : `${deltaArrow(delta)} ${formatMetricDelta(format, metric, delta)}`,
      description: `${where}: ${metricName} ${formatMetric(format, metric, reading.value)}; ${t(
        "capabilityMap.cell.previous",
        {
          period: previousName,
          value:
            previous === null
              ? t("capabilityMap.cell.noDataShort")
              : formatMetric(format, metric, previous),
          change: delta === null ? t("common.none") : formatMetricDelta(format, metric, delta),
        },
      )} ${counts}`,
    };
  });

  return (
    <HeatGrid
      testId={testId}
      svgRef={svgRef}
      title={t("capabilityMap.heatMapTitle", {
        metric: metricName,
        period: map.quarter ?? `${map.period.from} – ${map.period.to}`,
      })}
      caption={caption}
      cornerLabel={t("capabilityMap.teams")}
      rows={map.teams.map((team) => ({
        id: team.id,
        label: team.name,
        depth: team.depth,
      }))}
      columns={map.stages.map((stage) => ({
        id: stage,
        label: stageLabel(t, stage),
      }))}
      cells={cells.filter((cell) => byKey.has(cellKey(cell.rowId, cell.columnId)))}
      selected={selected ? { rowId: selected.teamId, columnId: selected.stage } : null}
      onSelect={
        onSelect
          ? (cell) => {
              const found = byKey.get(cellKey(cell.rowId, cell.columnId));
              if (found) onSelect(found);
            }
          : undefined
      }
      legend={{
        title: metricName,
        minimumLabel: formatMetric(format, metric, domain.min),
        maximumLabel: formatMetric(format, metric, domain.max),
        insufficientLabel: t("capabilityMap.legend.tooLittle", {
          minimum: format.count(minimum),
        }),
        emptyLabel: t("capabilityMap.legend.noData"),
      }}
    />
  );
}
