/** train-intent-model: retrain the workspace's local intent classifier on the trainers' labels. */
import { trainWorkspaceIntentModel } from "../../core/draft/intent-models.ts";
import { workspaceDraftSettings } from "../../core/draft/workspace-settings.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import type { HandlerDependencies } from "./dependencies.ts";

export function trainIntentModelHandler({ db, logger }: HandlerDependencies) {
  return defineHandler<"train-intent-model">(async ({ payload, progress }) => {
    const settings = await workspaceDraftSettings(db, payload.workspaceId);
    await progress(0.1, "training");
    const model = await trainWorkspaceIntentModel(db, payload.workspaceId, { allowedLabels: settings.intents.map((intent) => intent.id) });
    logger.info({ workspaceId: payload.workspaceId, model: model.name, trainerLabels: model.labelCount }, "Intent model trained");
  });
}
