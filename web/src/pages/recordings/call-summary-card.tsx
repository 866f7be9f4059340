/**
 * The call summary as the local engine can give it: what the customer raised (by drafted intent,
 * with the utterances — click to play), the next steps, how many talk tracks wait. Labelled with
 * the engine and model it was made from, and as no AI-written summary.
 */
import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { useFormatters } from "../../i18n/format.ts";
import type { CallSummary } from "../../../../core/follow-up/call-summary.ts";
import { EvidenceLinks } from "../review/item-details.tsx";
import { localName } from "../review/item-content.ts";

export function CallSummaryCard({
  summary,
  locale,
  onOpenEvidence,
}: {
  summary: CallSummary;
  locale: Locale;
  onOpenEvidence(segment: number): void;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  return (
    <section
      className="panel call-summary"
      aria-labelledby="call-summary-title"
      data-testid="call-summary"
    >
      <div className="section-header section-header--tight">
        <h2 className="panel__title" id="call-summary-title">
          {t("repCall.summary.title")}
        </h2>
        <span className="badge badge--neutral" data-testid="summary-source">
          {t("repCall.summary.source", {
            engine: t(`review.engines.${summary.engine}`),
            model: summary.model,
          })}
        </span>
      </div>
      <p className="muted small">{t("repCall.summary.localNote")}</p>
      <h3 className="call-summary__heading">{t("repCall.summary.raised")}</h3>
      {summary.raised.length === 0 ? (
        <p className="muted">{t("repCall.summary.nothingRaised")}</p>
      ) : (
        <ul className="call-summary__list">
          {summary.raised.map((topic) => (
            <li key={topic.intent} data-testid="summary-topic" data-intent={topic.intent}>
              <strong>{localName(topic.name, locale)}</strong>{" "}
              <span className="muted">× {format.number(topic.segments.length)}</span>
              <blockquote className="call-summary__quote">{topic.example}</blockquote>
              <EvidenceLinks evidence={topic.segments.slice(0, 6)} onOpen={onOpenEvidence} />
            </li>
          ))}
        </ul>
      )}
      <h3 className="call-summary__heading">{t("repCall.summary.nextSteps")}</h3>
      {summary.nextSteps.length === 0 ? (
        <p className="muted">{t("repCall.summary.noNextSteps")}</p>
      ) : (
        <ol className="call-summary__list" data-testid="summary-next-steps">
          {summary.nextSteps.map((step) => (
            <li key={step.id}>
              {step.title}
              {step.dueDate && <span className="muted"> · {format.date(step.dueDate)}</span>}
              {step.status === "pending" && (
                <span className="muted"> · {t("repCall.summary.unconfirmed")}</span>
              )}
            </li>
          ))}
        </ol>
      )}
      <p className="muted small">
        {t("repCall.summary.talkTracks", { count: summary.talkTracks })}
      </p>
    </section>
  );
}
