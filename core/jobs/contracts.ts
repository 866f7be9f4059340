/**
 * Job contracts, imported by both the server (which enqueues) and the workers (which re-validate
 * `job.data` with the same schema). Queue names, payload schemas and default options live here and
 * nowhere else. Nothing here knows about BullMQ: the options are plain data its adapter maps.
 */
import { z } from "zod";

const jobId = z.uuid();

export const jobContracts = {
  /** Probe, normalise, split channels and transcribe an uploaded recording; then enqueue drafting. */
  transcribe: z.object({ jobId, recordingId: z.uuid() }),
  /** Start the call's agent pipeline (core/agents/pipeline.ts): one draft, one run per enabled agent. */
  draft: z.object({ jobId, recordingId: z.uuid() }),
  /** Run one agent on one call (a run of the pipeline, or a re-run someone asked for). */
  "agent-run": z.object({ jobId, agentRunId: z.uuid() }),
  /** Retrain the workspace's local intent classifier on the trainers' labels. */
  "train-intent-model": z.object({ jobId, workspaceId: z.uuid() }),
  /** (Re-)embed texts for similarity search with the configured embedder. */
  embed: z.object({ jobId, workspaceId: z.uuid(), sourceType: z.string(), sourceKeys: z.array(z.string()).max(10_000) }),
  /** Run an eval of a target over a dataset version. */
  "eval-run": z.object({ jobId, evalRunId: z.uuid() }),
  /** Compute a label-efficiency curve of the local engine on a dataset version. */
  "label-curve": z.object({ jobId, labelCurveId: z.uuid() }),
  /** Refresh the capability-map rollup. */
  rollup: z.object({ jobId, workspaceId: z.uuid() }),
  /** POST one webhook delivery (an event to one subscription); each attempt is logged. */
  "webhook-delivery": z.object({ jobId, deliveryId: z.uuid() }),
} as const;

export type QueueName = keyof typeof jobContracts;
export type JobPayload<Name extends QueueName> = z.infer<(typeof jobContracts)[Name]>;
export const queueNames = Object.keys(jobContracts) as QueueName[];

export interface JobOptions {
  attempts: number;
  /** First retry after this many ms, doubling each time. */
  backoffMs: number;
  /** How long a job may run before the worker gives up on it. */
  timeoutMs: number;
}

export const defaultJobOptions: JobOptions = { attempts: 5, backoffMs: 2_000, timeoutMs: 30 * 60_000 };

export const jobOptions: Record<QueueName, JobOptions> = {
  transcribe: { attempts: 4, backoffMs: 5_000, timeoutMs: 4 * 60 * 60_000 },
  draft: { attempts: 5, backoffMs: 3_000, timeoutMs: 15 * 60_000 },
  // Model calls retry per request inside the run; job attempts are for crashes and database faults.
  "agent-run": { attempts: 3, backoffMs: 2_000, timeoutMs: 15 * 60_000 },
  "train-intent-model": { attempts: 3, backoffMs: 5_000, timeoutMs: 15 * 60_000 },
  embed: defaultJobOptions,
  "eval-run": { attempts: 2, backoffMs: 5_000, timeoutMs: 4 * 60 * 60_000 },
  // Pure CPU over stored samples: a retry computes the same curve, so one more attempt is enough.
  "label-curve": { attempts: 2, backoffMs: 5_000, timeoutMs: 2 * 60 * 60_000 },
  rollup: defaultJobOptions,
  // A receiver may be down for hours: 2 s, 4 s, 8 s … doubling over 15 attempts spans about 9 hours.
  "webhook-delivery": { attempts: 15, backoffMs: 2_000, timeoutMs: 60_000 },
};

export function parsePayload<Name extends QueueName>(queue: Name, data: unknown): JobPayload<Name> {
  return jobContracts[queue].parse(data) as JobPayload<Name>;
}
