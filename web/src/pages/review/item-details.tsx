/** What an action item or a talk track says, shared by the review card and the call view's panel. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { useFormatters } from "../../i18n/format.ts";
import { actionTypeName, effectiveContent, readActionItem, readTalkTrack } from "./item-content.ts";
import type { ActionType, ReviewItem } from "./review-types.ts";
import { speakerLabel } from "./speaker-label.ts";

export interface EvidenceLinksProps {
  evidence: readonly number[];
  /** Called with the segment ordinal; without it the references are plain text. */
  onOpen?: (segment: number) => void;
}

/** "Utterance 4, Utterance 7" as links that scroll (and seek) to the segment. */
export function EvidenceLinks({ evidence, onOpen }: EvidenceLinksProps) {
  const { t } = useTranslation();
  if (evidence.length === 0) return null;
  return (
    <span className="evidence-links">
      {evidence.map((segment) =>
        onOpen ? (
          <button
            key={segment}
            type="button"
            className="link-button"
            data-testid="evidence-link"
            data-segment={segment}
            onClick={(event) => {
              event.stopPropagation();
              onOpen(segment);
            }}
          >
            {t("review.item.utterance", { number: segment + 1 })}
          </button>
        ) : (
          <span key={segment} className="tag">
            {t("review.item.utterance", { number: segment + 1 })}
          </span>
        ),
      )}
    </span>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="details__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ActionItemDetails({
  item,
  catalogue,
  locale,
  onOpenEvidence,
}: {
  item: ReviewItem;
  catalogue: readonly ActionType[];
  locale: Locale;
  onOpenEvidence?: (segment: number) => void;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const action = readActionItem(effectiveContent(item));
  return (
    <div className="item-details" data-testid="action-item">
      <p className="item-details__headline">
        {action.flagged ? (
          <span className="badge badge--danger" data-testid="flagged">
            {t("review.item.flagged")}
          </span>
        ) : (
          <span className="badge badge--accent" data-testid="action-type">
            {actionTypeName(catalogue, action.type, locale)}
          </span>
        )}{" "}
        <strong>{action.title || t("review.item.noText")}</strong>
      </p>
      <dl className="details details--compact">
        <Row label={t("review.item.owner")}>
          {action.owner ? speakerLabel(t, action.owner) : t("common.none")}
        </Row>
        <Row label={t("review.item.dueDate")}>{format.date(action.dueDate)}</Row>
        {action.customer && <Row label={t("review.item.customer")}>{action.customer}</Row>}
        {action.notes && <Row label={t("review.item.notes")}>{action.notes}</Row>}
        <Row label={t("review.item.evidence")}>
          <EvidenceLinks evidence={action.evidence} onOpen={onOpenEvidence} />
        </Row>
      </dl>
    </div>
  );
}

export function TalkTrackDetails({
  item,
  onOpenEvidence,
}: {
  item: ReviewItem;
  onOpenEvidence?: (segment: number) => void;
}) {
  const { t } = useTranslation();
  const track = readTalkTrack(effectiveContent(item));
  return (
    <div className="item-details" data-testid="talk-track">
      <p className="item-details__headline">
        <span className="badge badge--neutral">{t(`review.moments.${track.moment}`)}</span>
      </p>
      <blockquote className="talk-track__suggestion">
        {track.suggestion || t("review.item.noText")}
      </blockquote>
      <dl className="details details--compact">
        {track.rationale && <Row label={t("review.item.rationale")}>{track.rationale}</Row>}
        <Row label={t("review.item.evidence")}>
          <EvidenceLinks evidence={track.evidence} onOpen={onOpenEvidence} />
        </Row>
      </dl>
    </div>
  );
}
