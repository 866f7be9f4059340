/** agent-run: one agent on one call; what waited for it is queued, and the last run makes the call ready. */
import { failAgentRun, runAgent } from "../../core/agents/pipeline.ts";
import { jobOptions } from "../../core/jobs/contracts.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import { handOverAll } from "../../core/webhooks/outbox.ts";
import type { HandlerDependencies } from "./dependencies.ts";

export function agentRunHandler({ db, config, logger, dispatcher, agents }: HandlerDependencies) {
  const deps = { db, doubleLabelShare: config.DOUBLE_LABEL_SHARE, ...agents };
  return defineHandler<"agent-run">(
    async ({ job, payload, signal, complete }) => {
      const outcome = await runAgent(deps, payload.agentRunId, {
        signal,
        finalAttempt: job.attempts >= jobOptions["agent-run"].attempts,
        recordingId: job.subjectType === "recording" ? job.subjectId : null,
        completeJob: complete,
      });
      await handOverAll(dispatcher, outcome.jobs);
      logger.info({ agentRunId: payload.agentRunId, status: outcome.status, traceId: outcome.traceId }, "Agent run finished");
      // The last run of a pipeline: the call is ready ("Draft ready", as the one-shot drafter logged it).
      if (outcome.recordingBecame) logger.info({ recordingId: job.subjectId, status: outcome.recordingBecame }, "Draft ready");
      return outcome.completedJob ? { completed: outcome.completedJob } : undefined;
    },
    {
      // Out of attempts for a reason runAgent could not record itself (e.g. the job's time limit).
      onPermanentFailure: async (payload, message) => handOverAll(dispatcher, await failAgentRun({ db }, payload.agentRunId, message)),
    },
  );
}
