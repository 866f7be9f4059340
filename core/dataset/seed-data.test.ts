/**
 * Checks the hand-written seed set in datasets/seed/ (see its README): the local engine starts
 * from these files before trainers label anything, and the demo calls are what visitors and
 * browser tests see first, so a typo in a label, a stray phone number or a broken cue must fail
 * here rather than in a demo.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defaultActionCatalogue } from "../draft/action-catalogue.ts";
import { extractActionItems } from "../draft/local/action-items.ts";
import {
  classifyMoment,
  detectMoments,
  speakerRole,
  textLanguage,
} from "../draft/local/moments.ts";
import { approvedTalkTrackSchema, specificCues } from "../draft/local/talk-tracks.ts";
import { talkTrackMomentSchema, type TranscriptSegment } from "../draft/schema.ts";
import { defaultIntents } from "../draft/taxonomy.ts";
import { anyIndustry, industries } from "../draft/workspace-profile.ts";
import { redactText } from "../transcribe/redact.ts";
import { parseTranscript, type TranscriptFormat } from "../upload/transcript-formats.ts";
import { parseSamplesJsonl } from "./formats.ts";
import { loadSeedIntentExamples, loadSeedTalkTracks } from "./seed.ts";

const seedDirectory = new URL("../../datasets/seed/", import.meta.url);

function readSeedFile(path: string): string {
  return readFileSync(new URL(path, seedDirectory), "utf8");
}

/** Each non-blank line as JSON, with its 1-based line number for readable failures. */
function jsonLines(path: string): Array<{ line: number; value: unknown }> {
  return readSeedFile(path)
    .split("\n")
    .map((text, index) => ({ text, line: index + 1 }))
    .filter(({ text }) => text.trim() !== "")
    .map(({ text, line }) => {
      try {
        return { line, value: JSON.parse(text) as unknown };
      } catch (error) {
        throw new Error(`${path} line ${line}: ${(error as Error).message}`);
      }
    });
}

/** Case, width, punctuation and spacing do not make two utterances different. */
function normalised(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]/gu, "");
}

