/** The outcome CSV import (admins and managers): all or nothing, each bad row reported with its line. */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";

interface ImportReport {
  stored: number;
  duplicates: number;
  attachments: number;
}

export function OutcomeImport() {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api.post<ImportReport>("/api/outcomes/import", { csv: await file.text() }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const rowIssues = error instanceof ApiError ? (error.issues as Array<{ line?: number; message: string }>) : [];
  return (
    <form className="panel" onSubmit={submit} data-testid="outcome-import">
      <h2 className="panel__title">{t("integrations.importTitle")}</h2>
      <p className="muted small">{t("integrations.importIntro")}</p>
      <label className="field">
        <span className="field__label">{t("integrations.importFile")}</span>
        <input type="file" accept=".csv,text/csv" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
      </label>
      {error !== null && <ErrorMessage error={error} />}
      {rowIssues.some((issue) => issue.line !== undefined) && (
        <ul className="integrations__issues" data-testid="import-issues">
          {rowIssues.map((issue, index) => (
            <li key={index}>{t("integrations.rowIssue", { line: issue.line ?? "?", message: issue.message.replace(/^line \d+: /, "") })}</li>
          ))}
        </ul>
      )}
      {report && (
        <p className="message message--success" role="status">
          {t("integrations.imported", { ...report })}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={!file || busy}>
        {busy ? t("integrations.importing") : t("integrations.import")}
      </button>
    </form>
  );
}
