/**
 * The workspace's intent taxonomy and action catalogue: read by those who read evals, edited by
 * trainers and admins (the roles that build datasets and run evals). Saving an intent taxonomy
 * retrains the local model, as a trainer's decision does.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { loadVocabulary, saveActionCatalogue, saveIntentTaxonomy } from "../../core/draft/vocabulary-editing.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { body } from "../http/validate.ts";

const mappings = z.record(z.string().max(100), z.string().max(100)).optional();
/** The list's revision the editor started from (`vocabulary.revisions`): a save over someone else's is refused with 409. */
const revision = z.string().max(64).optional();

// The entries themselves are checked by the core's zod schemas (core/draft/schema.ts), which
// report every problem with its path.
export const saveIntentsRequest = z.strictObject({ intents: z.array(z.unknown()).max(1000), mappings, revision });
export const saveActionCatalogueRequest = z.strictObject({ actionCatalogue: z.array(z.unknown()).max(1000), mappings, revision });

export function vocabularyRoutes(context: AppContext): Router {
  const router = Router();
  const { db, dispatcher } = context;

  router.get("/workspace/vocabulary", allow("manager", "trainer", "admin"), async (request: Request, response: Response) => {
    response.json({ vocabulary: await loadVocabulary(db, actorOf(request).workspaceId) });
  });

  router.put("/workspace/intents", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, saveIntentsRequest);
    const result = await saveIntentTaxonomy(db, actor.workspaceId, input);
    // The classifier's classes are the taxonomy's: retrain on the (possibly relabelled) labels.
    await dispatcher.enqueue({
      queue: "train-intent-model",
      payload: { workspaceId: actor.workspaceId },
      dedupeKey: `train-intent-model:${actor.workspaceId}`,
      workspaceId: actor.workspaceId,
    });
    context.logger.info({ by: actor.id, retired: result.retired, relabelled: result.relabelled }, "Intent taxonomy saved");
    response.json(result);
  });

  router.put("/workspace/action-catalogue", allow("trainer", "admin"), async (request: Request, response: Response) => {
    const actor = actorOf(request);
    const input = body(request, saveActionCatalogueRequest);
    const result = await saveActionCatalogue(db, actor.workspaceId, input);
    context.logger.info({ by: actor.id, retired: result.retired, relabelled: result.relabelled }, "Action catalogue saved");
    response.json(result);
  });

  return router;
}
