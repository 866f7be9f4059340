/** The follow-up e-mail to the customer, from the standing action items. LLM only: the local engine keeps the template (core/follow-up). */
import { z } from "zod";
import { defineAgent } from "../../core/agents/definition.ts";

export const followUpEmail = defineAgent({
  folder: import.meta.dirname,
  outputSchema: z.strictObject({
    language: z.enum(["zh", "en"]),
    subject: z.string().trim().min(1).max(300),
    body: z.string().trim().min(1).max(20_000),
  }),
  toProduct(output) {
    return { items: [], output: { ...output, source: "agent" }, notes: [] };
  },
});
