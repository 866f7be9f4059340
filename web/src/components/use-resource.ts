/**
 * Loads one API resource for a screen: the data, the error, and `reload()`. A new path aborts the
 * request for the old one, so a fast change of filter never shows an older answer last. A null
 * path loads nothing (e.g. until a choice is made).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client.ts";

export interface Resource<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Fetches again without clearing what is shown. */
  reload(): Promise<void>;
  /** Replaces the data locally (after a change the server confirmed). */
  setData(update: (current: T | null) => T | null): void;
}

export function useResource<T>(path: string | null): Resource<T> {
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const controller = useRef<AbortController | null>(null);
  const currentPath = useRef(path);
  currentPath.current = path;

  const load = useCallback(async (target: string | null) => {
    controller.current?.abort();
    if (target === null) {
      setLoading(false);
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    setLoading(true);
    try {
      const response = await api.get<T>(target, abort.signal);
      if (abort.signal.aborted) return;
      setDataState(response);
      setError(null);
    } catch (caught) {
      if ((caught as Error).name === "AbortError" || abort.signal.aborted) return;
      setError(caught);
    } finally {
      if (!abort.signal.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(path);
    return () => controller.current?.abort();
  }, [path, load]);

  const reload = useCallback(() => load(currentPath.current), [load]);
  const setData = useCallback(
    (update: (current: T | null) => T | null) => setDataState(update),
    [],
  );
  return { data, error, loading, reload, setData };
}
