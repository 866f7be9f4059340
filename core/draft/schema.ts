/**
 * What a draft is. Both engines (LLM and local) produce exactly this shape, and the review UI,
 * the eval harness and the capability map read it. Segments are referenced by their ordinal in
 * the transcript (0-based), so every item can link back to its evidence.
 */
import { z } from "zod";

export const intentDefinitionSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.object({ en: z.string().min(1), zh: z.string().min(1) }),
  description: z.string().default(""),
});
export type IntentDefinition = z.infer<typeof intentDefinitionSchema>;

export const actionFieldSchema = z.enum(["owner", "dueDate", "customer", "notes"]);
export type ActionField = z.infer<typeof actionFieldSchema>;

export const actionOwnerSchema = z.enum(["agent", "customer"]);
export type ActionOwner = z.infer<typeof actionOwnerSchema>;

/** One atomised sales action ("销售动作原子化"): the smallest action an agent can recognise. */
export const actionTypeSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.object({ en: z.string().min(1), zh: z.string().min(1) }),
  fields: z.array(actionFieldSchema),
  examples: z.object({ en: z.array(z.string()), zh: z.array(z.string()) }),
  /**
   * Who can commit to it on a call; absent: either. A customer who says "I'll send you our
   * current contract" or "I'll book a room for the demo" does not commit to the rep's actions.
   */
  owners: z.array(actionOwnerSchema).min(1).optional(),
});
export type ActionType = z.infer<typeof actionTypeSchema>;

export const transcriptSegmentSchema = z.object({
  ordinal: z.number().int().nonnegative(),
  speaker: z.string(),
  text: z.string(),
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
});
export type TranscriptSegment = z.infer<typeof transcriptSegmentSchema>;

export const intentPredictionSchema = z.object({
  segment: z.number().int().nonnegative(),
  intent: z.string(),
  confidence: z.number().min(0).max(1),
});
export type IntentPrediction = z.infer<typeof intentPredictionSchema>;

export const actionItemSchema = z.object({
  /** A catalogue id, or null when nothing in the catalogue fits: then `flagged` is true for a trainer. */
  type: z.string().nullable(),
  flagged: z.boolean().default(false),
  title: z.string().min(1),
  owner: z.string().nullable().default(null),
  /** ISO date (YYYY-MM-DD) when the text names one. */
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().default(null),
  customer: z.string().nullable().default(null),
  notes: z.string().nullable().default(null),
  evidence: z.array(z.number().int().nonnegative()).min(1),
  confidence: z.number().min(0).max(1),
});
export type ActionItem = z.infer<typeof actionItemSchema>;

export const talkTrackMomentSchema = z.enum(["objection", "question", "hesitation"]);

export const talkTrackSchema = z.object({
  moment: talkTrackMomentSchema,
  evidence: z.array(z.number().int().nonnegative()).min(1),
  suggestion: z.string().min(1),
  rationale: z.string(),
  confidence: z.number().min(0).max(1),
});
export type TalkTrack = z.infer<typeof talkTrackSchema>;

export const draftContentSchema = z.object({
  intents: z.array(intentPredictionSchema),
  actionItems: z.array(actionItemSchema),
  talkTracks: z.array(talkTrackSchema),
  /** Moments where the engine had nothing good enough to say (e.g. no similar approved talk track). */
  notes: z.array(z.string()).default([]),
});
export type DraftContent = z.infer<typeof draftContentSchema>;

/** Which engine produced a draft, and what it cost. Stored with every draft. */
export interface DraftProvenance {
  engine: "llm" | "local";
  /** LLM model name, or the local model version (e.g. "local-intent@7"). */
  model: string;
  promptSetVersion: string | null;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  estimatedCostUsd: number;
}

export interface FewShotExample {
  text: string;
  intent: string;
  customerStage?: string | null;
}

export interface DraftInput {
  language: "zh" | "en" | "mixed" | null;
  customerStage: string | null;
  segments: TranscriptSegment[];
  intents: IntentDefinition[];
  actionTypes: ActionType[];
  fewShot: FewShotExample[];
  /** What the workspace sells, as its admin declared it (Settings); absent: not known. */
  workspace?: { industry: string | null; products: string[] };
}
