import { Router } from "express";
import { migrationStatus } from "../../core/db/migrate.ts";
import type { AppContext } from "../context.ts";

/** Liveness and what an operator wants to know first: which database, migrations, job transport, workers. */
export function healthRoutes(context: AppContext): Router {
  const router = Router();
  router.get("/healthz", async (_request, response) => {
    const [database, queue] = await Promise.all([
      migrationStatus(context.db)
        .then((status) => ({ status: "up" as const, kind: context.db.kind, migrations: status }))
        .catch((error: unknown) => ({
          status: "down" as const,
          kind: context.db.kind,
          migrations: null,
          error: (error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error)).message,
        })),
      context.health(),
    ]);
    const healthy = database.status === "up" && database.migrations?.pending === 0 && queue.redis !== "down";
    response.status(healthy ? 200 : 503).json({
      status: healthy ? "ok" : "degraded",
      database,
      transport: queue.transport,
      redis: queue.redis,
      workers: queue.workers,
    });
  });
  return router;
}
