/**
 * The local engine's talk tracks, by retrieval rather than generation: for each customer moment
 * (objection, question, hesitation) find the most similar customer line that a trainer already
 * answered with an approved talk track, and suggest that answer. When nothing approved is close
 * enough the engine says so in a note instead of inventing advice.
 *
 * Pure: the approved set comes in as data. The DB version (a pgvector kNN per moment) can reuse
 * `momentQueries`/`momentQueryText` from moments.ts so its query texts match these.
 */
import { z } from "zod";
import { UnprocessableError, ValidationError } from "../../errors.ts";
import { talkTrackMomentSchema, type TalkTrack, type TranscriptSegment } from "../schema.ts";
import { classifyMoment, momentQueries, momentQueryText, textLanguage, type MomentCue, type MomentKind } from "./moments.ts";

/** Structurally the same as the project's `Embedder` adapters; declared here to stay standalone. */
export interface Embedder {
  name: string;
  dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}

export const approvedTalkTrackSchema = z.object({
  moment: talkTrackMomentSchema,
  /** The customer line the talk track answered. */
  text: z.string().trim().min(1),
  suggestion: z.string().trim().min(1),
  rationale: z.string().default(""),
  /** The language the reply is written in; a moment in another language never gets it. */
  language: z.enum(["zh", "en"]).optional(),
  /** Embedding of `momentQueryText(text)`; computed on demand when missing. */
  embedding: z.array(z.number().finite()).optional(),
});
export type ApprovedTalkTrack = z.input<typeof approvedTalkTrackSchema>;

export interface SuggestTalkTracksInput {
  segments: TranscriptSegment[];
  approved: ApprovedTalkTrack[];
  embedder: Embedder;
  /** Cosine similarity (-1–1) a past moment needs before its talk track is reused. */
  minimumSimilarity: number;
  /**
   * Added to the similarity of a past moment with the same specific cue as this one (both price
   * objections, both "I must ask my boss"…; see `sameSpecificCue`): the n-gram embedder scores paraphrases
   * low ("三年起签太长了" / "三年的合同太长了": 0.28), the cue detector has already told them
   * apart. Default 0: similarity alone.
   */
  sameCueBonus?: number;
  agentSpeaker?: string | null;
}

export interface SuggestTalkTracksResult {
  talkTracks: TalkTrack[];
  notes: string[];
}

export function cosineSimilarity(left: number[], right: number[]): number {
  if (left.length !== right.length) {
    throw new RangeError(`cosineSimilarity: lengths differ (${left.length} vs ${right.length})`);
  }
  let product = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index += 1) {
    product += left[index] * right[index];
    leftNorm += left[index] * left[index];
    rightNorm += right[index] * right[index];
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : product / Math.sqrt(leftNorm * rightNorm);
}

const momentNames: Record<MomentKind, { en: string; zh: string }> = {
  objection: { en: "objection", zh: "异议" },
  question: { en: "question", zh: "提问" },
  hesitation: { en: "hesitation", zh: "犹豫" },
};

/**
 * Every cue but "question" (a question of no known topic) is specific enough to match replies on;
 * the type makes a cue added to the detector name itself here.
 */
const cueNames: Record<Exclude<MomentCue, "question">, { en: string; zh: string }> = {
  price: { en: "about price", zh: "价格异议" },
  incumbent: { en: "about a current supplier", zh: "已有供应商" },
  competitor: { en: "about a rival offer", zh: "竞品报价" },
  need: { en: "about need", zh: "需求异议" },
  trust: { en: "about trust", zh: "信任顾虑" },
  terms: { en: "about contract terms", zh: "合同条款异议" },
  capacity: { en: "about capacity", zh: "人手/实施能力顾虑" },
  requirement: { en: "a hard requirement", zh: "硬性要求" },
  timing: { en: "about timing", zh: "时机异议" },
  consult: { en: "someone else's decision", zh: "需他人拍板" },
  defer: { en: "a wait until later", zh: "推迟决定" },
  stall: { en: "a stall", zh: "拖延犹豫" },
  data: { en: "a question about data and security", zh: "数据与安全问题" },
  certification: { en: "a question about certificates", zh: "资质证书问题" },
  integration: { en: "a question about integration", zh: "系统对接问题" },
  payment: { en: "a question about payment terms", zh: "付款方式问题" },
  trial: { en: "a question about a trial", zh: "试用问题" },
  contract: { en: "a question about the contract", zh: "合同问题" },
  rollout: { en: "a question about going live", zh: "上线时间问题" },
};

