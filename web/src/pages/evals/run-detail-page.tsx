/**
 * One eval run: live progress while it runs, then its metrics — accuracy, macro-F1, per-intent
 * precision / recall / F1 / support, the confusion matrix as a heat grid, latency, tokens and
 * cost — and the cases it got wrong, by their utterance. Intents read by their taxonomy names, and
 * a test set too small to measure anything says so above the figures.
 */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useJobEvents } from "../../live/job-events.ts";
import { useState } from "react";
import { useLocale } from "../review/use-locale.ts";
import { ConfusionMatrix } from "./confusion-matrix.tsx";
import { intentLabel, isSmallTestSet, minimumReliableCases } from "./eval-display.ts";
import type { IntentNames } from "./eval-display.ts";
import { RunStatus } from "./run-status.tsx";
import type { EvalResult, EvalRun } from "./types.ts";
import type { LiveProgress } from "./use-eval-runs.ts";
import "../../components/insights.css";
import "./evals.css";

export default function RunDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const run = useResource<{ run: EvalRun; intentNames: IntentNames }>(`/api/eval-runs/${id}`);
  const [live, setLive] = useState<LiveProgress | undefined>(undefined);

  useJobEvents(
    (event) => {
      if (event.queue !== "eval-run" || event.subjectId !== id) return;
      if (event.state === "completed" || event.state === "failed") void run.reload();
      else setLive({ progress: event.progress, stage: event.stage });
    },
    () => void run.reload(),
  );

  const data = run.data?.run ?? null;
  return (
    <section data-testid="run-detail">
      <Link href="/evals" className="back-link">
        ← {t("evals.back")}
      </Link>
      {run.error !== null && <ErrorMessage error={run.error} />}
      {!data && run.error === null && <p className="muted">{t("common.loading")}</p>}
      {data && (
        <>
          <PageHeader
            title={t("evals.detail.title", {
              target: data.targetDescription,
              dataset: `${data.datasetName}@${data.datasetVersion}`,
            })}
            actions={<RunStatus run={data} live={live} />}
          />
          <RunFacts run={data} />
          {data.status === "completed" && data.metrics && (
            <RunMetrics run={data} intentNames={run.data?.intentNames} />
          )}
        </>
      )}
    </section>
  );
}

function RunFacts({ run }: { run: EvalRun }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  return (
    <p className="muted evals__facts" data-testid="run-facts">
      {[
        t("evals.detail.created", { date: format.dateTime(run.createdAt) }),
        run.finishedAt
          ? t("evals.detail.finished", {
              date: format.dateTime(run.finishedAt),
            })
          : null,
        run.metrics
          ? t("evals.detail.duration", {
              duration: format.milliseconds(run.metrics.durationMs),
            })
          : null,
        run.target.model ? t("evals.detail.model", { model: run.target.model }) : null,
        run.options.limit
          ? t("evals.detail.limit", { limit: format.count(run.options.limit) })
          : null,
      ]
        .filter(Boolean)
        .join(" · ")}
    </p>
  );
}

