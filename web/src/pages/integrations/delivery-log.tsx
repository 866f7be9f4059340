/** One webhook's deliveries, newest first, each with its attempts (status, latency, response) and "resend". */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import type { WebhookDelivery } from "./types.ts";

const stateBadge = { pending: "badge--accent", succeeded: "badge--success", failed: "badge--danger" } as const;

/** `onChanged`: a delivery was resent or finished, so the webhook's counts changed. */
export function DeliveryLog({ webhookId, version, onChanged }: { webhookId: string; version: number; onChanged(): void }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const resource = useResource<{ deliveries: WebhookDelivery[] }>(`/api/webhooks/${webhookId}/deliveries`);
  const [error, setError] = useState<unknown>(null);
  const { reload } = resource;
  const pending = resource.data?.deliveries.some((delivery) => delivery.state === "pending") ?? false;

  useEffect(() => {
    if (version > 0) void reload();
  }, [version, reload]);
  const wasPending = useRef(false);
  useEffect(() => {
    if (wasPending.current && !pending) onChanged();
    wasPending.current = pending;
  }, [pending, onChanged]);
  // Retries happen in the background: look again while any delivery is still pending.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [pending, reload]);

  if (resource.error !== null) return <ErrorMessage error={resource.error} />;
  if (!resource.data) return <p className="muted">{t("common.loading")}</p>;
  if (resource.data.deliveries.length === 0) return <p className="muted">{t("integrations.noDeliveries")}</p>;
  return (
    <div className="table-wrap" data-testid="delivery-log">
      {error !== null && <ErrorMessage error={error} />}
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">{t("integrations.columns.sent")}</th>
            <th scope="col">{t("integrations.columns.event")}</th>
            <th scope="col">{t("integrations.columns.state")}</th>
            <th scope="col">{t("integrations.columns.attempts")}</th>
            <th scope="col">{t("integrations.columns.response")}</th>
            <th scope="col" className="actions" />
          </tr>
        </thead>
        <tbody>
          {resource.data.deliveries.map((delivery) => (
            <tr key={delivery.id} data-testid="delivery-row" data-state={delivery.state}>
              <td className="nowrap">{format.dateTime(delivery.createdAt)}</td>
              <td>{t(`integrations.eventTypes.${delivery.eventType}`)}</td>
              <td>
                <span className={`badge ${stateBadge[delivery.state]}`}>{t(`integrations.states.${delivery.state}`)}</span>
              </td>
              <td>
                <ol className="integrations__attempts">
                  {delivery.log.map((attempt) => (
                    <li key={attempt.attempt} title={attempt.error ?? undefined}>
                      {t("integrations.attempt", { number: attempt.attempt })}:{" "}
                      <strong className={attempt.statusCode !== null && attempt.statusCode < 300 ? "integrations__ok" : "integrations__bad"}>
                        {attempt.statusCode ?? attempt.error ?? "—"}
                      </strong>{" "}
                      <span className="muted">{t("integrations.milliseconds", { value: format.number(attempt.latencyMs) })}</span>
                    </li>
                  ))}
                </ol>
              </td>
              <td>
                <code className="integrations__excerpt">{delivery.log.at(-1)?.responseExcerpt ?? delivery.lastError ?? ""}</code>
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="button button--small"
                  data-testid="resend"
                  onClick={async () => {
                    setError(null);
                    try {
                      await api.post(`/api/webhooks/deliveries/${delivery.id}/resend`, {});
                      await reload();
                      onChanged();
                    } catch (caught) {
                      setError(caught);
                    }
                  }}
                >
                  {t("integrations.resend")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
