/**
 * Adding an action item the drafts missed (I): the item editor's fields (a type from the
 * workspace's sales-action catalogue, title, owner, due date…) plus the utterance it comes from.
 * Ctrl/Cmd+Enter saves, Escape cancels.
 */
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { ActionItemForm } from "../review/item-editor.tsx";
import type { ActionType } from "../review/review-types.ts";
import type { NewActionItem } from "./use-call-drafts.ts";

export function AddActionItemForm({
  catalogue,
  locale,
  segmentCount,
  defaultSegment,
  onSave,
  onCancel,
}: {
  catalogue: readonly ActionType[];
  locale: Locale;
  segmentCount: number;
  /** 0-based ordinal the form starts with (the selected item's evidence). */
  defaultSegment: number;
  onSave(item: NewActionItem): Promise<boolean>;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const shownAt = useRef(new Date().toISOString());
  const [utterance, setUtterance] = useState(String(defaultSegment + 1));
  const saving = useRef(false);
  const number = Number(utterance);

  return (
    <div data-testid="add-item-form">
      <ActionItemForm
        title={t("repCall.add.title")}
        initial={{
          type: catalogue[0]?.id ?? null,
          title: "",
          owner: null,
          dueDate: null,
          customer: null,
          notes: null,
        }}
        catalogue={catalogue}
        locale={locale}
        allowNoType={false}
        autoFocus="type"
        validate={() =>
          Number.isInteger(number) && number >= 1 && number <= Math.max(1, segmentCount)
            ? null
            : t("repCall.add.utteranceRange", { count: segmentCount })
        }
        extraFields={
          <label className="field">
            <span className="field__label">{t("repCall.add.utterance")}</span>
            <input
              type="number"
              min={1}
              max={Math.max(1, segmentCount)}
              value={utterance}
              onChange={(event) => setUtterance(event.target.value)}
              data-testid="add-utterance"
            />
          </label>
        }
        onSave={async (fields) => {
          if (saving.current || fields.type === null) return;
          saving.current = true;
          await onSave({
            ...fields,
            type: fields.type,
            evidence: [number - 1],
            shownAt: shownAt.current,
          });
          saving.current = false;
        }}
        onCancel={onCancel}
      />
    </div>
  );
}