function RunMetrics({ run, intentNames }: { run: EvalRun; intentNames?: IntentNames }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const locale = useLocale();
  const intentName = (id: string) => intentLabel(intentNames, id, locale);
  const metrics = run.metrics!;
  const labels = Object.entries(metrics.perLabel).sort(
    ([, left], [, right]) => left.f1 - right.f1 || right.support - left.support,
  );
  const wrong = useResource<{ total: number; results: EvalResult[] }>(
    `/api/eval-runs/${run.id}/results?wrong=true&limit=100`,
  );
  const actionItems = metrics.actionItems ?? null;
  const cards: Array<[string, string, string?]> = [
    [
      // Action items: the share of calls whose items all matched (see eval-runs.ts, agentMetrics).
      actionItems ? t("evals.actionItems.exactCalls") : t("evals.metrics.accuracy"),
      format.percentPrecise(metrics.accuracy),
      t("evals.detail.correct", {
        correct: format.count(metrics.correct),
        cases: format.count(metrics.caseCount),
      }),
    ],
    [
      t("evals.metrics.macroF1"),
      format.percentPrecise(metrics.macroF1),
      t("evals.detail.macroPR", {
        precision: format.percentPrecise(metrics.macroPrecision),
        recall: format.percentPrecise(metrics.macroRecall),
      }),
    ],
    [t("evals.metrics.microF1"), format.percentPrecise(metrics.microF1)],
    [
      t("evals.metrics.errorRate"),
      format.percentPrecise(metrics.errorRate),
      t("evals.detail.errors", { errors: format.count(metrics.errors) }),
    ],
    [t("evals.metrics.latencyP50Ms"), format.milliseconds(metrics.latencyP50Ms)],
    [t("evals.metrics.latencyP95Ms"), format.milliseconds(metrics.latencyP95Ms)],
    [
      t("evals.metrics.tokens"),
      format.count(metrics.tokens.total),
      t("evals.detail.tokenSplit", {
        input: format.count(metrics.tokens.input),
        output: format.count(metrics.tokens.output),
      }),
    ],
    [
      t("evals.metrics.costUsd"),
      format.usd(metrics.costUsd),
      t("evals.detail.spent", {
        spent: format.usd(metrics.spent.costUsd),
        cached: format.count(metrics.cachedCases),
      }),
    ],
  ];

  return (
    <>
      {actionItems && <ActionItemScoresPanel scores={actionItems} />}
      {isSmallTestSet(metrics.caseCount) && (
        <p className="evals__warning" role="note" data-testid="small-test-set">
          {t("evals.detail.smallTestSet", {
            cases: format.count(metrics.caseCount),
            minimum: format.count(minimumReliableCases),
          })}
        </p>
      )}
      <dl className="metric-cards" data-testid="run-metrics">
        {cards.map(([label, value, detail]) => (
          <div key={label} className="metric-card" data-testid="metric-card">
            <dt>{label}</dt>
            <dd>
              {value}
              {detail && <span className="metric-card__detail">{detail}</span>}
            </dd>
          </div>
        ))}
      </dl>

      <div className="evals__columns">
        <div className="panel">
          <h2 className="panel__title">
            {actionItems ? t("evals.actionItems.perType") : t("evals.detail.perLabel")}
          </h2>
          <div className="table-wrap">
            <table className="table table--compact" data-testid="per-label-table">
              <thead>
                <tr>
                  <th scope="col">
                    {actionItems ? t("evals.actionItems.type") : t("evals.detail.label")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("evals.detail.precision")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("evals.detail.recall")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("evals.detail.f1")}
                  </th>
                  <th scope="col" className="numeric">
                    {t("evals.detail.support")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {labels.map(([label, values]) => (
                  <tr key={label} data-testid="per-label-row" data-label={label}>
                    <td title={label}>{intentName(label)}</td>
                    <td className="numeric">{format.percentPrecise(values.precision)}</td>
                    <td className="numeric">{format.percentPrecise(values.recall)}</td>
                    <td className="numeric nowrap">
                      {format.percentPrecise(values.f1)}
                      <span className="meter" aria-hidden="true">
                        <span
                          className="meter__bar"
                          style={{ width: `${Math.round(values.f1 * 100)}%` }}
                        />
                      </span>
                    </td>
                    <td className="numeric">{format.count(values.support)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {metrics.unknownPredictions.length > 0 && (
            <p className="muted small">
              {t("evals.detail.unknownPredictions", {
                labels: metrics.unknownPredictions.join(", "),
              })}
            </p>
          )}
        </div>
        {!actionItems && (
          <div className="panel">
            <h2 className="panel__title">{t("evals.confusion.title")}</h2>
            <ConfusionMatrix confusion={metrics.confusion} intentName={intentName} />
          </div>
        )}
      </div>

      <div className="panel">
        <h2 className="panel__title">{t("evals.detail.wrong")}</h2>
        {wrong.error !== null && <ErrorMessage error={wrong.error} />}
        {wrong.data && wrong.data.results.length === 0 && (
          <p className="muted">{t("evals.detail.noneWrong")}</p>
        )}
        {wrong.data && wrong.data.results.length > 0 && (
          <>
            <p className="muted small">
              {t("evals.detail.wrongShown", {
                shown: format.count(wrong.data.results.length),
                total: format.count(wrong.data.total),
              })}
            </p>
            <div className="table-wrap">
              <table className="table table--compact" data-testid="wrong-results">
                <thead>
                  <tr>
                    <th scope="col">
                      {actionItems ? t("evals.actionItems.call") : t("evals.detail.utterance")}
                    </th>
                    <th scope="col">{t("evals.detail.expected")}</th>
                    <th scope="col">{t("evals.detail.predicted")}</th>
                    <th scope="col" className="numeric">
                      {t("evals.detail.confidence")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {wrong.data.results.map((result) => (
                    <tr key={result.caseKey} data-testid="wrong-result">
                      <td title={result.caseKey}>
                        {result.text === null ? (
                          <code>{result.caseKey}</code>
                        ) : actionItems && result.text.length > 160 ? (
                          `${result.text.slice(0, 160)}…`
                        ) : (
                          result.text
                        )}
                      </td>
                      <td title={result.expected}>{intentName(result.expected)}</td>
                      <td title={result.predicted ?? undefined}>
                        {result.error ? (
                          <span className="status__reason">{result.error}</span>
                        ) : result.predicted === null ? (
                          t("evals.confusion.none")
                        ) : (
                          intentName(result.predicted)
                        )}
                      </td>
                      <td className="numeric">{format.percentPrecise(result.confidence)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
    </>
  );
}

/** Item-level figures of an action-item agent run: matched by type and utterance, by type only, and with the due date. */
function ActionItemScoresPanel({ scores }: { scores: NonNullable<EvalRun["metrics"]>["actionItems"] & object }) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const rows = [
    ["strict", scores.strict],
    ["typeOnly", scores.typeOnly],
    ["withDueDate", scores.withDueDate],
  ] as const;
  return (
    <div className="panel" data-testid="action-item-scores">
      <h2 className="panel__title">{t("evals.actionItems.title")}</h2>
      <p className="muted small">
        {t("evals.actionItems.intro", {
          calls: format.count(scores.calls),
          exact: format.count(scores.exactCalls),
        })}
      </p>
      <div className="table-wrap">
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">{t("evals.actionItems.matching")}</th>
              <th scope="col" className="numeric">{t("evals.detail.precision")}</th>
              <th scope="col" className="numeric">{t("evals.detail.recall")}</th>
              <th scope="col" className="numeric">{t("evals.detail.f1")}</th>
              <th scope="col" className="numeric">{t("evals.actionItems.matched")}</th>
              <th scope="col" className="numeric">{t("evals.actionItems.predicted")}</th>
              <th scope="col" className="numeric">{t("evals.actionItems.expected")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, counts]) => (
              <tr key={name} data-testid="action-item-row" data-matching={name}>
                <td>{t(`evals.actionItems.${name}`)}</td>
                <td className="numeric">{format.percentPrecise(counts.precision)}</td>
                <td className="numeric">{format.percentPrecise(counts.recall)}</td>
                <td className="numeric">{format.percentPrecise(counts.f1)}</td>
                <td className="numeric">{format.count(counts.truePositives)}</td>
                <td className="numeric">{format.count(counts.predicted)}</td>
                <td className="numeric">{format.count(counts.expected)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
