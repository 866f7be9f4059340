/** Action items typed by the sales-action catalogue, with owners and due dates. Local engine: the catalogue's phrasings. */
import { z } from "zod";
import { defineAgent } from "../../core/agents/definition.ts";
import { actionItemItems } from "../../core/agents/items.ts";
import { localActionItems } from "../../core/draft/drafting.ts";
import { modelDraftOutputSchema } from "../../core/draft/llm/model-output.ts";
import { reconcileDraft } from "../../core/draft/llm/reconcile-draft.ts";

export const actionItems = defineAgent({
  folder: import.meta.dirname,
  outputSchema: z.strictObject({ actionItems: modelDraftOutputSchema.shape.actionItems, notes: modelDraftOutputSchema.shape.notes }),
  toProduct(output, call) {
    const content = reconcileDraft({ ...output, intents: [], talkTracks: [] }, call.input);
    return { items: actionItemItems(content.actionItems), output: null, notes: content.notes };
  },
  async local({ call, trace }) {
    const span = trace.span("local_model", "catalogue matcher", { utterances: call.input.segments.length, catalogue: call.input.actionTypes.length });
    const items = localActionItems(call);
    span.end({
      attributes: { model: "catalogue-phrasings" },
      output: items.map((item) => ({ type: item.type, title: item.title, confidence: item.confidence, evidence: item.evidence })),
    });
    return { model: "catalogue-phrasings", product: { items: actionItemItems(items), output: null, notes: [] } };
  },
});
