/** Talk tracks for objections, questions and hesitations. Local engine: approved talk tracks of the most similar past moments. */
import { z } from "zod";
import { defineAgent } from "../../core/agents/definition.ts";
import { talkTrackItems } from "../../core/agents/items.ts";
import { localTalkTracks, talkTrackMinimumSimilarity } from "../../core/draft/drafting.ts";
import { modelDraftOutputSchema } from "../../core/draft/llm/model-output.ts";
import { reconcileDraft } from "../../core/draft/llm/reconcile-draft.ts";

export const talkTracks = defineAgent({
  folder: import.meta.dirname,
  outputSchema: z.strictObject({ talkTracks: modelDraftOutputSchema.shape.talkTracks, notes: modelDraftOutputSchema.shape.notes }),
  toProduct(output, call) {
    const content = reconcileDraft({ ...output, intents: [], actionItems: [] }, call.input);
    return { items: talkTrackItems(content.talkTracks), output: null, notes: content.notes };
  },
  async local({ db, embedder, call, trace }) {
    const span = trace.span("local_model", "talk-track retrieval", { utterances: call.input.segments.length });
    const { talkTracks: tracks, notes } = await localTalkTracks({ db, embedder }, call);
    span.end({
      attributes: { model: `retrieval:${embedder.name}`, minimumSimilarity: talkTrackMinimumSimilarity },
      output: tracks.map((track) => ({ moment: track.moment, evidence: track.evidence, confidence: track.confidence })),
    });
    return { model: `retrieval:${embedder.name}`, product: { items: talkTrackItems(tracks), output: null, notes } };
  },
});
