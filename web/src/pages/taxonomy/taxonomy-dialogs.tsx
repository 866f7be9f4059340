/** The editor's dialogs: one entry (intent or sales action) added or edited, and retiring one. */
import { useState } from "react";
import type { ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ActionField, ActionType, IntentDefinition } from "../../../../core/draft/schema.ts";
import { FormDialog } from "../../components/dialog.tsx";
import { CheckboxGroup, Field } from "../../components/field.tsx";
import { localName } from "../review/item-content.ts";
import { useLocale } from "../review/use-locale.ts";

export type Entry = IntentDefinition | ActionType;
export type EntryKind = "intents" | "actions";

const actionFields: ActionField[] = ["owner", "dueDate", "customer", "notes"];
const lines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** Adds (`entry` null) or edits one entry; `onSave` gets the new entry and throws the API's error. */
export function EntryDialog({
  kind,
  entry,
  onSave,
  onClose,
}: {
  kind: EntryKind;
  entry: Entry | null;
  onSave(entry: Entry): Promise<void>;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const action = entry && "fields" in entry ? entry : null;
  const [form, setForm] = useState({
    id: entry?.id ?? "",
    english: entry?.name.en ?? "",
    chinese: entry?.name.zh ?? "",
    description: entry && "description" in entry ? entry.description : "",
    fields: action?.fields ?? (["owner", "dueDate"] as ActionField[]),
    examplesEnglish: action?.examples.en.join("\n") ?? "",
    examplesChinese: action?.examples.zh.join("\n") ?? "",
  });
  const set = <Key extends keyof typeof form>(key: Key, value: (typeof form)[Key]) =>
    setForm((current) => ({ ...current, [key]: value }));
  /** A text input's or text area's name, value and change handler, for one key of the form. */
  const text = (key: Exclude<keyof typeof form, "fields">) => ({
    name: key,
    value: form[key],
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      set(key, event.target.value),
  });

  async function save() {
    const name = { en: form.english.trim(), zh: form.chinese.trim() };
    await onSave(
      kind === "intents"
        ? { id: form.id.trim(), name, description: form.description.trim() }
        : {
            id: form.id.trim(),
            name,
            fields: form.fields,
            examples: { en: lines(form.examplesEnglish), zh: lines(form.examplesChinese) },
            // Not edited here: who can commit to the action stays as it was.
            ...(action?.owners ? { owners: action.owners } : {}),
          },
    );
    onClose();
  }

  return (
    <FormDialog
      title={
        entry
          ? t("taxonomy.form.editTitle", { name: localName(entry.name, locale) })
          : t(kind === "intents" ? "taxonomy.form.addIntentTitle" : "taxonomy.form.addActionTitle")
      }
      submitLabel={t("taxonomy.form.save")}
      busyLabel={t("taxonomy.form.saving")}
      onSubmit={save}
      onClose={onClose}
      size="medium"
      testId="taxonomy-entry-dialog"
    >
      <div className="form-grid">
        <Field label={t("taxonomy.form.id")} hint={t("taxonomy.form.idHint")}>
          <input
            type="text"
            required
            pattern="[a-z][a-z0-9_]*"
            maxLength={100}
            readOnly={entry !== null}
            data-autofocus={entry === null ? true : undefined}
            {...text("id")}
          />
        </Field>
        <Field label={t("taxonomy.form.english")}>
          <input
            type="text"
            required
            maxLength={200}
            data-autofocus={entry !== null ? true : undefined}
            {...text("english")}
          />
        </Field>
        <Field label={t("taxonomy.form.chinese")}>
          <input type="text" required maxLength={200} {...text("chinese")} />
        </Field>
      </div>
      {kind === "intents" ? (
        <Field label={t("taxonomy.form.description")}>
          <textarea rows={3} maxLength={2000} {...text("description")} />
        </Field>
      ) : (
        <>
          <CheckboxGroup
            className="field taxonomy__fields"
            legend={t("taxonomy.form.fields")}
            options={actionFields}
            checked={form.fields}
            label={(field) => t(`taxonomy.form.fieldNames.${field}`)}
            // The fields keep the order of the list, whichever is ticked first.
            onToggle={(field, checked) =>
              set(
                "fields",
                actionFields.filter((entry) =>
                  entry === field ? checked : form.fields.includes(entry),
                ),
              )
            }
          />
          <div className="form-grid">
            {(["examplesEnglish", "examplesChinese"] as const).map((key) => (
              <Field key={key} label={t(`taxonomy.form.${key}`)}>
                <textarea rows={5} {...text(key)} />
              </Field>
            ))}
          </div>
        </>
      )}
    </FormDialog>
  );
}

/** Retires an entry; when labels use it, the editor must choose where they move. */
export function RetireDialog({
  entry,
  usage,
  others,
  onRetire,
  onClose,
}: {
  entry: Entry;
  usage: number;
  others: Entry[];
  onRetire(mapTo: string | null): Promise<void>;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [target, setTarget] = useState("");

  return (
    <FormDialog
      title={t("taxonomy.retireDialog.title", { name: localName(entry.name, locale) })}
      submitLabel={t("taxonomy.retireDialog.confirm")}
      danger
      canSubmit={usage === 0 || target !== ""}
      onSubmit={async () => {
        await onRetire(usage > 0 ? target : null);
        onClose();
      }}
      onClose={onClose}
      testId="taxonomy-retire-dialog"
    >
      {usage === 0 ? (
        <p>{t("taxonomy.retireDialog.unused")}</p>
      ) : (
        <>
          <p>{t("taxonomy.retireDialog.used", { count: usage })}</p>
          <Field label={t("taxonomy.retireDialog.moveTo")}>
            <select
              name="moveTo"
              value={target}
              data-autofocus
              onChange={(event) => setTarget(event.target.value)}
            >
              <option value="">{t("taxonomy.retireDialog.choose")}</option>
              {others.map((other) => (
                <option key={other.id} value={other.id}>
                  {localName(other.name, locale)}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
    </FormDialog>
  );
}
