/**
 * Customer outcomes: the signed inbound webhook (a CRM posts events; no session, the HMAC is the
 * credential), the CSV import (admins and managers), the inbound secret (admins) and a call's
 * outcomes (whoever may see the call). Definitions: core/outcomes/outcomes.ts.
 */
import express, { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { secretBoxFor } from "../../core/auth/secret-box.ts";
import { ValidationError } from "../../core/errors.ts";
import { parseOutcomeCsv } from "../../core/outcomes/csv-import.ts";
import { inboundSecretStatus, rotateInboundSecret, verifyInboundRequest } from "../../core/outcomes/inbound-secret.ts";
import { ingestOutcomes, outcomeBatchSchema, outcomesOfRecording } from "../../core/outcomes/outcomes.ts";
import { approvedTalkTracks, outcomeFilterSchema } from "../../core/outcomes/training-signal.ts";
import { getRecording } from "../../core/upload/recordings.ts";
import { signatureHeader } from "../../core/webhooks/signature.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params, query } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });
export const importOutcomesRequest = z.object({ csv: z.string().min(1).max(2_000_000) });

/**
 * POST /api/outcomes/inbound/:workspaceId — mounted before the JSON parser: the signature covers
 * the raw bytes. Order of checks: signature and timestamp (401), then JSON and shape (400), then
 * the customer references (422); nothing is stored unless every event can be attached.
 */
export function inboundOutcomeRoutes(context: AppContext): Router {
  const router = Router();
  router.post(
    "/outcomes/inbound/:workspaceId",
    express.raw({ type: () => true, limit: "1mb" }),
    async (request: Request, response: Response) => {
      const { workspaceId } = params(request, z.object({ workspaceId: z.uuid() }));
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      await verifyInboundRequest(
        { db: context.db, secrets: secretBoxFor(context.config) },
        { workspaceId, header: request.get(signatureHeader), body: raw, toleranceSeconds: context.config.WEBHOOK_TOLERANCE_SECONDS },
      );
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString("utf8"));
      } catch {
        throw new ValidationError("The request body is not valid JSON.");
      }
      const result = outcomeBatchSchema.safeParse(parsed);
      if (!result.success) {
        throw new ValidationError("Invalid outcome event", result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })));
      }
      response.status(201).json(await ingestOutcomes(context.db, { workspaceId, actor: null, source: "webhook", events: result.data }));
    },
  );
  return router;
}

export function outcomeRoutes(context: AppContext): Router {
  const router = Router();
  const { db } = context;

  router.get("/recordings/:id/outcomes", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const recording = await getRecording(db, actor, params(request, idParams).id);
    response.json(await outcomesOfRecording(db, actor, recording.id));
  });

  router.post("/outcomes/import", allow("admin", "manager"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { events, lines } = parseOutcomeCsv(body(request, importOutcomesRequest).csv);
    response.status(201).json(await ingestOutcomes(db, { workspaceId: actor.workspaceId, actor, source: "csv", events, lines }));
  });

  /** The approved talk tracks with how often they were followed by an advance; `?outcome=advanced` filters. */
  router.get("/training/talk-tracks", allow("trainer", "manager", "admin"), async (request: Request, response: Response) => {
    const filters = query(request, z.object({ outcome: outcomeFilterSchema.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }));
    response.json({ talkTracks: await approvedTalkTracks(db, actorOf(request), filters) });
  });

  router.get("/outcomes/inbound-secret", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    response.json({ ...(await inboundSecretStatus(db, actor)), path: `/api/outcomes/inbound/${actor.workspaceId}` });
  });

  router.post("/outcomes/inbound-secret", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const secret = await rotateInboundSecret({ db, secrets: secretBoxFor(context.config) }, actor);
    response.json({ secret, path: `/api/outcomes/inbound/${actor.workspaceId}` });
  });

  return router;
}
