/**
 * agent-run: one agent on one call; what waited for it is queued, and the last run makes the call ready.
 *
 * The job completes in the transaction that stores the run's results (`complete`), which commits
 * synchronously: one fsync per run, after which the results, the trace, the next jobs' rows and the
 * job's completion are all durable, or none of them is. What a crash at each point leaves:
 * - before the commit: the run is still `queued`/`running` and the job active; it is delivered again
 *   (BullMQ's stalled check, or the embedded heartbeat lapsing) and runs again from the start — the
 *   claim takes a `running` run, the new results replace the agent's undecided items, and the trace
 *   that was not committed is not there to duplicate.
 * - after the commit, before the hand-over below (the worker dies): on BullMQ the job is delivered
 *   again, finds its row completed and does nothing; the next jobs' rows wait `queued` and the
 *   reconciler hands them over (RECONCILE_GRACE_MS after they were written, at the next
 *   RECONCILE_INTERVAL_MS). On the embedded transport those rows are the queue: any worker claims them.
 * Committing the results with `synchronous_commit = off` and completing the job in its own statement
 * afterwards (synchronous; the WAL is flushed in order, so a durable completion implies durable
 * results) was measured too: the same one fsync and as many statements. It is not wrong — a worker
 * dying between the two leaves a final run whose next delivery finds it and completes — but the
 * next jobs would then be handed over before anything is durable, so a database crash at that moment
 * could hand Redis a job whose row was lost (harmless: its start finds no row; noise all the same).
 * The job's start is the write without an fsync (core/jobs/job-store.ts).
 */
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
