/** What a draft records about how it was made: model, prompt-set version, tokens, time, cost. */
import { formatPromptSetReference, type PromptSetVersion } from "../prompt-sets.ts";
import type { DraftProvenance } from "../schema.ts";

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** US dollars, from the manifest's price per 1,000 tokens, rounded to a millionth of a dollar. */
export function estimateCostUsd(promptSet: PromptSetVersion, usage: TokenUsage): number {
  const prices = promptSet.manifest.pricePer1kTokensUsd;
  const cost =
    (usage.inputTokens / 1000) * prices.input + (usage.outputTokens / 1000) * prices.output;
  return Math.round(cost * 1_000_000) / 1_000_000;
}

export function buildLlmProvenance(
  promptSet: PromptSetVersion,
  usage: TokenUsage,
  latencyMs: number,
): DraftProvenance {
  return {
    engine: "llm",
    model: promptSet.manifest.model,
    promptSetVersion: formatPromptSetReference(promptSet),
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    latencyMs: Math.round(latencyMs),
    estimatedCostUsd: estimateCostUsd(promptSet, usage),
  };
}
