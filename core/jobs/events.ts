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

/** Listeners of live job events in this process: how every transport's events reach SSE streams. */
export function createListeners(): { listen(listener: (event: JobEvent) => void): () => void; emit(event: JobEvent): void; clear(): void } {
  const listeners = new Set<(event: JobEvent) => void>();
  return {
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    clear: () => listeners.clear(),
  };
}

/** An event as sent over pub/sub (Redis, NOTIFY); null when the message is not one. */
export function parseJobEvent(message: string): JobEvent | null {
  try {
    return JSON.parse(message) as JobEvent;
  } catch {
    return null;
  }
}

/** For tests and single-process tools: delivers events to in-process listeners, and keeps them. */
export function createMemoryPublisher(): EventPublisher & { events: JobEvent[]; listen(listener: (event: JobEvent) => void): () => void } {
  const listeners = createListeners();
  const events: JobEvent[] = [];
  return {
    events,
    async publish(event) {
      events.push(event);
      listeners.emit(event);
    },
    listen: listeners.listen,
  };
}
