/**
 * The item under review: the utterance with the one before it as context, what the model drafted
 * (the intent chip with its confidence, or the action item / talk track), and for intents the nine
 * intents on the digit keys. Rendering is cheap on purpose: it runs on every keypress.
 */
import { memo } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import type { Locale } from "../../api/types.ts";
import { KeyCombination } from "../../components/key-combination.tsx";
import type { KeyBindings } from "../../hotkeys/registry.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { IntentChip } from "./intent-chip.tsx";
import { NewIntentMark } from "./new-intent-mark.tsx";
import { RepMark } from "./rep-mark.tsx";
import { ActionItemDetails, TalkTrackDetails } from "./item-details.tsx";
import {
  currentIntent,
  evidenceOf,
  intentName,
  localName,
  predictedIntent,
  quickIntents,
} from "./item-content.ts";
import { callHref } from "./review-paths.ts";
import type { ReviewItem, Vocabulary } from "./review-types.ts";
import { speakerLabel } from "./speaker-label.ts";
import { WhyLink } from "../../components/why-link.tsx";

export interface ItemCardProps {
  item: ReviewItem;
  vocabulary: Vocabulary | null;
  locale: Locale;
  bindings: KeyBindings;
  onPickIntent(intentId: string): void;
  onOpenPicker(): void;
}

const digitActions = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export const ItemCard = memo(function ItemCard({
  item,
  vocabulary,
  locale,
  bindings,
  onPickIntent,
  onOpenPicker,
}: ItemCardProps) {
  const { t } = useTranslation();
  const intents = vocabulary?.intents ?? [];
  const predicted = predictedIntent(item);
  const current = currentIntent(item);
  const segment = evidenceOf(item)[0] ?? null;

  return (
    <article
      className={`review-card review-card--${item.status}`}
      data-testid="review-item"
      data-item-id={item.id}
      data-kind={item.kind}
      data-status={item.status}
    >
      <header className="review-card__header">
        <div className="review-card__title">
          <span className="badge badge--accent">{t(`review.kinds.${item.kind}`)}</span>
          <Link
            href={callHref(item.recordingId, { segment, itemId: item.id })}
            className="review-card__call"
          >
            {item.recordingTitle}
          </Link>
          <span className="muted">
            {stageLabel(t, item.customerStage)} · {item.teamName}
          </span>
        </div>
        <RepMark item={item} />
        <span className={`status-pill status-pill--${item.status}`} data-testid="item-status">
          {t(`review.status.${item.status}`)}
        </span>
      </header>

      {item.doubleLabel && (
        <p className="message message--info" data-testid="double-label">
          {t("review.item.doubleLabel")}
        </p>
      )}

      <div className="review-context">
        {item.previousText !== null && segment !== null && segment > 0 && (
          <p className="review-context__previous">
            <span className="review-context__label">{t("review.item.before")}</span>
            {item.previousText}
          </p>
        )}
        <p className="review-context__utterance" data-testid="review-utterance">
          <span className="review-context__label">
            {segment !== null && t("review.item.utterance", { number: segment + 1 })}
            {item.speaker && ` · ${speakerLabel(t, item.speaker)}`}
          </span>
          {item.segmentText ?? t("review.item.noText")}
        </p>
      </div>

      {item.kind === "intent" && (
        <>
          <p className="review-card__prediction">
            <span className="muted">{t("review.item.predicted")}</span>
            <IntentChip
              name={intentName(intents, predicted, locale)}
              confidence={item.confidence}
            />
            {current !== predicted && current !== null && (
              <>
                <span aria-hidden="true">→</span>
                <IntentChip
                  name={intentName(intents, current, locale)}
                  confidence={null}
                  status={item.status}
                  corrected
                />
              </>
            )}
            <NewIntentMark item={item} />
          </p>
          <div className="intent-grid" role="group" aria-label={t("review.item.pickIntent")}>
            {quickIntents(intents).map((intent, index) => (
              <button
                key={intent.id}
                type="button"
                className={[
                  "intent-grid__option",
                  intent.id === predicted ? "intent-grid__option--predicted" : "",
                  intent.id === current && item.status !== "pending"
                    ? "intent-grid__option--chosen"
                    : "",
                ].join(" ")}
                data-intent={intent.id}
                onClick={() => onPickIntent(intent.id)}
              >
                <KeyCombination value={bindings[`review:pick-intent-${digitActions[index]}`]} />
                <span>{localName(intent.name, locale)}</span>
              </button>
            ))}
            <button
              type="button"
              className="intent-grid__option intent-grid__option--more"
              onClick={onOpenPicker}
              data-testid="open-intent-picker"
            >
              <KeyCombination value={bindings["review:open-intent-picker"]} />
              <span>{t("review.item.allIntents")}</span>
            </button>
          </div>
        </>
      )}

      {item.kind === "action_item" && (
        <ActionItemDetails
          item={item}
          catalogue={vocabulary?.actionCatalogue ?? []}
          locale={locale}
        />
      )}
      {item.kind === "talk_track" && <TalkTrackDetails item={item} />}

      <footer className="review-card__meta muted">
        {t("review.item.draftedBy", {
          engine: t(`review.engines.${item.engine}`),
          model: item.model,
        })}
        {item.promptSetVersion &&
          ` · ${t("review.item.promptSet", { version: item.promptSetVersion })}`}
        {item.traceId && " · "}
        <WhyLink traceId={item.traceId} />
      </footer>
    </article>
  );
});
