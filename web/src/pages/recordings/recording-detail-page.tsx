/**
 * One recording: its details and status (live), the audio, and the transcript with speakers and
 * timestamps. Clicking a timestamp plays from there; J/K move between utterances and Space plays
 * or pauses, through the shared hotkey registry. Once the call is drafted, the rep's side of it
 * ("My call": summary, action items, talk tracks, follow-up e-mail) sits beside the transcript,
 * and J/K move between its items instead.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "wouter";
import { ApiError, api } from "../../api/client.ts";
import type { Recording, Transcript } from "../../api/types.ts";
import { ConfirmDialog } from "../../components/dialog.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import { LiveIndicator } from "../../components/live-indicator.tsx";
import { useActionHotkeys } from "../../hotkeys/use-action-hotkeys.ts";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { useJobEvents } from "../../live/job-events.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { markRepCallOpened } from "../review/performance-marks.ts";
import { AudioPlayer } from "./audio-player.tsx";
import { CallFollowUp } from "./call-follow-up.tsx";
import { OutcomesPanel } from "./outcomes-panel.tsx";
import { canErase, canRerunAgents, canRetry } from "./permissions.ts";
import { RecordingStatus, recordingTitle } from "./recording-status.tsx";
import { TranscriptList } from "./transcript-list.tsx";
import type { TranscriptListHandle } from "./transcript-list.tsx";
import { segmentIndexAt } from "./transcript-position.ts";
import { PipelinePanel } from "./pipeline-panel.tsx";
import { useAgentRuns } from "./use-agent-runs.ts";
import { useCallDrafts } from "./use-call-drafts.ts";

interface RecordingResponse {
  recording: Recording;
  transcript: Transcript | null;
}

export default function RecordingDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const user = useCurrentUser();
  const [, setLocation] = useLocation();
  const [data, setData] = useState<RecordingResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [showOriginal, setShowOriginal] = useState(false);
  const [follow, setFollow] = useState(true);
  const [playing, setPlaying] = useState(false);
  const [currentMs, setCurrentMs] = useState(0);
  const [selectedIndex, setSelectedIndex] = useState(-1);
  const audio = useRef<HTMLAudioElement | null>(null);
  const list = useRef<TranscriptListHandle>(null);
  const loading = useRef<{ again: boolean } | null>(null);

  const load = useCallback(async () => {
    // One request at a time; events that arrive meanwhile cause one more afterwards.
    if (loading.current) {
      loading.current.again = true;
      return;
    }
    const state = { again: false };
    loading.current = state;
    do {
      state.again = false;
      try {
        setData(await api.get<RecordingResponse>(`/api/recordings/${id}`));
        setError(null);
      } catch (caught) {
        setError(caught);
      }
    } while (state.again);
    loading.current = null;
  }, [id]);

  useEffect(() => {
    markRepCallOpened();
    void load();
  }, [load]);

  useJobEvents(
    (event) => {
      if (event.subjectType === "recording" && event.subjectId === id) void load();
    },
    () => void load(),
  );

  const ready = data?.recording.status === "ready";
  const drafts = useCallDrafts(id, data?.recording.status);
  // A re-run replaces the agent's undecided items: reload the drafts when a run finishes.
  const pipeline = useAgentRuns(id, () => void drafts.reload());

  const segments = data?.transcript?.segments ?? [];
  const activeIndex = playing || currentMs > 0 ? segmentIndexAt(segments, currentMs) : -1;

  useEffect(() => {
    if (follow && playing && activeIndex >= 0) list.current?.scrollToIndex(activeIndex);
  }, [activeIndex, follow, playing]);

  const select = (index: number) => {
    if (segments.length === 0) return;
    const clamped = Math.min(segments.length - 1, Math.max(0, index));
    setSelectedIndex(clamped);
    list.current?.scrollToIndex(clamped);
  };

  const seek = (milliseconds: number) => {
    if (!audio.current) return;
    audio.current.currentTime = milliseconds / 1000;
    void audio.current.play().catch(() => undefined);
  };

  /** Shows an utterance an item came from, and plays it when there is audio. */
  const openSegment = (ordinal: number) => {
    const index = segments.findIndex((segment) => segment.ordinal === ordinal);
    if (index === -1) return;
    select(index);
    if (data?.recording.source === "audio") seek(segments[index].startMs);
  };

  const playPause = () => {
    const element = audio.current;
    if (!element) return;
    if (element.paused) void element.play().catch(() => undefined);
    else element.pause();
  };
  // With the call's drafts on screen, J/K belong to their items (bound by CallFollowUp).
  useActionHotkeys(
    ready
      ? { "review:play-pause": playPause }
      : {
          "review:next-utterance": () => select(selectedIndex + 1),
          "review:previous-utterance": () => select(selectedIndex <= 0 ? 0 : selectedIndex - 1),
          "review:play-pause": playPause,
        },
  );

  if (error instanceof ApiError && error.status === 404) {
    return (
      <section className="panel empty-state" data-testid="recording-not-found">
        <p>{t("recording.notFound")}</p>
        <Link href="/recordings" className="button">
          {t("recording.back")}
        </Link>
      </section>
    );
  }
  if (!data)
    return error ? <ErrorMessage error={error} /> : <p className="muted">{t("common.loading")}</p>;

  const { recording, transcript } = data;
  const hasOriginal = segments.some(
    (segment) => segment.originalText && segment.originalText !== segment.text,
  );
  const details: Array<[string, string]> = [
    [t("recording.source"), t(`recordings.source.${recording.source}`)],
    [t("recordings.customerStage"), stageLabel(t, recording.customerStage)],
    [t("recordings.customerReference"), recording.customerReference || t("common.none")],
    [t("recordings.callDate"), format.date(recording.callDate)],
    [t("recordings.columns.duration"), format.duration(recording.durationMs)],
    [t("recording.owner"), recording.ownerName ?? t("common.none")],
    [t("recording.team"), recording.teamName ?? t("common.none")],
    [t("recordings.columns.created"), format.dateTime(recording.createdAt)],
  ];
  if (transcript?.language)
    details.push([t("recording.transcriptLanguage"), format.language(transcript.language)]);
  if (transcript?.transcriber)
    details.push([
      t("recording.transcriber"),
      [transcript.transcriber, transcript.model].filter(Boolean).join(" · "),
    ]);

  return (
    <section className="detail" data-testid="recording-detail">
      <Link href="/recordings" className="back-link">
        ← {t("recording.back")}
      </Link>
      <div className="page-header">
        <div>
          <h1>{recordingTitle(recording)}</h1>
          {recording.originalFilename && recording.originalFilename !== recording.title && (
            <p className="muted">{recording.originalFilename}</p>
          )}
        </div>
        <div className="page-header__actions">
          <LiveIndicator />
          {canErase(user, recording) && (
            <button
              type="button"
              className="button button--danger-text"
              onClick={() => setConfirmingDelete(true)}
              data-testid="delete-recording"
            >
              {t("common.delete")}
            </button>
          )}
        </div>
      </div>
      {actionError !== null && <ErrorMessage error={actionError} />}

      <div className="detail__layout">
        <aside className="panel detail__aside">
          <h2 className="panel__title">{t("recording.details")}</h2>
          <RecordingStatus
            recording={recording}
            onRetry={
              canRetry(user)
                ? async () => {
                    setActionError(null);
                    try {
                      await api.post(`/api/recordings/${recording.id}/retry`);
                      void load();
                    } catch (caught) {
                      setActionError(caught);
                    }
                  }
                : undefined
            }
          />
          <dl className="details">
            {details.map(([label, value]) => (
              <div key={label} className="details__row">
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <OutcomesPanel recordingId={recording.id} />
        </aside>

        <div className="detail__main">
          {recording.source === "audio" && (
            <div className="panel">
              <h2 className="panel__title">{t("recording.audio")}</h2>
              <AudioPlayer
                src={`/api/recordings/${recording.id}/audio`}
                durationMs={recording.durationMs}
                audioReference={audio}
                onTimeUpdate={setCurrentMs}
                onPlayingChange={setPlaying}
              />
            </div>
          )}
          {(pipeline.runs.length > 0 || recording.status === "drafting") && (
            <PipelinePanel pipeline={pipeline} canRerun={canRerunAgents(user, recording)} />
          )}
          <div className={ready ? "call-columns" : undefined}>
            {ready && (
              <CallFollowUp
                recording={recording}
                transcript={transcript}
                drafts={drafts}
                agentRuns={pipeline.runs}
                onOpenEvidence={openSegment}
              />
            )}
            <div className="panel call-columns__transcript">
              <div className="section-header section-header--tight">
                <h2 className="panel__title">{t("recording.transcript")}</h2>
                {segments.length > 0 && (
                  <div className="toolbar">
                    <span className="muted">
                      {t("recording.segmentCount", {
                        number: format.number(segments.length),
                      })}
                    </span>
                    {recording.source === "audio" && (
                      <label className="checkbox">
                        <input
                          type="checkbox"
                          checked={follow}
                          onChange={(event) => setFollow(event.target.checked)}
                        />
                        {t("recording.followPlayback")}
                      </label>
                    )}
                    {hasOriginal && (
                      <label className="checkbox">
                        <input
                          type="checkbox"
                          checked={showOriginal}
                          onChange={(event) => setShowOriginal(event.target.checked)}
                        />
                        {t("recording.showOriginal")}
                      </label>
                    )}
                  </div>
                )}
              </div>
              {segments.length > 0 ? (
                <TranscriptList
                  ref={list}
                  segments={segments}
                  activeIndex={activeIndex}
                  selectedIndex={selectedIndex}
                  showOriginal={showOriginal}
                  onSelect={setSelectedIndex}
                  onSeek={recording.source === "audio" ? seek : undefined}
                />
              ) : (
                <p className="muted" data-testid="transcript-empty">
                  {recording.status === "ready" ||
                  recording.status === "failed" ||
                  recording.status === "drafting"
                    ? t("recording.transcriptMissing")
                    : t("recording.transcriptPending")}
                </p>
              )}
            </div>
          </div>
        </div>
      </div>

      {confirmingDelete && (
        <ConfirmDialog
          title={t("recordings.confirmDelete.title")}
          body={t("recordings.confirmDelete.body", {
            title: recordingTitle(recording),
          })}
          confirmLabel={t("recordings.confirmDelete.confirm")}
          onConfirm={async () => {
            await api.delete(`/api/recordings/${recording.id}`);
            setLocation("/recordings", { replace: true });
          }}
          onClose={() => setConfirmingDelete(false)}
        />
      )}
    </section>
  );
}
