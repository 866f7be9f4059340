/**
 * Outbound webhooks of the workspace (admins): subscriptions, the delivery log, resend and a test
 * send. Signing and payload formats: core/webhooks/.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { secretBoxFor } from "../../core/auth/secret-box.ts";
import {
  createWebhook,
  createWebhookRequest,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  resendDelivery,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
  updateWebhookRequest,
} from "../../core/webhooks/subscriptions.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params, query } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });

export function webhookRoutes(context: AppContext): Router {
  const router = Router();
  const { db, dispatcher } = context;
  const deps = () => ({ db, secrets: secretBoxFor(context.config) });

  router.get("/webhooks", allow("admin"), async (request: Request, response: Response) => {
    response.json({ webhooks: await listWebhooks(db, actorOf(request)) });
  });

  router.post("/webhooks", allow("admin"), async (request: Request, response: Response) => {
    response.status(201).json(await createWebhook(deps(), actorOf(request), body(request, createWebhookRequest)));
  });

  router.patch("/webhooks/:id", allow("admin"), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    response.json({ webhook: await updateWebhook(deps(), actorOf(request), id, body(request, updateWebhookRequest)) });
  });

  router.delete("/webhooks/:id", allow("admin"), async (request: Request, response: Response) => {
    await deleteWebhook(db, actorOf(request), params(request, idParams).id);
    response.status(204).end();
  });

  router.post("/webhooks/:id/rotate-secret", allow("admin"), async (request: Request, response: Response) => {
    response.json({ secret: await rotateWebhookSecret(deps(), actorOf(request), params(request, idParams).id) });
  });

  router.post("/webhooks/:id/test", allow("admin"), async (request: Request, response: Response) => {
    response.status(202).json(await sendTestEvent({ db, dispatcher }, actorOf(request), params(request, idParams).id));
  });

  router.get("/webhooks/:id/deliveries", allow("admin"), async (request: Request, response: Response) => {
    const { limit } = query(request, z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }));
    response.json({ deliveries: await listDeliveries(db, actorOf(request), params(request, idParams).id, { limit }) });
  });

  router.post("/webhooks/deliveries/:id/resend", allow("admin"), async (request: Request, response: Response) => {
    response.status(202).json(await resendDelivery({ db, dispatcher }, actorOf(request), params(request, idParams).id));
  });

  return router;
}
