/**
 * The searchable list of every intent (`/`, or E on an intent): type part of a name in either
 * language, move with the arrow keys, Enter picks, Escape cancels. A modal dialog, so the review
 * keys rest while it is open and typed letters go into the search (which has the focus from the
 * start; the pages import the picker eagerly so letters typed right after `/` are not lost).
 */
import { useEffect, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../../components/dialog.tsx";
import type { Locale } from "../../api/types.ts";
import { localName, searchIntents } from "./item-content.ts";
import type { IntentDefinition } from "./review-types.ts";

export interface IntentPickerProps {
  intents: readonly IntentDefinition[];
  locale: Locale;
  predicted: string | null;
  current: string | null;
  onPick(intentId: string): void;
  onClose(): void;
}

export default function IntentPicker({
  intents,
  locale,
  predicted,
  current,
  onPick,
  onClose,
}: IntentPickerProps) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [highlighted, setHighlighted] = useState(0);
  const listId = useId();
  const matches = useMemo(() => searchIntents(intents, query, locale), [intents, query, locale]);
  const active = Math.min(highlighted, Math.max(0, matches.length - 1));
  const activeId = matches[active] ? `${listId}-${matches[active].id}` : undefined;
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: "nearest" });
  }, [activeId]);
  const otherLocale: Locale = locale === "zh-CN" ? "en" : "zh-CN";

  return (
    <Dialog title={t("review.picker.title")} onClose={onClose} size="medium" testId="intent-picker">
      <label className="field">
        <span className="field__label">{t("review.picker.search")}</span>
        <input
          type="search"
          data-autofocus
          value={query}
          placeholder={t("review.picker.placeholder")}
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={activeId}
          data-testid="intent-search"
          onChange={(event) => {
            setQuery(event.target.value);
            setHighlighted(0);
          }}
          onKeyDown={(event) => {
            if (event.nativeEvent.isComposing) return;
            if (event.key === "ArrowDown" || event.key === "ArrowUp") {
              event.preventDefault();
              const step = event.key === "ArrowDown" ? 1 : -1;
              setHighlighted((active + step + matches.length) % Math.max(1, matches.length));
            } else if (event.key === "Enter" && matches[active]) {
              event.preventDefault();
              onPick(matches[active].id);
            } else if (event.key === "Escape") {
              // Chromium's search field would only clear itself on the first Escape.
              event.preventDefault();
              onClose();
            }
          }}
        />
      </label>
      {matches.length === 0 ? (
        <p className="muted">{t("review.picker.empty", { query })}</p>
      ) : (
        <ul
          className="intent-options"
          id={listId}
          role="listbox"
          aria-label={t("review.picker.title")}
        >
          {matches.map((intent, index) => (
            <li
              key={intent.id}
              id={`${listId}-${intent.id}`}
              role="option"
              aria-selected={index === active}
              className={`intent-option ${index === active ? "intent-option--active" : ""}`}
              data-intent={intent.id}
              onMouseEnter={() => setHighlighted(index)}
              onClick={() => onPick(intent.id)}
            >
              <span className="intent-option__name">{localName(intent.name, locale)}</span>
              <span className="intent-option__other">{localName(intent.name, otherLocale)}</span>
              {intent.id === predicted && (
                <span className="badge badge--accent">{t("review.picker.predicted")}</span>
              )}
              {intent.id === current && intent.id !== predicted && (
                <span className="badge badge--success">{t("review.item.current")}</span>
              )}
              {intent.description && (
                <span className="intent-option__description">{intent.description}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