/** The cues a reply is matched on beside similarity. */
export const specificCues = Object.keys(cueNames);

function isSpecific(cue: MomentCue): cue is keyof typeof cueNames {
  return cue !== "question";
}

/** Two customer lines with the same specific cue: a reply to one fits the other. */
export function sameSpecificCue(left: MomentCue | null, right: MomentCue | null): boolean {
  return left !== null && left === right && isSpecific(left);
}

function quote(text: string, limit = 60): string {
  const characters = [...text.trim()];
  return characters.length <= limit
    ? characters.join("")
    : `${characters.slice(0, limit - 1).join("")}…`;
}

function parseInput(input: SuggestTalkTracksInput) {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const { minimumSimilarity, embedder } = input;
  if (!(
    typeof minimumSimilarity === "number" &&
    minimumSimilarity >= -1 &&
    minimumSimilarity <= 1
  )) {
    issues.push({
      path: ["minimumSimilarity"],
      message: "must be a number between -1 and 1",
    });
  }
  const { sameCueBonus } = input;
  if (sameCueBonus !== undefined && !(typeof sameCueBonus === "number" && sameCueBonus >= 0 && sameCueBonus <= 1)) {
    issues.push({ path: ["sameCueBonus"], message: "must be a number between 0 and 1" });
  }
  if (!(Number.isInteger(embedder?.dimensions) && embedder.dimensions > 0)) {
    issues.push({
      path: ["embedder", "dimensions"],
      message: "must be a positive integer",
    });
  }
  const approved = z.array(approvedTalkTrackSchema).safeParse(input.approved);
  if (!approved.success) {
    for (const issue of approved.error.issues) {
      issues.push({
        path: ["approved", ...(issue.path as Array<string | number>)],
        message: issue.message,
      });
    }
  }
  if (issues.length > 0 || !approved.success) {
    throw new ValidationError("Invalid talk track retrieval input", { issues });
  }
  return approved.data;
}

async function embedAll(embedder: Embedder, texts: string[]): Promise<number[][]> {
  if (texts.length === 0) return [];
  const vectors = await embedder.embed(texts);
  if (!Array.isArray(vectors) || vectors.length !== texts.length) {
    throw new UnprocessableError(
      `Embedder ${embedder.name} returned ${vectors?.length ?? 0} vectors for ${texts.length} texts`,
    );
  }
  for (const vector of vectors) {
    if (vector.length !== embedder.dimensions) {
      throw new UnprocessableError(
        `Embedder ${embedder.name} returned a ${vector.length}-dimensional vector, expected ${embedder.dimensions}`,
      );
    }
  }
  return vectors;
}

/**
 * Talk tracks for the customer moments of a transcript, each the approved answer to the most
 * similar past moment of the same kind (an objection is never answered with a question's reply).
 * Approved entries without an embedding — or with one of another size, from another embedder —
 * are embedded here, only when a moment of their kind occurs, in the same call as the moments.
 * The inputs are not modified.
 */
