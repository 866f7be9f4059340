/**
 * A decision the server refused because someone else decided first (409): who and what (the
 * server's message), their decision as it stands now, and Reload to take it. Nothing is
 * overwritten until the trainer reloads and decides again.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { describeError } from "../../components/error-message.tsx";
import type { Conflict, Failure } from "./decision-ledger.ts";
import {
  currentIntent,
  effectiveContent,
  intentName,
  readActionItem,
  readTalkTrack,
} from "./item-content.ts";
import type { Vocabulary } from "./review-types.ts";

function theirContent(conflict: Conflict, vocabulary: Vocabulary | null, locale: Locale) {
  const item = conflict.current;
  if (!item || item.status === "rejected" || item.status === "pending") return null;
  if (item.kind === "intent")
    return intentName(vocabulary?.intents ?? [], currentIntent(item), locale);
  if (item.kind === "action_item") return readActionItem(effectiveContent(item)).title;
  return readTalkTrack(effectiveContent(item)).suggestion;
}

export function ConflictNotice({
  conflict,
  title,
  vocabulary,
  locale,
  onReload,
  onShow,
}: {
  conflict: Conflict;
  /** Which item, in words (the call and what it is about). */
  title: string;
  vocabulary: Vocabulary | null;
  locale: Locale;
  onReload(): Promise<void>;
  onShow?: () => void;
}) {
  const { t } = useTranslation();
  const [reloading, setReloading] = useState(false);
  const content = theirContent(conflict, vocabulary, locale);
  return (
    <div
      className="conflict"
      role="alert"
      data-testid="review-conflict"
      data-item-id={conflict.itemId}
    >
      <p className="conflict__title">
        <strong>{t("review.conflict.title")}</strong> <span className="muted">{title}</span>
      </p>
      <p className="conflict__message" data-testid="conflict-message">
        {conflict.message}
      </p>
      <p data-testid="conflict-their-decision">
        {conflict.current
          ? t("review.conflict.theirDecision", {
              status: t(`review.status.${conflict.current.status}`),
            })
          : t("review.conflict.loading")}
        {content && (
          <>
            {" · "}
            {conflict.current?.kind === "intent"
              ? t("review.conflict.theirIntent", { intent: content })
              : content}
          </>
        )}
      </p>
      <div className="toolbar">
        <button
          type="button"
          className="button button--primary button--small"
          data-testid="conflict-reload"
          disabled={reloading}
          onClick={async () => {
            setReloading(true);
            try {
              await onReload();
            } finally {
              setReloading(false);
            }
          }}
        >
          {t("review.conflict.reload")}
        </button>
        {onShow && (
          <button type="button" className="button button--small" onClick={onShow}>
            {t("review.conflict.show")}
          </button>
        )}
      </div>
    </div>
  );
}

export function FailureNotice({ failure, onDismiss }: { failure: Failure; onDismiss(): void }) {
  const { t } = useTranslation();
  return (
    <div className="message message--error failure" role="alert" data-testid="review-failure">
      <span>
        {t("review.failure.notSaved")} {describeError(failure.error, t)}
      </span>
      <button type="button" className="button button--ghost button--small" onClick={onDismiss}>
        {t("review.failure.dismiss")}
      </button>
    </div>
  );
}
