/**
 * The trace list: filters above (kept in the URL, so the capability map's drill-down and a shared
 * link open the same view), totals over the whole filter, then one row per agent run — status,
 * agent@version, engine, model, connector, call, tokens, cost, latency — newest first, with "Load
 * more" following the server's cursor.
 */
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearch } from "wouter";
import { api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import type { TraceList, TraceSummary } from "./types.ts";
import "./traces.css";

/** Filters the form edits; the others (team, stage, call, run) arrive in links and show as chips. */
const editable = ["q", "agent", "agentVersion", "connectorId", "status", "minCost", "maxCost", "from", "to"] as const;
const linked = ["teamId", "stage", "recordingId", "agentRunId"] as const;
type FilterName = (typeof editable)[number] | (typeof linked)[number];
type Filters = Partial<Record<FilterName, string>>;

function filtersFrom(search: string): Filters {
  const params = new URLSearchParams(search);
  const filters: Filters = {};
  for (const name of [...editable, ...linked]) {
    const value = params.get(name)?.trim();
    if (value) filters[name] = value;
  }
  return filters;
}

function searchOf(filters: Filters): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
  return params.toString();
}

export const statusBadge = { ok: "badge--success", error: "badge--danger", running: "badge--accent" } as const;

export default function TracesPage() {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = filtersFrom(search);
  const query = searchOf(filters);
  const [draft, setDraft] = useState<Filters>(filters);
  const first = useResource<TraceList>(`/api/traces?${query}${query ? "&" : ""}limit=50`);
  const [more, setMore] = useState<{ traces: TraceSummary[]; cursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);

  useEffect(() => {
    setDraft(filtersFrom(search));
    setMore(null);
  }, [search]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next: Filters = { ...Object.fromEntries(linked.map((name) => [name, filters[name]])), ...draft };
    navigate(`/traces${searchOf(next) ? `?${searchOf(next)}` : ""}`);
  };
  const clear = () => navigate("/traces");
  const loadMore = async (cursor: string) => {
    try {
      const page = await api.get<TraceList>(`/api/traces?${query}${query ? "&" : ""}limit=50&cursor=${encodeURIComponent(cursor)}`);
      setMore((current) => ({ traces: [...(current?.traces ?? []), ...page.traces], cursor: page.nextCursor }));
    } catch (error) {
      setMoreError(error);
    }
  };

  const data = first.data;
  const rows = data ? [...data.traces, ...(more?.traces ?? [])] : [];
  const cursor = more ? more.cursor : (data?.nextCursor ?? null);
  const field = (name: (typeof editable)[number], label: string, type = "text", extra: Record<string, string> = {}) => (
    <label className={`field traces-filter traces-filter--${name}`}>
      <span className="field__label">{label}</span>
      <input
        type={type}
        value={draft[name] ?? ""}
        data-testid={`trace-filter-${name}`}
        onChange={(event) => setDraft((current) => ({ ...current, [name]: event.target.value }))}
        {...extra}
      />
    </label>
  );
  const chips = linked.filter((name) => filters[name]);

  return (
    <div className="traces-page">
      <PageHeader title={t("traces.title")} intro={t("traces.intro")} />
      <form className="panel traces-filters" role="search" aria-label={t("traces.filters.label")} onSubmit={apply}>
        <div className="traces-filters__row">
          {field("q", t("traces.filters.search"), "search", { placeholder: t("traces.filters.searchPlaceholder") })}
          {field("agent", t("traces.filters.agent"))}
          {field("agentVersion", t("traces.filters.agentVersion"))}
          <label className="field traces-filter">
            <span className="field__label">{t("traces.filters.status")}</span>
            <select
              value={draft.status ?? ""}
              data-testid="trace-filter-status"
              onChange={(event) => setDraft((current) => ({ ...current, status: event.target.value }))}
            >
              <option value="">{t("traces.filters.anyStatus")}</option>
              {(["ok", "error", "running"] as const).map((status) => (
                <option key={status} value={status}>
                  {t(`traces.statuses.${status}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="traces-filters__row">
          {field("connectorId", t("traces.filters.connector"))}
          {field("minCost", t("traces.filters.minCost"), "number", { min: "0", step: "0.0001" })}
          {field("maxCost", t("traces.filters.maxCost"), "number", { min: "0", step: "0.0001" })}
          {field("from", t("traces.filters.from"), "date")}
          {field("to", t("traces.filters.to"), "date")}
        </div>
        <div className="toolbar">
          <button type="submit" className="button button--primary" data-testid="trace-filter-apply">
            {t("traces.filters.apply")}
          </button>
          <button type="button" className="button button--ghost" onClick={clear}>
            {t("traces.filters.clear")}
          </button>
          {chips.length > 0 && (
            <span className="muted small" data-testid="trace-linked-filters">
              {t("traces.filters.active", {
                filters: chips
                  .map((name) =>
                    name === "stage"
                      ? `${t("traces.filters.stage")}: ${stageLabel(t, filters.stage!)}`
                      : name === "teamId"
                        ? `${t("traces.filters.team")}: ${data?.traces.find((trace) => trace.teamId === filters.teamId)?.teamName ?? filters.teamId!.slice(0, 8)}`
                        : `${t("traces.filters.recording")}: ${filters[name]!.slice(0, 8)}`,
                  )
                  .join(" · "),
              })}
            </span>
          )}
        </div>
      </form>

      {first.error !== null && <ErrorMessage error={first.error} />}
      {data && (
        <p className="muted traces-totals" data-testid="trace-totals">
          {t("traces.totals", {
            traces: format.count(data.totals.traces),
            errors: format.count(data.totals.errors),
            tokens: format.count(data.totals.inputTokens + data.totals.outputTokens),
            cost: format.usd(data.totals.costUsd),
          })}
        </p>
      )}
      {!data && first.loading && <p className="muted">{t("common.loading")}</p>}
      {data && rows.length === 0 && <p className="panel empty-state">{t("traces.empty")}</p>}
      {rows.length > 0 && (
        <div className="panel table-wrap">
          <table className="table table--compact traces-table" data-testid="trace-list">
            <thead>
              <tr>
                <th scope="col">{t("traces.columns.started")}</th>
                <th scope="col">{t("traces.columns.status")}</th>
                <th scope="col">{t("traces.columns.agent")}</th>
                <th scope="col">{t("traces.columns.engine")}</th>
                <th scope="col">{t("traces.columns.model")}</th>
                <th scope="col">{t("traces.columns.connector")}</th>
                <th scope="col">{t("traces.columns.call")}</th>
                <th scope="col" className="numeric">{t("traces.columns.tokens")}</th>
                <th scope="col" className="numeric">{t("traces.columns.cost")}</th>
                <th scope="col" className="numeric">{t("traces.columns.latency")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((trace) => (
                <tr key={trace.id} data-testid="trace-row" data-status={trace.status}>
                  <td className="nowrap">
                    <Link href={`/traces/${trace.id}`}>{format.dateTime(trace.startedAt)}</Link>
                  </td>
                  <td>
                    <span className={`badge ${statusBadge[trace.status]}`} title={trace.error ?? undefined}>
                      {t(`traces.statuses.${trace.status}`)}
                    </span>
                  </td>
                  <td>
                    <Link href={`/traces/${trace.id}`} className="traces-agent">
                      {trace.agent}
                      <span className="muted">@{trace.agentVersion.split("@").pop()}</span>
                    </Link>
                  </td>
                  <td>{t(`traces.engines.${trace.engine}`)}</td>
                  <td>
                    <code>{trace.model ?? "—"}</code>
                  </td>
                  <td>
                    {trace.connectorName ?? <code title={trace.connectorId ?? undefined}>{trace.connectorId ? trace.connectorId.slice(0, 8) : "—"}</code>}
                  </td>
                  <td className="traces-call">
                    {trace.recordingTitle ?? t("traces.noCall")}
                    {trace.teamName && <span className="muted small"> · {trace.teamName}</span>}
                  </td>
                  <td className="numeric">{format.count(trace.inputTokens + trace.outputTokens)}</td>
                  <td className="numeric">{format.usd(trace.costUsd)}</td>
                  <td className="numeric nowrap">{format.milliseconds(trace.latencyMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError !== null && <ErrorMessage error={moreError} />}
      {cursor && (
        <button type="button" className="button" data-testid="trace-load-more" onClick={() => void loadMore(cursor)}>
          {t("traces.loadMore")}
        </button>
      )}
    </div>
  );
}
