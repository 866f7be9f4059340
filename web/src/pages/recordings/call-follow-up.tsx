/**
 * The rep's side of a ready call ("My call"), beside the audio and transcript: a summary made
 * locally from the draft, the action items and talk tracks to accept, edit or reject (mouse or the
 * shared hotkeys: J/K to move, A/E/R, Z to undo, I to add a missing action item), the exports
 * (D calendar, Shift+D CSV) and the follow-up e-mail (C copies, M opens the mail app).
 * Every decision goes through the review API, which records it as the rep's.
 */
import { downloadUrl } from "../../components/download.ts";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Recording, Transcript } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { KeyCombination } from "../../components/key-combination.tsx";
import { showToast } from "../../components/toasts.tsx";
import { useHotkeys } from "../../hotkeys/hotkeys-context.tsx";
import { useActionHotkeys } from "../../hotkeys/use-action-hotkeys.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { summariseCall } from "../../../../core/follow-up/call-summary.ts";
import { composeFollowUpEmail } from "../../../../core/follow-up/follow-up-email.ts";
import { callLanguage, standingActionItems } from "../../../../core/follow-up/follow-up-item.ts";
import { mailtoUrl } from "../../../../core/follow-up/mailto.ts";
import { ActionItemDetails, TalkTrackDetails } from "../review/item-details.tsx";
import { markRepCallItemsRendered } from "../review/performance-marks.ts";
import { ItemEditor } from "../review/item-editor.tsx";
import { evidenceOf } from "../review/item-content.ts";
import type { ReviewItem } from "../review/review-types.ts";
import { useLocale } from "../review/use-locale.ts";
import { AddActionItemForm } from "./add-action-item-form.tsx";
import { AgentSummaryCard, type AgentSummary } from "./agent-summary-card.tsx";
import { CallSummaryCard } from "./call-summary-card.tsx";
import { copyText } from "./copy-text.ts";
import { FollowUpEmailCard } from "./follow-up-email-card.tsx";
import type { AgentRun } from "./use-agent-runs.ts";
import type { CallDrafts } from "./use-call-drafts.ts";
import { WhyLink } from "../../components/why-link.tsx";
import "../review/review.css";
import "./call-follow-up.css";

export interface CallFollowUpProps {
  recording: Recording;
  transcript: Transcript | null;
  drafts: CallDrafts;
  /** The call's agent runs: the summary and e-mail agents' outputs are shown when they succeeded. */
  agentRuns?: AgentRun[];
  /** Plays (or shows) the moment an item came from. */
  onOpenEvidence(segment: number): void;
}

