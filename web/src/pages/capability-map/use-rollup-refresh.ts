/**
 * "Refresh data": enqueues the rollup job and waits for it — through job events, with a slow
 * poll of `GET /api/jobs/:id` in case an event is missed — then calls `onDone` so the map reloads.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import type { JobEvent } from "../../api/types.ts";
import { useJobEvents } from "../../live/job-events.ts";

export type RefreshState =
  | { status: "idle" }
  | { status: "running"; jobId: string; progress: number }
  | { status: "failed"; error: unknown };

const pollIntervalMs = 2_000;

export function useRollupRefresh(onDone: () => void | Promise<void>) {
  const [state, setState] = useState<RefreshState>({ status: "idle" });
  const stateRef = useRef(state);
  stateRef.current = state;
  const onDoneRef = useRef(onDone);
  onDoneRef.current = onDone;

  const settle = useCallback((event: Pick<JobEvent, "jobId" | "state" | "error" | "progress">) => {
    const current = stateRef.current;
    if (current.status !== "running" || current.jobId !== event.jobId) return;
    if (event.state === "completed") {
      setState({ status: "idle" });
      void onDoneRef.current();
    } else if (event.state === "failed" || event.state === "cancelled") {
      // Shown as the worker wrote it, like any server message.
      setState({
        status: "failed",
        error: new ApiError(event.error ?? `The refresh ended ${event.state}.`, 500, "job_failed"),
      });
    } else {
      setState({ ...current, progress: event.progress });
    }
  }, []);

  useJobEvents((event) => settle(event));

  const jobId = state.status === "running" ? state.jobId : null;
  useEffect(() => {
    if (!jobId) return;
    const timer = setInterval(() => {
      api
        .get<{ job: JobEvent }>(`/api/jobs/${jobId}`)
        .then(({ job }) => settle(job))
        .catch(() => undefined);
    }, pollIntervalMs);
    return () => clearInterval(timer);
  }, [jobId, settle]);

  const refresh = useCallback(async () => {
    try {
      const { job } = await api.post<{ job: JobEvent }>("/api/capability-map/refresh");
      const running: RefreshState = {
        status: "running",
        jobId: job.jobId,
        progress: job.progress,
      };
      stateRef.current = running;
      setState(running);
      // It may have finished before we started listening.
      if (job.state === "completed" || job.state === "failed") settle(job);
    } catch (error) {
      setState({ status: "failed", error });
    }
  }, [settle]);

  return { state, refresh };
}
