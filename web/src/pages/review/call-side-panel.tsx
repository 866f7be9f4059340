/**
 * The call's drafted action items and talk tracks beside the transcript. Each card shows its
 * status and its evidence links (scroll to, and play, the utterances); clicking a card selects it
 * for the review keys, and E edits it in place.
 */
import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { ActionItemDetails, TalkTrackDetails } from "./item-details.tsx";
import { ItemEditor } from "./item-editor.tsx";
import type { ReviewItem, Vocabulary } from "./review-types.ts";

export interface CallSidePanelProps {
  actionItems: readonly ReviewItem[];
  talkTracks: readonly ReviewItem[];
  notes: readonly string[];
  vocabulary: Vocabulary;
  locale: Locale;
  selectedItemId: string | null;
  editingItemId: string | null;
  onSelect(item: ReviewItem): void;
  onOpenEvidence(segment: number): void;
  onSave(item: ReviewItem, after: Record<string, unknown>): void;
  onCancelEdit(): void;
}

export function CallSidePanel(props: CallSidePanelProps) {
  const { t } = useTranslation();
  return (
    <aside className="call-panel" data-testid="call-panel">
      <section className="panel">
        <h2 className="panel__title">{t("review.call.actionItems")}</h2>
        <ItemList {...props} items={props.actionItems} />
      </section>
      <section className="panel">
        <h2 className="panel__title">{t("review.call.talkTracks")}</h2>
        <ItemList {...props} items={props.talkTracks} />
      </section>
      {props.notes.length > 0 && (
        <section className="panel">
          <h2 className="panel__title">{t("review.call.notes")}</h2>
          <ul className="plain-list muted">
            {props.notes.map((note, index) => (
              <li key={index}>{note}</li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}

function ItemList({
  items,
  vocabulary,
  locale,
  selectedItemId,
  editingItemId,
  onSelect,
  onOpenEvidence,
  onSave,
  onCancelEdit,
}: CallSidePanelProps & { items: readonly ReviewItem[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="muted">{t("review.call.noneDrafted")}</p>;
  return (
    <ul className="card-list">
      {items.map((item) => (
        <li
          key={item.id}
          className={`call-card call-card--${item.status} ${item.id === selectedItemId ? "call-card--selected" : ""}`}
          data-testid="call-card"
          data-item-id={item.id}
          data-kind={item.kind}
          data-status={item.status}
          aria-current={item.id === selectedItemId ? "true" : undefined}
          onClick={() => onSelect(item)}
        >
          <div className="call-card__status">
            <span className={`status-pill status-pill--${item.status}`}>
              {t(`review.status.${item.status}`)}
            </span>
          </div>
          {item.id === editingItemId ? (
            <ItemEditor
              item={item}
              catalogue={vocabulary.actionCatalogue}
              locale={locale}
              onSave={(after) => onSave(item, after)}
              onCancel={onCancelEdit}
            />
          ) : item.kind === "action_item" ? (
            <ActionItemDetails
              item={item}
              catalogue={vocabulary.actionCatalogue}
              locale={locale}
              onOpenEvidence={onOpenEvidence}
            />
          ) : (
            <TalkTrackDetails item={item} onOpenEvidence={onOpenEvidence} />
          )}
        </li>
      ))}
    </ul>
  );
}
