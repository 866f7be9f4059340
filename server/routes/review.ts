/** The trainer sandbox's API: the review queue, drafts of a call, decisions and undo, the dashboard, hotkeys. */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import type { Actor } from "../../core/auth/actor.ts";
import { ValidationError } from "../../core/errors.ts";
import type { DecisionOutcome } from "../../core/review/decisions.ts";
import { decide, decisionRequestSchema, undoDecision } from "../../core/review/decisions.ts";
import { getRecordingDraft } from "../../core/review/items.ts";
import { trainerDashboard } from "../../core/review/dashboard.ts";
import { listNoFitUtterances } from "../../core/review/new-intents.ts";
import { claimItems, listQueue, queueFiltersSchema, releaseLeases } from "../../core/review/queue.ts";
import { getRecording } from "../../core/upload/recordings.ts";
import { workspaceDraftSettings } from "../../core/draft/workspace-settings.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body, params, query } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });
const hotkeyMapSchema = z.record(z.string().regex(/^[a-z]+:[a-z0-9-]+$/), z.string().min(1).max(40)).refine(
  (map) => Object.keys(map).length <= 200,
  "Too many bindings.",
);

export function reviewRoutes(context: AppContext): Router {
  const router = Router();
  const { db, dispatcher } = context;

  /** What a decision changes elsewhere: retrain the local model, embed approved examples. */
  async function followUp(actor: Actor, outcome: DecisionOutcome): Promise<void> {
    if (outcome.effects.intentLabelChanged) {
      await dispatcher.enqueue({
        queue: "train-intent-model",
        payload: { workspaceId: actor.workspaceId },
        dedupeKey: `train-intent-model:${actor.workspaceId}`,
        workspaceId: actor.workspaceId,
      });
    }
    if (outcome.effects.approvedSample || outcome.effects.approvedTalkTrack || outcome.effects.intentLabelChanged) {
      await dispatcher.enqueue({
        queue: "embed",
        payload: {
          workspaceId: actor.workspaceId,
          sourceType: outcome.item.kind === "talk_track" ? "talk_track" : "sample",
          sourceKeys: [outcome.item.id],
        },
        workspaceId: actor.workspaceId,
      });
    }
  }

  router.get("/review/queue", allow("trainer", "admin", "rep"), async (request: Request, response: Response) => {
    const filters = query(request, queueFiltersSchema.extend({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }));
    response.json(await listQueue(db, actorOf(request), filters, { limit: filters.limit, offset: filters.offset }));
  });

  router.post("/review/claim", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const input = body(request, queueFiltersSchema.extend({
      count: z.number().int().min(1).max(50).default(10),
      leaseSeconds: z.number().int().min(10).max(3600).default(300),
    }));
    const items = await claimItems(db, actorOf(request), input, { count: input.count, leaseMs: input.leaseSeconds * 1000 });
    response.json({ items });
  });

  router.post("/review/release", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const input = body(request, z.object({ itemIds: z.array(z.uuid()).max(200) }));
    await releaseLeases(db, actorOf(request), input.itemIds);
    response.status(204).end();
  });

  router.get("/recordings/:id/draft", allow(), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const recording = await getRecording(db, actor, id);
    const [draft, settings] = await Promise.all([getRecordingDraft(db, actor, recording.id), workspaceDraftSettings(db, actor.workspaceId)]);
    response.json({ draft, intents: settings.intents, actionCatalogue: settings.actionCatalogue });
  });

  router.post("/review/items/:id/decisions", allow("trainer", "admin", "rep"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const input = body(request, decisionRequestSchema);
    if (input.shownAt.getTime() > Date.now() + 60_000) throw new ValidationError("shownAt is in the future; check the device clock.");
    const outcome = await decide(db, actor, id, input, { dispatcher });
    await followUp(actor, outcome);
    response.status(201).json(outcome);
  });

  router.post("/review/decisions/:id/undo", allow("trainer", "admin", "rep"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const { id } = params(request, idParams);
    const outcome = await undoDecision(db, actor, id, { dispatcher });
    await followUp(actor, outcome);
    response.json(outcome);
  });

  /** Utterances trainers said fit no intent: where the taxonomy may need a new one. */
  router.get("/review/no-fit", allow("trainer", "manager", "admin"), async (request: Request, response: Response) => {
    const { limit } = query(request, z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }));
    response.json(await listNoFitUtterances(db, actorOf(request), { limit }));
  });

  router.get("/review/dashboard", allow("trainer", "manager", "admin"), async (request: Request, response: Response) => {
    const range = query(request, z.object({
      from: z.coerce.date().default(() => new Date(Date.now() - 30 * 86_400_000)),
      to: z.coerce.date().default(() => new Date()),
    }));
    response.json(await trainerDashboard(db, actorOf(request), range));
  });

  router.get("/me/hotkeys", allow(), async (request: Request, response: Response) => {
    const { rows } = await db.query<{ hotkeys: Record<string, string> }>("SELECT hotkeys FROM users WHERE id = $1", [actorOf(request).id]);
    response.json({ bindings: rows[0]?.hotkeys ?? {} });
  });

  router.put("/me/hotkeys", allow(), async (request: Request, response: Response) => {
    const { bindings } = body(request, z.object({ bindings: hotkeyMapSchema }));
    // Two actions on one key would make one of them unreachable.
    const seen = new Map<string, string>();
    for (const [action, key] of Object.entries(bindings)) {
      const scope = action.split(":")[0];
      const slot = `${scope}|${key.toLowerCase()}`;
      const other = seen.get(slot);
      if (other) throw new ValidationError(`"${key}" is bound to both ${other} and ${action}.`, [{ path: action, message: `conflicts with ${other}` }]);
      seen.set(slot, action);
    }
    await db.query("UPDATE users SET hotkeys = $2, updated_at = now() WHERE id = $1", [actorOf(request).id, JSON.stringify(bindings)]);
    response.json({ bindings });
  });

  return router;
}
