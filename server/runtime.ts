/**
 * Start-up shared by every entry point (`npm start`, `npm run server`, `npm run worker`): open the
 * database and migrate it, pick the job transport (BullMQ when REDIS_URL is set, else the embedded
 * one on the job rows), wire events and workers, and know how to shut all of it down again in order.
 */
import type { Logger } from "pino";
import { withTimeout } from "../core/sleep.ts";
import type { Config } from "../core/config.ts";
import type { Db } from "../core/db/database.ts";
import { openDatabase } from "../core/db/database.ts";
import { migrate } from "../core/db/migrate.ts";
import type { Dispatcher } from "../core/jobs/dispatch.ts";
import { createDispatcher, reconcileJobs } from "../core/jobs/dispatch.ts";
import { defaultWorkspaceId } from "../core/auth/teams.ts";
import { createConfiguredEmbedder } from "../core/draft/configured-embedder.ts";
import type { Embedder } from "../core/draft/embeddings.ts";
import { approvedItemsWithoutEmbeddings, prepareWorkspace } from "../core/draft/workspace-preparation.ts";
import type { EventPublisher } from "../core/jobs/events.ts";
import type { WorkerPool } from "../core/jobs/runner.ts";
import { warmUpIntentModel } from "../core/draft/intent-models.ts";
import { createHandlers } from "../workers/handlers.ts";
import { createRedisPublisher, subscribeToEvents } from "../workers/redis-events.ts";
import type { EventSubscription } from "../workers/redis-events.ts";
import type { BullTransport } from "../workers/bullmq-transport.ts";
import { checkRedis, createBullTransport, startWorkers } from "../workers/bullmq-transport.ts";
import { createDatabaseEvents } from "../workers/database-events.ts";
import type { EmbeddedTransport } from "../workers/embedded-transport.ts";
import { createEmbeddedTransport, startEmbeddedWorkers } from "../workers/embedded-transport.ts";
import { createFileSystemBlobStore } from "../core/upload/blob-store.ts";
import type { BlobStore } from "../core/upload/blob-store.ts";
import { sweepAbandonedUploads } from "../core/upload/blob-references.ts";
import { Redis } from "ioredis";
import { secretBoxFor } from "../core/auth/secret-box.ts";
import { bootstrapAllWorkspaces } from "../core/connectors/bootstrap.ts";
import { createConnectorDirectory } from "../core/connectors/connectors.ts";
import type { ManagedLimiter } from "../core/connectors/limiter.ts";
import { createDatabaseLimiter, createRedisLimiter } from "../core/connectors/limiter.ts";
import { createConfiguredTracer } from "../core/traces/configured-tracer.ts";
import { sweepExpiredTraces, traceSweepIntervalMs } from "../core/traces/retention.ts";
import type { DatabaseTracer } from "../core/traces/trace-store.ts";
import type { AppContext } from "./context.ts";
import { agentRegistry, agentsDirectory } from "../agents/registry.ts";
import { syncAgentsFromFiles } from "../core/agents/agent-store.ts";
import type { AgentServices } from "../core/agents/pipeline.ts";
import { syncPromptSetsFromFiles } from "../core/draft/prompt-set-store.ts";

