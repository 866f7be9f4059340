/**
 * Server-sent events: job progress and state changes, filtered to what the caller may see (a rep
 * sees their own recordings' jobs, trainers and managers their team subtree, admins everything).
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { canSee } from "../../core/auth/actor.ts";
import { getJob } from "../../core/jobs/job-store.ts";
import { toJobEvent } from "../../core/jobs/events.ts";
import { NotFoundError } from "../../core/errors.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { params } from "../http/validate.ts";

const heartbeatMs = 15_000;

export function eventRoutes(context: AppContext): Router {
  const router = Router();

  router.get("/events", allow(), (request: Request, response: Response) => {
    const actor = actorOf(request);
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Tell reverse proxies (nginx) not to buffer the stream.
      "X-Accel-Buffering": "no",
    });
    response.write(`retry: 3000\n: connected\n\n`);
    const stop = context.events.listen((event) => {
      if (!canSee(actor, event)) return;
      response.write(`event: job\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(": heartbeat\n\n"), heartbeatMs);
    request.on("close", () => {
      clearInterval(heartbeat);
      stop();
    });
  });

  router.get("/jobs/:id", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, z.object({ id: z.uuid() }));
    const job = await getJob(context.db, id);
    if (!canSee(actor, job)) throw new NotFoundError("Job not found.");
    response.json({ job: toJobEvent(job) });
  });

  return router;
}
