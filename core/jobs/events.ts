/** Live job progress, published by workers and streamed to the browsers that may see it. */
import type { Job } from "./job-store.ts";

export interface JobEvent {
  jobId: string;
  queue: string;
  state: Job["state"];
  progress: number;
  stage: string | null;
  error: string | null;
  subjectType: string | null;
  subjectId: string | null;
  workspaceId: string | null;
  ownerId: string | null;
  teamPath: string | null;
  at: string;
}

export interface EventPublisher {
  publish(event: JobEvent): Promise<void>;
}

export function toJobEvent(job: Job): JobEvent {
  return {
    jobId: job.id,
    queue: job.queue,
    state: job.state,
    progress: job.progress,
    stage: job.stage,
    error: job.error,
    subjectType: job.subjectType,
    subjectId: job.subjectId,
    workspaceId: job.workspaceId,
    ownerId: job.ownerId,
    teamPath: job.teamPath,
    at: new Date().toISOString(),
  };
}

/** For tests and single-process tools: delivers events to in-process listeners. */
export function createMemoryPublisher(): EventPublisher & { events: JobEvent[]; listen(listener: (event: JobEvent) => void): () => void } {
  const listeners = new Set<(event: JobEvent) => void>();
  const events: JobEvent[] = [];
  return {
    events,
    async publish(event) {
      events.push(event);
      for (const listener of listeners) listener(event);
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
