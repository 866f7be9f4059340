/**
 * eval-run: executes a queued eval run (see core/eval/eval-runs.ts) and reports its progress on
 * the job. Idempotent: a completed run is left as it is, and a retried run starts over from its
 * cases — answers the LLM already gave come from the cache, so a retry does not pay twice.
 */
import type { Config } from "../../core/config.ts";
import type { Db } from "../../core/db/database.ts";
import {
  executeEvalRun,
  failEvalRun,
  llmSettingsFromConfig,
  llmSettingsFromConnector,
  type EvalProgress,
  type LlmSettings,
} from "../../core/eval/eval-runs.ts";
import { defineHandler } from "../../core/jobs/runner.ts";
import type { ConnectorDirectory } from "../../core/connectors/connector.ts";
import type { AgentServices } from "../../core/agents/pipeline.ts";

export interface EvalRunHandlerDependencies {
  db: Db;
  config: Config;
  /** Where prompt sets live (default: the repository's `prompts/`). */
  promptsDirectory?: string;
  /** Prompt-set targets run on the workspace's default chat connector; without one, on OPENAI_BASE_URL. */
  connectors?: ConnectorDirectory;
  /** Agent targets run the stored agent version with these (its binding's connector, or the local engine). */
  agents?: AgentServices;
}

async function llmSettingsForRun(dependencies: EvalRunHandlerDependencies, evalRunId: string): Promise<LlmSettings | null> {
  if (!dependencies.connectors) return llmSettingsFromConfig(dependencies.config);
  const { rows } = await dependencies.db.query<{ workspaceId: string }>('SELECT workspace_id AS "workspaceId" FROM eval_runs WHERE id = $1', [evalRunId]);
  const connector = rows[0] ? await dependencies.connectors.defaultFor(rows[0].workspaceId, "chat") : null;
  return llmSettingsFromConnector(connector) ?? llmSettingsFromConfig(dependencies.config);
}

/** Loading and training take the first tenth of the bar; the cases the rest. */
function fractionOf(progress: EvalProgress): number {
  switch (progress.stage) {
    case "load":
      return 0;
    case "train":
      return 0.05 + 0.05 * (progress.total === 0 ? 0 : progress.done / progress.total);
    case "cases":
      return 0.1 + 0.85 * (progress.total === 0 ? 1 : progress.done / progress.total);
    case "store":
      return 0.95 + 0.05 * (progress.total === 0 ? 1 : progress.done / progress.total);
  }
}

const stageNames: Record<EvalProgress["stage"], string> = {
  load: "loading",
  train: "training",
  cases: "evaluating",
  store: "saving",
};

export function evalRunHandler(dependencies: EvalRunHandlerDependencies) {
  const { db, promptsDirectory } = dependencies;
  return defineHandler<"eval-run">(
    async ({ payload, progress, signal }) => {
      await executeEvalRun(
        // Read per run, so an endpoint configured after a failure is used by the retry.
        { db, promptsDirectory, llm: await llmSettingsForRun(dependencies, payload.evalRunId), agents: dependencies.agents },
        payload.evalRunId,
        {
          signal,
          onProgress: (current) => {
            // The runner throttles writes; a failed progress write must not fail the run.
            void progress(fractionOf(current), stageNames[current.stage]).catch(() => {});
          },
        },
      );
    },
    {
      // Out of attempts or bad input: say why on the run, where people look for it.
      onPermanentFailure: (payload, message) => failEvalRun(db, payload.evalRunId, message),
    },
  );
}
