/**
 * The contract between the drafter and the model: the JSON the model must return, how raw
 * text is parsed against it, and the message that asks for a repair when it does not fit.
 *
 * This is deliberately not `draftContentSchema`: every field is required (nullable instead of
 * optional, no defaults, no extra keys) so the same schema works with OpenAI's strict
 * structured outputs, and `flagged` is derived rather than asked for.
 */
import { z } from "zod";
import { talkTrackMomentSchema } from "../schema.ts";

const confidenceSchema = z.number().min(0).max(1);
const ordinalSchema = z.number().int().min(0);
const evidenceSchema = z.array(ordinalSchema).min(1);

export const modelDraftOutputSchema = z.strictObject({
  intents: z.array(
    z.strictObject({
      segment: ordinalSchema,
      intent: z.string(),
      confidence: confidenceSchema,
    }),
  ),
  actionItems: z.array(
    z.strictObject({
      type: z.string().nullable(),
      title: z.string().trim().min(1),
      owner: z.string().nullable(),
      dueDate: z.string().nullable(),
      customer: z.string().nullable(),
      notes: z.string().nullable(),
      evidence: evidenceSchema,
      confidence: confidenceSchema,
    }),
  ),
  talkTracks: z.array(
    z.strictObject({
      moment: talkTrackMomentSchema,
      evidence: evidenceSchema,
      suggestion: z.string().trim().min(1),
      rationale: z.string(),
      confidence: confidenceSchema,
    }),
  ),
  notes: z.array(z.string()),
});
export type ModelDraftOutput = z.infer<typeof modelDraftOutputSchema>;

/** Name of the structured output (the `json_schema` name or the forced tool's name). */
export const modelDraftOutputName = "sales_call_draft";

/** A zod schema as the plain JSON Schema model servers take for structured output. */
export function toModelJsonSchema(outputSchema: z.ZodType = modelDraftOutputSchema): Record<string, unknown> {
  const schema = z.toJSONSchema(outputSchema, { target: "draft-7" }) as Record<
    string,
    unknown
  >;
  // `$schema` is noise to model servers, and z.int()'s safe-integer maximum is not useful to them.
  delete schema.$schema;
  return JSON.parse(
    JSON.stringify(schema, (key, value) =>
      key === "maximum" && value === Number.MAX_SAFE_INTEGER ? undefined : value,
    ),
  ) as Record<string, unknown>;
}

/** Plain JSON Schema (not zod) on purpose: see `llm-drafter.ts` for why. */
export const modelDraftOutputJsonSchema: Record<string, unknown> = toModelJsonSchema();

export type ParsedModelOutput =
  { ok: true; value: ModelDraftOutput } | { ok: false; issues: string[] };

const maximumIssues = 20;

export function parseJsonLeniently(
  raw: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = raw.trim();
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch (error) {
    // Models behind compatible servers often wrap JSON in a code fence or a sentence; the
    // outermost object is still the answer. Anything else is a real error for the repair.
    const start = trimmed.indexOf("{");
    const end = trimmed.lastIndexOf("}");
    if (start >= 0 && end > start) {
      try {
        return { ok: true, value: JSON.parse(trimmed.slice(start, end + 1)) };
      } catch {
        // fall through to report the first error
      }
    }
    return { ok: false, error: (error as Error).message };
  }
}

export function parseModelOutput(raw: string): ParsedModelOutput {
  return parseOutputWith(modelDraftOutputSchema, raw);
}

/** Raw model text → a value of `schema`, or the issues to send back for a repair. */
export function parseOutputWith<Output>(
  schema: z.ZodType<Output>,
  raw: string,
): { ok: true; value: Output } | { ok: false; issues: string[] } {
  if (raw.trim() === "")
    return { ok: false, issues: ["the output was empty; expected one JSON object"] };
  const json = parseJsonLeniently(raw);
  if (!json.ok) return { ok: false, issues: [`the output is not valid JSON: ${json.error}`] };
  const parsed = schema.safeParse(json.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues
    .slice(0, maximumIssues)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`);
  if (parsed.error.issues.length > maximumIssues) {
    issues.push(`… and ${parsed.error.issues.length - maximumIssues} more issues`);
  }
  return { ok: false, issues };
}

/** The follow-up message of the single repair attempt. */
export function buildRepairInstruction(issues: string[], raw: string): string {
  return [
    "Your previous output could not be used because it does not match the required JSON format.",
    "Validation errors:",
    ...issues.map((issue) => `- ${issue}`),
    "",
    "Your previous output was:",
    "<previous_output>",
    raw,
    "</previous_output>",
    "",
    "Return the corrected JSON object only: the same analysis, fixed so that every field is present",
    "with the right type (null where allowed), confidences are between 0 and 1, and evidence lists",
    "at least one transcript ordinal. No prose, no code fences.",
  ].join("\n");
}
