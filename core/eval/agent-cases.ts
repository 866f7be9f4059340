/**
 * The cases of an agent target (see eval-runs.ts): each test sample becomes the call the agent
 * version reads, the version is invoked on the engine its binding resolves to (invokeAgentVersion,
 * traced, nothing stored), and its items become the case's prediction. `intent-tagger`: one
 * utterance (after the previous one) per case, predicted intent = the item on that utterance.
 * `action-items`: one call per case (core/dataset/action-item-cases.ts), prediction = its items.
 * Failures are data, as everywhere in the harness: a case the agent failed on is an error row.
 */
import type { StoredAgentVersion } from "../agents/agent-store.ts";
import type { AgentCall } from "../agents/definition.ts";
import { invokeAgentVersion, type AgentDependencies } from "../agents/pipeline.ts";
import type { StoredSample } from "../dataset/datasets.ts";
import { actionItemCaseOf } from "../dataset/action-item-cases.ts";
import { workspaceDraftSettings } from "../draft/workspace-settings.ts";
import { CalibrateError, TransientError, UnprocessableError } from "../errors.ts";
import { describeActionItems, scoreActionItems, type ActionItemScores, type ScoredActionItem } from "./action-item-scores.ts";
import { intentCaseInput, intentTaxonomyForLabels, noIntentPrediction, scoredAgents, type EvalProgress, type EvalRunOptions } from "./eval-runs.ts";
import { runCases, type CaseResult } from "./run-cases.ts";

export interface AgentCasesResult {
  /** The cases as result rows: for action items, `label` is the expected items as one line. */
  rows: StoredSample[];
  results: CaseResult[];
  confidences: Array<number | null>;
  modelRequests: number;
  /** Action-item targets only. */
  actionItems: ActionItemScores | null;
  engine: { kind: string | null; connectorId: string | null; model: string | null };
}

export async function runAgentCases(
  deps: AgentDependencies,
  input: {
    workspaceId: string;
    runId: string;
    version: StoredAgentVersion;
    cases: StoredSample[];
    labels: string[];
    options: EvalRunOptions;
    signal?: AbortSignal;
    report: (progress: EvalProgress) => void;
  },
): Promise<AgentCasesResult> {
  const scoring = scoredAgents[input.version.agent as keyof typeof scoredAgents];
  const settings = await workspaceDraftSettings(deps.db, input.workspaceId);
  const { intents, labelOfId } = intentTaxonomyForLabels(input.labels);
  const expectedItems: Array<ScoredActionItem[]> = [];
  const predictedItems: Array<ScoredActionItem[] | null> = input.cases.map(() => null);
  const confidences: Array<number | null> = input.cases.map(() => null);
  const engine: AgentCasesResult["engine"] = { kind: null, connectorId: null, model: null };
  let modelRequests = 0;

  const calls: Array<{ call: AgentCall; targetOrdinal: number | null }> = input.cases.map((sample) => {
    const base = {
      workspaceId: input.workspaceId,
      recordingId: sample.recordingId ?? "",
      transcriptId: "",
      teamId: typeof sample.metadata.teamId === "string" ? sample.metadata.teamId : "",
      callDate: typeof sample.metadata.callDate === "string" ? new Date(sample.metadata.callDate) : new Date(0),
      upstreamActionItems: [],
    };
    if (scoring === "action_items") {
      const actionCase = actionItemCaseOf(sample);
      if (!actionCase) throw new UnprocessableError(`Case ${sample.caseKey} is not an action-item case.`);
      expectedItems.push(actionCase.expected.map(({ type, evidence, dueDate }) => ({ type, evidence, dueDate })));
      return {
        targetOrdinal: null,
        call: {
          ...base,
          customerStage: actionCase.customerStage ?? "",
          input: {
            language: actionCase.language,
            customerStage: actionCase.customerStage,
            segments: actionCase.segments.map((segment) => ({ ...segment, startMs: 0, endMs: 0 })),
            intents: settings.intents,
            actionTypes: settings.actionCatalogue,
            fewShot: [],
          },
        },
      };
    }
    const { input: draftInput, targetOrdinal } = intentCaseInput(sample, intents);
    return { targetOrdinal, call: { ...base, customerStage: draftInput.customerStage ?? "", input: draftInput } };
  });

  const { results, aborted } = await runCases({
    cases: calls,
    concurrency: input.options.concurrency ?? 4,
    signal: input.signal,
    provider: async ({ call, targetOrdinal }, context) => {
      const started = performance.now();
      try {
        const invocation = await invokeAgentVersion(deps, input.version, call, {
          signal: context.signal,
          traceInput: { evalRunId: input.runId, caseIndex: context.index },
        });
        engine.kind = invocation.engine;
        engine.connectorId = invocation.connectorId;
        engine.model = invocation.model;
        if (invocation.engine === "llm") modelRequests++;
        const base = {
          error: null,
          tokenUsage: { input: invocation.inputTokens, output: invocation.outputTokens },
          costUsd: invocation.costUsd,
          latencyMs: performance.now() - started,
        };
        if (invocation.status === "needs_connector") {
          return { ...base, output: null, error: "needs an LLM connector" };
        }
        if (scoring === "action_items") {
          const items = invocation.product.items
            .filter((item) => item.kind === "action_item")
            .map((item) => ({
              type: typeof item.content.type === "string" ? item.content.type : null,
              evidence: item.evidence,
              dueDate: typeof item.content.dueDate === "string" ? item.content.dueDate : null,
            }));
          predictedItems[context.index] = items;
          return { ...base, output: describeActionItems(items) };
        }
        const intent = invocation.product.items.find((item) => item.kind === "intent" && item.ordinal === targetOrdinal);
        confidences[context.index] = intent?.confidence ?? null;
        const id = typeof intent?.content.intent === "string" ? intent.content.intent : null;
        return { ...base, output: id === null ? noIntentPrediction : (labelOfId.get(id) ?? id) };
      } catch (error) {
        // Model and validation failures (already retried per request) are the case's result.
        if (!(error instanceof CalibrateError)) throw error;
        return { output: null, error: error.message, latencyMs: performance.now() - started };
      }
    },
    onProgress: ({ done, total, errors }) => input.report({ stage: "cases", done, total, errors }),
  });
  if (aborted) throw new TransientError("The eval run was interrupted before every case ran.");

  if (scoring !== "action_items") {
    return { rows: input.cases, results, confidences, modelRequests, actionItems: null, engine };
  }
  for (const result of results) if (result.status !== "ok") predictedItems[result.index] = null;
  return {
    rows: input.cases.map((sample, index) => ({ ...sample, label: describeActionItems(expectedItems[index])! })),
    results,
    confidences,
    modelRequests,
    actionItems: scoreActionItems(expectedItems.map((expected, index) => ({ expected, predicted: predictedItems[index] }))),
    engine,
  };
}
