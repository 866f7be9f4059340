/**
 * The trainer dashboard: per trainer and per team, decisions per day, how often the draft was
 * corrected or rejected, the median time to decide ("calibration response time") and agreement
 * with other trainers (Cohen's κ on double-labelled intents). Trainers see themselves; managers
 * and admins see the trainers of their part of the organisation (the server decides).
 */
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useSearchParams } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import type { Formatters } from "../../i18n/format.ts";
import { useFormatters } from "../../i18n/format.ts";
import { loadDashboard } from "../review/review-api.ts";
import type { DashboardResponse } from "../review/review-types.ts";
import { DailyBars } from "./daily-bars.tsx";
import type { TeamFigures } from "./dashboard-figures.ts";
import {
  dailySeries,
  daysBetween,
  isIsoDay,
  lastDays,
  requestRange,
  teamFigures,
} from "./dashboard-figures.ts";
import "./dashboard.css";

const presets = [
  { days: 7, label: "dashboard.presets.week" },
  { days: 30, label: "dashboard.presets.month" },
  { days: 90, label: "dashboard.presets.quarter" },
] as const;

type Translate = ReturnType<typeof useTranslation>["t"];

/** Seconds below a minute ("4.2 s"), a clock reading above ("1:05"). */
function decisionTime(milliseconds: number | null, format: Formatters, t: Translate): string {
  if (milliseconds === null) return t("common.none");
  if (milliseconds >= 60_000) return format.duration(milliseconds);
  return t("dashboard.seconds", {
    value: format.number(Math.round(milliseconds / 100) / 10),
  });
}

function rate(value: number | null, format: Formatters, t: Translate): string {
  return value === null ? t("common.none") : format.percent(value);
}

const kappaText = (value: number, format: Formatters) =>
  format.number(Math.round(value * 100) / 100);

