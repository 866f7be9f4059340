/**
 * Editing a version saves a new one: the three files start as the base version's, and the new
 * version records the base as its parent. Nothing is overwritten, so production keeps running
 * on what it ran until the new version is published.
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import type { PromptSetVersion } from "./types.ts";

/** The placeholders `core/draft/prompt-sets.ts` accepts (`promptPlaceholders`); the server checks. */
const templatePlaceholders = [
  "language",
  "customerStage",
  "intentTaxonomy",
  "actionCatalogue",
  "fewShotExamples",
  "segmentCount",
  "transcript",
  "actionItems",
  "callDate",
] as const;

export function VersionEditor({
  set,
  base,
  onClose,
  onSaved,
}: {
  set: string;
  base: PromptSetVersion;
  onClose: () => void;
  onSaved: (created: PromptSetVersion) => void | Promise<void>;
}) {
  const { t } = useTranslation();
  const [manifest, setManifest] = useState(() => JSON.stringify(base.manifest, null, 2));
  const [system, setSystem] = useState(base.system);
  const [user, setUser] = useState(base.user);
  const [name, setName] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [manifestError, setManifestError] = useState<string | null>(null);
  const unchanged =
    manifest === JSON.stringify(base.manifest, null, 2) &&
    system === base.system &&
    user === base.user;

  async function save(event: FormEvent) {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(manifest);
    } catch (caught) {
      setManifestError(
        t("promptSets.editor.manifestInvalid", {
          reason: (caught as Error).message,
        }),
      );
      return;
    }
    setManifestError(null);
    setSaving(true);
    setError(null);
    try {
      const { version } = await api.post<{ version: PromptSetVersion }>(
        `/api/prompt-sets/${encodeURIComponent(set)}/versions`,
        {
          ...(name.trim() ? { version: name.trim() } : {}),
          manifest: parsed,
          system,
          user,
          parentVersionId: base.id,
        },
      );
      await onSaved(version);
    } catch (caught) {
      setError(caught);
      setSaving(false);
    }
  }

  return (
    <Dialog
      title={t("promptSets.editor.title", { version: base.version })}
      onClose={onClose}
      size="large"
      testId="version-editor"
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            form="version-editor-form"
            className="button button--primary"
            disabled={saving || unchanged}
            data-testid="save-version"
          >
            {saving ? t("common.saving") : t("promptSets.editor.save")}
          </button>
        </>
      }
    >
      <form id="version-editor-form" onSubmit={save} className="prompt-editor">
        <p className="muted">{t("promptSets.editor.intro")}</p>
        <label className="field field--narrow">
          <span className="field__label">
            {t("promptSets.editor.name")}{" "}
            <span className="muted small">({t("common.optional")})</span>
          </span>
          <input
            type="text"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder={t("promptSets.editor.namePlaceholder")}
            pattern="[a-z0-9][a-z0-9._\-]*"
          />
        </label>
        <label className="field">
          <span className="field__label">
            <code>system.md</code>
          </span>
          <textarea
            className="code-input"
            rows={14}
            value={system}
            onChange={(event) => setSystem(event.target.value)}
            data-testid="editor-system"
            spellCheck={false}
          />
        </label>
        <label className="field">
          <span className="field__label">
            <code>user.md</code>
          </span>
          <textarea
            className="code-input"
            rows={6}
            value={user}
            onChange={(event) => setUser(event.target.value)}
            data-testid="editor-user"
            spellCheck={false}
          />
          <span className="field__hint">
            {t("promptSets.editor.placeholdersHint", {
              list: templatePlaceholders.map((name) => `{{${name}}}`).join(", "),
            })}
          </span>
        </label>
        <label className="field">
          <span className="field__label">
            <code>manifest.json</code>
          </span>
          <textarea
            className="code-input"
            rows={10}
            value={manifest}
            onChange={(event) => setManifest(event.target.value)}
            data-testid="editor-manifest"
            spellCheck={false}
            aria-invalid={manifestError !== null}
          />
          {manifestError && <span className="message message--error">{manifestError}</span>}
        </label>
        {unchanged && <p className="muted small">{t("promptSets.editor.unchanged")}</p>}
        {error !== null && <ErrorMessage error={error} />}
      </form>
    </Dialog>
  );
}
