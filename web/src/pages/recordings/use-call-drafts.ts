/**
 * The drafts of one call as its rep works them: load, accept / reject / edit (each a decision
 * through the review API, which marks it as the rep's), undo the last one, add a missing action
 * item. The time to decide runs from when an item was selected (or the page shown) to the decision.
 * A stale save (409: someone else decided first) reloads the call and says so.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import type { RecordingStatus } from "../../api/types.ts";
import type { AddedActionItem } from "../../../../core/review/added-items.ts";
import type { RaisedTopic } from "../../../../core/follow-up/call-summary.ts";
import { reviewTransport } from "../review/review-api.ts";
import type {
  DecisionAction,
  DecisionResponse,
  DraftResponse,
  ReviewItem,
} from "../review/review-types.ts";

/** `GET /api/recordings/:id/follow-up`: the draft's action items and talk tracks, and what the customer raised. */
export type CallPageResponse = DraftResponse & { raised: RaisedTopic[] };

/** What `POST /api/recordings/:id/action-items` takes. */
export type NewActionItem = Omit<AddedActionItem, "shownAt"> & {
  /** ISO time the form was opened. */
  shownAt: string;
};

export interface CallDrafts {
  response: CallPageResponse | null;
  error: unknown;
  /** A decision refused as stale, shown until the next decision. */
  conflict: string | null;
  busy: boolean;
  canUndo: boolean;
  /** Marks when an item is put in front of the rep: its time to decide starts there. */
  show(itemId: string): void;
  decide(
    item: ReviewItem,
    action: DecisionAction,
    after?: Record<string, unknown>,
  ): Promise<boolean>;
  undo(): Promise<void>;
  add(item: NewActionItem): Promise<boolean>;
  reload(): Promise<void>;
}

/** `status` is the recording's, undefined while it loads. */
export function useCallDrafts(
  recordingId: string,
  status: RecordingStatus | undefined,
): CallDrafts {
  const [response, setResponse] = useState<CallPageResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [undoStack, setUndoStack] = useState<string[]>([]);
  const pageShownAt = useRef(new Date().toISOString());
  const shownAt = useRef(new Map<string, string>());

  const reload = useCallback(async () => {
    try {
      setResponse(await api.get<CallPageResponse>(`/api/recordings/${recordingId}/follow-up`));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, [recordingId]);

  // Asked for at once, beside the recording itself (no waterfall), and again when the call turns
  // ready (its drafts were made meanwhile).
  useEffect(() => {
    void reload();
  }, [reload]);
  const previousStatus = useRef(status);
  useEffect(() => {
    if (
      status === "ready" &&
      previousStatus.current !== undefined &&
      previousStatus.current !== "ready"
    )
      void reload();
    previousStatus.current = status;
  }, [status, reload]);

  const replace = useCallback((item: ReviewItem) => {
    setResponse((current) => {
      if (!current?.draft) return current;
      const known = current.draft.items.some((candidate) => candidate.id === item.id);
      const items = known
        ? current.draft.items.map((candidate) => (candidate.id === item.id ? item : candidate))
        : [...current.draft.items, item];
      return { ...current, draft: { ...current.draft, items } };
    });
  }, []);

  const run = useCallback(
    async (work: () => Promise<DecisionResponse>): Promise<boolean> => {
      setBusy(true);
      setError(null);
      setConflict(null);
      try {
        const outcome = await work();
        replace(outcome.item);
        setUndoStack((stack) => [...stack, outcome.decisionId]);
        shownAt.current.delete(outcome.item.id);
        return true;
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 409) {
          setConflict(caught.message);
          await reload();
        } else setError(caught);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [reload, replace],
  );

  const show = useCallback((itemId: string) => {
    if (!shownAt.current.has(itemId)) shownAt.current.set(itemId, new Date().toISOString());
  }, []);

  const decide = useCallback(
    (item: ReviewItem, action: DecisionAction, after?: Record<string, unknown>) =>
      run(() =>
        reviewTransport.decide(item.id, {
          action,
          after,
          revision: item.revision,
          shownAt: shownAt.current.get(item.id) ?? pageShownAt.current,
        }),
      ),
    [run],
  );

  const add = useCallback(
    (item: NewActionItem) =>
      run(() => api.post<DecisionResponse>(`/api/recordings/${recordingId}/action-items`, item)),
    [recordingId, run],
  );

  const undo = useCallback(async () => {
    const last = undoStack.at(-1);
    if (!last) return;
    setBusy(true);
    try {
      const outcome = await reviewTransport.undo(last);
      replace(outcome.item);
      setUndoStack((stack) => stack.slice(0, -1));
      setConflict(null);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) {
        setConflict(caught.message);
        setUndoStack([]);
        await reload();
      } else setError(caught);
    } finally {
      setBusy(false);
    }
  }, [reload, replace, undoStack]);

  return {
    response,
    error,
    conflict,
    busy,
    canUndo: undoStack.length > 0,
    show,
    decide,
    undo,
    add,
    reload,
  };
}
