/**
 * The agent pipeline of one call (`GET /api/recordings/:id/agent-runs`), live: refetched on every job
 * event of this recording (the `draft` job that starts the pipeline and each `agent-run`), and after
 * a reconnect. `onRunFinished` fires when a run becomes final, so the drafts can be reloaded.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api/client.ts";
import { useJobEvents } from "../../live/job-events.ts";
import type { AgentRunView } from "../../../../core/agents/pipeline.ts";

/** A run as JSON: dates are ISO strings. */
export type AgentRun = Omit<
  AgentRunView,
  "startedAt" | "finishedAt" | "createdAt"
> & {
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
};

export const finalRunStatuses: ReadonlySet<AgentRun["status"]> = new Set([
  "succeeded",
  "failed",
  "skipped",
  "needs_connector",
]);

export interface AgentRuns {
  runs: AgentRun[];
  error: unknown;
  reload(): Promise<void>;
  /** Asks for one agent to run again; resolves once the request was accepted. */
  rerun(agent: string): Promise<void>;
}

export function useAgentRuns(
  recordingId: string,
  onRunFinished?: () => void,
): AgentRuns {
  const [runs, setRuns] = useState<AgentRun[]>([]);
  const [error, setError] = useState<unknown>(null);
  const finished = useRef(new Set<string>());
  const latestCallback = useRef(onRunFinished);
  latestCallback.current = onRunFinished;

  const reload = useCallback(async () => {
    try {
      const response = await api.get<{ runs: AgentRun[] }>(
        `/api/recordings/${recordingId}/agent-runs`,
      );
      const newlyFinished = response.runs.some(
        (run) =>
          finalRunStatuses.has(run.status) && !finished.current.has(run.id),
      );
      const first = finished.current.size === 0;
      for (const run of response.runs)
        if (finalRunStatuses.has(run.status)) finished.current.add(run.id);
      setRuns(response.runs);
      setError(null);
      if (newlyFinished && !first) latestCallback.current?.();
    } catch (caught) {
      setError(caught);
    }
  }, [recordingId]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useJobEvents(
    (event) => {
      if (event.subjectType !== "recording" || event.subjectId !== recordingId)
        return;
      if (event.queue === "agent-run" || event.queue === "draft") void reload();
    },
    () => void reload(),
  );

  const rerun = useCallback(
    async (agent: string) => {
      await api.post(`/api/recordings/${recordingId}/agents/${agent}/runs`);
      await reload();
    },
    [recordingId, reload],
  );

  return { runs, error, reload, rerun };
}
