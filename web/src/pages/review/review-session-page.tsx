/**
 * Keyboard review of the queue, one item at a time: digits pick an intent, A accepts, R rejects,
 * X says none of the intents fits (intent items), E corrects, Z undoes, J/K walk, N skips to the next call, G opens the evidence in the call view.
 * A decision shows the next item in the same frame; saving happens behind (see decision-ledger.ts).
 */
import { useLayoutEffect, useMemo, useState, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearchParams } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { isMac, KeyCombination } from "../../components/key-combination.tsx";
import { formatKey } from "../../hotkeys/keys.ts";
import { useHotkeys } from "../../hotkeys/hotkeys-context.tsx";
import type { HotkeyHandler, HotkeyHandlers } from "../../hotkeys/bind-hotkeys.ts";
import type { HotkeyActionId } from "../../hotkeys/registry.ts";
import { useActionHotkeys } from "../../hotkeys/use-action-hotkeys.ts";
import { useFormatters } from "../../i18n/format.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { endSession, filtersKey, sessionFor } from "./active-session.ts";
import { ConflictNotice, FailureNotice } from "./conflict-notice.tsx";
import { ItemCard } from "./item-card.tsx";
import {
  currentIntent,
  decisionForIntent,
  evidenceOf,
  intentName,
  predictedIntent,
  quickIntents,
  readActionItem,
  readTalkTrack,
} from "./item-content.ts";
import IntentPicker from "./intent-picker.tsx";
import { ItemEditor } from "./item-editor.tsx";
import { markDecisionStart, markItemRendered } from "./performance-marks.ts";
import { filtersFromSearch } from "./queue-filters.ts";
import { callHref, queueHref } from "./review-paths.ts";
import type { ReviewSession, SessionState } from "./review-session.ts";
import type { DecisionAction, ReviewItem, Vocabulary } from "./review-types.ts";
import { useLocale } from "./use-locale.ts";
import { useVocabulary } from "./use-vocabulary.ts";
import "./review.css";

const digits = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** A few items either side of the current one: enough to see where you are, cheap to redraw. */
const listBehind = 3;
const listAhead = 8;

