/**
 * Correcting an action item or a talk track in place (E). Ctrl/Cmd+Enter saves through the
 * shortcut registry (`review:save`, which works inside text fields); Escape cancels. Not a modal
 * dialog: the item and its evidence stay in view while the trainer edits.
 */
import { useState } from "react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { KeyCombination } from "../../components/key-combination.tsx";
import { useHotkeys } from "../../hotkeys/hotkeys-context.tsx";
import { useActionHotkeys } from "../../hotkeys/use-action-hotkeys.ts";
import type { ActionItemContent, TalkTrackMoment } from "./item-content.ts";
import {
  effectiveContent,
  localName,
  readActionItem,
  readTalkTrack,
  talkTrackMoments,
} from "./item-content.ts";
import type { ActionType, ReviewItem } from "./review-types.ts";

export interface ItemEditorProps {
  item: ReviewItem;
  catalogue: readonly ActionType[];
  locale: Locale;
  onSave(after: Record<string, unknown>): void;
  onCancel(): void;
}

const orNull = (value: string) => (value.trim() === "" ? null : value.trim());

export function ItemEditor(props: ItemEditorProps) {
  return props.item.kind === "talk_track" ? (
    <TalkTrackEditor {...props} />
  ) : (
    <ActionItemEditor {...props} />
  );
}

export function EditorFrame({
  title,
  error,
  onSave,
  onCancel,
  children,
}: {
  /** Defaults to "correct the draft". */
  title?: string;
  error: string | null;
  onSave(): void;
  onCancel(): void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { bindings } = useHotkeys();
  useActionHotkeys({ "review:save": onSave });
  return (
    <form
      className="item-editor"
      data-testid="item-editor"
      onSubmit={(event) => {
        event.preventDefault();
        onSave();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape" && !event.nativeEvent.isComposing) {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <h3>{title ?? t("review.editor.title")}</h3>
      {children}
      {error && (
        <p className="message message--error" role="alert">
          {error}
        </p>
      )}
      <div className="toolbar">
        <button type="submit" className="button button--primary" data-testid="editor-save">
          {t("review.editor.save")} <KeyCombination value={bindings["review:save"]} />
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t("review.editor.cancel")} <KeyCombination value="escape" />
        </button>
      </div>
    </form>
  );
}

function ActionItemEditor({ item, catalogue, locale, onSave, onCancel }: ItemEditorProps) {
  return (
    <ActionItemForm
      initial={readActionItem(effectiveContent(item))}
      catalogue={catalogue}
      locale={locale}
      onSave={onSave}
      onCancel={onCancel}
    />
  );
}

export type ActionItemFields = Pick<
  ActionItemContent,
  "type" | "title" | "owner" | "dueDate" | "customer" | "notes"
>;

export interface ActionItemFormProps {
  initial: ActionItemFields;
  catalogue: readonly ActionType[];
  locale: Locale;
  /** The form's heading; "correct the draft" by default. */
  title?: string;
  /** A new item must have a catalogue type; a correction may say that none fits. Default true. */
  allowNoType?: boolean;
  autoFocus?: "type" | "title";
  /** More fields, below the standard ones (e.g. which utterance a new item comes from). */
  extraFields?: ReactNode;
  /** A message when the extra fields are not valid, checked before saving. */
  validate?: () => string | null;
  onSave(after: ActionItemFields): void;
  onCancel(): void;
}

/** The action item's fields: shared by correcting a drafted item and adding a missing one. */
export function ActionItemForm({
  initial,
  catalogue,
  locale,
  title: heading,
  allowNoType = true,
  autoFocus = "title",
  extraFields,
  validate,
  onSave,
  onCancel,
}: ActionItemFormProps) {
  const { t } = useTranslation();
  const [type, setType] = useState(initial.type ?? "");
  const [title, setTitle] = useState(initial.title);
  const [owner, setOwner] = useState(initial.owner ?? "");
  const [dueDate, setDueDate] = useState(initial.dueDate ?? "");
  const [customer, setCustomer] = useState(initial.customer ?? "");
  const [notes, setNotes] = useState(initial.notes ?? "");
  const [error, setError] = useState<string | null>(null);

  const save = () => {
    const problem = title.trim() === "" ? t("review.editor.titleRequired") : (validate?.() ?? null);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    onSave({
      type: type === "" ? null : type,
      title: title.trim(),
      owner: orNull(owner),
      dueDate: orNull(dueDate),
      customer: orNull(customer),
      notes: orNull(notes),
    });
  };

  return (
    <EditorFrame title={heading} error={error} onSave={save} onCancel={onCancel}>
      <div className="form-grid">
        <label className="field">
          <span className="field__label">{t("review.item.type")}</span>
          <select
            autoFocus={autoFocus === "type"}
            value={type}
            onChange={(event) => setType(event.target.value)}
            data-testid="editor-type"
          >
            {catalogue.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {localName(entry.name, locale)}
              </option>
            ))}
            {allowNoType && <option value="">{t("review.editor.noType")}</option>}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t("review.item.title")}</span>
          <input
            autoFocus={autoFocus === "title"}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            data-testid="editor-title"
          />
        </label>
        <label className="field">
          <span className="field__label">{t("review.item.owner")}</span>
          <input
            value={owner}
            onChange={(event) => setOwner(event.target.value)}
            data-testid="editor-owner"
          />
        </label>
        <label className="field">
          <span className="field__label">{t("review.item.dueDate")}</span>
          <input
            type="date"
            value={dueDate}
            onChange={(event) => setDueDate(event.target.value)}
            data-testid="editor-due-date"
          />
        </label>
        <label className="field">
          <span className="field__label">{t("review.item.customer")}</span>
          <input value={customer} onChange={(event) => setCustomer(event.target.value)} />
        </label>
        {extraFields}
      </div>
      <label className="field">
        <span className="field__label">{t("review.item.notes")}</span>
        <textarea rows={2} value={notes} onChange={(event) => setNotes(event.target.value)} />
      </label>
    </EditorFrame>
  );
}

function TalkTrackEditor({ item, onSave, onCancel }: ItemEditorProps) {
  const { t } = useTranslation();
  const initial = readTalkTrack(effectiveContent(item));
  const [moment, setMoment] = useState<TalkTrackMoment>(initial.moment);
  const [suggestion, setSuggestion] = useState(initial.suggestion);
  const [rationale, setRationale] = useState(initial.rationale);
  const [error, setError] = useState<string | null>(null);

  const save = () => {
    if (suggestion.trim() === "") {
      setError(t("review.editor.suggestionRequired"));
      return;
    }
    onSave({
      moment,
      suggestion: suggestion.trim(),
      rationale: rationale.trim(),
    });
  };

  return (
    <EditorFrame error={error} onSave={save} onCancel={onCancel}>
      <label className="field field--narrow">
        <span className="field__label">{t("review.item.moment")}</span>
        <select
          value={moment}
          onChange={(event) => setMoment(event.target.value as TalkTrackMoment)}
        >
          {talkTrackMoments.map((value) => (
            <option key={value} value={value}>
              {t(`review.moments.${value}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field__label">{t("review.item.suggestion")}</span>
        <textarea
          autoFocus
          rows={3}
          value={suggestion}
          onChange={(event) => setSuggestion(event.target.value)}
          data-testid="editor-suggestion"
        />
      </label>
      <label className="field">
        <span className="field__label">{t("review.item.rationale")}</span>
        <textarea
          rows={2}
          value={rationale}
          onChange={(event) => setRationale(event.target.value)}
        />
      </label>
    </EditorFrame>
  );
}
