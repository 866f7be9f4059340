/** The call summary, in the call's language. LLM only: on the local engine it needs an LLM connector. */
import { z } from "zod";
import { defineAgent } from "../../core/agents/definition.ts";
import { knownEvidence } from "../../core/agents/items.ts";

const point = z.strictObject({ text: z.string().trim().min(1), evidence: z.array(z.number().int().min(0)) });
const sections = ["keyPoints", "customerPains", "objections", "nextSteps"] as const;

export const callSummary = defineAgent({
  folder: import.meta.dirname,
  outputSchema: z.strictObject({
    language: z.enum(["zh", "en"]),
    keyPoints: z.array(point),
    customerPains: z.array(point),
    objections: z.array(point),
    nextSteps: z.array(point),
  }),
  check: (output) => (sections.every((section) => output[section].length === 0) ? ["every section is empty; summarise at least the key points"] : []),
  toProduct(output, call) {
    const ordinals = new Set(call.input.segments.map((segment) => segment.ordinal));
    const summary: Record<string, unknown> = { language: output.language };
    for (const section of sections) {
      summary[section] = output[section].map((entry) => ({ text: entry.text, evidence: knownEvidence(entry.evidence, ordinals) }));
    }
    return { items: [], output: summary, notes: [] };
  },
});
