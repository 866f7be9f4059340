/**
 * Utterances trainers said fit no intent ("none of these fits" in the review session): read-only,
 * beside the taxonomy, so a trainer sees where a new intent is missing and can add it here.
 */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import type { NoFitUtterance } from "../../../../core/review/new-intents.ts";
import type { IntentDefinition } from "../../../../core/draft/schema.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { intentName } from "../review/item-content.ts";
import { callHref, queueHref } from "../review/review-paths.ts";
import { useLocale } from "../review/use-locale.ts";

type NoFitPage = { items: Array<Omit<NoFitUtterance, "decidedAt"> & { decidedAt: string }>; total: number };

export function NoFitPanel({ intents }: { intents: IntentDefinition[] }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const locale = useLocale();
  const resource = useResource<NoFitPage>("/api/review/no-fit");
  const page = resource.data;
  return (
    <section className="panel taxonomy__no-fit" data-testid="no-fit-panel">
      <h2 className="panel__title">{t("taxonomy.noFit.title")}</h2>
      {resource.error !== null && <ErrorMessage error={resource.error} />}
      {page && (
        <>
          <p data-testid="no-fit-count" data-count={page.total}>
            {t("taxonomy.noFit.count", { count: page.total })}{" "}
            <span className="muted">{t("taxonomy.noFit.hint")}</span>{" "}
            <Link href={queueHref({ likelyNewIntent: "true" })}>{t("taxonomy.noFit.queue")}</Link>
          </p>
          {page.items.length > 0 && (
            <ul className="taxonomy__no-fit-list">
              {page.items.map((item) => (
                <li key={item.itemId} data-testid="no-fit-utterance" data-item-id={item.itemId}>
                  <q>{item.text ?? t("review.item.noText")}</q>
                  <span className="muted small">
                    {" "}
                    <Link href={callHref(item.recordingId, { segment: item.segmentOrdinal, itemId: item.itemId })}>
                      {item.recordingTitle}
                    </Link>
                    {" · "}
                    {t("taxonomy.noFit.drafted", {
                      intent: intentName(intents, item.draftedIntent, locale) ?? "—",
                    })}
                    {" · "}
                    {item.decidedBy}, {format.dateTime(item.decidedAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
