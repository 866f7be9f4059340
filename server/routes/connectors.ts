/**
 * Model connectors (admins): list, add, edit (the API key only when sent), test, fetch the model
 * list, and the audit of changes. Trainers read `choices` (no URLs, no hints) to bind agents. No
 * response ever carries an API key. Core: core/connectors/.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import {
  createConnector,
  createConnectorRequest,
  listConnectorAudit,
  listConnectorChoices,
  listConnectors,
  updateConnector,
  updateConnectorRequest,
} from "../../core/connectors/connectors.ts";
import { refreshConnectorModels, runConnectorTest } from "../../core/connectors/test-connection.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params, query } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });
const testRequest = z.object({ model: z.string().trim().min(1).max(200).optional() });

export function connectorRoutes(context: AppContext): Router {
  const router = Router();
  const { db } = context;
  const deps = () => ({ db, secrets: context.connectors.secrets });

  router.get("/connectors", allow("admin"), async (request: Request, response: Response) => {
    response.json({ connectors: await listConnectors(db, actorOf(request)) });
  });

  router.get("/connectors/choices", allow("admin", "trainer"), async (request: Request, response: Response) => {
    response.json({ connectors: await listConnectorChoices(db, actorOf(request)) });
  });

  router.post("/connectors", allow("admin"), async (request: Request, response: Response) => {
    response.status(201).json({ connector: await createConnector(deps(), actorOf(request), body(request, createConnectorRequest)) });
  });

  router.patch("/connectors/:id", allow("admin"), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    response.json({ connector: await updateConnector(deps(), actorOf(request), id, body(request, updateConnectorRequest)) });
  });

  router.post("/connectors/:id/test", allow("admin"), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const { model } = body(request, testRequest);
    response.json({ result: await runConnectorTest({ ...deps(), limiter: context.connectors.limiter }, actorOf(request), id, { model }) });
  });

  router.post("/connectors/:id/models", allow("admin"), async (request: Request, response: Response) => {
    response.json(await refreshConnectorModels(deps(), actorOf(request), params(request, idParams).id));
  });

  router.get("/connectors/:id/audit", allow("admin"), async (request: Request, response: Response) => {
    const { limit } = query(request, z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }));
    response.json({ audit: await listConnectorAudit(db, actorOf(request), params(request, idParams).id, { limit }) });
  });

  return router;
}
