import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import type { Recording } from "../../api/types.ts";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { RecordingStatus, recordingTitle } from "./recording-status.tsx";

export interface RecordingsTableProps {
  recordings: Recording[];
  showOwner: boolean;
  /** Absent when the user may not re-run recordings. */
  onRetry?: (recording: Recording) => void;
  onDelete(recording: Recording): void;
  canDelete(recording: Recording): boolean;
}

export function RecordingsTable({
  recordings,
  showOwner,
  onRetry,
  onDelete,
  canDelete,
}: RecordingsTableProps) {
  const { t } = useTranslation();
  const format = useFormatters();
  return (
    <div className="table-wrap">
      <table className="table recordings-table" data-testid="recordings-table">
        <thead>
          <tr>
            <th scope="col">{t("recordings.columns.title")}</th>
            <th scope="col" className="column-optional">
              {t("recordings.columns.stage")}
            </th>
            <th scope="col" className="column-optional">
              {t("recordings.columns.reference")}
            </th>
            <th scope="col" className="column-optional">
              {t("recordings.columns.callDate")}
            </th>
            <th scope="col" className="numeric column-optional">
              {t("recordings.columns.duration")}
            </th>
            {showOwner && <th scope="col">{t("recordings.columns.owner")}</th>}
            <th scope="col" className="column-status">
              {t("recordings.columns.status")}
            </th>
            <th scope="col" className="column-optional">
              {t("recordings.columns.created")}
            </th>
            <th scope="col" className="actions">
              <span className="visually-hidden">{t("recordings.columns.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {recordings.map((recording) => (
            <tr key={recording.id} data-testid="recording-row" data-recording-id={recording.id}>
              <td>
                <Link href={`/recordings/${recording.id}`} className="table__primary">
                  {recordingTitle(recording)}
                </Link>
                <div className="muted small">{t(`recordings.source.${recording.source}`)}</div>
              </td>
              <td className="column-optional">{stageLabel(t, recording.customerStage)}</td>
              <td className="column-optional">{recording.customerReference || t("common.none")}</td>
              <td className="column-optional">{format.date(recording.callDate)}</td>
              <td className="numeric column-optional">{format.duration(recording.durationMs)}</td>
              {showOwner && (
                <td>
                  {recording.ownerName ?? t("common.none")}
                  {recording.teamName && <div className="muted small">{recording.teamName}</div>}
                </td>
              )}
              <td className="column-status">
                <RecordingStatus
                  recording={recording}
                  onRetry={onRetry && (() => onRetry(recording))}
                />
                {recording.status === "ready" && recording.draftsToConfirm > 0 && (
                  <Link
                    href={`/recordings/${recording.id}`}
                    className="badge badge--warning drafts-to-confirm"
                    data-testid="drafts-to-confirm"
                  >
                    {t("repCall.toConfirm", {
                      count: recording.draftsToConfirm,
                    })}
                  </Link>
                )}
              </td>
              <td className="nowrap column-optional">{format.dateTime(recording.createdAt)}</td>
              <td className="actions">
                {canDelete(recording) && (
                  <button
                    type="button"
                    className="button button--ghost button--small button--danger-text"
                    onClick={() => onDelete(recording)}
                    data-testid="delete-recording"
                  >
                    {t("common.delete")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