export default function DashboardPage() {
  const { t } = useTranslation();
  const format = useFormatters();
  const [, navigate] = useLocation();
  const [searchParams] = useSearchParams();
  const fallback = lastDays(30);
  const from = isIsoDay(searchParams.get("from")) ? searchParams.get("from")! : fallback.from;
  const to = isIsoDay(searchParams.get("to")) ? searchParams.get("to")! : fallback.to;
  const [draftRange, setDraftRange] = useState({ from, to });
  const [data, setData] = useState<DashboardResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const invalid = from > to;

  useEffect(() => setDraftRange({ from, to }), [from, to]);

  useEffect(() => {
    if (invalid) return;
    let cancelled = false;
    setError(null);
    loadDashboard(requestRange(from, to))
      .then((response) => {
        if (!cancelled) setData(response);
      })
      .catch((caught: unknown) => {
        if (!cancelled) setError(caught);
      });
    return () => {
      cancelled = true;
    };
  }, [from, to, invalid]);

  const days = useMemo(() => daysBetween(from, to), [from, to]);
  const teams = useMemo(() => teamFigures(data?.trainers ?? []), [data]);
  const showRange = (range: { from: string; to: string }) =>
    navigate(`/dashboard?${new URLSearchParams(range).toString()}`, {
      replace: true,
    });

  return (
    <section data-testid="dashboard">
      <PageHeader title={t("dashboard.title")} intro={t("dashboard.intro")} />

      <form
        className="panel range-picker"
        onSubmit={(event) => {
          event.preventDefault();
          showRange(draftRange);
        }}
      >
        <label className="field">
          <span className="field__label">{t("dashboard.from")}</span>
          <input
            type="date"
            value={draftRange.from}
            max={draftRange.to}
            required
            data-testid="range-from"
            onChange={(event) => setDraftRange({ ...draftRange, from: event.target.value })}
          />
        </label>
        <label className="field">
          <span className="field__label">{t("dashboard.to")}</span>
          <input
            type="date"
            value={draftRange.to}
            min={draftRange.from}
            required
            data-testid="range-to"
            onChange={(event) => setDraftRange({ ...draftRange, to: event.target.value })}
          />
        </label>
        <button type="submit" className="button button--primary" data-testid="range-apply">
          {t("dashboard.apply")}
        </button>
        <div className="toolbar">
          {presets.map((preset) => (
            <button
              key={preset.days}
              type="button"
              className="button button--ghost button--small"
              onClick={() => showRange(lastDays(preset.days))}
            >
              {t(preset.label)}
            </button>
          ))}
        </div>
      </form>

      {invalid && <p className="message message--error">{t("dashboard.invalidRange")}</p>}
      {error !== null && (
        <div className="panel">
          <p className="message message--error">{t("dashboard.loadFailed")}</p>
          <ErrorMessage error={error} />
        </div>
      )}
      {!invalid && data === null && error === null && (
        <p className="muted">{t("common.loading")}</p>
      )}
      {!invalid && data !== null && data.trainers.length === 0 && (
        <div className="panel empty-state" data-testid="dashboard-empty">
          <p>{t("dashboard.empty")}</p>
        </div>
      )}
      {!invalid && data !== null && data.trainers.length > 0 && (
        <>
          <div className="panel">
            <h2 className="panel__title">{t("dashboard.chartTitle")}</h2>
            <DailyBars
              days={days}
              values={dailySeries(data.daily, days)}
              label={t("dashboard.chartLabel", {
                from: format.date(from),
                to: format.date(to),
              })}
            />
          </div>

          <h2 className="section-header">{t("dashboard.byTrainer")}</h2>
          <div className="panel panel--flush">
            <div className="table-wrap">
              <table className="table" data-testid="trainer-table">
                <thead>
                  <tr>
                    <th>{t("dashboard.columns.trainer")}</th>
                    <th>{t("dashboard.columns.team")}</th>
                    <th className="numeric">{t("dashboard.columns.decisions")}</th>
                    <th className="numeric">{t("dashboard.columns.perDay")}</th>
                    <th>{t("dashboard.columns.daily")}</th>
                    <th className="numeric">{t("dashboard.columns.overrideRate")}</th>
                    <th className="numeric">{t("dashboard.columns.rejectRate")}</th>
                    <th className="numeric" title={t("dashboard.medianHint")}>
                      {t("dashboard.columns.median")}
                    </th>
                    <th className="numeric" title={t("dashboard.agreementHint")}>
                      {t("dashboard.columns.agreement")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.trainers.map((trainer) => (
                    <tr
                      key={trainer.userId}
                      data-testid="trainer-row"
                      data-user-id={trainer.userId}
                    >
                      <td className="table__primary">{trainer.name}</td>
                      <td>{trainer.teamName}</td>
                      <td className="numeric" data-testid="trainer-decisions">
                        {format.number(trainer.decisions)}
                      </td>
                      <td className="numeric">
                        {format.number(Math.round(trainer.decisionsPerDay * 10) / 10)}
                      </td>
                      <td className="sparkline-cell">
                        <DailyBars
                          days={days}
                          values={dailySeries(data.daily, days, new Set([trainer.userId]))}
                          height={24}
                          compact
                          label={t("dashboard.chartLabel", {
                            from: format.date(from),
                            to: format.date(to),
                          })}
                        />
                      </td>
                      <td className="numeric" data-testid="trainer-override-rate">
                        {rate(trainer.overrideRate, format, t)}
                      </td>
                      <td className="numeric">{rate(trainer.rejectRate, format, t)}</td>
                      <td className="numeric" data-testid="trainer-median">
                        {decisionTime(trainer.medianDecisionMs, format, t)}
                      </td>
                      <td className="numeric" data-testid="trainer-agreement">
                        {trainer.kappaItems === 0 || trainer.kappa === null ? (
                          <span className="muted">{t("dashboard.notEnoughOverlap")}</span>
                        ) : (
                          <>
                            {kappaText(trainer.kappa, format)}{" "}
                            <span className="muted small">
                              {t("dashboard.pairs", {
                                number: format.number(trainer.kappaItems),
                              })}
                            </span>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>

          <h2 className="section-header">{t("dashboard.byTeam")}</h2>
          <div className="panel panel--flush">
            <div className="table-wrap">
              <table className="table" data-testid="team-table">
                <thead>
                  <tr>
                    <th>{t("dashboard.columns.team")}</th>
                    <th className="numeric">{t("dashboard.columns.trainers")}</th>
                    <th className="numeric">{t("dashboard.columns.decisions")}</th>
                    <th className="numeric">{t("dashboard.columns.perDay")}</th>
                    <th>{t("dashboard.columns.daily")}</th>
                    <th className="numeric">{t("dashboard.columns.overrideRate")}</th>
                    <th className="numeric">{t("dashboard.columns.rejectRate")}</th>
                    <th className="numeric" title={t("dashboard.medianHint")}>
                      {t("dashboard.columns.median")}
                    </th>
                    <th className="numeric" title={t("dashboard.agreementHint")}>
                      {t("dashboard.columns.agreement")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {teams.map((team) => (
                    <TeamRow key={team.teamName} team={team} days={days} data={data} />
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function TeamRow({
  team,
  days,
  data,
}: {
  team: TeamFigures;
  days: string[];
  data: DashboardResponse;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const range = (span: { low: number; high: number } | null, show: (value: number) => string) =>
    span === null
      ? t("common.none")
      : span.low === span.high
        ? show(span.low)
        : t("dashboard.range", { low: show(span.low), high: show(span.high) });
  return (
    <tr data-testid="team-row">
      <td className="table__primary">{team.teamName}</td>
      <td className="numeric">{format.number(team.trainers)}</td>
      <td className="numeric">{format.number(team.decisions)}</td>
      <td className="numeric">{format.number(Math.round(team.decisionsPerDay * 10) / 10)}</td>
      <td className="sparkline-cell">
        <DailyBars
          days={days}
          values={dailySeries(data.daily, days, team.userIds)}
          height={24}
          compact
          label={team.teamName}
        />
      </td>
      <td className="numeric">{rate(team.overrideRate, format, t)}</td>
      <td className="numeric">{rate(team.rejectRate, format, t)}</td>
      <td className="numeric">
        {range(team.medianDecisionMs, (value) => decisionTime(value, format, t))}
      </td>
      <td className="numeric">
        {team.kappaItems === 0 ? (
          <span className="muted">{t("dashboard.notEnoughOverlap")}</span>
        ) : (
          <>
            {range(team.kappa, (value) => kappaText(value, format))}{" "}
            <span className="muted small">
              {t("dashboard.pairs", { number: format.number(team.kappaItems) })}
            </span>
          </>
        )}
      </td>
    </tr>
  );
}
