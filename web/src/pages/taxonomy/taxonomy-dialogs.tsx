/** The editor's dialogs: one entry (intent or sales action) added or edited, and retiring one. */
import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type {
  ActionField,
  ActionType,
  IntentDefinition,
} from "../../../../core/draft/schema.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
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
  const formId = useId();
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <Key extends keyof typeof form>(
    key: Key,
    value: (typeof form)[Key],
  ) => setForm((current) => ({ ...current, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const name = { en: form.english.trim(), zh: form.chinese.trim() };
    const saved: Entry =
      kind === "intents"
        ? { id: form.id.trim(), name, description: form.description.trim() }
        : {
            id: form.id.trim(),
            name,
            fields: form.fields,
            examples: {
              en: lines(form.examplesEnglish),
              zh: lines(form.examplesChinese),
            },
            // Not edited here: who can commit to the action stays as it was.
            ...(action?.owners ? { owners: action.owners } : {}),
          };
    try {
      await onSave(saved);
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  const title = entry
    ? t("taxonomy.form.editTitle", { name: localName(entry.name, locale) })
    : t(
        kind === "intents"
          ? "taxonomy.form.addIntentTitle"
          : "taxonomy.form.addActionTitle",
      );
  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="medium"
      testId="taxonomy-entry-dialog"
      footer={
        <>
          <button
            type="button"
            className="button"
            onClick={onClose}
            disabled={busy}
          >
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            form={formId}
            className="button button--primary"
            disabled={busy}
          >
            {busy ? t("taxonomy.form.saving") : t("taxonomy.form.save")}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit}>
        <div className="form-grid">
          <label className="field">
            <span className="field__label">{t("taxonomy.form.id")}</span>
            <input
              type="text"
              name="id"
              required
              pattern="[a-z][a-z0-9_]*"
              maxLength={100}
              readOnly={entry !== null}
              data-autofocus={entry === null ? true : undefined}
              value={form.id}
              onChange={(event) => set("id", event.target.value)}
            />
            <span className="field__hint">{t("taxonomy.form.idHint")}</span>
          </label>
          <label className="field">
            <span className="field__label">{t("taxonomy.form.english")}</span>
            <input
              type="text"
              name="english"
              required
              maxLength={200}
              data-autofocus={entry !== null ? true : undefined}
              value={form.english}
              onChange={(event) => set("english", event.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">{t("taxonomy.form.chinese")}</span>
            <input
              type="text"
              name="chinese"
              required
              maxLength={200}
              value={form.chinese}
              onChange={(event) => set("chinese", event.target.value)}
            />
          </label>
        </div>
        {kind === "intents" ? (
          <label className="field">
            <span className="field__label">
              {t("taxonomy.form.description")}
            </span>
            <textarea
              name="description"
              rows={3}
              maxLength={2000}
              value={form.description}
              onChange={(event) => set("description", event.target.value)}
            />
          </label>
        ) : (
          <>
            <fieldset className="field taxonomy__fields">
              <legend className="field__label">
                {t("taxonomy.form.fields")}
              </legend>
              {actionFields.map((field) => (
                <label key={field} className="checkbox">
                  <input
                    type="checkbox"
                    checked={form.fields.includes(field)}
                    onChange={() =>
                      set(
                        "fields",
                        form.fields.includes(field)
                          ? form.fields.filter((entry) => entry !== field)
                          : actionFields.filter(
                              (entry) =>
                                entry === field || form.fields.includes(entry),
                            ),
                      )
                    }
                  />
                  {t(`taxonomy.form.fieldNames.${field}`)}
                </label>
              ))}
            </fieldset>
            <div className="form-grid">
              <label className="field">
                <span className="field__label">
                  {t("taxonomy.form.examplesEnglish")}
                </span>
                <textarea
                  name="examplesEnglish"
                  rows={5}
                  value={form.examplesEnglish}
                  onChange={(event) =>
                    set("examplesEnglish", event.target.value)
                  }
                />
              </label>
              <label className="field">
                <span className="field__label">
                  {t("taxonomy.form.examplesChinese")}
                </span>
                <textarea
                  name="examplesChinese"
                  rows={5}
                  value={form.examplesChinese}
                  onChange={(event) =>
                    set("examplesChinese", event.target.value)
                  }
                />
              </label>
            </div>
          </>
        )}
        {error !== null && <ErrorMessage error={error} />}
      </form>
    </Dialog>
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = localName(entry.name, locale);

  async function retire() {
    setBusy(true);
    setError(null);
    try {
      await onRetire(usage > 0 ? target : null);
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t("taxonomy.retireDialog.title", { name })}
      onClose={onClose}
      testId="taxonomy-retire-dialog"
      footer={
        <>
          <button
            type="button"
            className="button"
            onClick={onClose}
            disabled={busy}
          >
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className="button button--danger"
            disabled={busy || (usage > 0 && !target)}
            onClick={() => void retire()}
          >
            {t("taxonomy.retireDialog.confirm")}
          </button>
        </>
      }
    >
      {usage === 0 ? (
        <p>{t("taxonomy.retireDialog.unused")}</p>
      ) : (
        <>
          <p>{t("taxonomy.retireDialog.used", { count: usage })}</p>
          <label className="field">
            <span className="field__label">
              {t("taxonomy.retireDialog.moveTo")}
            </span>
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
          </label>
        </>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </Dialog>
  );
}
