/**
 * The regression gate before a publish: `POST /api/prompt-sets/:set/versions/:version/gate`
 * answers at once when the candidate and production were already evaluated on the dataset, and
 * otherwise enqueues the missing eval runs (202). Then we follow those runs live (job events on
 * the `eval-run` queue, with a slow poll in case events were missed) and ask again when they are
 * done. A run that fails stops the check with its reason instead of asking for it again and again.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api/client.ts";
import { useJobEvents } from "../../live/job-events.ts";
import type { EvalRunSummary, GateResponse } from "../evals/types.ts";

export type GateVerdict = Extract<GateResponse, { status: "done" }>;

export type GateCheck =
  | { status: "idle" }
  | { status: "checking" }
  | {
      status: "pending";
      runs: EvalRunSummary[];
      progress: Record<string, number>;
    }
  | { status: "done"; verdict: GateVerdict }
  | { status: "run-failed"; run: EvalRunSummary }
  | { status: "error"; error: unknown };

const pollIntervalMs = 4_000;

export function useGateCheck(set: string, version: string) {
  const [check, setCheck] = useState<GateCheck>({ status: "idle" });
  const checkRef = useRef(check);
  checkRef.current = check;
  const dataset = useRef<string | null>(null);
  const generation = useRef(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      generation.current += 1;
    };
  }, []);

  const ask = useCallback(
    async (attempt: number) => {
      if (dataset.current === null) return;
      try {
        const response = await api.post<GateResponse>(
          `/api/prompt-sets/${encodeURIComponent(set)}/versions/${encodeURIComponent(version)}/gate`,
          { dataset: dataset.current, baseline: "production" },
        );
        if (!mounted.current || attempt !== generation.current) return;
        if (response.status === "done") setCheck({ status: "done", verdict: response });
        else
          setCheck((current) => ({
            status: "pending",
            runs: response.runs,
            progress: current.status === "pending" ? current.progress : {},
          }));
      } catch (error) {
        if (mounted.current && attempt === generation.current) setCheck({ status: "error", error });
      }
    },
    [set, version],
  );

  const start = useCallback(
    (datasetReference: string) => {
      dataset.current = datasetReference;
      generation.current += 1;
      setCheck({ status: "checking" });
      void ask(generation.current);
    },
    [ask],
  );

  const reset = useCallback(() => {
    generation.current += 1;
    dataset.current = null;
    setCheck({ status: "idle" });
  }, []);

  /** Looks at the pending runs: all done → ask for the verdict; one failed → stop. */
  const inspect = useCallback(async () => {
    const attempt = generation.current;
    const current = checkRef.current;
    if (current.status !== "pending") return;
    const runs = await Promise.all(
      current.runs.map((run) =>
        api
          .get<{ run: EvalRunSummary }>(`/api/eval-runs/${run.id}`)
          .then((response) => response.run)
          .catch(() => run),
      ),
    );
    if (!mounted.current || attempt !== generation.current) return;
    const failed = runs.find((run) => run.status === "failed");
    if (failed) setCheck({ status: "run-failed", run: failed });
    else if (runs.every((run) => run.status === "completed")) void ask(attempt);
  }, [ask]);

  useJobEvents(
    (event) => {
      const current = checkRef.current;
      if (current.status !== "pending" || event.queue !== "eval-run") return;
      if (!current.runs.some((run) => run.id === event.subjectId)) return;
      if (event.state === "completed" || event.state === "failed") void inspect();
      else
        setCheck((latest) =>
          latest.status === "pending"
            ? {
                ...latest,
                progress: {
                  ...latest.progress,
                  [event.subjectId!]: event.progress,
                },
              }
            : latest,
        );
    },
    () => void inspect(),
  );

  useEffect(() => {
    if (check.status !== "pending") return;
    const timer = setInterval(() => void inspect(), pollIntervalMs);
    return () => clearInterval(timer);
  }, [check.status, inspect]);

  return { check, start, reset };
}
