/**
 * What happened with the customer after this call (from the CRM webhook or a CSV import), and the
 * account's other calls with their outcomes. Shown to everyone who may see the call; the account's
 * calls are limited to the ones the viewer may see.
 */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import "./outcomes-panel.css";

interface CallOutcome {
  id: string;
  type: "stage_changed" | "deal_won" | "deal_lost" | "customer_replied" | "meeting_booked";
  stage: string | null;
  amount: number | null;
  currency: string | null;
  text: string | null;
  keywords: string[];
  occurredAt: string;
  source: "webhook" | "csv";
  advance: boolean;
}

interface AccountCall {
  id: string;
  title: string;
  callDate: string | null;
  customerStage: string;
  outcomes: number;
  advanced: boolean;
}

export function OutcomesPanel({ recordingId }: { recordingId: string }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const { data, error } = useResource<{ customerReference: string | null; outcomes: CallOutcome[]; accountCalls: AccountCall[] }>(
    `/api/recordings/${recordingId}/outcomes`,
  );
  const money = (amount: number, currency: string | null) =>
    currency ? new Intl.NumberFormat(format.locale, { style: "currency", currency }).format(amount) : format.number(amount);

  return (
    <section className="outcomes-panel" data-testid="outcomes-panel">
      <h2 className="panel__title">{t("outcomes.title")}</h2>
      {error !== null && <ErrorMessage error={error} />}
      {data && !data.customerReference && <p className="muted small">{t("outcomes.noReference")}</p>}
      {data?.customerReference && data.outcomes.length === 0 && <p className="muted small">{t("outcomes.none")}</p>}
      {data && data.outcomes.length > 0 && (
        <ul className="outcomes-panel__list">
          {data.outcomes.map((outcome) => (
            <li key={outcome.id} data-testid="outcome" data-type={outcome.type}>
              <strong>{t(`outcomes.types.${outcome.type}`)}</strong>
              {outcome.stage && <> {t("outcomes.toStage", { stage: stageLabel(t, outcome.stage) })}</>}
              {outcome.amount !== null && <> · {money(outcome.amount, outcome.currency)}</>}
              {outcome.advance && (
                <>
                  {" "}
                  <span className="badge badge--success">{t("outcomes.advance")}</span>
                </>
              )}
              <div className="muted small">
                {format.date(outcome.occurredAt)} · {t(`outcomes.source.${outcome.source}`)}
              </div>
              {(outcome.text || outcome.keywords.length > 0) && (
                <div className="small">
                  {outcome.text && <q>{outcome.text}</q>} {outcome.keywords.map((keyword) => `#${keyword}`).join(" ")}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {data?.customerReference && data.accountCalls.length > 1 && (
        <>
          <h3 className="small">{t("outcomes.account", { reference: data.customerReference })}</h3>
          <ul className="outcomes-panel__calls small" data-testid="account-calls">
            {data.accountCalls.map((call) => (
              <li key={call.id}>
                {call.id === recordingId ? (
                  <strong>{t("outcomes.thisCall")}</strong>
                ) : (
                  <Link href={`/recordings/${call.id}`}>{call.title}</Link>
                )}{" "}
                <span className="muted">
                  {format.date(call.callDate)} · {stageLabel(t, call.customerStage)} · {t("outcomes.outcomeCount", { count: call.outcomes })}
                </span>
                {call.advanced && (
                  <>
                    {" "}
                    <span className="badge badge--success">{t("outcomes.advance")}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
