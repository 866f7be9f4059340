/**
 * One trace: the run's facts (agent@version, engine, model, connector, tokens, cost, latency, the
 * call), then a waterfall of its spans — a bar per span placed by its start and duration — each
 * expandable to what it held (span-body.tsx). Spans that failed are open from the start.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { useResource } from "../../components/use-resource.ts";
import { SpanBody } from "./span-body.tsx";
import { statusBadge } from "./traces-page.tsx";
import type { TraceDetail } from "./types.ts";
import { prettyJson, waterfallBars } from "./waterfall.ts";
import "./traces.css";

export default function TraceDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const resource = useResource<TraceDetail>(`/api/traces/${id}`);
  const [open, setOpen] = useState<Set<string> | null>(null);
  const trace = resource.data;

  if (resource.error !== null)
    return (
      <div className="trace-detail">
        <Link href="/traces" className="back-link">
          ← {t("traces.back")}
        </Link>
        <ErrorMessage error={resource.error} />
      </div>
    );
  if (!trace) return <p className="muted">{t("common.loading")}</p>;

  const expanded = open ?? new Set(trace.spans.filter((span) => span.status === "error").map((span) => span.id));
  const toggle = (spanId: string) => {
    const next = new Set(expanded);
    if (next.has(spanId)) next.delete(spanId);
    else next.add(spanId);
    setOpen(next);
  };
  const bars = new Map(waterfallBars(trace, trace.spans).map((bar) => [bar.id, bar]));
  const facts: Array<[string, React.ReactNode]> = [
    [t("traces.summary.version"), <code key="v">{trace.agentVersion}</code>],
    [t("traces.summary.engine"), t(`traces.engines.${trace.engine}`)],
    [t("traces.summary.model"), <code key="m">{trace.model ?? "—"}</code>],
    [t("traces.summary.connector"), trace.connectorName ?? <code key="c">{trace.connectorId ?? "—"}</code>],
    [t("traces.summary.started"), format.dateTime(trace.startedAt)],
    [t("traces.summary.latency"), format.milliseconds(trace.latencyMs)],
    [t("traces.summary.tokens"), `${format.count(trace.inputTokens)} / ${format.count(trace.outputTokens)}`],
    [t("traces.summary.cost"), format.usd(trace.costUsd)],
    [
      t("traces.summary.call"),
      trace.recordingId ? <Link key="r" href={`/recordings/${trace.recordingId}`}>{trace.recordingTitle ?? trace.recordingId}</Link> : t("traces.noCall"),
    ],
  ];

  return (
    <div className="trace-detail" data-testid="trace-detail" data-status={trace.status}>
      <Link href="/traces" className="back-link">
        ← {t("traces.back")}
      </Link>
      <div className="page-header">
        <div>
          <h1>
            {t("traces.detailTitle", { agent: trace.agent, call: trace.recordingTitle ?? t("traces.noCall") })}{" "}
            <span className={`badge ${statusBadge[trace.status]}`}>{t(`traces.statuses.${trace.status}`)}</span>
          </h1>
        </div>
      </div>
      {trace.error && (
        <div className="trace-error" role="alert" data-testid="trace-error">
          <strong>{t("traces.traceError")}:</strong> <span>{trace.error}</span>
        </div>
      )}
      <dl className="panel trace-facts">
        {facts.map(([label, value]) => (
          <div key={label} className="trace-facts__item">
            <dt className="muted small">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {trace.masked && <p className="message" data-testid="trace-masked">{t("traces.masked")}</p>}

      <section className="panel">
        <h2 className="panel__title">{t("traces.waterfall")}</h2>
        <ol className="trace-waterfall" aria-label={t("traces.waterfallLabel")} data-testid="trace-waterfall">
          {trace.spans.map((span) => {
            const bar = bars.get(span.id)!;
            const isOpen = expanded.has(span.id);
            return (
              <li key={span.id} className={`trace-span trace-span--${span.kind}`} data-testid="trace-span" data-kind={span.kind} data-status={span.status}>
                <button
                  type="button"
                  className="trace-span__row"
                  aria-expanded={isOpen}
                  title={isOpen ? t("traces.span.collapse") : t("traces.span.expand")}
                  onClick={() => toggle(span.id)}
                >
                  <span className="trace-span__name" style={{ paddingLeft: `${bar.depth * 16}px` }}>
                    <span className="trace-span__chevron" aria-hidden="true">{isOpen ? "▾" : "▸"}</span>
                    <span className={`trace-kind trace-kind--${span.kind}`}>{t(`traces.kinds.${span.kind}`)}</span>
                    <span className={span.status === "error" ? "trace-span__label trace-span__label--error" : "trace-span__label"}>{span.name}</span>
                  </span>
                  <span className="trace-span__track" aria-hidden="true">
                    <span
                      className={`trace-span__bar trace-span__bar--${span.status}`}
                      data-testid="trace-span-bar"
                      style={{ left: `${bar.offset * 100}%`, width: `${bar.width * 100}%` }}
                    />
                  </span>
                  <span className="trace-span__duration numeric">{format.milliseconds(span.durationMs)}</span>
                </button>
                {isOpen && <SpanBody span={span} />}
              </li>
            );
          })}
        </ol>
      </section>
      {trace.output !== null && trace.output !== undefined && (
        <section className="panel">
          <h2 className="panel__title">{t("traces.output")}</h2>
          <pre className="trace-pre trace-pre--json">{prettyJson(trace.output)}</pre>
        </section>
      )}
    </div>
  );
}
