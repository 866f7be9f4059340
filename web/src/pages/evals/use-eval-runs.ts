/**
 * The eval runs of the workspace, kept live: loaded once, then `eval-run` job events move each
 * run's progress bar, and a run that finishes (or fails) is fetched again for its metrics. A run
 * we have not seen (started elsewhere) or a reconnect reloads the list.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api/client.ts";
import { useJobEvents } from "../../live/job-events.ts";
import type { EvalRunSummary } from "./types.ts";

export interface LiveProgress {
  progress: number;
  stage: string | null;
}

export function useEvalRuns() {
  const [runs, setRuns] = useState<EvalRunSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<Record<string, LiveProgress>>({});
  const runsRef = useRef(runs);
  runsRef.current = runs;

  const reload = useCallback(async () => {
    try {
      const response = await api.get<{ runs: EvalRunSummary[] }>("/api/eval-runs?limit=200");
      setRuns(response.runs);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  const upsert = useCallback((run: EvalRunSummary) => {
    setRuns((current) => {
      const list = current ?? [];
      const index = list.findIndex((existing) => existing.id === run.id);
      if (index === -1) return [run, ...list];
      const next = [...list];
      next[index] = run;
      return next;
    });
  }, []);

  const refresh = useCallback(
    async (id: string) => {
      try {
        const { run } = await api.get<{ run: EvalRunSummary }>(`/api/eval-runs/${id}`);
        upsert(run);
      } catch {
        // The next reload shows whatever happened to it.
      }
    },
    [upsert],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  useJobEvents(
    (event) => {
      if (event.queue !== "eval-run" || !event.subjectId) return;
      const id = event.subjectId;
      if (!runsRef.current?.some((run) => run.id === id)) {
        void reload();
        return;
      }
      if (event.state === "completed" || event.state === "failed") {
        void refresh(id);
        return;
      }
      setLive((current) => ({
        ...current,
        [id]: { progress: event.progress, stage: event.stage },
      }));
      setRuns(
        (current) =>
          current?.map((run) =>
            run.id === id && run.status === "queued" && event.state === "active"
              ? { ...run, status: "running" }
              : run,
          ) ?? current,
      );
    },
    () => void reload(),
  );

  return { runs, error, live, reload, upsert };
}
