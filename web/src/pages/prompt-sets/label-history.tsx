/** Every label move of a set, newest first: who published or rolled back what, and when. */
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useFormatters } from "../../i18n/format.ts";
import type { LabelEvent } from "./types.ts";

export function LabelHistory({ events, error }: { events: LabelEvent[] | null; error: unknown }) {
  const { t } = useTranslation();
  const format = useFormatters();
  if (error !== null) return <ErrorMessage error={error} />;
  if (events === null) return <p className="muted">{t("common.loading")}</p>;
  if (events.length === 0) return <p className="muted">{t("promptSets.history.empty")}</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="label-history">
        <thead>
          <tr>
            <th scope="col">{t("promptSets.history.when")}</th>
            <th scope="col">{t("promptSets.history.label")}</th>
            <th scope="col">{t("promptSets.history.change")}</th>
            <th scope="col">{t("promptSets.history.by")}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event, index) => (
            <tr key={index} data-testid="label-event">
              <td className="nowrap">{format.dateTime(event.movedAt)}</td>
              <td>
                <span className="badge badge--neutral">
                  {t(`promptSets.labels.${event.label}`, {
                    defaultValue: event.label,
                  })}
                </span>
              </td>
              <td>
                {event.fromVersion
                  ? t("promptSets.history.moved", {
                      from: event.fromVersion,
                      to: event.toVersion,
                    })
                  : t("promptSets.history.set", { to: event.toVersion })}
              </td>
              <td>{event.movedBy ?? t("promptSets.history.system")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