export function CallFollowUp({ recording, transcript, drafts, agentRuns = [], onOpenEvidence }: CallFollowUpProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const user = useCurrentUser();
  const { bindings } = useHotkeys();
  const { response } = drafts;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);

  const catalogue = response?.actionCatalogue ?? [];
  const allItems = response?.draft?.items ?? [];
  const actionItems = useMemo(
    () => allItems.filter((item) => item.kind === "action_item"),
    [allItems],
  );
  const talkTracks = useMemo(
    () => allItems.filter((item) => item.kind === "talk_track"),
    [allItems],
  );
  const ordered = useMemo(() => [...actionItems, ...talkTracks], [actionItems, talkTracks]);
  const selected = ordered.find((item) => item.id === selectedId) ?? null;
  const segments = transcript?.segments ?? [];
  const language = callLanguage(
    recording.language,
    transcript?.language ?? null,
    segments
      .slice(0, 20)
      .map((segment) => segment.text)
      .join(" "),
  );
  const canDecide =
    user.role !== "manager" && (user.role !== "rep" || recording.ownerId === user.id);

  const summary = useMemo(
    () =>
      response?.draft
        ? summariseCall({
            engine: response.draft.engine,
            model: response.draft.model,
            items: allItems,
            catalogue,
            raised: response.raised,
          })
        : null,
    [response, allItems, catalogue],
  );
  const standing = useMemo(() => standingActionItems(allItems, catalogue), [allItems, catalogue]);
  const summaryRun = agentRuns.find((run) => run.agent === "call-summary" && run.status === "succeeded" && run.output);
  const emailRun = agentRuns.find((run) => run.agent === "follow-up-email" && run.status === "succeeded" && run.output);
  const agentEmail = emailRun?.output as { subject?: string; body?: string } | undefined;
  const email = useMemo(
    () =>
      // The e-mail agent's draft when it wrote one; the template otherwise (e.g. on the local engine).
      agentEmail?.subject && agentEmail.body
        ? { subject: agentEmail.subject, body: agentEmail.body.replaceAll("[name]", recording.ownerName ?? user.displayName), source: "agent" as const }
        : composeFollowUpEmail({
            language,
            callDate: recording.callDate,
            customer: null,
            repName: recording.ownerName ?? user.displayName,
            items: standing,
          }),
    [agentEmail?.subject, agentEmail?.body, language, recording.callDate, recording.ownerName, user.displayName, standing],
  );
  const mailto = mailtoUrl({ subject: email.subject, body: email.body });

  useEffect(() => {
    if (selected) drafts.show(selected.id);
  }, [selected, drafts]);

  useEffect(() => {
    if (response) markRepCallItemsRendered();
  }, [response]);

  useEffect(() => {
    if (!selectedId) return;
    listRef.current
      ?.querySelector(`[data-item-id="${selectedId}"]`)
      ?.scrollIntoView({ block: "nearest" });
  }, [selectedId]);

  const move = (step: number) => {
    if (ordered.length === 0) return;
    const index = ordered.findIndex((item) => item.id === selectedId);
    const next =
      index === -1
        ? step > 0
          ? 0
          : ordered.length - 1
        : Math.min(ordered.length - 1, Math.max(0, index + step));
    setSelectedId(ordered[next].id);
  };

  const decide = async (item: ReviewItem | null, action: "accept" | "reject") => {
    if (!item || !canDecide || drafts.busy) return;
    const done = await drafts.decide(item, action);
    if (done) move(1);
  };

  const copyEmail = async () => {
    const copied = await copyText(`${email.subject}\n\n${email.body}`);
    showToast(copied ? t("repCall.email.copied") : t("repCall.email.copyFailed"));
  };

  const exportIcs = () => {
    if (!standing.some((item) => item.dueDate)) {
      showToast(t("repCall.exports.nothingDated"));
      return;
    }
    downloadUrl(`/api/recordings/${recording.id}/action-items.ics`);
  };
  const exportCsv = () => downloadUrl(`/api/recordings/${recording.id}/action-items.csv`);

  useActionHotkeys(
    {
      "review:next-utterance": () => move(1),
      "review:previous-utterance": () => move(-1),
      "review:accept": () => void decide(selected, "accept"),
      "review:reject": () => void decide(selected, "reject"),
      "review:override": () => {
        if (selected && canDecide) setEditing(true);
      },
      "review:undo": () => void drafts.undo(),
      "review:jump-to-evidence": () => {
        const first = selected ? evidenceOf(selected)[0] : undefined;
        if (first !== undefined) onOpenEvidence(first);
      },
      "review:add-item": () => {
        if (canDecide) setAdding(true);
      },
      "review:export-calendar": exportIcs,
      "review:export-csv": exportCsv,
      "review:copy-email": () => void copyEmail(),
      "review:open-mail": () => {
        window.location.href = mailto;
      },
    },
    { enabled: !editing && !adding },
  );

  if (drafts.error !== null && !response) return <ErrorMessage error={drafts.error} />;
  if (!response) return <p className="muted">{t("common.loading")}</p>;
  if (!response.draft)
    return (
      <div className="panel" data-testid="call-follow-up">
        <p className="muted">{t("repCall.noDraft")}</p>
      </div>
    );

  const pendingCount = ordered.filter((item) => item.status === "pending").length;
  const itemRow = (item: ReviewItem) => (
    <CallItemRow
      key={item.id}
      item={item}
      selected={item.id === selectedId}
      editing={editing && item.id === selectedId}
      canDecide={canDecide}
      busy={drafts.busy}
      catalogue={catalogue}
      locale={locale}
      onSelect={() => setSelectedId(item.id)}
      onDecide={(action) => {
        setSelectedId(item.id);
        void decide(item, action);
      }}
      onEdit={() => {
        setSelectedId(item.id);
        setEditing(true);
      }}
      onSave={async (after) => {
        const done = await drafts.decide(item, "override", after);
        if (done) setEditing(false);
      }}
      onCancel={() => setEditing(false)}
      onOpenEvidence={onOpenEvidence}
    />
  );

  return (
    <div className="call-follow-up" data-testid="call-follow-up" ref={listRef}>
      {summaryRun ? (
        <AgentSummaryCard
          summary={summaryRun.output as unknown as AgentSummary}
          model={summaryRun.model}
          traceId={summaryRun.traceId}
          onOpenEvidence={onOpenEvidence}
        />
      ) : (
        summary && <CallSummaryCard summary={summary} locale={locale} onOpenEvidence={onOpenEvidence} />
      )}

      {drafts.conflict && (
        <p className="message message--error" role="alert" data-testid="call-conflict">
          {drafts.conflict}
        </p>
      )}
      {drafts.error !== null && <ErrorMessage error={drafts.error} />}

      <section
        className="panel"
        aria-labelledby="action-items-title"
        data-testid="call-action-items"
      >
        <div className="section-header section-header--tight">
          <h2 className="panel__title" id="action-items-title">
            {t("repCall.actionItems")}
          </h2>
          <span className="muted" data-testid="call-pending-count">
            {t("repCall.toConfirm", { count: pendingCount })}
          </span>
        </div>
        {actionItems.length === 0 && <p className="muted">{t("repCall.noActionItems")}</p>}
        <div className="call-items">{actionItems.map(itemRow)}</div>
        {adding && (
          <AddActionItemForm
            catalogue={catalogue}
            locale={locale}
            segmentCount={segments.length}
            defaultSegment={selected ? (evidenceOf(selected)[0] ?? 0) : 0}
            onSave={async (item) => {
              const done = await drafts.add(item);
              if (done) setAdding(false);
              return done;
            }}
            onCancel={() => setAdding(false)}
          />
        )}
        <div className="toolbar call-toolbar">
          {canDecide && !adding && (
            <button
              type="button"
              className="button"
              onClick={() => setAdding(true)}
              data-testid="add-action-item"
            >
              {t("repCall.addItem")} <KeyCombination value={bindings["review:add-item"]} />
            </button>
          )}
          <button type="button" className="button" onClick={exportIcs} data-testid="export-ics">
            {t("repCall.exports.calendar")}{" "}
            <KeyCombination value={bindings["review:export-calendar"]} />
          </button>
          <button type="button" className="button" onClick={exportCsv} data-testid="export-csv">
            {t("repCall.exports.csv")} <KeyCombination value={bindings["review:export-csv"]} />
          </button>
          {drafts.canUndo && (
            <button
              type="button"
              className="button button--ghost"
              onClick={() => void drafts.undo()}
              data-testid="call-undo"
            >
              {t("review.item.undo")} <KeyCombination value={bindings["review:undo"]} />
            </button>
          )}
        </div>
      </section>

      <section className="panel" aria-labelledby="talk-tracks-title" data-testid="call-talk-tracks">
        <h2 className="panel__title" id="talk-tracks-title">
          {t("repCall.talkTracks")}
        </h2>
        <p className="muted small">{t("repCall.talkTracksHint")}</p>
        {talkTracks.length === 0 && <p className="muted">{t("repCall.noTalkTracks")}</p>}
        <div className="call-items">{talkTracks.map(itemRow)}</div>
      </section>

      <FollowUpEmailCard email={email} mailto={mailto} onCopy={() => void copyEmail()} />
    </div>
  );
}

