/**
 * One call for review: the audio (with a waveform up to ten minutes), the transcript with each
 * utterance's drafted intent, and the drafted action items and talk tracks beside it with links to
 * their evidence. The review keys work here too: J/K select utterances, digits pick the selected
 * utterance's intent, A/R/E/Z decide on the selected utterance or card, G shows the evidence.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearchParams } from "wouter";
import { ApiError, api } from "../../api/client.ts";
import type { Recording, Transcript } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { isMac } from "../../components/key-combination.tsx";
import { useHotkeys } from "../../hotkeys/hotkeys-context.tsx";
import { formatKey } from "../../hotkeys/keys.ts";
import type { HotkeyHandler, HotkeyHandlers } from "../../hotkeys/bind-hotkeys.ts";
import type { HotkeyActionId } from "../../hotkeys/registry.ts";
import { useActionHotkeys } from "../../hotkeys/use-action-hotkeys.ts";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { AudioPlayer } from "../recordings/audio-player.tsx";
import { segmentIndexAt } from "../recordings/transcript-position.ts";
import { activeSession } from "./active-session.ts";
import { CallSidePanel } from "./call-side-panel.tsx";
import { CallTranscript } from "./call-transcript.tsx";
import type { CallTranscriptHandle } from "./call-transcript.tsx";
import { ConflictNotice, FailureNotice } from "./conflict-notice.tsx";
import { DecisionLedger } from "./decision-ledger.ts";
import {
  currentIntent,
  decisionForIntent,
  evidenceOf,
  predictedIntent,
  quickIntents,
} from "./item-content.ts";
import IntentPicker from "./intent-picker.tsx";
import { markCallViewOpened } from "./performance-marks.ts";
import { listQueue, loadDraft, rememberVocabulary, reviewTransport } from "./review-api.ts";
import { callHref, queueHref, sessionHref } from "./review-paths.ts";
import type { DecisionAction, DraftResponse, ReviewItem } from "./review-types.ts";
import { useLocale } from "./use-locale.ts";
import "./review.css";

const digits = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

interface RecordingResponse {
  recording: Recording;
  transcript: Transcript | null;
}

type Selection = { kind: "segment"; index: number } | { kind: "item"; itemId: string };

export default function CallViewPage({ recordingId }: { recordingId: string }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const locale = useLocale();
  const user = useCurrentUser();
  const { bindings } = useHotkeys();
  const [, navigate] = useLocation();
  const [searchParams] = useSearchParams();
  const [opened] = useState(() => {
    markCallViewOpened();
    return new Date();
  });
  const [recording, setRecording] = useState<RecordingResponse | null>(null);
  const [draft, setDraft] = useState<DraftResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [selection, setSelection] = useState<Selection>({
    kind: "segment",
    index: -1,
  });
  const [editingId, setEditingId] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [currentMs, setCurrentMs] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement | null>(null);
  const transcriptList = useRef<CallTranscriptHandle>(null);
  const shownAt = useRef(new Map<string, Date>());
  const ledger = useMemo(() => new DecisionLedger(reviewTransport), [recordingId]);
  const ledgerState = useSyncExternalStore(ledger.subscribe, ledger.getState);

  // The transcript shows as soon as it arrives; the draft (chips, cards) joins it when it does.
  useEffect(() => {
    const controller = new AbortController();
    const failed = (caught: unknown) => {
      if ((caught as Error).name !== "AbortError") setError(caught);
    };
    api
      .get<RecordingResponse>(`/api/recordings/${recordingId}`, controller.signal)
      .then(setRecording)
      .catch(failed);
    loadDraft(recordingId, controller.signal)
      .then((draftResponse) => {
        rememberVocabulary({
          intents: draftResponse.intents,
          actionCatalogue: draftResponse.actionCatalogue,
        });
        ledger.replaceItems(draftResponse.draft?.items ?? []);
        setDraft(draftResponse);
      })
      .catch(failed);
    return () => controller.abort();
  }, [recordingId, ledger]);

  const segments = recording?.transcript?.segments ?? [];
  const intents = draft?.intents ?? [];
  const vocabulary = useMemo(
    () => ({
      intents: draft?.intents ?? [],
      actionCatalogue: draft?.actionCatalogue ?? [],
    }),
    [draft],
  );

  const { intentsBySegment, actionItems, talkTracks, openCount } = useMemo(() => {
    const bySegment = new Map<number, ReviewItem>();
    const actions: ReviewItem[] = [];
    const tracks: ReviewItem[] = [];
    let open = 0;
    for (const item of ledgerState.items.values()) {
      if (item.status === "pending") open += 1;
      if (item.kind === "intent" && item.segmentOrdinal !== null)
        bySegment.set(item.segmentOrdinal, item);
      else if (item.kind === "action_item") actions.push(item);
      else if (item.kind === "talk_track") tracks.push(item);
    }
    const byEvidence = (first: ReviewItem, second: ReviewItem) =>
      (evidenceOf(first)[0] ?? 0) - (evidenceOf(second)[0] ?? 0) ||
      first.position - second.position;
    return {
      intentsBySegment: bySegment,
      actionItems: actions.sort(byEvidence),
      talkTracks: tracks.sort(byEvidence),
      openCount: open,
    };
  }, [ledgerState.items]);

  const indexOfOrdinal = useCallback(
    (ordinal: number) => {
      const index = segments.findIndex((segment) => segment.ordinal === ordinal);
      return index;
    },
    [segments],
  );

  const selectedItem: ReviewItem | null =
    selection.kind === "item"
      ? (ledgerState.items.get(selection.itemId) ?? null)
      : selection.index >= 0 && segments[selection.index]
        ? (intentsBySegment.get(segments[selection.index].ordinal) ?? null)
        : null;
  const selectedSegmentIndex = selection.kind === "segment" ? selection.index : -1;
  const evidence = useMemo(
    () => new Set(selection.kind === "item" && selectedItem ? evidenceOf(selectedItem) : []),
    [selection, selectedItem],
  );

  // The time to decide on an item counts from when it was selected (or the page opened).
  useEffect(() => {
    if (selectedItem) shownAt.current.set(selectedItem.id, new Date());
  }, [selectedItem?.id]);

  // Opened at an utterance (`?segment=`): select it and bring it into view with the transcript.
  // Opened at a card (`?item=`, an action item or talk track): select it once the draft is here.
  const placed = useRef({ segment: false, item: false });
  useEffect(() => {
    if (placed.current.segment || segments.length === 0) return;
    placed.current.segment = true;
    const ordinal = Number(searchParams.get("segment") ?? Number.NaN);
    const index = Number.isInteger(ordinal) ? indexOfOrdinal(ordinal) : -1;
    if (index < 0) return;
    setSelection((current) => (current.kind === "item" ? current : { kind: "segment", index }));
    requestAnimationFrame(() => transcriptList.current?.scrollToIndex(index));
  }, [segments, searchParams, indexOfOrdinal]);
  useEffect(() => {
    if (placed.current.item || !draft) return;
    placed.current.item = true;
    const itemId = searchParams.get("item");
    const item = itemId ? ledger.getState().items.get(itemId) : undefined;
    if (item && item.kind !== "intent") setSelection({ kind: "item", itemId: item.id });
  }, [draft, searchParams, ledger]);

  const activeIndex = playing || currentMs > 0 ? segmentIndexAt(segments, currentMs) : -1;
  useEffect(() => {
    if (playing && activeIndex >= 0) transcriptList.current?.scrollToIndex(activeIndex);
  }, [activeIndex, playing]);

  const hasAudio = recording?.recording.source === "audio";
  const seek = (milliseconds: number) => {
    if (!audio.current) return;
    audio.current.currentTime = milliseconds / 1000;
    void audio.current.play().catch(() => undefined);
  };

  const selectSegment = (index: number) => {
    if (segments.length === 0) return;
    const clamped = Math.min(segments.length - 1, Math.max(0, index));
    setSelection({ kind: "segment", index: clamped });
    transcriptList.current?.scrollToIndex(clamped);
  };

  const openEvidence = (ordinal: number) => {
    const index = indexOfOrdinal(ordinal);
    if (index < 0) return;
    transcriptList.current?.scrollToIndex(index);
    if (hasAudio) seek(segments[index].startMs);
  };

  const decide = (
    item: ReviewItem | null,
    action: DecisionAction,
    after?: Record<string, unknown>,
  ) => {
    if (!item) return;
    setNotice(null);
    const accepted = ledger.decide(item.id, action, after, shownAt.current.get(item.id) ?? opened);
    if (!accepted) setNotice(t("review.conflict.blocked"));
  };

  const pickIntent = (intentId: string) => {
    if (selectedItem?.kind !== "intent") return;
    const decision = decisionForIntent(selectedItem, intentId);
    decide(selectedItem, decision.action, decision.after);
  };

  const undo = () => {
    const itemId = ledger.undo();
    const item = itemId ? ledger.getState().items.get(itemId) : undefined;
    if (!item) return;
    if (item.kind === "intent" && item.segmentOrdinal !== null)
      selectSegment(indexOfOrdinal(item.segmentOrdinal));
    else setSelection({ kind: "item", itemId: item.id });
  };

  const nextCall = async () => {
    const session = activeSession(user.id);
    if (session) {
      navigate(sessionHref(session.filters));
      return;
    }
    const { items } = await listQueue({}, { limit: 50, offset: 0 }).catch(() => ({
      items: [] as ReviewItem[],
    }));
    const next = items.find((item) => item.recordingId !== recordingId);
    if (next)
      navigate(
        callHref(next.recordingId, {
          segment: evidenceOf(next)[0],
          itemId: next.id,
        }),
      );
  };

  const handlers: HotkeyHandlers = {
    "review:next-utterance": () => selectSegment(selectedSegmentIndex + 1),
    "review:previous-utterance": () =>
      selectSegment(selectedSegmentIndex <= 0 ? 0 : selectedSegmentIndex - 1),
    "review:accept": () => decide(selectedItem, "accept"),
    "review:reject": () => decide(selectedItem, "reject"),
    "review:override": () => {
      if (!selectedItem) return;
      if (selectedItem.kind === "intent") setPicking(true);
      else {
        setSelection({ kind: "item", itemId: selectedItem.id });
        setEditingId(selectedItem.id);
      }
    },
    "review:open-intent-picker": () => {
      if (selectedItem?.kind === "intent") setPicking(true);
    },
    "review:undo": undo,
    "review:jump-to-evidence": () => {
      const ordinal = selectedItem
        ? evidenceOf(selectedItem)[0]
        : segments[selectedSegmentIndex]?.ordinal;
      if (ordinal !== undefined) openEvidence(ordinal);
    },
    "review:play-pause": () => {
      const element = audio.current;
      if (!element) return;
      if (element.paused) void element.play().catch(() => undefined);
      else element.pause();
    },
    "review:next-call": () => void nextCall(),
  };
  for (const digit of digits) {
    const handler: HotkeyHandler = () => {
      const intent = quickIntents(intents)[digit - 1];
      if (intent) pickIntent(intent.id);
    };
    handlers[`review:pick-intent-${digit}` as HotkeyActionId] = handler;
  }
  useActionHotkeys(handlers, { enabled: editingId === null });

  if (error instanceof ApiError && error.status === 404) {
    return (
      <section className="panel empty-state" data-testid="call-not-found">
        <p>{t("recording.notFound")}</p>
        <Link href="/review" className="button">
          {t("review.call.back")}
        </Link>
      </section>
    );
  }
  if (!recording)
    return error ? <ErrorMessage error={error} /> : <p className="muted">{t("common.loading")}</p>;

  const { recording: call } = recording;
  const session = activeSession(user.id);
  return (
    <section className="call-view" data-testid="call-view">
      <Link href={session ? sessionHref(session.filters) : queueHref({})} className="back-link">
        ← {t("review.call.back")}
      </Link>
      <div className="page-header">
        <div>
          <h1>{call.title}</h1>
          <p className="page-header__intro">
            {[
              stageLabel(t, call.customerStage),
              call.teamName,
              call.ownerName,
              format.date(call.callDate ?? call.createdAt),
              format.duration(call.durationMs),
            ]
              .filter(Boolean)
              .join(" · ")}
          </p>
          {draft?.draft && (
            <p className="muted small">
              {t("review.item.draftedBy", {
                engine: t(`review.engines.${draft.draft.engine}`),
                model: draft.draft.model,
              })}
              {draft.draft.promptSetVersion &&
                ` · ${t("review.item.promptSet", { version: draft.draft.promptSetVersion })}`}
            </p>
          )}
        </div>
        <div className="page-header__actions">
          <span className="muted">
            {t("review.call.segmentCount", {
              number: format.number(segments.length),
            })}
          </span>
          <span className="badge badge--accent" data-testid="open-count">
            {t("review.call.openCount", { number: format.number(openCount) })}
          </span>
          <span className="muted" data-testid="save-state" data-saving={ledgerState.saving > 0}>
            {ledgerState.saving > 0 ? t("review.session.saving") : t("review.session.saved")}
          </span>
        </div>
      </div>

      {ledgerState.conflicts.map((conflict) => (
        <ConflictNotice
          key={conflict.itemId}
          conflict={conflict}
          title={call.title}
          vocabulary={vocabulary}
          locale={locale}
          onReload={() => ledger.reload(conflict.itemId)}
        />
      ))}
      {ledgerState.failures.map((failure) => (
        <FailureNotice
          key={failure.key}
          failure={failure}
          onDismiss={() => ledger.dismissFailure(failure.key)}
        />
      ))}
      {notice && (
        <p className="message message--info" role="status">
          {notice}
        </p>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {draft && !draft.draft && <p className="message message--info">{t("review.call.noDraft")}</p>}

      <div className="call-layout">
        <div className="call-layout__main">
          {hasAudio && (
            <div className="panel">
              <AudioPlayer
                src={`/api/recordings/${call.id}/audio`}
                durationMs={call.durationMs}
                audioReference={audio}
                onTimeUpdate={setCurrentMs}
                onPlayingChange={setPlaying}
              />
            </div>
          )}
          <div className="panel">
            <div className="section-header section-header--tight">
              <h2 className="panel__title">{t("review.call.transcript")}</h2>
              <span className="muted small">
                {t("review.call.selectHint", {
                  next: formatKey(bindings["review:next-utterance"], { mac: isMac }),
                  previous: formatKey(bindings["review:previous-utterance"], { mac: isMac }),
                })}
              </span>
            </div>
            {segments.length > 0 ? (
              <CallTranscript
                ref={transcriptList}
                segments={segments}
                intentsBySegment={intentsBySegment}
                intents={intents}
                locale={locale}
                activeIndex={activeIndex}
                selectedIndex={selectedSegmentIndex}
                evidence={evidence}
                onSelect={(index) => {
                  setSelection({ kind: "segment", index });
                  // A click moves the playhead there; playback starts from the time button or Space.
                  if (audio.current && segments[index])
                    audio.current.currentTime = segments[index].startMs / 1000;
                }}
                onSeek={hasAudio ? seek : undefined}
              />
            ) : (
              <p className="muted">{t("recording.transcriptMissing")}</p>
            )}
          </div>
        </div>
        {draft ? (
          <CallSidePanel
            actionItems={actionItems}
            talkTracks={talkTracks}
            notes={draft.draft?.notes ?? []}
            vocabulary={vocabulary}
            locale={locale}
            selectedItemId={selection.kind === "item" ? selection.itemId : null}
            editingItemId={editingId}
            onSelect={(item) => setSelection({ kind: "item", itemId: item.id })}
            onOpenEvidence={openEvidence}
            onSave={(item, after) => {
              setEditingId(null);
              decide(item, "override", after);
            }}
            onCancelEdit={() => setEditingId(null)}
          />
        ) : (
          <p className="muted">{t("common.loading")}</p>
        )}
      </div>

      {picking && selectedItem?.kind === "intent" && (
        <IntentPicker
          intents={intents}
          locale={locale}
          predicted={predictedIntent(selectedItem)}
          current={selectedItem.status === "pending" ? null : currentIntent(selectedItem)}
          onClose={() => setPicking(false)}
          onPick={(intentId) => {
            setPicking(false);
            pickIntent(intentId);
          }}
        />
      )}
    </section>
  );
}
