import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Recording, Workspace } from "../../api/types.ts";
import { ConfirmDialog } from "../../components/dialog.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { LiveIndicator } from "../../components/live-indicator.tsx";
import { useCurrentUser } from "../../session/session-context.tsx";
import { canErase, canRetry, canUpload } from "./permissions.ts";
import { RecordingsTable } from "./recordings-table.tsx";
import { recordingTitle } from "./recording-status.tsx";
import { UploadPanel } from "./upload-panel.tsx";
import { useRecordings } from "./use-recordings.ts";

export function RecordingsPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const [search, setSearch] = useState("");
  const [appliedSearch, setAppliedSearch] = useState("");
  // Asks the server a moment after the last keystroke, not on every one.
  useEffect(() => {
    const timer = setTimeout(() => setAppliedSearch(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const { recordings, error, upsert, remove, refresh } = useRecordings(appliedSearch);
  const [customerStages, setCustomerStages] = useState<string[]>([]);
  const [deleting, setDeleting] = useState<Recording | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  useEffect(() => {
    api
      .get<Workspace>("/api/workspace")
      .then((workspace) => setCustomerStages(workspace.customerStages ?? []))
      .catch(() => setCustomerStages([]));
  }, []);

  async function retry(recording: Recording) {
    setActionError(null);
    try {
      const response = await api.post<{ recording?: Recording } | null>(
        `/api/recordings/${recording.id}/retry`,
      );
      if (response?.recording) upsert(response.recording);
      refresh(recording.id);
    } catch (caught) {
      setActionError(caught);
    }
  }

  return (
    <section data-testid="recordings-page">
      <PageHeader title={t("recordings.title")} intro={t("recordings.intro")} />
      {canUpload(user) && <UploadPanel customerStages={customerStages} onUploaded={upsert} />}

      <div className="section-header">
        <h2>{user.role === "rep" ? t("repCall.myCalls") : t("recordings.listTitle")}</h2>
        <div className="toolbar">
          <label className="recordings__search">
            <span className="visually-hidden">{t("recordingSearch.label")}</span>
            <input
              type="search"
              name="search"
              data-testid="recordings-search"
              placeholder={t("recordingSearch.placeholder")}
              aria-label={t("recordingSearch.label")}
              value={search}
              maxLength={200}
              onChange={(event) => setSearch(event.target.value)}
            />
          </label>
          <LiveIndicator />
        </div>
      </div>
      {actionError !== null && <ErrorMessage error={actionError} />}
      {error !== null && recordings === null && (
        <div className="panel">
          <p className="message message--error">{t("recordings.loadFailed")}</p>
          <ErrorMessage error={error} />
        </div>
      )}
      {recordings === null && error === null && <p className="muted">{t("common.loading")}</p>}
      {recordings !== null && recordings.length === 0 && appliedSearch !== "" && (
        <div className="panel empty-state" data-testid="recordings-no-match">
          <p>{t("recordingSearch.noMatch", { search: appliedSearch })}</p>
        </div>
      )}
      {recordings !== null && recordings.length === 0 && appliedSearch === "" && (
        <div className="panel empty-state" data-testid="recordings-empty">
          <p>{t("recordings.empty")}</p>
        </div>
      )}
      {recordings !== null && recordings.length > 0 && (
        <RecordingsTable
          recordings={recordings}
          showOwner={user.role !== "rep"}
          onRetry={canRetry(user) ? retry : undefined}
          onDelete={setDeleting}
          canDelete={(recording) => canErase(user, recording)}
        />
      )}

      {deleting && (
        <ConfirmDialog
          title={t("recordings.confirmDelete.title")}
          body={t("recordings.confirmDelete.body", { title: recordingTitle(deleting) })}
          confirmLabel={t("recordings.confirmDelete.confirm")}
          onConfirm={async () => {
            await api.delete(`/api/recordings/${deleting.id}`);
            remove(deleting.id);
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
