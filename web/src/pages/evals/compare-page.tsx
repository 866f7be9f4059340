/**
 * Two runs compared: each headline metric with its change (coloured by whether higher is better
 * for it), the per-intent F1 changes (sorted by drop, gain, size of change or name), and the cases
 * that flipped — right before and wrong now first, since those are the regressions to read.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "wouter";
import { Delta } from "../../components/delta.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useLocale } from "../review/use-locale.ts";
import { intentLabel, labelDeltaOrders, sortLabelDeltas } from "./eval-display.ts";
import type { IntentNames, LabelDeltaOrder } from "./eval-display.ts";
import { displayedDelta, formatRunDelta, formatRunMetric } from "./run-metric-format.ts";
import type { EvalComparison, EvalRunSummary } from "./types.ts";
import { runMetricBetter, runMetricNames } from "./types.ts";
import "../../components/insights.css";
import "./evals.css";

type Flipped = EvalComparison["rightToWrong"][number];

export default function ComparePage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const baseline = search.get("baseline");
  const candidate = search.get("candidate");
  const comparison = useResource<EvalComparison & { intentNames: IntentNames }>(
    baseline && candidate
      ? `/api/eval-runs/compare?baseline=${encodeURIComponent(baseline)}&candidate=${encodeURIComponent(candidate)}`
      : null,
  );
  const data = comparison.data;

  return (
    <section data-testid="compare-page">
      <Link href="/evals" className="back-link">
        ← {t("evals.back")}
      </Link>
      <PageHeader title={t("evals.compare.title")} />
      {(!baseline || !candidate) && <p className="muted">{t("evals.compare.choose")}</p>}
      {comparison.error !== null && <ErrorMessage error={comparison.error} />}
      {comparison.loading && !data && <p className="muted">{t("common.loading")}</p>}
      {data && (
        <>
          <div className="evals__compare-runs">
            <RunCard role={t("evals.compare.baseline")} run={data.baselineRun} />
            <RunCard role={t("evals.compare.candidate")} run={data.candidateRun} />
          </div>
          <MetricDeltas comparison={data} />
          <LabelDeltas comparison={data} intentNames={data.intentNames} />
          <FlippedCases
            title={t("evals.compare.rightToWrong")}
            cases={data.rightToWrong}
            testId="right-to-wrong"
            intentNames={data.intentNames}
          />
          <FlippedCases
            title={t("evals.compare.wrongToRight")}
            cases={data.wrongToRight}
            testId="wrong-to-right"
            intentNames={data.intentNames}
          />
        </>
      )}
    </section>
  );
}

function RunCard({ role, run }: { role: string; run: EvalRunSummary }) {
  const format = useInsightFormatters();
  return (
    <div className="panel evals__run-card">
      <span className="muted small">{role}</span>
      <h2>
        <Link href={`/evals/runs/${run.id}`}>
          <code>{run.targetDescription}</code>
        </Link>
      </h2>
      <span className="muted small">
        {run.datasetName}@{run.datasetVersion} · {format.dateTime(run.createdAt)}
      </span>
    </div>
  );
}

function MetricDeltas({ comparison }: { comparison: EvalComparison }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  return (
    <div className="panel">
      <h2 className="panel__title">{t("evals.compare.metrics")}</h2>
      <p className="muted small">
        {t("evals.compare.matched", {
          matched: format.count(comparison.matchedCases),
          baselineOnly: format.count(comparison.onlyInBaseline.length),
          candidateOnly: format.count(comparison.onlyInCandidate.length),
        })}
      </p>
      <div className="table-wrap">
        <table className="table table--compact" data-testid="metric-deltas">
          <thead>
            <tr>
              <th scope="col">{t("evals.compare.metric")}</th>
              <th scope="col" className="numeric">
                {t("evals.compare.baseline")}
              </th>
              <th scope="col" className="numeric">
                {t("evals.compare.candidate")}
              </th>
              <th scope="col" className="numeric">
                {t("evals.compare.change")}
              </th>
            </tr>
          </thead>
          <tbody>
            {runMetricNames.map((metric) => {
              const values = comparison.metrics[metric];
              return (
                <tr key={metric} data-testid="metric-delta" data-metric={metric}>
                  <td>{t(`evals.metrics.${metric}`)}</td>
                  <td className="numeric">{formatRunMetric(format, metric, values.baseline)}</td>
                  <td className="numeric">{formatRunMetric(format, metric, values.candidate)}</td>
                  <td className="numeric">
                    <Delta
                      value={displayedDelta(metric, values.delta)}
                      better={runMetricBetter[metric]}
                      format={(value) => formatRunDelta(format, metric, value)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function LabelDeltas({
  comparison,
  intentNames,
}: {
  comparison: EvalComparison;
  intentNames: IntentNames;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const locale = useLocale();
  const [order, setOrder] = useState<LabelDeltaOrder>("drop");
  const intentName = (id: string) => intentLabel(intentNames, id, locale);
  const rows = sortLabelDeltas(comparison.perLabel, order, intentName);
  return (
    <div className="panel">
      <div className="section-header section-header--tight">
        <h2 className="panel__title">{t("evals.compare.perLabel")}</h2>
        <label className="muted small">
          {t("evals.compare.sortBy")}{" "}
          <select
            value={order}
            data-testid="label-sort"
            onChange={(event) => setOrder(event.target.value as LabelDeltaOrder)}
          >
            {labelDeltaOrders.map((value) => (
              <option key={value} value={value}>
                {t(`evals.compare.sort.${value}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="table-wrap">
        <table className="table table--compact" data-testid="label-deltas">
          <thead>
            <tr>
              <th scope="col">{t("evals.detail.label")}</th>
              <th scope="col" className="numeric">
                {t("evals.compare.f1Baseline")}
              </th>
              <th scope="col" className="numeric">
                {t("evals.compare.f1Candidate")}
              </th>
              <th scope="col" className="numeric">
                {t("evals.compare.f1Change")}
              </th>
              <th scope="col" className="numeric">
                {t("evals.compare.precisionChange")}
              </th>
              <th scope="col" className="numeric">
                {t("evals.compare.recallChange")}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} data-testid="label-delta-row" data-label={row.label}>
                <td title={row.label}>{intentName(row.label)}</td>
                <td className="numeric">{format.percentPrecise(row.baseline?.f1)}</td>
                <td className="numeric">{format.percentPrecise(row.candidate?.f1)}</td>
                <td className="numeric">
                  <Delta value={row.f1Delta} better="higher" format={format.signedPercent} />
                </td>
                <td className="numeric">
                  <Delta value={row.precisionDelta} better="higher" format={format.signedPercent} />
                </td>
                <td className="numeric">
                  <Delta value={row.recallDelta} better="higher" format={format.signedPercent} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FlippedCases({
  title,
  cases,
  testId,
  intentNames,
}: {
  title: string;
  cases: Flipped[];
  testId: string;
  intentNames: IntentNames;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const locale = useLocale();
  const none = t("evals.confusion.none");
  const name = (id: string | null) => (id === null ? none : intentLabel(intentNames, id, locale));
  return (
    <div className="panel" data-testid={testId}>
      <h2 className="panel__title">
        {title} <span className="badge badge--neutral">{format.count(cases.length)}</span>
      </h2>
      {cases.length === 0 ? (
        <p className="muted">{t("evals.compare.noFlips")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">{t("evals.detail.utterance")}</th>
                <th scope="col">{t("evals.detail.expected")}</th>
                <th scope="col">{t("evals.compare.baselinePredicted")}</th>
                <th scope="col">{t("evals.compare.candidatePredicted")}</th>
              </tr>
            </thead>
            <tbody>
              {cases.slice(0, 200).map((flip) => (
                <tr key={flip.caseId}>
                  <td title={flip.caseId}>{flip.text ?? <code>{flip.caseId}</code>}</td>
                  <td>
                    {name(flip.candidateExpected)}
                    {flip.baselineExpected !== flip.candidateExpected && (
                      <span className="muted small">
                        {" "}
                        (
                        {t("evals.compare.relabelled", {
                          before: name(flip.baselineExpected),
                        })}
                        )
                      </span>
                    )}
                  </td>
                  <td>{name(flip.baselinePredicted)}</td>
                  <td>{name(flip.candidatePredicted)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
