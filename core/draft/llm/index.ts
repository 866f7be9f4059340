/** The LLM drafting engine: what the rest of Calibrate imports. */
export { createLlmDrafter, type LlmDrafter } from "./llm-drafter.ts";
export { streamDraft, type StreamedDraft } from "./stream-draft.ts";
export type {
  LlmDrafterOptions,
  LlmDraftFailureDetails,
  LlmDraftResult,
  LlmDraftStats,
} from "./drafter-options.ts";
export type { RetryEvent } from "./retry.ts";
export { renderDraftPrompt, type RenderedDraftPrompt } from "./render-prompt.ts";
export { validateDraftOutput, type DraftOutputCheck } from "./validate-draft-output.ts";
export { estimateCostUsd } from "./provenance.ts";
