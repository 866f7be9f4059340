/**
 * The capability map's outcome view: next-stage conversion with vs without the rep's accepted talk
 * tracks, per team × stage, and the calls behind a cell. Managers (their subtree) and admins.
 * Definitions: core/capability-map/outcome-metrics.ts.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { getOutcomeCell, getOutcomeMap } from "../../core/capability-map/outcome-metrics.ts";
import { mapRoles } from "../../core/capability-map/scope.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { query } from "../http/validate.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Write dates as YYYY-MM-DD.");
const periodFields = {
  quarter: z.string().regex(/^\d{4}-Q[1-4]$/, "Write the quarter like 2026-Q3.").optional(),
  from: day.optional(),
  to: day.optional(),
};

/** GET /capability-map/outcomes */
export const outcomeMapRequest = z.object({ ...periodFields, teamId: z.uuid().optional(), minimumCalls: z.coerce.number().int().min(1).max(100_000).optional() });
/** GET /capability-map/outcomes/cell */
export const outcomeCellRequest = z.object({ ...periodFields, teamId: z.uuid(), stage: z.string().trim().min(1).max(200) });

export function capabilityMapOutcomeRoutes(context: AppContext): Router {
  const router = Router();
  router.get("/capability-map/outcomes", allow(...mapRoles), async (request: Request, response: Response) => {
    response.json(await getOutcomeMap(context.db, actorOf(request), query(request, outcomeMapRequest)));
  });
  router.get("/capability-map/outcomes/cell", allow(...mapRoles), async (request: Request, response: Response) => {
    response.json(await getOutcomeCell(context.db, actorOf(request), query(request, outcomeCellRequest)));
  });
  return router;
}
