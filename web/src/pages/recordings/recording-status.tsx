import { useTranslation } from "react-i18next";
import type { Recording } from "../../api/types.ts";
import { finalRecordingStatuses } from "../../api/types.ts";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { useFormatters } from "../../i18n/format.ts";
import { useSpeechModelDownload } from "./use-speech-model-download.ts";

/** 0–1, whichever scale the server used (tolerates percentages). */
export function progressFraction(progress: number | null | undefined): number | null {
  if (progress === null || progress === undefined || Number.isNaN(progress)) return null;
  return progress > 1 ? Math.min(1, progress / 100) : Math.max(0, progress);
}

export function recordingTitle(
  recording: Pick<Recording, "title" | "originalFilename" | "id">,
): string {
  return recording.title?.trim() || recording.originalFilename || recording.id.slice(0, 8);
}

const tones = {
  queued: "neutral",
  normalising: "accent",
  transcribing: "accent",
  drafting: "accent",
  ready: "success",
  failed: "danger",
} as const;

/** Status badge, progress while working, and the reason when it failed. */
export function RecordingStatus({
  recording,
  onRetry,
}: {
  recording: Recording;
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const fraction = progressFraction(recording.progress);
  const working = !finalRecordingStatuses.has(recording.status) && recording.status !== "queued";
  const label = t(`recordings.status.${recording.status}`);
  const download = useSpeechModelDownload(recording.id);
  const downloading = download !== null && !finalRecordingStatuses.has(recording.status);
  return (
    <div className="status" data-testid="recording-status" data-status={recording.status}>
      <span className={`badge badge--${tones[recording.status] ?? "neutral"}`}>
        {label}
        {working && fraction !== null && fraction > 0 ? ` ${format.percent(fraction)}` : ""}
      </span>
      {downloading ? (
        <div className="status__download" data-testid="speech-model-download">
          <span className="muted small">
            {t(download.waiting ? "recordings.speechModel.waiting" : "recordings.speechModel.downloading", {
              received: download.receivedMegabytes,
              total: download.totalMegabytes ?? "?",
            })}
          </span>
          <ProgressBar
            value={download.totalMegabytes ? download.receivedMegabytes / download.totalMegabytes : null}
            label={t("recordings.speechModel.label")}
          />
        </div>
      ) : (
        working && <ProgressBar value={fraction !== null && fraction > 0 ? fraction : null} label={label} />
      )}
      {recording.status === "failed" && (
        <div className="status__failure">
          {recording.failureReason && (
            <span className="status__reason">{recording.failureReason}</span>
          )}
          {onRetry && (
            <button
              type="button"
              className="button button--small"
              onClick={onRetry}
              data-testid="retry-recording"
            >
              {t("common.retry")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
