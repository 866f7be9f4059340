/**
 * The BullMQ job transport, for many workers on many machines (REDIS_URL set; embedded-transport.ts
 * serves one machine without Redis): an adapter from the core's `JobTransport` to BullMQ queues, and
 * a factory for BullMQ workers that run the core's handlers. Nothing outside `workers/` imports bullmq.
 */
import { Queue, UnrecoverableError, Worker } from "bullmq";
import type { ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";
import { withTimeout } from "../core/sleep.ts";
import type { QueueName } from "../core/jobs/contracts.ts";
import { jobOptions, queueNames } from "../core/jobs/contracts.ts";
import type { JobTransport, TransportState } from "../core/jobs/dispatch.ts";
import type { JobHandler, WorkerPool, WorkerPoolOptions } from "../core/jobs/runner.ts";
import { PermanentJobFailure, runJob } from "../core/jobs/runner.ts";

export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === "rediss:" ? {} : undefined,
    // BullMQ workers block on Redis; they must wait for it rather than give up a command.
    maxRetriesPerRequest: null,
  };
}

/** Fails fast with a message a person can act on when Redis is not there. */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(
      `Cannot reach Redis at ${url} (${(error as Error).message}). Calibrate carries its jobs through Redis. ` +
        "Start one with `docker compose up -d redis`, or install your distribution's package " +
        "(Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis && brew services start redis`), " +
        "or point REDIS_URL at a running server.",
    );
  } finally {
    client.disconnect();
  }
}

const handOverTimeoutMs = 2_000;

export interface BullTransport extends JobTransport {
  readonly kind: "bullmq";
  queues: Map<QueueName, Queue>;
  workerCount(): Promise<number>;
  close(): Promise<void>;
}

export function createBullTransport(options: { redisUrl: string; prefix: string }): BullTransport {
  const connection = redisConnection(options.redisUrl);
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix: options.prefix });
      queue.on("error", () => {});
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    kind: "bullmq",
    queues,
    async add(name, jobId, payload) {
      const settings = jobOptions[name];
      // The job id is the Postgres row id: adding the same job twice is a no-op in BullMQ.
      const added = queueFor(name).add(name, payload, {
        jobId,
        attempts: settings.attempts,
        backoff: { type: "exponential", delay: settings.backoffMs },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
      // While Redis is down BullMQ waits for it; the caller must not. The row keeps the job, and the
      // reconciler hands it over when Redis is back.
      await withTimeout(added, handOverTimeoutMs, `Redis did not accept the job within ${handOverTimeoutMs} ms`);
    },
    async stateOf(name, jobId): Promise<TransportState> {
      const state = await queueFor(name).getJobState(jobId);
      switch (state) {
        case "unknown":
          return "missing";
        case "completed":
        case "failed":
        case "active":
        case "delayed":
          return state;
        default:
          return "waiting";
      }
    },
    async remove(name, jobId) {
      await queueFor(name).remove(jobId);
    },
    async workerCount() {
      const counts = await Promise.all(queueNames.map((name) => queueFor(name).getWorkersCount()));
      return Math.max(0, ...counts);
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

export interface BullWorkerOptions extends WorkerPoolOptions {
  redisUrl: string;
  prefix: string;
}

export function startWorkers(options: BullWorkerOptions): WorkerPool & { workers: Worker[] } {
  const connection = redisConnection(options.redisUrl);
  // BullMQ's stalled-job check: a job whose lock was not renewed for `lockDuration` goes back to wait.
  const stalled = options.stalledAfterMs ? { lockDuration: options.stalledAfterMs, stalledInterval: options.stalledAfterMs } : {};
  const workers = (Object.keys(options.handlers) as QueueName[]).map((name) => {
    const handler = options.handlers[name] as JobHandler<QueueName>;
    const worker = new Worker(
      name,
      async (job, _token, signal) => {
        try {
          await runJob({ db: options.db, events: options.events }, name, job.data, handler, {
            attemptsMade: job.attemptsMade,
            attemptsAllowed: job.opts.attempts ?? 1,
            signal,
          });
        } catch (error) {
          if (error instanceof PermanentJobFailure) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      { connection, prefix: options.prefix, concurrency: options.concurrency, name: `calibrate-${process.pid}`, ...stalled },
    );
    worker.on("failed", (job, error) => options.onError?.(error, job && { queue: name, id: String(job.id) }));
    worker.on("error", (error) => options.onError?.(error));
    return worker;
  });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