export async function suggestTalkTracks(
  input: SuggestTalkTracksInput,
): Promise<SuggestTalkTracksResult> {
  const approved = parseInput(input);
  const { embedder, minimumSimilarity } = input;
  const moments = momentQueries(input.segments, {
    agentSpeaker: input.agentSpeaker,
  });
  if (moments.length === 0) return { talkTracks: [], notes: [] };

  const kindsPresent = new Set(moments.map((moment) => moment.moment));
  const candidates = approved
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => kindsPresent.has(entry.moment));
  const needsEmbedding = candidates.filter(
    ({ entry }) => entry.embedding?.length !== embedder.dimensions,
  );
  const vectors = await embedAll(embedder, [
    ...moments.map((moment) => moment.query),
    ...needsEmbedding.map(({ entry }) => momentQueryText(entry.text)),
  ]);
  const approvedVectors = new Map<number, number[]>();
  candidates.forEach(({ entry, index }) => {
    if (entry.embedding?.length === embedder.dimensions)
      approvedVectors.set(index, entry.embedding);
  });
  needsEmbedding.forEach(({ index }, position) =>
    approvedVectors.set(index, vectors[moments.length + position]),
  );

  const bonus = input.sameCueBonus ?? 0;
  const candidateCues = new Map(candidates.map(({ entry, index }) => [index, classifyMoment(entry.text)?.cue ?? null]));
  const talkTracks: TalkTrack[] = [];
  const notes: string[] = [];
  moments.forEach((moment, momentIndex) => {
    const queryVector = vectors[momentIndex];
    let best: { entry: (typeof approved)[number]; similarity: number; score: number; sameCue: boolean } | null = null;
    const language = textLanguage(moment.text);
    for (const { entry, index } of candidates) {
      if (entry.moment !== moment.moment) continue;
      if (entry.language && entry.language !== language) continue;
      const similarity = cosineSimilarity(queryVector, approvedVectors.get(index)!);
      const sameCue = sameSpecificCue(moment.cue, candidateCues.get(index) ?? null);
      const score = similarity + (sameCue ? bonus : 0);
      if (!best || score > best.score) best = { entry, similarity, score, sameCue };
    }
    const kind = momentNames[moment.moment][language];
    // Numbered as the UI numbers utterances ("Utterance 3" is ordinal 2), not by 0-based ordinal.
    const where = moment.evidence.map((ordinal) => ordinal + 1).join(", ");
    if (!best || best.score < minimumSimilarity) {
      const bestText = best ? best.similarity.toFixed(2) : null;
      // What that line needed: less when it shares the moment's cue.
      const needed = (minimumSimilarity - (best?.sameCue ? bonus : 0)).toFixed(2);
      notes.push(
        language === "zh"
          ? `第 ${where} 句的${kind}没有足够相似的已批准话术${
              bestText
                ? `（最高相似度 ${bestText}，需要 ≥ ${needed}）`
                : "（暂无此类已批准话术）"
            }：“${quote(moment.text)}”`
          : `No approved talk track is similar enough for the ${kind} in utterance ${where}${
              bestText
                ? ` (best similarity ${bestText}, needs ≥ ${needed})`
                : ` (no approved talk tracks for this kind of moment yet)`
            }: "${quote(moment.text)}"`,
      );
      return;
    }
    const similarity = best.similarity.toFixed(2);
    const cueName = best.sameCue && isSpecific(moment.cue) ? cueNames[moment.cue][language] : null;
    const basis =
      language === "zh"
        ? `沿用已批准话术：原客户话语“${quote(best.entry.text)}”（相似度 ${similarity}${cueName ? `，同为${cueName}` : ""}）。`
        : `Reuses the approved reply to a similar ${kind}: "${quote(best.entry.text)}" (similarity ${similarity}${cueName ? `, also ${cueName}` : ""}).`;
    const rationale = best.entry.rationale.trim();
    talkTracks.push({
      moment: moment.moment,
      evidence: moment.evidence,
      suggestion: best.entry.suggestion,
      rationale: rationale === "" ? basis : `${rationale} ${basis}`,
      confidence: Math.round(Math.max(0, Math.min(1, best.score)) * 1000) / 1000,
    });
  });
  return { talkTracks, notes };
}
