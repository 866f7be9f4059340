/**
 * The seed data Calibrate ships (datasets/seed, CC0): bilingual example utterances per default intent,
 * so the local engine drafts before trainers have labelled anything, and approved talk tracks to
 * retrieve from on day one.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const seedDirectory = path.resolve(import.meta.dirname, "../../datasets/seed");

const seedIntentSchema = z.object({
  text: z.string().min(1),
  label: z.string().min(1),
  speaker: z.enum(["agent", "customer"]),
  previousText: z.string().nullable(),
  language: z.enum(["zh", "en"]),
});

const seedTalkTrackSchema = z.object({
  moment: z.enum(["objection", "question", "hesitation"]),
  language: z.enum(["zh", "en"]),
  /** The industry the reply was written for (core/draft/workspace-profile.ts), or "general" for any. */
  industry: z.string().min(1),
  /** Customer stages the reply is for; absent: any stage. */
  stages: z.array(z.string().min(1)).optional(),
  customerText: z.string().min(1),
  suggestion: z.string().min(1),
  rationale: z.string(),
});

export type SeedIntentExample = z.infer<typeof seedIntentSchema>;
export type SeedTalkTrack = z.infer<typeof seedTalkTrackSchema>;

function readJsonLines<T>(file: string, schema: z.ZodType<T>): T[] {
  const content = fs.readFileSync(path.join(seedDirectory, file), "utf8");
  return content
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      const parsed = schema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`datasets/seed/${file} line ${index + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

let intents: SeedIntentExample[] | undefined;
let talkTracks: SeedTalkTrack[] | undefined;

export function loadSeedIntentExamples(): SeedIntentExample[] {
  intents ??= readJsonLines("intents.jsonl", seedIntentSchema);
  return intents;
}

export function loadSeedTalkTracks(): SeedTalkTrack[] {
  talkTracks ??= readJsonLines("talk-tracks.jsonl", seedTalkTrackSchema);
  return talkTracks;
}
