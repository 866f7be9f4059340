/**
 * Agents and the per-call pipeline: the agents with their production versions and bindings (admins
 * change the engine, enabling and scope, each change a new version), a call's agent runs, and
 * re-running one agent on a call. Live updates go over the job events (`GET /api/events`).
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { agentChangeSchema, labelledVersions, listAgentVersions, updateAgent } from "../../core/agents/agent-store.ts";
import { listAgentRuns, rerunAgent, tryAgentVersions } from "../../core/agents/pipeline.ts";
import { agentNamePattern } from "../../core/agents/definition.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { handOverAll } from "../../core/webhooks/outbox.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params } from "../http/validate.ts";

const agentParams = z.object({ agent: z.string().regex(agentNamePattern) });
const recordingAgentParams = z.object({ id: z.uuid(), agent: z.string().regex(agentNamePattern) });

export function agentRoutes(context: AppContext): Router {
  const router = Router();
  const { db } = context;
  const { registry } = context.agents;

  router.get("/agents", allow("trainer", "manager", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const [production, staging] = await Promise.all([
      labelledVersions(db, actor.workspaceId, registry, "production"),
      labelledVersions(db, actor.workspaceId, registry, "staging"),
    ]);
    response.json({
      agents: registry.map((agent) => ({
        name: agent.name,
        purpose: agent.definition.purpose,
        hasLocalEngine: Boolean(agent.local),
        production: production.get(agent.name) ?? null,
        staging: staging.get(agent.name) ?? null,
      })),
    });
  });

  router.get("/agents/:agent/versions", allow("trainer", "manager", "admin"), async (request: Request, response: Response) => {
    const { agent } = params(request, agentParams);
    if (!registry.some((candidate) => candidate.name === agent)) throw new NotFoundError(`There is no agent "${agent}".`);
    response.json({ versions: await listAgentVersions(db, actorOf(request).workspaceId, agent) });
  });

  router.patch("/agents/:agent", allow("admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { agent } = params(request, agentParams);
    const { expectedVersion, ...changes } = body(request, agentChangeSchema);
    if (Object.keys(changes).length === 0) throw new ValidationError("Nothing to change: send engine, enabled or enabledFor.");
    if (changes.engine?.connectorId) {
      // The binding must name a connector the workspace has (and that may chat).
      const connector = await context.agents.connectors.get(actor.workspaceId, changes.engine.connectorId);
      if (!connector || !connector.purposes.includes("chat")) throw new ValidationError(`There is no chat connector "${changes.engine.connectorId}".`);
    }
    const version = await updateAgent(db, actor.workspaceId, registry, { agent, changes, expectedVersion, updatedBy: actor.id });
    response.json({ version });
  });

  /** The sandbox: versions of one agent on one call, side by side; nothing is stored. */
  router.post("/agents/:agent/try", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const { agent } = params(request, agentParams);
    const input = body(request, z.strictObject({ recordingId: z.uuid(), versions: z.array(z.number().int().positive()).min(1).max(2) }));
    const results = await tryAgentVersions({ db, ...context.agents }, actorOf(request), { agent, ...input });
    response.json({ results });
  });

  router.get("/recordings/:id/agent-runs", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, z.object({ id: z.uuid() }));
    response.json(await listAgentRuns({ db, registry }, actorOf(request), id));
  });

  router.post("/recordings/:id/agents/:agent/runs", allow("rep", "trainer", "admin"), async (request: Request, response: Response) => {
    const { id, agent } = params(request, recordingAgentParams);
    const { runId, jobs } = await rerunAgent({ db, registry }, actorOf(request), id, agent);
    await handOverAll(context.dispatcher, jobs);
    response.status(202).json({ runId, jobId: jobs[0]?.id ?? null });
  });

  return router;
}