interface CallItemRowProps {
  item: ReviewItem;
  selected: boolean;
  editing: boolean;
  canDecide: boolean;
  busy: boolean;
  catalogue: NonNullable<CallDrafts["response"]>["actionCatalogue"];
  locale: ReturnType<typeof useLocale>;
  onSelect(): void;
  onDecide(action: "accept" | "reject"): void;
  onEdit(): void;
  onSave(after: Record<string, unknown>): void;
  onCancel(): void;
  onOpenEvidence(segment: number): void;
}

const CallItemRow = memo(function CallItemRow(props: CallItemRowProps) {
  const { item, selected, editing, canDecide, busy, catalogue, locale } = props;
  const { t } = useTranslation();
  const { bindings } = useHotkeys();
  return (
    <article
      className={`call-item call-item--${item.status} ${selected ? "call-item--selected" : ""}`}
      data-testid="call-item"
      data-item-id={item.id}
      data-kind={item.kind}
      data-status={item.status}
      aria-current={selected ? "true" : undefined}
      onClick={props.onSelect}
    >
      <div className="call-item__body">
        {item.kind === "action_item" ? (
          <ActionItemDetails
            item={item}
            catalogue={catalogue}
            locale={locale}
            onOpenEvidence={props.onOpenEvidence}
          />
        ) : (
          <TalkTrackDetails item={item} onOpenEvidence={props.onOpenEvidence} />
        )}
      </div>
      <div className="call-item__side">
        <span className={`status-pill status-pill--${item.status}`} data-testid="item-status">
          {item.origin === "rep" ? t("repCall.added") : t(`review.status.${item.status}`)}
        </span>
        <WhyLink traceId={item.traceId} />
        {canDecide && !editing && (
          <div className="call-item__actions">
            {(
              [
                ["accept", "review:accept", () => props.onDecide("accept"), ""],
                ["edit", "review:override", props.onEdit, ""],
                ["reject", "review:reject", () => props.onDecide("reject"), "button--danger-text"],
              ] as const
            ).map(([name, action, run, tone]) => (
              <button
                key={name}
                type="button"
                className={`button button--small ${tone}`}
                disabled={busy}
                onClick={(event) => {
                  event.stopPropagation();
                  run();
                }}
                data-testid={`item-${name}`}
              >
                {t(`repCall.${name}`)} {selected && <KeyCombination value={bindings[action]} />}
              </button>
            ))}
          </div>
        )}
      </div>
      {editing && (
        <div className="call-item__editor" onClick={(event) => event.stopPropagation()}>
          <ItemEditor
            item={item}
            catalogue={catalogue}
            locale={locale}
            onSave={props.onSave}
            onCancel={props.onCancel}
          />
        </div>
      )}
    </article>
  );
});
