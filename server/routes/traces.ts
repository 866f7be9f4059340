/**
 * Agent traces: the filtered list and one trace with its spans. Every role may call both; what each
 * sees is decided in core/traces/trace-queries.ts (admins: the workspace; managers and trainers:
 * their team's subtree; reps: their own calls, other teams' examples masked).
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { getTrace, listTraces, traceListQuerySchema } from "../../core/traces/trace-queries.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { params, query } from "../http/validate.ts";

export function traceRoutes(context: AppContext): Router {
  const router = Router();

  router.get("/traces", allow(), async (request: Request, response: Response) => {
    response.json(await listTraces(context.db, actorOf(request), query(request, traceListQuerySchema)));
  });

  router.get("/traces/:id", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, z.object({ id: z.uuid() }));
    response.json(await getTrace(context.db, actorOf(request), id));
  });

  return router;
}
