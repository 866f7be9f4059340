/** Intent tagger: one intent per utterance from the workspace taxonomy. Local engine: the workspace's intent model. */
import { z } from "zod";
import { defineAgent } from "../../core/agents/definition.ts";
import { intentItems } from "../../core/agents/items.ts";
import { localIntents } from "../../core/draft/drafting.ts";
import { modelDraftOutputSchema } from "../../core/draft/llm/model-output.ts";
import { reconcileDraft } from "../../core/draft/llm/reconcile-draft.ts";

/** Utterances whose top-k labels a trace keeps (an hour-long call has ~800). */
const tracedUtterances = 200;

export const intentTagger = defineAgent({
  folder: import.meta.dirname,
  outputSchema: z.strictObject({ intents: modelDraftOutputSchema.shape.intents, notes: modelDraftOutputSchema.shape.notes }),
  toProduct(output, call) {
    const content = reconcileDraft({ ...output, actionItems: [], talkTracks: [] }, call.input);
    return { items: intentItems(content.intents), output: null, notes: content.notes };
  },
  async local({ db, call, trace }) {
    const span = trace.span("local_model", "intent classifier", { utterances: call.input.segments.length });
    const { intents, model, ranked } = await localIntents({ db }, call, { topK: 3 });
    span.end({ attributes: { model, topK: 3, tracedUtterances: Math.min(tracedUtterances, ranked.length) }, output: ranked.slice(0, tracedUtterances) });
    return { model, product: { items: intentItems(intents), output: null, notes: [] } };
  },
});
