/**
 * The capability map as CSV, one row per cell, for Excel: UTF-8 with a byte-order mark (without it
 * Excel shows Chinese team names as mojibake), CRLF line ends as RFC 4180 asks, empty fields for
 * null metrics. Text that Excel would run as a formula (=, +, -, @ first) is prefixed with an
 * apostrophe, so a team named "=HYPERLINK(…)" stays a name.
 */
import type { CapabilityMap } from "./capability-map.ts";
import type { CellSummary, MetricName } from "./metrics.ts";
import { metricNames } from "./metrics.ts";
import { teamLabels } from "./team-tree.ts";

const countColumns = [
  ["invocations", "invocations"],
  ["drafted_items", "draftedItems"],
  ["decided_items", "decidedItems"],
  ["accepted_items", "acceptedItems"],
  ["rejected_items", "rejectedItems"],
  ["overridden_items", "overriddenItems"],
  ["intent_decisions", "intentDecisions"],
  ["timed_decisions", "timedDecisions"],
  ["eval_cases", "evalCases"],
] as const satisfies ReadonlyArray<readonly [string, keyof CellSummary]>;

const metricColumns: Record<MetricName, string> = {
  penetration: "penetration",
  penetrationDecided: "penetration_decided",
  interventionRate: "intervention_rate",
  intentAccuracy: "intent_accuracy",
  medianResponseMs: "median_response_ms",
  p90ResponseMs: "p90_response_ms",
  evalAccuracy: "eval_accuracy",
  agentInvocations: "agent_invocations",
  aiCostUsd: "ai_cost_usd",
};

export function formatCapabilityMapCsv(map: CapabilityMap): string {
  const labels = teamLabels(map.teams);
  const depths = new Map(map.teams.map((team) => [team.id, team.depth]));
  const period = map.quarter ?? `${map.period.from}..${map.period.to}`;
  const previousPeriod =
    map.previousQuarter ?? `${map.previousPeriod.from}..${map.previousPeriod.to}`;
  const header = [
    "period",
    "previous_period",
    "team",
    "team_id",
    "depth",
    "stage",
    ...countColumns.map(([column]) => column),
    ...metricNames.map((metric) => metricColumns[metric]),
    "insufficient_data",
    ...map.metrics.flatMap((metric) => [
      `previous_${metricColumns[metric]}`,
      `delta_${metricColumns[metric]}`,
    ]),
  ];
  const rows = map.cells.map((cell) => [
    period,
    previousPeriod,
    labels.get(cell.teamId) ?? cell.teamId,
    cell.teamId,
    depths.get(cell.teamId) ?? 0,
    cell.stage,
    ...countColumns.map(([, field]) => cell[field]),
    ...metricNames.map((metric) => cell[metric]),
    cell.insufficientData,
    ...map.metrics.flatMap((metric) => [cell.previous[metric], cell.delta[metric] ?? null]),
  ]);
  return (
    "\ufeff" + [header, ...rows].map((row) => row.map(formatField).join(",") + "\r\n").join("")
  );
}

export function formatField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
