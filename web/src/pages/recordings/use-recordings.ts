/**
 * The recordings list, kept live: loaded once, then each job event about a recording refreshes
 * that one row (at most one request in flight per recording, and no more than one a second, with
 * a final refresh after the last event), and a reconnect reloads the whole list because events
 * sent while disconnected are lost.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import type { Recording } from "../../api/types.ts";
import { useJobEvents } from "../../live/job-events.ts";

const minimumRefreshGapMs = 1_000;

function newestFirst(first: Recording, second: Recording): number {
  return second.createdAt.localeCompare(first.createdAt);
}

export interface RecordingsState {
  recordings: Recording[] | null;
  error: unknown;
  reload(): Promise<void>;
  refresh(id: string): void;
  upsert(recording: Recording): void;
  remove(id: string): void;
}

/** `search` narrows the list on the server; live updates then only refresh rows already shown. */
export function useRecordings(search = ""): RecordingsState {
  const [recordings, setRecordings] = useState<Recording[] | null>(null);
  const searching = useRef(search.trim() !== "");
  searching.current = search.trim() !== "";
  const [error, setError] = useState<unknown>(null);
  const pending = useRef(new Map<string, { again: boolean }>());
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const latest = useRef(0);
  const reload = useCallback(async () => {
    // A slower answer to an earlier search never replaces the answer to the latest one.
    const ticket = ++latest.current;
    try {
      const query = search.trim() ? `?search=${encodeURIComponent(search.trim())}` : "";
      const response = await api.get<{ recordings: Recording[] }>(`/api/recordings${query}`);
      if (!mounted.current || ticket !== latest.current) return;
      setRecordings([...response.recordings].sort(newestFirst));
      setError(null);
    } catch (caught) {
      if (mounted.current) setError(caught);
    }
  }, [search]);

  const upsert = useCallback((recording: Recording) => {
    setRecordings((current) => {
      const list = current ?? [];
      const index = list.findIndex((existing) => existing.id === recording.id);
      // While searching, a call the search did not find stays out (a new upload is not a match).
      if (index === -1 && searching.current) return list;
      if (index === -1) return [recording, ...list].sort(newestFirst);
      const next = [...list];
      next[index] = recording;
      return next;
    });
  }, []);

  const remove = useCallback((id: string) => {
    setRecordings((current) => current?.filter((recording) => recording.id !== id) ?? current);
  }, []);

  const refresh = useCallback(
    (id: string) => {
      const entry = pending.current.get(id);
      if (entry) {
        entry.again = true;
        return;
      }
      const state = { again: false };
      pending.current.set(id, state);
      void (async () => {
        do {
          state.again = false;
          const started = Date.now();
          try {
            const { recording } = await api.get<{ recording: Recording }>(`/api/recordings/${id}`);
            if (mounted.current) upsert(recording);
          } catch (caught) {
            if (caught instanceof ApiError && caught.status === 404 && mounted.current) remove(id);
          }
          const wait = minimumRefreshGapMs - (Date.now() - started);
          if (state.again && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        } while (state.again && mounted.current);
        pending.current.delete(id);
      })();
    },
    [upsert, remove],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  useJobEvents(
    (event) => {
      if (event.subjectType === "recording" && event.subjectId) refresh(event.subjectId);
    },
    () => void reload(),
  );

  return { recordings, error, reload, refresh, upsert, remove };
}
