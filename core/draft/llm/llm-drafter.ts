/**
 * The LLM drafting engine: one call transcript → intents, action items and talk tracks, via
 * LangChain's ChatOpenAI against any OpenAI-compatible endpoint.
 *
 * Flow: render the prompt set → structured-output call (with retries on 429/5xx/timeouts,
 * under the endpoint's concurrency cap) → validate (schema, then taxonomy/catalogue/ordinals)
 * → if invalid, one repair call with the errors and the raw output → draft + provenance, or an
 * UnprocessableError carrying the reason and the raw output.
 */
import type { DraftContent, DraftInput } from "../schema.ts";
import { formatPromptSetReference } from "../prompt-sets.ts";
import { UnprocessableError } from "../../errors.ts";
import {
  invalidOutputError,
  resolveLlmDrafterOptions,
  type LlmDrafterOptions,
  type LlmDraftResult,
} from "./drafter-options.ts";
import { endpointSemaphore } from "./endpoint-concurrency.ts";
import { invokeLlmAgent, type LlmInvocationFailure } from "./invoke-llm-agent.ts";
import { modelDraftOutputJsonSchema, modelDraftOutputName } from "./model-output.ts";
import { buildLlmProvenance } from "./provenance.ts";
import { renderDraftPrompt } from "./render-prompt.ts";
import { validateDraftOutput } from "./validate-draft-output.ts";

export { rawOutputOfMessage } from "./invoke-llm-agent.ts";

export interface LlmDrafter {
  /** `"<set>@<version>"`, as recorded in provenance. */
  readonly promptSetVersion: string;
  readonly model: string;
  draft(input: DraftInput, options?: { signal?: AbortSignal }): Promise<LlmDraftResult>;
}

export function createLlmDrafter(options: LlmDrafterOptions): LlmDrafter {
  const settings = resolveLlmDrafterOptions(options);
  const { promptSet } = settings;
  const manifest = promptSet.manifest;
  return {
    promptSetVersion: formatPromptSetReference(promptSet),
    model: manifest.model,
    async draft(input, callOptions = {}) {
      const prompt = renderDraftPrompt(promptSet, input);
      const semaphore = endpointSemaphore(settings.baseUrl, settings.concurrency);
      try {
        const result = await invokeLlmAgent<DraftContent>({
          baseUrl: settings.baseUrl,
          apiKey: settings.apiKey,
          model: manifest.model,
          temperature: manifest.temperature,
          maxTokens: manifest.maxTokens,
          timeoutMs: settings.timeoutMs,
          structuredOutput: manifest.structuredOutput,
          outputJsonSchema: modelDraftOutputJsonSchema,
          outputName: modelDraftOutputName,
          messages: { system: prompt.system, user: prompt.user },
          validate: (raw) => {
            const checked = validateDraftOutput(raw, input);
            return checked.ok ? { ok: true, value: checked.content } : checked;
          },
          // One slot per HTTP request, shared by every drafter of this endpoint in the process.
          acquire: (signal) => semaphore.acquire(signal),
          retryPolicy: settings.retryPolicy,
          onRetry: settings.onRetry,
          signal: callOptions.signal,
        });
        return {
          content: result.value,
          provenance: buildLlmProvenance(promptSet, result.usage, result.latencyMs),
          raw: result.raw,
          stats: result.stats,
        };
      } catch (error) {
        const details = error instanceof UnprocessableError ? (error.details as LlmInvocationFailure | undefined) : undefined;
        if (!details?.firstRaw) throw error;
        throw invalidOutputError({
          issues: details.issues,
          raw: details.raw,
          firstRaw: details.firstRaw,
          provenance: buildLlmProvenance(promptSet, details.usage, details.latencyMs),
          stats: details.stats,
        });
      }
    },
  };
}