export interface Runtime {
  db: Db;
  transport: BullTransport | EmbeddedTransport;
  dispatcher: Dispatcher;
  blobs: BlobStore;
  subscription: EventSubscription | null;
  workers: WorkerPool | null;
  /** Model connectors for the routes and (through the runtime) the workers. */
  connectors: AppContext["connectors"] & { limiter: ManagedLimiter };
  /** Agent traces: the database, and an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracer: DatabaseTracer;
  context(): AppContext;
  reconcileNow(): Promise<void>;
  close(): Promise<void>;
}

/** After an embedder switch, approved examples are embedded again by the workers, in batches. */
async function reembedInBackground(db: Db, dispatcher: Dispatcher, embedder: Embedder, logger: Logger): Promise<void> {
  const workspaceId = await defaultWorkspaceId(db);
  const missing = await approvedItemsWithoutEmbeddings(db, workspaceId, embedder);
  for (const kind of ["intent", "talk_track"] as const) {
    const keys = missing.filter((item) => item.kind === kind).map((item) => item.id);
    for (let offset = 0; offset < keys.length; offset += 1000) {
      await dispatcher.enqueue({
        queue: "embed",
        payload: { workspaceId, sourceType: kind === "intent" ? "sample" : "talk_track", sourceKeys: keys.slice(offset, offset + 1000) },
        workspaceId,
      });
    }
  }
  if (missing.length > 0) logger.info({ embedder: embedder.name, items: missing.length }, "Re-embedding approved examples in the background");
}

/** What a process killed mid-upload left behind is removed at start-up and then as it ages out. */
function sweepUploadsPeriodically(deps: { db: Db; blobs: BlobStore }, abandonedAfterMs: number, logger: Logger): NodeJS.Timeout {
  const sweep = () =>
    sweepAbandonedUploads(deps, { olderThanMs: abandonedAfterMs })
      .then((swept) => {
        if (swept.leases > 0 || swept.stagingFiles > 0) logger.warn(swept, "Removed what uploads cut by a dead process left behind");
      })
      .catch((error) => logger.warn({ err: error }, "Could not sweep abandoned uploads; will try again"));
  void sweep();
  const timer = setInterval(sweep, Math.min(abandonedAfterMs, 60_000));
  timer.unref();
  return timer;
}

/** Traces older than TRACE_RETENTION_DAYS go, at start-up and then hourly (0 keeps them forever). */
function sweepTracesPeriodically(db: Db, retentionDays: number, logger: Logger): NodeJS.Timeout | null {
  if (retentionDays <= 0) return null;
  const sweep = () =>
    sweepExpiredTraces(db, { retentionDays })
      .then(({ deleted }) => {
        if (deleted > 0) logger.info({ deleted, retentionDays }, "Deleted traces past their retention");
      })
      .catch((error) => logger.warn({ err: error }, "Could not sweep expired traces; will try again"));
  void sweep();
  const timer = setInterval(sweep, traceSweepIntervalMs);
  timer.unref();
  return timer;
}

/**
 * The agent pipeline's services: the stored connectors (API keys decrypted only here), the limiter
 * the workers share (Redis with BullMQ, the database without) and the database tracer; `overrides`
 * swaps any of them (tests do).
 */
export function createAgentServices(
  embedder: Embedder,
  services: Pick<AgentServices, "connectors" | "limiter" | "tracer">,
  overrides: Partial<AgentServices> = {},
): AgentServices {
  return { registry: agentRegistry, embedder, ...services, ...overrides };
}

export async function openRuntime(
  config: Config,
  logger: Logger,
  options: { serve: boolean; work: boolean; db?: Db; agents?: Partial<AgentServices> },
): Promise<Runtime> {
  if (config.REDIS_URL) await checkRedis(config.REDIS_URL);
  const db =
    options.db ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDirectory: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE }));
  const report = await migrate(db);
  if (report.applied.length > 0) logger.info({ applied: report.applied }, "Database migrated");
  const embedder = createConfiguredEmbedder(config);
  const secrets = secretBoxFor(config, {
    onKeyFileCreated: (file) =>
      logger.warn(
        { file },
        "GENERATED A NEW SECRETS KEY: it encrypts connector API keys and webhook secrets. Back it up with the database (without it they cannot be read), and give every process on another machine the same key in SECRET_KEY.",
      ),
  });
  {
    // OPENAI_BASE_URL, EMBEDDER=openai and TRANSCRIPTION_BASE_URL appear as connectors (core/connectors/bootstrap.ts),
    // in worker-only processes too (idempotent, under an advisory lock): the agents read connectors, not the environment.
    // A failure here must not stop the start: connectors added in the UI still work.
    await bootstrapAllWorkspaces({ db, secrets }, config)
      .then((report) => {
        if (Object.values(report).some((names) => names.length > 0)) logger.info(report, "Connectors from the environment brought up to date");
      })
      .catch((error: unknown) => logger.error({ err: error }, "Could not bring the connectors from the environment up to date"));
  }
  if (options.serve) {
    const workspaceId = await defaultWorkspaceId(db);
    const prepared = await prepareWorkspace(db, workspaceId, embedder);
    if (prepared.promptSets.added.length || prepared.embedded) logger.info(prepared, "Workspace prepared");
    // PGlite has no autovacuum: without a VACUUM, retrieval's index-only scans read every row from
    // the table (a large workspace's retrieval: p50 47 ms instead of 12 at 100k rows, bench/vectors.ts),
    // and without ANALYZE the planner has no statistics. Once per start; PostgreSQL does it itself.
    if (db.kind === "pglite") await db.exec("VACUUM (ANALYZE) embeddings");
    // Each agent's prompt set and definition, from agents/<agent>/, as versions (labels only where missing).
    const agentPrompts = await syncPromptSetsFromFiles(db, workspaceId, agentsDirectory);
    const agentVersions = await syncAgentsFromFiles(db, workspaceId, options.agents?.registry ?? agentRegistry);
    if (agentPrompts.added.length || agentVersions.added.length) logger.info({ promptSets: agentPrompts.added, agents: agentVersions.added }, "Agents prepared");
    for (const version of prepared.promptSets.diverged) {
      logger.warn({ version }, "A prompt-set file differs from the stored version of the same name; versions never change, so the stored one is used. Save the edit as a new version.");
    }
  }

  const blobs = createFileSystemBlobStore(config.STORAGE_DIR);
  // BullMQ + Redis pub/sub when REDIS_URL is set (scale-out); otherwise the job rows and NOTIFY.
  let transport: BullTransport | EmbeddedTransport;
  let publisher: EventPublisher & { close(): Promise<void> };
  let subscription: EventSubscription | null;
  if (config.REDIS_URL) {
    transport = createBullTransport({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
    publisher = createRedisPublisher(config.REDIS_URL, config.QUEUE_PREFIX);
    subscription = options.serve ? await subscribeToEvents(config.REDIS_URL, config.QUEUE_PREFIX) : null;
  } else {
    transport = createEmbeddedTransport(db);
    const events = await createDatabaseEvents(db, { subscribe: options.serve });
    publisher = events;
    subscription = options.serve ? events : null;
  }
  // The limiter lives where the workers coordinate: Redis with BullMQ, the database without.
  const limiterRedis = config.REDIS_URL ? new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null;
  const connectorLimiter = limiterRedis ? createRedisLimiter(limiterRedis, { prefix: config.QUEUE_PREFIX }) : createDatabaseLimiter(db);
  const connectors = { secrets, directory: createConnectorDirectory(db, secrets), limiter: connectorLimiter };
  const dispatcher = createDispatcher({
    db,
    transport,
    events: publisher,
    log: (message, error) => logger.warn({ err: error }, message),
  });
  if (options.serve) await reembedInBackground(db, dispatcher, embedder, logger);
  const uploadSweepTimer = options.serve ? sweepUploadsPeriodically({ db, blobs }, config.UPLOAD_ABANDONED_AFTER_MS, logger) : null;
  const traceSweepTimer = options.serve ? sweepTracesPeriodically(db, config.TRACE_RETENTION_DAYS, logger) : null;
  const tracer = createConfiguredTracer(config, db, logger);
  const agents = createAgentServices(embedder, { connectors: connectors.directory, limiter: connectorLimiter, tracer }, options.agents);

  let workers: WorkerPool | null = null;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let rollupTimer: NodeJS.Timeout | null = null;
  let warmUp: Promise<unknown> = Promise.resolve();
  const reconcileNow = async () => {
    if (transport.kind !== "bullmq") return; // Embedded: the rows are the queue; nothing to lose.
    const result = await reconcileJobs({ db, transport }, { graceMs: config.RECONCILE_GRACE_MS });
    if (result.reenqueued > 0) logger.warn(result, "Re-enqueued jobs that Redis had lost");
  };
  if (options.work) {
    const poolOptions = {
      db,
      events: publisher,
      concurrency: config.WORKER_CONCURRENCY,
      stalledAfterMs: config.JOB_STALLED_AFTER_MS,
      handlers: createHandlers({ db, config, dispatcher, logger, blobs, agents }),
      onError: (error: Error, job?: { queue: string; id: string }) =>
        logger.warn({ err: error, queue: job?.queue, jobId: job?.id }, "Job attempt failed"),
    };
    workers =
      transport.kind === "bullmq"
        ? startWorkers({ ...poolOptions, redisUrl: config.REDIS_URL!, prefix: config.QUEUE_PREFIX })
        : await startEmbeddedWorkers(transport, { ...poolOptions, pollIntervalMs: config.JOB_POLL_INTERVAL_MS });
    // The capability map reads a rollup; keep it fresh (the job refreshes only days that changed).
    const workspaceId = await defaultWorkspaceId(db);
    rollupTimer = setInterval(() => {
      dispatcher
        .enqueue({ queue: "rollup", payload: { workspaceId }, dedupeKey: `rollup:${workspaceId}`, workspaceId })
        .catch((error) => logger.warn({ err: error }, "Could not enqueue the rollup refresh"));
    }, config.ROLLUP_INTERVAL_MS);
    rollupTimer.unref();
    if (transport.kind === "bullmq") {
      reconcileTimer = setInterval(() => reconcileNow().catch((error) => logger.error({ err: error }, "Reconcile failed")), config.RECONCILE_INTERVAL_MS);
      reconcileTimer.unref();
      await reconcileNow().catch((error) => logger.error({ err: error }, "Reconcile failed"));
    }
    // Not awaited: start-up does not wait for it, and a draft that comes first shares the same training.
    if (!config.OPENAI_BASE_URL) warmUp = warmUpIntentModel(db, workspaceId)
        .then((model) => logger.info({ model: model.name }, "Local intent model ready"))
        .catch((error) => logger.warn({ err: error }, "Could not train the first intent model"));
  } else if (transport.kind === "embedded" && db.kind === "pglite") {
    logger.warn("No workers in this process and the embedded database cannot be shared: jobs will wait. Use `npm start`, or set DATABASE_URL (and REDIS_URL to scale out).");
  }

  return {
    db,
    transport,
    dispatcher,
    blobs,
    subscription,
    workers,
    connectors,
    tracer,
    reconcileNow,
    context: () => ({
      connectors,
      config,
      db,
      logger,
      dispatcher,
      blobs,
      agents,
      events: subscription ?? { listen: () => () => {} },
      health: async () => {
        const redis = transport.kind === "bullmq" ? ("up" as const) : ("not used" as const);
        try {
          // Bounded: while Redis is down its commands wait for it, and /healthz must answer.
          return { transport: transport.kind, redis, workers: await withTimeout(transport.workerCount(), 2_000, "Redis did not answer within 2 s") };
        } catch {
          return { transport: transport.kind, redis: transport.kind === "bullmq" ? ("down" as const) : redis, workers: 0 };
        }
      },
    }),
    async close() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      if (rollupTimer) clearInterval(rollupTimer);
      if (uploadSweepTimer) clearInterval(uploadSweepTimer);
      if (traceSweepTimer) clearInterval(traceSweepTimer);
      // Workers first: they finish (or hand back) their jobs while the database is still open.
      await workers?.close();
      await tracer.close();
      await warmUp;
      await connectorLimiter.close();
      limiterRedis?.disconnect();
      await subscription?.close();
      await publisher.close();
      await transport.close();
      if (!options.db) await db.close();
    },
  };
}
