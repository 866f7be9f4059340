/**
 * draft: start the call's agent pipeline (core/agents/pipeline.ts) — one draft, one run per agent
 * enabled for the call, `agent-run` jobs for those that wait for nothing. The recording becomes
 * ready when its last run is final (see agent-run.ts), not when this job completes.
 */
import { startPipeline } from "../../core/agents/pipeline.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import { setRecordingStatus } from "../../core/upload/recordings.ts";
import { handOverAll } from "../../core/webhooks/outbox.ts";
import type { HandlerDependencies } from "./dependencies.ts";

export function draftHandler({ db, logger, dispatcher, agents }: HandlerDependencies) {
  return defineHandler<"draft">(
    async ({ job, payload, progress }) => {
      await progress(0.1, "starting agents");
      const { draftId, jobs } = await startPipeline({ db, registry: agents.registry }, payload.recordingId, { jobId: job.id });
      if (!draftId) return; // Erased while queued.
      await handOverAll(dispatcher, jobs);
      logger.info({ recordingId: payload.recordingId, draftId, agentRuns: jobs.filter((queued) => queued.queue === "agent-run").length }, "Agent pipeline started");
    },
    {
      onPermanentFailure: (payload, message) =>
        setRecordingStatus(db, payload.recordingId, { status: "failed", failureReason: `Drafting failed: ${message}` }),
    },
  );
}