export default function ReviewSessionPage() {
  const { t } = useTranslation();
  const format = useFormatters();
  const user = useCurrentUser();
  const locale = useLocale();
  const { bindings } = useHotkeys();
  const [, navigate] = useLocation();
  const [searchParams] = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const session = useMemo(
    () => sessionFor(user.id, filters),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key stands for the filters
    [user.id, filtersKey(filters)],
  );
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const [picking, setPicking] = useState(false);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [blockedId, setBlockedId] = useState<string | null>(null);

  const currentId = state.order[state.index];
  const current = currentId === undefined ? null : (state.ledger.items.get(currentId) ?? null);
  const vocabulary = useVocabulary(
    current?.recordingId ?? state.ledger.items.values().next().value?.recordingId,
  );
  const editing = current !== null && editingId === current.id;

  // The item is on screen from this commit: count the time to decide from here, and close the
  // measurement a keypress opened (bench/browser-review.ts reads it).
  useLayoutEffect(() => {
    if (!currentId) return;
    session.markShown(currentId);
    markItemRendered();
  }, [currentId, session]);

  const decide = (
    action: DecisionAction,
    after?: Record<string, unknown>,
    event?: KeyboardEvent,
  ) => {
    if (!current) return;
    if (state.ledger.conflicts.some((conflict) => conflict.itemId === current.id)) {
      setBlockedId(current.id);
      return;
    }
    markDecisionStart(event);
    session.decideCurrent(action, after);
  };

  const pickIntent = (intentId: string, event?: KeyboardEvent) => {
    if (current?.kind !== "intent") return;
    const decision = decisionForIntent(current, intentId);
    decide(decision.action, decision.after, event);
  };

  const noneFits = (event?: KeyboardEvent) => {
    if (current?.kind === "intent") decide("no_fit", undefined, event);
  };

  const correct = () => {
    if (!current) return;
    if (current.kind === "intent") setPicking(true);
    else setEditingId(current.id);
  };

  const openEvidence = () => {
    if (!current) return;
    navigate(
      callHref(current.recordingId, {
        segment: evidenceOf(current)[0],
        itemId: current.id,
      }),
    );
  };

  const handlers: HotkeyHandlers = {
    "review:accept": (event) => decide("accept", undefined, event),
    "review:reject": (event) => decide("reject", undefined, event),
    "review:no-fit": noneFits,
    "review:override": correct,
    "review:undo": () => session.undo(),
    "review:next-utterance": () => session.next(),
    "review:previous-utterance": () => session.previous(),
    "review:next-call": () => session.nextCall(),
    "review:jump-to-evidence": openEvidence,
    "review:open-intent-picker": () => {
      if (current?.kind === "intent") setPicking(true);
    },
  };
  for (const digit of digits) {
    const handler: HotkeyHandler = (event) => {
      const intent = quickIntents(vocabulary?.intents ?? [])[digit - 1];
      if (intent) pickIntent(intent.id, event);
    };
    handlers[`review:pick-intent-${digit}` as HotkeyActionId] = handler;
  }
  useActionHotkeys(handlers, { enabled: !editing });

  const stop = async () => {
    await endSession();
    navigate(queueHref(filters));
  };

  const conflicts = state.ledger.conflicts;
  return (
    <section className="review-session" data-testid="review-session">
      <div className="page-header">
        <div>
          <Link href={queueHref(filters)} className="back-link">
            ← {t("review.session.backToQueue")}
          </Link>
          <h1>{t("review.session.title")}</h1>
          <p className="page-header__intro">
            <span
              data-testid="session-position"
              data-index={state.index}
              data-total={state.order.length}
            >
              {state.order.length > 0 &&
                t("review.session.position", {
                  position: format.number(Math.min(state.index + 1, state.order.length)),
                  total: format.number(state.order.length),
                })}
            </span>
            {state.remaining !== null && (
              <>
                {" · "}
                <span data-testid="queue-remaining">
                  {t("review.session.remaining", {
                    number: format.number(state.remaining),
                  })}
                </span>
              </>
            )}
          </p>
        </div>
        <div className="page-header__actions">
          <span className="muted" data-testid="save-state" data-saving={state.ledger.saving > 0}>
            {state.ledger.saving > 0 ? t("review.session.saving") : t("review.session.saved")}
          </span>
          <button type="button" className="button" onClick={stop} data-testid="stop-reviewing">
            {t("review.session.stop")}
          </button>
        </div>
      </div>

      {conflicts.map((conflict) => {
        const item = state.ledger.items.get(conflict.itemId);
        return (
          <ConflictNotice
            key={conflict.itemId}
            conflict={conflict}
            title={item ? itemSummary(item, vocabulary, locale, t) : ""}
            vocabulary={vocabulary}
            locale={locale}
            onReload={() => session.reload(conflict.itemId)}
            onShow={conflict.itemId === currentId ? undefined : () => session.goTo(conflict.itemId)}
          />
        );
      })}
      {state.ledger.failures.map((failure) => (
        <FailureNotice
          key={failure.key}
          failure={failure}
          onDismiss={() => session.ledger.dismissFailure(failure.key)}
        />
      ))}
      {blockedId !== null &&
        blockedId === currentId &&
        conflicts.some((conflict) => conflict.itemId === blockedId) && (
          <p className="message message--info" role="status">
            {t("review.conflict.blocked")}
          </p>
        )}

      <div className="review-layout">
        <div className="review-layout__main">
          {current ? (
            <>
              <ItemCard
                item={current}
                vocabulary={vocabulary}
                locale={locale}
                bindings={bindings}
                onPickIntent={pickIntent}
                onOpenPicker={() => setPicking(true)}
              />
              {editing && vocabulary && (
                <ItemEditor
                  key={current.id}
                  item={current}
                  catalogue={vocabulary.actionCatalogue}
                  locale={locale}
                  onCancel={() => setEditingId(null)}
                  onSave={(after) => {
                    setEditingId(null);
                    decide("override", after);
                  }}
                />
              )}
              <ActionBar
                bindings={bindings}
                disabled={editing}
                onAccept={() => decide("accept")}
                onReject={() => decide("reject")}
                onNoneFits={current.kind === "intent" ? () => noneFits() : undefined}
                onCorrect={correct}
                onUndo={() => session.undo()}
                onPrevious={() => session.previous()}
                onNext={() => session.next()}
                onEvidence={openEvidence}
                onNextCall={() => session.nextCall()}
              />
              <p className="muted small">
                {t("review.session.hint", {
                  accept: formatKey(bindings["review:accept"], { mac: isMac }),
                  reject: formatKey(bindings["review:reject"], { mac: isMac }),
                  noFit: formatKey(bindings["review:no-fit"], { mac: isMac }),
                  correct: formatKey(bindings["review:override"], { mac: isMac }),
                  undo: formatKey(bindings["review:undo"], { mac: isMac }),
                  help: formatKey(bindings["global:help"], { mac: isMac }),
                })}
              </p>
            </>
          ) : (
            <SessionEnd session={session} state={state} filters={queueHref(filters)} />
          )}
        </div>
        <BatchList state={state} vocabulary={vocabulary} session={session} />
      </div>

      {picking && current?.kind === "intent" && vocabulary && (
        <IntentPicker
          intents={vocabulary.intents}
          locale={locale}
          predicted={predictedIntent(current)}
          current={current.status === "pending" ? null : currentIntent(current)}
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

function itemSummary(
  item: ReviewItem,
  vocabulary: Vocabulary | null,
  locale: ReturnType<typeof useLocale>,
  t: ReturnType<typeof useTranslation>["t"],
): string {
  const what =
    item.kind === "intent"
      ? (intentName(vocabulary?.intents ?? [], predictedIntent(item), locale) ?? "")
      : item.kind === "action_item"
        ? readActionItem(item.content).title
        : readTalkTrack(item.content).suggestion;
  return `${item.recordingTitle} · ${t(`review.kinds.${item.kind}`)} · ${what}`;
}

function ActionBar({
  bindings,
  disabled,
  onAccept,
  onReject,
  onNoneFits,
  onCorrect,
  onUndo,
  onPrevious,
  onNext,
  onEvidence,
  onNextCall,
}: {
  bindings: ReturnType<typeof useHotkeys>["bindings"];
  disabled: boolean;
  onAccept(): void;
  onReject(): void;
  /** Intent items only. */
  onNoneFits?: () => void;
  onCorrect(): void;
  onUndo(): void;
  onPrevious(): void;
  onNext(): void;
  onEvidence(): void;
  onNextCall(): void;
}) {
  const { t } = useTranslation();
  const button = (
    label: string,
    action: HotkeyActionId,
    onClick: () => void,
    className = "button",
  ) => (
    <button
      type="button"
      className={className}
      onClick={onClick}
      disabled={disabled}
      data-action={action}
    >
      {label} <KeyCombination value={bindings[action]} />
    </button>
  );
  return (
    <div className="review-actions" data-testid="review-actions">
      <div className="toolbar">
        {button(t("review.item.accept"), "review:accept", onAccept, "button button--primary")}
        {button(t("review.item.reject"), "review:reject", onReject, "button button--danger-text")}
        {onNoneFits && button(t("review.item.noFit"), "review:no-fit", onNoneFits)}
        {button(t("review.item.correct"), "review:override", onCorrect)}
        {button(t("review.item.undo"), "review:undo", onUndo)}
      </div>
      <div className="toolbar">
        {button(
          t("review.item.previous"),
          "review:previous-utterance",
          onPrevious,
          "button button--ghost",
        )}
        {button(t("review.item.next"), "review:next-utterance", onNext, "button button--ghost")}
        {button(
          t("review.item.jumpToEvidence"),
          "review:jump-to-evidence",
          onEvidence,
          "button button--ghost",
        )}
        {button(t("review.item.nextCall"), "review:next-call", onNextCall, "button button--ghost")}
      </div>
    </div>
  );
}

function SessionEnd({
  session,
  state,
  filters,
}: {
  session: ReviewSession;
  state: SessionState;
  filters: string;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  if (!state.started || state.claiming)
    return (
      <div className="panel empty-state" role="status" data-testid="session-claiming">
        {t("review.session.claiming")}
      </div>
    );
  const skipped = session.openBehind();
  return (
    <div className="panel empty-state" data-testid="session-finished">
      {state.error !== null && (
        <>
          <p className="message message--error">{t("review.session.claimFailed")}</p>
          <ErrorMessage error={state.error} />
        </>
      )}
      <h2>{t("review.session.finishedTitle")}</h2>
      <p>{t("review.session.finishedBody")}</p>
      {skipped > 0 && <p>{t("review.session.skipped", { number: format.number(skipped) })}</p>}
      <div className="toolbar toolbar--centered">
        {skipped > 0 && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => session.firstSkipped()}
          >
            {t("review.session.goToSkipped")}
          </button>
        )}
        <button type="button" className="button" onClick={() => void session.checkAgain()}>
          {t("review.session.checkAgain")}
        </button>
        <Link href={filters} className="button button--ghost">
          {t("review.session.backToQueue")}
        </Link>
      </div>
    </div>
  );
}

function BatchList({
  state,
  vocabulary,
  session,
}: {
  state: SessionState;
  vocabulary: Vocabulary | null;
  session: ReviewSession;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const start = Math.max(0, state.index - listBehind);
  const ids = state.order.slice(start, state.index + listAhead + 1);
  if (ids.length === 0) return <aside className="review-batch" />;
  return (
    <aside className="review-batch panel" aria-label={t("review.session.batch")}>
      <h2 className="panel__title">{t("review.session.batch")}</h2>
      <ol className="review-batch__list" start={start + 1}>
        {ids.map((id, offset) => {
          const item = state.ledger.items.get(id);
          if (!item) return null;
          const index = start + offset;
          const label =
            item.kind === "intent"
              ? intentName(vocabulary?.intents ?? [], currentIntent(item), locale)
              : item.kind === "action_item"
                ? readActionItem(item.currentContent ?? item.content).title
                : readTalkTrack(item.currentContent ?? item.content).suggestion;
          return (
            <li key={id}>
              <button
                type="button"
                className={`review-batch__item ${index === state.index ? "review-batch__item--current" : ""}`}
                aria-current={index === state.index ? "true" : undefined}
                data-testid="batch-item"
                data-status={item.status}
                onClick={() => session.goTo(id)}
              >
                <span className={`status-dot status-dot--${item.status}`} aria-hidden="true" />
                <span className="review-batch__label">{label}</span>
                <span className="visually-hidden">{t(`review.status.${item.status}`)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </aside>
  );
}
