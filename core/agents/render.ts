/**
 * An agent's prompt set with the call filled in. Every placeholder gets a value (a template uses
 * the ones it needs); untrusted text — the transcript, examples and people's action items — is
 * escaped and flattened exactly as for the sales-call drafter (core/draft/llm/render-prompt.ts).
 */
import { renderTemplate, type PromptSetVersion } from "../draft/prompt-sets.ts";
import {
  assertDraftableInput,
  formatActionCatalogue,
  formatFewShotExamples,
  formatIntentTaxonomy,
  formatTranscript,
  formatWorkspaceProfile,
  neutraliseUntrustedText,
  selectFewShotExamples,
} from "../draft/llm/render-prompt.ts";
import type { ActionItem, FewShotExample } from "../draft/schema.ts";
import type { AgentCall } from "./definition.ts";

export function formatActionItems(items: readonly ActionItem[]): string {
  if (items.length === 0) return "(no action items)";
  return items
    .map((item) => {
      const details = [
        item.type ? `type: ${item.type}` : null,
        item.owner ? `owner: ${neutraliseUntrustedText(item.owner)}` : null,
        item.dueDate ? `due: ${item.dueDate}` : null,
        item.customer ? `customer: ${neutraliseUntrustedText(item.customer)}` : null,
        `evidence: ${item.evidence.join(", ")}`,
      ].filter(Boolean);
      return `- ${neutraliseUntrustedText(item.title)} (${details.join("; ")})`;
    })
    .join("\n");
}

export interface RenderedAgentPrompt {
  system: string;
  user: string;
  fewShotExamples: FewShotExample[];
}

export function renderAgentPrompt(promptSet: PromptSetVersion, call: AgentCall): RenderedAgentPrompt {
  const input = call.input;
  assertDraftableInput(input);
  const fewShotExamples = selectFewShotExamples(input.fewShot, input, promptSet.manifest.fewShot);
  const values = {
    language: input.language ?? "unknown",
    customerStage: input.customerStage ? neutraliseUntrustedText(input.customerStage) : "unknown",
    intentTaxonomy: formatIntentTaxonomy(input.intents),
    actionCatalogue: formatActionCatalogue(input.actionTypes),
    fewShotExamples: formatFewShotExamples(fewShotExamples),
    segmentCount: String(input.segments.length),
    transcript: formatTranscript(input.segments),
    actionItems: formatActionItems(call.upstreamActionItems),
    callDate: call.callDate.toISOString().slice(0, 10),
    workspaceProfile: formatWorkspaceProfile(input.workspace),
  };
  return { system: renderTemplate(promptSet.system, values).trim(), user: renderTemplate(promptSet.user, values).trim(), fewShotExamples };
}
