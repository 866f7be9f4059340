/**
 * Which handler runs each queue. Each handler is a thin adapter from a job to a core function; the
 * pipeline's stages enqueue the next stage themselves.
 */
import { agentRunHandler } from "./processors/agent-run.ts";
import { draftHandler } from "./processors/draft.ts";
import { promptsDirectory } from "../core/draft/workspace-preparation.ts";
import { embedHandler } from "./processors/embed.ts";
import { evalRunHandler } from "./processors/eval-run.ts";
import { labelCurveHandler } from "./processors/label-curve.ts";
import { rollupHandler } from "./processors/rollup.ts";
import { trainIntentModelHandler } from "./processors/train-intent-model.ts";
import { transcribeHandler } from "./processors/transcribe.ts";
import { webhookDeliveryHandler } from "./processors/webhook-delivery.ts";
import type { HandlerRegistry } from "../core/jobs/runner.ts";
import type { HandlerDependencies } from "./processors/dependencies.ts";

export type { HandlerDependencies };

export function createHandlers(dependencies: HandlerDependencies): HandlerRegistry {
  const { embedder } = dependencies.agents;
  return {
    transcribe: transcribeHandler(dependencies),
    draft: draftHandler(dependencies),
    "agent-run": agentRunHandler(dependencies),
    "train-intent-model": trainIntentModelHandler(dependencies),
    embed: embedHandler(dependencies, embedder),
    "eval-run": evalRunHandler({ db: dependencies.db, config: dependencies.config, promptsDirectory, connectors: dependencies.agents.connectors, agents: dependencies.agents }),
    "label-curve": labelCurveHandler({ db: dependencies.db }),
    rollup: rollupHandler(dependencies),
    "webhook-delivery": webhookDeliveryHandler(dependencies),
  };
}
