/**
 * The quarterly capability map over HTTP: the map, one cell's calls and decisions, the CSV export,
 * and a refresh that enqueues the `rollup` job. Managers see their subtree, admins the workspace;
 * reps and trainers get 403. Definitions: core/capability-map/README.md.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { getCapabilityMap } from "../../core/capability-map/capability-map.ts";
import { getCapabilityCell, maximumPageSize } from "../../core/capability-map/cell-detail.ts";
import { formatCapabilityMapCsv } from "../../core/capability-map/csv.ts";
import { metricNames, parseMetricNames } from "../../core/capability-map/metrics.ts";
import { mapRoles } from "../../core/capability-map/scope.ts";
import { ValidationError } from "../../core/errors.ts";
import { toJobEvent } from "../../core/jobs/events.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { query } from "../http/validate.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Write dates as YYYY-MM-DD.");
const periodFields = {
  quarter: z
    .string()
    .regex(/^\d{4}-Q[1-4]$/, "Write the quarter like 2026-Q3.")
    .optional(),
  from: day.optional(),
  to: day.optional(),
};

/** GET /capability-map and /capability-map/export.csv */
export const capabilityMapRequest = z.object({
  ...periodFields,
  teamId: z.uuid().optional(),
  /** Metrics that get a delta, comma-separated or repeated; all when omitted. */
  metric: z.union([z.string(), z.array(z.string())]).optional(),
  minimumDecidedItems: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

/** GET /capability-map/cell */
export const capabilityCellRequest = z.object({
  ...periodFields,
  teamId: z.uuid(),
  stage: z.string().trim().min(1).max(200),
  callsPage: z.coerce.number().int().min(1).max(100_000).optional(),
  decisionsPage: z.coerce.number().int().min(1).max(100_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(maximumPageSize).optional(),
});

function mapQuery(request: Request) {
  const { metric, ...rest } = query(request, capabilityMapRequest);
  const { metrics, unknown } = parseMetricNames(metric === undefined ? [] : [metric].flat());
  if (unknown.length > 0) {
    throw new ValidationError(
      `Unknown metric ${unknown.join(", ")}; choose from ${metricNames.join(", ")}.`,
    );
  }
  return { ...rest, metrics };
}

export function capabilityMapRoutes(context: AppContext): Router {
  const router = Router();
  const { db, dispatcher } = context;

  router.get(
    "/capability-map",
    allow(...mapRoles),
    async (request: Request, response: Response) => {
      response.json(await getCapabilityMap(db, actorOf(request), mapQuery(request)));
    },
  );

  router.get(
    "/capability-map/cell",
    allow(...mapRoles),
    async (request: Request, response: Response) => {
      response.json(
        await getCapabilityCell(db, actorOf(request), query(request, capabilityCellRequest)),
      );
    },
  );

  router.get(
    "/capability-map/export.csv",
    allow(...mapRoles),
    async (request: Request, response: Response) => {
      const map = await getCapabilityMap(db, actorOf(request), mapQuery(request));
      const name = `capability-map-${map.quarter ?? `${map.period.from}_${map.period.to}`}.csv`;
      response.setHeader("Content-Type", "text/csv; charset=utf-8");
      response.setHeader("Content-Disposition", `attachment; filename="${name}"`);
      response.send(formatCapabilityMapCsv(map));
    },
  );

  router.post(
    "/capability-map/refresh",
    allow(...mapRoles),
    async (request: Request, response: Response) => {
      const actor = actorOf(request);
      // One live job per workspace: a second click while one is queued or running returns that job.
      const job = await dispatcher.enqueue({
        queue: "rollup",
        payload: { workspaceId: actor.workspaceId },
        dedupeKey: `rollup:${actor.workspaceId}`,
        workspaceId: actor.workspaceId,
        ownerId: actor.id,
        teamPath: actor.teamPath,
        subject: { type: "workspace", id: actor.workspaceId },
      });
      response.status(202).json({ job: toJobEvent(job) });
    },
  );

  return router;
}