/** Character bigrams for Chinese (no word spaces), words for English. */
function similarityUnits(text: string, language: "zh" | "en"): Set<string> {
  if (language === "en") return new Set(text.toLowerCase().match(/[a-z0-9']+/g) ?? []);
  const characters = [...normalised(text)];
  return new Set(characters.slice(1).map((character, index) => characters[index] + character));
}

function jaccard(left: Set<string>, right: Set<string>): number {
  let shared = 0;
  for (const unit of left) if (right.has(unit)) shared += 1;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

function sentenceCount(text: string): number {
  return text
    .split(/[。！？]|[.!?](?=\s|$)/)
    .filter((part) => part.replace(/[\p{P}\s]/gu, "") !== "").length;
}

const languageSchema = z.enum(["zh", "en"]);

// ── intents.jsonl ─────────────────────────────────────────────────────────────────────────────

const intentExampleSchema = z.strictObject({
  text: z.string().trim().min(1),
  label: z.string(),
  speaker: z.enum(["agent", "customer"]),
  previousText: z.string().trim().min(1).nullable(),
  language: languageSchema,
});
type IntentExample = z.infer<typeof intentExampleSchema>;

const minimumPerIntentAndLanguage = 12;

/**
 * The taxonomy describes these as things only the customer does; an agent line would mislabel.
 * Topic intents (product, pricing and competitor questions, compliance) cover the rep's answers
 * too, so they are not listed (see core/draft/taxonomy.ts).
 */
const customerIntents = new Set([
  "pricing_objection",
  "hesitation",
  "request_demo_trial",
  "request_proposal",
]);

describe("datasets/seed/intents.jsonl", () => {
  const examples: IntentExample[] = jsonLines("intents.jsonl").map(({ line, value }) => {
    const parsed = intentExampleSchema.safeParse(value);
    if (!parsed.success) {
      throw new Error(`intents.jsonl line ${line}: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  });

  it("labels every line with a default taxonomy id", () => {
    const ids = new Set(defaultIntents.map((intent) => intent.id));
    const unknown = examples.filter((example) => !ids.has(example.label));
    expect(unknown.map((example) => example.label)).toEqual([]);
  });

  it(`has at least ${minimumPerIntentAndLanguage} Chinese and English examples per intent`, () => {
    const short: string[] = [];
    for (const intent of defaultIntents) {
      for (const language of languageSchema.options) {
        const count = examples.filter(
          (example) => example.label === intent.id && example.language === language,
        ).length;
        if (count < minimumPerIntentAndLanguage) short.push(`${intent.id}/${language}: ${count}`);
      }
    }
    expect(short).toEqual([]);
    expect(examples.length).toBeGreaterThanOrEqual(
      defaultIntents.length * 2 * minimumPerIntentAndLanguage,
    );
  });

  it("declares the language each text is written in", () => {
    const wrong = examples.filter((example) => textLanguage(example.text) !== example.language);
    expect(wrong.map((example) => example.text)).toEqual([]);
  });

  it("repeats no text, even with different punctuation or case", () => {
    const seen = new Map<string, string>();
    const repeated: string[] = [];
    for (const example of examples) {
      const key = normalised(example.text);
      if (seen.has(key)) repeated.push(`${example.text} ≈ ${seen.get(key)}`);
      else seen.set(key, example.text);
    }
    expect(repeated).toEqual([]);
  });

  it("has no near-duplicates that would teach a classifier one sentence twice", () => {
    const units = examples.map((example) => similarityUnits(example.text, example.language));
    const close: string[] = [];
    for (let left = 0; left < examples.length; left += 1) {
      for (let right = left + 1; right < examples.length; right += 1) {
        if (examples[left].language !== examples[right].language) continue;
        const similarity = jaccard(units[left], units[right]);
        if (similarity >= 0.6) {
          close.push(`${similarity.toFixed(2)}: ${examples[left].text} | ${examples[right].text}`);
        }
      }
    }
    expect(close).toEqual([]);
  });

  it("puts customer-only intents in the customer's mouth", () => {
    const wrong = examples.filter(
      (example) => customerIntents.has(example.label) && example.speaker !== "customer",
    );
    expect(wrong.map((example) => `${example.label}: ${example.text}`)).toEqual([]);
  });

  it("contains no personal data that redaction would find", () => {
    const found = examples.flatMap((example) =>
      [example.text, example.previousText ?? ""].filter(
        (text) => redactText(text).redactions.length > 0,
      ),
    );
    expect(found).toEqual([]);
  });

  it("loads through the seed loader the engine starts from", () => {
    expect(loadSeedIntentExamples()).toEqual(examples);
  });

  it("imports through the dataset JSONL reader, keeping the language as metadata", () => {
    const samples = parseSamplesJsonl(readSeedFile("intents.jsonl"));
    expect(samples).toHaveLength(examples.length);
    samples.forEach((sample, index) => {
      expect(sample.text).toBe(examples[index].text);
      expect(sample.label).toBe(examples[index].label);
      expect(sample.metadata?.language).toBe(examples[index].language);
    });
  });
});

// ── talk-tracks.jsonl ─────────────────────────────────────────────────────────────────────────

const talkTrackTopics = [
  "price",
  "competitor",
  "approval",
  "timing",
  "security",
  "materials",
  "think",
  "contract",
  "integration",
  "trial",
  "need",
  "trust",
  "requirement",
  "certification",
  "payment",
  "rollout",
] as const;

const seedTalkTrackSchema = z.strictObject({
  moment: talkTrackMomentSchema,
  language: languageSchema,
  topic: z.enum(talkTrackTopics),
  industry: z.enum([anyIndustry, ...industries]),
  stages: z.array(z.string().min(1)).min(1).optional(),
  customerText: z.string().trim().min(1),
  suggestion: z.string().trim().min(1),
  rationale: z.string().trim().min(1),
});
type SeedTalkTrack = z.infer<typeof seedTalkTrackSchema>;

/** Approved answers must persuade with facts; these phrases signal pressure or promises. */
const pressurePhrases =
  /限时|最后一天|最后机会|错过|今天不签|马上签|名额有限|稳赚|保本|保证收益|last chance|today only|limited time|act now|sign today|guaranteed (?:return|approval)|only \w+ spots? left|before it'?s gone/i;

describe("datasets/seed/talk-tracks.jsonl", () => {
  const tracks: SeedTalkTrack[] = jsonLines("talk-tracks.jsonl").map(({ line, value }) => {
    const parsed = seedTalkTrackSchema.safeParse(value);
    if (!parsed.success) {
      throw new Error(`talk-tracks.jsonl line ${line}: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  });

  it("has at least 20 talk tracks per language, covering every topic", () => {
    for (const language of languageSchema.options) {
      const inLanguage = tracks.filter((track) => track.language === language);
      expect(inLanguage.length).toBeGreaterThanOrEqual(20);
      const missing = talkTrackTopics.filter(
        (topic) => !inLanguage.some((track) => track.topic === topic),
      );
      expect(missing, `topics missing in ${language}`).toEqual([]);
    }
  });

  it("writes the customer line and the answer in the declared language", () => {
    const wrong = tracks.filter(
      (track) =>
        textLanguage(track.customerText) !== track.language ||
        textLanguage(track.suggestion) !== track.language ||
        textLanguage(track.rationale) !== track.language,
    );
    expect(wrong.map((track) => track.customerText)).toEqual([]);
  });

  it("keeps suggestions to 1–3 sentences and rationales to one", () => {
    const tooLong = tracks.filter((track) => {
      const sentences = sentenceCount(track.suggestion);
      return sentences < 1 || sentences > 3 || sentenceCount(track.rationale) !== 1;
    });
    expect(tooLong.map((track) => track.suggestion)).toEqual([]);
  });

  it("has replies for any industry for every moment kind in both languages", () => {
    // A workspace that has not declared its industry gets only these (core/draft/local/talk-track-fit.ts).
    const missing = languageSchema.options.flatMap((language) =>
      talkTrackMomentSchema.options
        .filter((moment) => !tracks.some((track) => track.language === language && track.moment === moment && track.industry === anyIndustry))
        .map((moment) => `${language}/${moment}`),
    );
    expect(missing).toEqual([]);
  });

  it("has a reply for any industry for every specific cue in both languages", () => {
    // A moment finds its reply by similarity, or below the similarity floor by sharing its cue
    // (core/draft/local/talk-tracks.ts): every cue needs a general reply to be answered on day one.
    const missing = languageSchema.options.flatMap((language) =>
      specificCues
        .filter((cue) => !tracks.some((track) => track.language === language && track.industry === anyIndustry && classifyMoment(track.customerText)?.cue === cue))
        .map((cue) => `${language}/${cue}`),
    );
    expect(missing).toEqual([]);
  });

  it("answers each customer line once", () => {
    const keys = tracks.map((track) => normalised(track.customerText));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("labels moments as the moment detector does, where the detector recognises the line", () => {
    // Retrieval only compares moments of the same kind, so a disagreement here would make the
    // talk track unreachable for the very line it was written for.
    const disagreeing = tracks.flatMap((track) => {
      const detected = classifyMoment(track.customerText);
      return detected && detected.moment !== track.moment
        ? [`${track.customerText}: ${track.moment} vs detected ${detected.moment}`]
        : [];
    });
    expect(disagreeing).toEqual([]);
  });

  it("loads through the seed loader, which keeps every field but the topic", () => {
    expect(loadSeedTalkTracks()).toEqual(tracks.map(({ topic: _topic, ...track }) => track));
  });

  it("loads as approved talk tracks for retrieval", () => {
    for (const track of tracks) {
      const approved = approvedTalkTrackSchema.parse({
        moment: track.moment,
        text: track.customerText,
        suggestion: track.suggestion,
        rationale: track.rationale,
      });
      expect(approved.text).toBe(track.customerText.trim());
    }
  });

  it("uses no pressure tactics and no personal data", () => {
    const flagged = tracks.filter(
      (track) =>
        pressurePhrases.test(track.suggestion) ||
        [track.customerText, track.suggestion].some(
          (text) => redactText(text).redactions.length > 0,
        ),
    );
    expect(flagged.map((track) => track.suggestion)).toEqual([]);
  });
});

// ── calls/ ────────────────────────────────────────────────────────────────────────────────────

interface DemoCall {
  file: string;
  format: TranscriptFormat;
  /** Catalogue actions the call commits to; the local engine must find each one. */
  actions: string[];
  /** Personal data spoken by the customer, there so that redaction can be shown working. */
  redactions: { PHONE: number; EMAIL: number };
}

const demoCalls: DemoCall[] = [
  {
    file: "calls/insurance-renewal.zh.vtt",
    format: "vtt",
    actions: [
      "send_comparison_sheet",
      "trigger_compliance_approval",
      "book_three_way_video_consult",
      "request_discount_approval",
      "schedule_follow_up",
    ],
    redactions: { PHONE: 1, EMAIL: 1 },
  },
  {
    file: "calls/saas-discovery.en.vtt",
    format: "vtt",
    actions: [
      "send_quote",
      "send_comparison_sheet",
      "trigger_compliance_approval",
      "book_three_way_video_consult",
    ],
    redactions: { PHONE: 0, EMAIL: 0 },
  },
  {
    file: "calls/mixed-demo.txt",
    format: "text",
    actions: [
      "send_quote",
      "send_comparison_sheet",
      "trigger_compliance_approval",
      "book_three_way_video_consult",
    ],
    redactions: { PHONE: 0, EMAIL: 0 },
  },
];

describe.each(demoCalls)("datasets/seed/$file", (call) => {
  const parsed = parseTranscript(readSeedFile(call.file), { fileName: call.file });
  const segments: TranscriptSegment[] = parsed.segments.map((segment, ordinal) => ({
    ...segment,
    ordinal,
  }));

  it("parses as a timed transcript of a few minutes", () => {
    expect(parsed.format).toBe(call.format);
    expect(parsed.timed).toBe(true);
    expect(segments.length).toBeGreaterThanOrEqual(30);
    expect(segments.length).toBeLessThanOrEqual(50);
  });

  it("has one agent and one customer", () => {
    const speakers = [...new Set(segments.map((segment) => segment.speaker))];
    expect(speakers).toHaveLength(2);
    expect(speakers.map((speaker) => speakerRole(speaker)).sort()).toEqual(["agent", "customer"]);
  });

  it("moves forward in time without overlapping turns", () => {
    segments.forEach((segment, index) => {
      expect(segment.endMs).toBeGreaterThanOrEqual(segment.startMs);
      const next = segments[index + 1];
      if (!next) return;
      expect(next.startMs).toBeGreaterThan(segment.startMs);
      expect(next.startMs).toBeGreaterThanOrEqual(segment.endMs);
    });
  });

  it("contains a pricing objection and a hesitation from the customer", () => {
    const moments = detectMoments(segments);
    const customerMoments = moments.filter((moment) => speakerRole(moment.speaker) === "customer");
    expect(customerMoments.some((moment) => moment.cue === "price")).toBe(true);
    expect(customerMoments.some((moment) => moment.moment === "hesitation")).toBe(true);
  });

  it("commits to next steps from the action catalogue", () => {
    const items = extractActionItems(segments, defaultActionCatalogue, {
      reference: new Date("2025-06-02T00:00:00Z"),
    });
    const found = new Set(items.map((item) => item.type));
    expect(call.actions.filter((action) => !found.has(action))).toEqual([]);
  });

  it("holds exactly the personal data meant for the redaction demo, said by the customer", () => {
    const counts = { PHONE: 0, EMAIL: 0, ID_NUMBER: 0, BANK_CARD: 0 };
    for (const segment of segments) {
      const { redactions } = redactText(segment.text);
      if (redactions.length > 0) expect(speakerRole(segment.speaker)).toBe("customer");
      for (const redaction of redactions) counts[redaction.kind] += 1;
    }
    expect(counts).toEqual({ ...call.redactions, ID_NUMBER: 0, BANK_CARD: 0 });
  });
});
