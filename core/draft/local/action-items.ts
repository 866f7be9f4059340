/**
 * The local engine's action items: find utterances that commit to a next step ("我明天把对比表
 * 发给您", "I'll send over the quote by Friday") and name the step by similarity to the
 * workspace's action catalogue. No model: a commitment detector (bilingual cues), a TF-IDF
 * matcher over the catalogue's example phrasings (character bigrams for Chinese, which has no
 * spaces; stemmed words and word bigrams for English) and the due-date parser.
 *
 * A dated commitment of the rep's that matches no catalogue entry well enough is kept with
 * `type: null, flagged: true` for a trainer to name: the engine never invents a type. Undated
 * untyped promises, a customer's untyped ones, questions, offers without a commitment ("we can
 * arrange a test drive") and chit-chat produce nothing. A speaker only competes for the entries
 * they can own (`owners` in the catalogue: a customer sends documents, not quotes).
 */
import { ValidationError } from "../../errors.ts";
import type { ActionItem, ActionType, TranscriptSegment } from "../schema.ts";
import { parseDueDate } from "./due-dates.ts";
import { speakerRole, textLanguage, type SpeakerRole } from "./moments.ts";

export interface ExtractActionItemsOptions {
  /** The call's calendar day (UTC midnight; see `referenceDayIn`), for relative due dates. */
  reference: Date;
  /** The diarised label of the rep; other speakers are the customer. */
  agentSpeaker?: string;
  /** Minimum similarity (0–1) for a commitment to take a catalogue type. */
  threshold?: number;
}

/** Chosen on the default catalogue: right entries score about 0.35–1, wrong ones mostly < 0.25. */
export const defaultActionThreshold = 0.32;

/** A restatement this many segments after the last mention is the same action, not a new one. */
const dedupeWindow = 4;

// =============================================================================================
// Text features shared by the matcher.

const englishStopWords = new Set(
  (
    "i me my we us our you your he she they them it its this that these those a an the and or but " +
    "to of for on in at by with from as into over up out about after before then so just also " +
    "will would shall should can could may might must do does did done have has had be is are " +
    "was were been being ll ve re d s t m not no yes yeah ok okay sure great thanks thank please " +
    "let lets let's go going gonna get got make sure right now soon later again um uh well " +
    "today tomorrow tonight morning afternoon evening week weeks month months day days next end " +
    "monday tuesday wednesday thursday friday saturday sunday weekend asap couple few some any " +
    "all both each one two three first quick quickly"
  ).split(" "),
);

/**
 * Time words, particles, pronouns ("我这边", "把…"), "again" (重新) and generic "get it ready" verbs carry no
 * information about *which* action; dropping them helps ("我这边记一下" once took a compliance
 * cue from "这边", and "我把"/"把报" bigrams only join words).
 */
const chineseNoise =
  /(?:整理|准备|弄)好?|大后天|今天|明天|后天|今晚|明早|下午|上午|中午|晚上|早上|稍后|回头|待会儿?|等会儿?|一会儿?|马上|立刻|尽快|晚点|晚些|(?:下下?|这|本|上)?个?(?:周|星期|礼拜)[一二三四五六日天末]?|下个?月|月底|这两天|过两天|[0-9一二两三四五六七八九十]+(?:号|日|天|点)|之前|以前|下班前?|给您|给你|发给|一份|一版|重新|一下|一个|一些|这个|那个|我们|咱们|这边|那边|一并|一起|打包|顺手|顺便|[我您你咱把的了吗呢吧啊呀嗯哦哈么嘛就也都还再先]/g;

const englishSuffixes: Array<[string, string]> = [
  ["ations", ""],
  ["ation", ""],
  ["isons", ""],
  ["ison", ""],
  ["ments", ""],
  ["ment", ""],
  ["ings", ""],
  ["ing", ""],
  ["ies", "y"],
  ["es", ""],
  ["ed", ""],
  ["s", ""],
];

/** A light stemmer: enough to meet "compare/comparison", "quote/quotation", "send/sending". */
export function stemEnglishWord(word: string): string {
  let stem = word;
  if (!stem.endsWith("ss")) {
    for (const [suffix, replacement] of englishSuffixes) {
      if (stem.endsWith(suffix) && stem.length - suffix.length >= 3) {
        stem = stem.slice(0, -suffix.length) + replacement;
        break;
      }
    }
  }
  if (stem.endsWith("e") && stem.length > 3) stem = stem.slice(0, -1);
  return stem;
}

/**
 * Weighted features of a text: Chinese character bigrams (weight 1) and unigrams (0.3, so a
 * single-character word like 约 still counts), English stems (1) and stem bigrams (1). Digits
 * and punctuation are dropped: amounts and dates say nothing about the kind of action.
 */
export function textFeatures(text: string): Map<string, number> {
  const features = new Map<string, number>();
  const add = (feature: string, weight: number) =>
    features.set(feature, (features.get(feature) ?? 0) + weight);
  const normalised = text.normalize("NFKC").toLowerCase().replace(/[’‘`]/g, "'");
  for (const run of normalised.replace(chineseNoise, " ").match(/\p{Script=Han}+/gu) ?? []) {
    const characters = [...run];
    characters.forEach((character, index) => {
      add(`c:${character}`, 0.3);
      if (index + 1 < characters.length) add(`b:${character}${characters[index + 1]}`, 1);
    });
  }
  const words = (normalised.match(/[a-z]+(?:'[a-z]+)?/g) ?? [])
    .map((word) => word.replace(/'.*$/, ""))
    .filter((word) => word.length > 1 && !englishStopWords.has(word))
    .map(stemEnglishWord);
  words.forEach((word, index) => {
    add(`w:${word}`, 1);
    if (index + 1 < words.length) add(`p:${word} ${words[index + 1]}`, 1);
  });
  return features;
}

type SparseVector = Map<string, number>;

function normalise(vector: SparseVector): SparseVector {
  let norm = 0;
  for (const value of vector.values()) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0) return vector;
  for (const [key, value] of vector) vector.set(key, value / norm);
  return vector;
}

function dot(left: SparseVector, right: SparseVector): number {
  const [small, large] = left.size <= right.size ? [left, right] : [right, left];
  let sum = 0;
  for (const [key, value] of small) sum += value * (large.get(key) ?? 0);
  return sum;
}

// =============================================================================================
// Matching utterances to the catalogue.

export interface CatalogueMatch {
  id: string;
  /** 0–1: the best cosine to one of the entry's examples, plus a bonus for its cue words. */
  score: number;
  /** How many of the entry's distinctive cue words the text contains. */
  cueHits: number;
}

export interface CatalogueMatcher {
  /** Every catalogue entry, best first. */
  match(text: string): CatalogueMatch[];
}

/** Added to an entry's score for its distinctive words in the text: 0.15, +0.05 per extra one. */
function cueBonus(hits: number): number {
  return hits === 0 ? 0 : Math.min(0.25, 0.15 + 0.05 * (hits - 1));
}

/**
 * A TF-IDF matcher over the catalogue's example phrasings (every example is a document, so words
 * shared by many entries — "发给您", "send over" — weigh little). Each entry also gets keyword
 * cues learned from its own examples: features that recur in its examples and (almost) never in
 * other entries' ("对比", "报价", "case study"). An edited catalogue brings its own cues.
 */
export function createCatalogueMatcher(catalogue: ActionType[]): CatalogueMatcher {
  const documents = catalogue.flatMap((action) =>
    [...action.examples.zh, ...action.examples.en].map((example) => ({
      id: action.id,
      features: textFeatures(example),
    })),
  );
  const documentFrequency = new Map<string, number>();
  const entryFrequency = new Map<string, Map<string, number>>();
  for (const document of documents) {
    const perEntry = entryFrequency.get(document.id) ?? new Map<string, number>();
    entryFrequency.set(document.id, perEntry);
    for (const feature of document.features.keys()) {
      documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1);
      perEntry.set(feature, (perEntry.get(feature) ?? 0) + 1);
    }
  }
  const unseenWeight = Math.log(documents.length + 1) + 1;
  const inverseFrequency = (feature: string) => {
    const frequency = documentFrequency.get(feature);
    return frequency === undefined
      ? unseenWeight
      : Math.log((documents.length + 1) / (frequency + 1)) + 1;
  };
  const vectorise = (features: Map<string, number>): SparseVector => {
    const vector: SparseVector = new Map();
    for (const [feature, weight] of features) {
      vector.set(feature, weight * inverseFrequency(feature));
    }
    return normalise(vector);
  };
  const examplesByEntry = new Map<string, SparseVector[]>();
  for (const document of documents) {
    const vectors = examplesByEntry.get(document.id) ?? [];
    vectors.push(vectorise(document.features));
    examplesByEntry.set(document.id, vectors);
  }
  const cuesByEntry = new Map<string, Set<string>>();
  for (const [id, frequencies] of entryFrequency) {
    const cues = new Set<string>();
    for (const [feature, count] of frequencies) {
      if (feature.startsWith("c:")) continue;
      const total = documentFrequency.get(feature) ?? count;
      if (count >= 2 && count / total >= 0.75) cues.add(feature);
    }
    cuesByEntry.set(id, cues);
  }

  return {
    match(text) {
      const features = textFeatures(text);
      const vector = vectorise(features);
      return catalogue
        .map((action) => {
          let best = 0;
          for (const example of examplesByEntry.get(action.id) ?? []) {
            best = Math.max(best, dot(vector, example));
          }
          const cues = cuesByEntry.get(action.id) ?? new Set<string>();
          const cueHits = [...features.keys()].filter((feature) => cues.has(feature)).length;
          return {
            id: action.id,
            score: Math.min(1, best + cueBonus(cueHits)),
            cueHits,
          };
        })
        .sort((left, right) => right.score - left.score);
    },
  };
}

// =============================================================================================
// Commitments: "I'll …", "我会…", "我们…安排", "明天发您" (Chinese drops the subject).

export interface Commitment {
  /** The clause(s) that commit, as spoken. */
  text: string;
  /**
   * The clauses of its sentence before it that could name its object, when they were not carried
   * into `text` ("板材的检测报告和环保认证证书，我下午拍清楚发您微信": the object comes first):
   * tried when `text` alone names no catalogue action.
   */
  lead?: string;
}

/**
 * Splits after sentence and clause punctuation, keeping the punctuation with its clause. The
 * enumeration comma 、 joins a list ("材质、铺装、售后"), not clauses.
 */
function splitClauses(text: string): string[] {
  return text
    .split(/(?<=[。！？!?；;，,\n])|(?<!\b(?:St|Dr|Mr|Mrs|Ms|Jr|Inc|Ltd|Co|vs)\.)(?<=\.)(?=\s|$)|\s+(?=and (?:i|we)(?:'|’)ll\b|and (?:i|we) will\b)/i)
    .map((clause) => clause.trim())
    .filter((clause) => clause.replace(/[\p{P}\s]/gu, "") !== "");
}

const chineseActionVerb = new RegExp(
  [
    "发(?=[给到过您你一个几下邮微短链合报资方送出份贵公我他她群在来回]|$|[，。！,.!])",
    "寄",
    "传(?=给|过|到|一|您|你)",
    "安排",
    "(?<!大)约(?![为合等莫])",
    "申请",
    "提交",
    "报(?:备|审|个价|一下价|价给|给|过去|法务|合规|领导)",
    "整理",
    "准备",
    "出(?:一|个|份|具)",
    "做(?:一|个|份|张|成|好)",
    "联系",
    "打(?:电话|给|过去|个电话)",
    "回电|回访|回复|答复|回话|回(?:个)?电话|给(?:您|你)(?:个)?(?:准信|信儿|结果)",
    "跟进",
    "更新|录入|记(?:一下|下来)|标(?:成|记)|改成",
    "拉(?:个|一个)?群|拉(?:进|上)",
    "签(?:约|字|一下|合同|了)?",
    "走(?:一下|个)?(?:内部|公司)?(?:流程|审批|合规)",
    "开通|开(?:个|一个)?(?:试用|账号)|办理|处理|发起|送审",
    "对接|分享|转(?:给|交|发)|反馈",
    "确认|核算|核实|核对|请示|问(?:一下|问)",
    // Handing it to a colleague is the speaker's step ("我请核保同事给您书面说明一下").
    "(?:请|让|叫)(?:我们|咱们)?的?[^，。,.]{0,6}(?:专家|工程师|同事|老师|经理|主管|顾问|法务|总监|会计|财务|行政|助理|秘书)",
    "拍照|复印|送(?:过去|过来|到)|上门|拜访",
    "再(?:聊|谈|沟通|联系|打|约)",
    "通(?:个)?电话|开(?:个|一个)?(?:三方)?(?:视频|会)",
    "算(?:一下|好)|批(?:一下|一个|个)",
    "带(?:样机|样品|资料|过去|过来|上|[一两几]?(?:箱|盒|袋|份|套|台|件|些))|演示|快递|拍(?:给|照|一下)|录(?:到|进|入)|争取|回(?:您|你)(?:话|消息|个话)?(?![们])",
    "列(?:个|一个|张|一张)?(?:表|清单|单子|对比)|对(?:照|比)(?:一下|着)|(?:开|改|弄|办|填|写|整理|配|装)好",
    // "报销单据导一份给你们", "样品箱里放一份目录", "功能一项一项对齐", "合同我来拟", "下周二之前给您".
    "导(?:出|一份|一下)|放(?:一份|几份|上|进)|对齐|拟(?:好|一份|个)?|给(?:您|你)(?=[。！!，,；;]?$)",
  ].join("|"),
);

/** Words that turn an action into a commitment by the speaker (time, will, let me, 把…). */
const chineseCommitmentMarker =
  /会|来|去|先|顺手|顺便|一并|马上|立刻|稍后|稍等|回头|待会|等会|一会|晚点|晚些|尽快|争取|负责|保证|一定|肯定|今天|今晚|明天|明早|后天|下午|上午|晚上|这周|本周|下周|周[一二三四五六日天末]|月底|这两天|过两天|回去|把|给您|给你|帮您|帮你|为您|替您|这边|让|我请|安排|预约|申请|提交|再|(?:发|寄|报)(?:给)?(?:您|你)/;

const chineseStrongVerb = /安排|预约|约|申请|提交|寄|跟进/;

const chineseNotCommitment =
  /考虑|想想|想一想|看看再说|再说吧|已经|刚才|刚刚|上次|不会|不能|没法|无法|不用|不需要|不必|(?<![特区分识类级个告])别|一般|通常|平时|经常|往往|想(?:跟|和|向|找)(?:您|你)/;

/** "好的，", "没问题，", "这个您放心，": agreeing, naming nothing. */
const chineseAcknowledgement = /^(?:好的?|好嘞|太好了|行|可以|没问题|明白|理解|嗯|对|是的?|有的?|当然|放心|这个您放心|那)[了啊呀吧的]?[，,。！!]?$/;

/** "看能不能…", "争取…": the purpose of the step just promised, part of the same commitment. */
const chinesePurpose = /^(?:看看?|争取|尽量|想办法)(?:能不能|能否|可不可以|是否|有没有|帮您|给您)?/;

/** "可以/能" alone is an offer ("我们可以安排试驾"), unless a time makes it a promise. */
const chineseOfferOnly = /可以|能够|能/;
const chineseTimeMarker =
  /马上|立刻|稍后|回头|待会|等会|一会|晚点|尽快|今天|今晚|明天|明早|后天|下午|上午|晚上|这周|本周|下周|周[一二三四五六日天末]|月底|这两天|过两天|[0-9一二两三四五六七八九十]+(?:号|日|天内)|[一二三四五六七八九十]+月(?:初|中|底|份)/;

/** "那我周四再给您打个电话？": offering one's own next call, with a time, books it even as a question. */
const chineseFollowUpOffer = /^(?:那|好的|好|行)?[，,]?(?:那)?我.{0,10}(?:给您|给你|跟您|跟你)?(?:打(?:个)?电话|联系|回访|回电)/;

const chinesePronoun = /我们|我|咱们|咱|您|你们|你|他们|他|她们|她/g;
/** A second/third person pronoun right after these is an object, not the subject. */
const chinesePreposition = /[给帮跟和向为替陪与让请同对找联系通知提醒告诉发带送约问叫到]$/;

function isChineseQuestion(clause: string): boolean {
  return (
    /[?？]/.test(clause) ||
    /[吗么呢嘛][。.!！\s]*$/.test(clause) ||
    /^(?:请问|那)?(?:能不能|可不可以|可以不可以|是不是|有没有|会不会|要不要|要不|能否|是否)/.test(
      clause,
    )
  );
}

/** The first personal pronoun acting as subject; "first" when none (Chinese drops it). */
function chineseSubject(clause: string): "first" | "other" {
  for (const match of clause.matchAll(chinesePronoun)) {
    const before = clause.slice(0, match.index);
    if (chinesePreposition.test(before)) continue;
    return /^(我|咱)/.test(match[0]) ? "first" : "other";
  }
  return "first";
}

/** "我算好含安装的价格，" / "我请实施专家跟您IT沟通一下，": the speaker's own action, promised by what follows. */
function isChineseSetUp(clause: string): boolean {
  return (
    (chineseActionVerb.test(clause) || /请.{0,8}(?:专家|工程师|同事|老师|经理|主管)/.test(clause)) &&
    !isChineseQuestion(clause) &&
    !chineseNotCommitment.test(clause) &&
    chineseSubject(clause) === "first" &&
    // The object may come first ("数据安全协议我报给法务审一下，"): Chinese fronts the topic.
    /^(?:好的?|行|可以|这个您放心|放心|没问题)?[，,]?(?:那)?(?:[^，,。！？我您你他她咱]{1,12})?(?:我|我们|咱们)/.test(clause)
  );
}

function isChineseCommitment(clause: string, inSentenceWithCommitment: boolean): boolean {
  if (chineseFollowUpOffer.test(clause) && chineseTimeMarker.test(clause)) return true;
  const verb = chineseActionVerb.exec(clause);
  if (!verb || isChineseQuestion(clause) || chineseNotCommitment.test(clause)) return false;
  if (chineseSubject(clause) !== "first") return false;
  const beforeVerb = clause.slice(0, verb.index);
  if (chineseOfferOnly.test(beforeVerb) && !chineseTimeMarker.test(clause)) return false;
  return (
    inSentenceWithCommitment ||
    chineseCommitmentMarker.test(clause) ||
    chineseStrongVerb.test(verb[0]) ||
    chineseTimeMarker.test(clause)
  );
}

const englishCommitmentCue =
  /\b(?:i(?:'ll| will| shall)|i(?:'m| am) (?:going to|gonna)|we(?:'ll| will| shall)|we(?:'re| are) (?:going to|gonna)|let me|let us|let's|i(?:'d| would) be happy to|i(?:'m| am) happy to|i promise to|i(?:'ve| have) got to|i can|we can)\s+(?:(?:just|also|then|definitely|certainly|personally|quickly|go ahead and|make sure (?:to|that i|we)|try to|first|still)\s+)*([a-z]+)(?:\s+([a-z]+))?/i;

// prettier-ignore
const englishNonActionVerbs = new Set([
  "be", "think", "consider", "see", "say", "admit", "guess", "wait", "need", "know", "explain",
  "show", "walk", "start", "talk", "move", "look", "keep", "take", "pull", "share", "tell",
  "give", "ask", "understand", "help", "hear", "answer", "recap", "summarize", "summarise",
  "continue", "do", "try", "go", "hold", "double",
]);

/** "talk to my boss", "share the deck", "tell our team" do commit when an object follows. */
const englishVerbWithObject = /^(?:talk|speak|share|tell|check|ask|give|go|take)$/;

/**
 * Commitments without "I'll + verb": "let me see what I can do with my VP", "you'll have the
 * quote from me by Monday", "I'll have an answer for you Monday".
 */
const englishOtherCommitment =
  /\b(?:(?:let me|i'll|i will) see (?:what|if|whether) (?:i|we) can\b|you(?:'ll| will) have (?:it|them|that|this|the|an?|my|our)\b.*\b(?:from me|by|tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|next week|end of)|(?:i|we)(?:'ll| will) have (?:an answer|an update|a decision|news|something) for you\b)/i;
const englishObjectAfter =
  /^(?:to|with|the|our|my|it|this|that|these|those|a|an|them|him|her|you|over|through|back|ahead|again)$/;

const englishNotCommitment =
  /\b(?:won't|will not|can't|cannot|can not|don't|do not|never|already|think about it|think it over|sleep on it|let me know|let us know|let you (?:go|get back)|note (?:that|it|this) down)\b/i;

const englishTimeWords =
  /\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week)|next (?:week|month)|by (?:monday|tuesday|wednesday|thursday|friday|the end)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|monday|tuesday|wednesday|thursday|friday|after (?:the|this) call|in (?:a|\d+|two|three) (?:days?|weeks?)|end of (?:the )?(?:day|week|month)|(?:early|mid|late|in|by) (?:january|february|march|april|may|june|july|august|september|october|november|december))\b/i;

/** A rep offering their own next call as a question ("Can I call you back next Monday?"): with a time, it books one. */
const englishFollowUpOffer =
  /^(?:(?:ok(?:ay)?|sure|understood|great|fine|right)[,.!\s]+)*(?:so\s+)?(?:can|shall|should|may|could) (?:i|we) (?:call|ring|phone|follow up|check in|catch up|touch base|get back|keep|book|set up|schedule|grab|pencil|put|lock|pin|hold|block)\b/i;

/** Only whether a date is named matters to the follow-up test, not which one. */
const followUpProbeDay = new Date(Date.UTC(2026, 0, 5));

function isEnglishQuestion(clause: string): boolean {
  return (
    /\?\s*$/.test(clause) ||
    /^(?:so\s+|and\s+|but\s+)?(?:can|could|would|will|do|does|did|is|are|should|shall|may|what|when|where|why|which|who|how)\b/i.test(
      clause,
    )
  );
}

function isEnglishCommitment(clause: string): boolean {
  const normalised = clause.replace(/[’‘]/g, "'");
  if (/^\s*(?:will do|sending|setting up|booking|scheduling)\b(?!.*\?\s*$)/i.test(normalised))
    return true;
  if (englishFollowUpOffer.test(normalised) && (englishTimeWords.test(normalised) || parseDueDate(normalised, followUpProbeDay, "en") !== null))
    return true;
  if (isEnglishQuestion(normalised) || englishNotCommitment.test(normalised)) return false;
  if (englishOtherCommitment.test(normalised)) return true;
  const cue = englishCommitmentCue.exec(normalised);
  if (!cue) return false;
  const verb = cue[1].toLowerCase();
  const next = cue[2]?.toLowerCase() ?? "";
  if (englishNonActionVerbs.has(verb)) {
    const committedAnyway =
      englishVerbWithObject.test(verb) &&
      englishObjectAfter.test(next) &&
      // "I'll give you an overview" explains; "I'll give you a ring on Thursday" books a call.
      !/\b(?:tell|give) you\b(?! a (?:call|ring|buzz|shout)\b)/i.test(normalised) &&
      !/\bshare (?:my|the) screen\b/i.test(normalised) &&
      !/\btalk (?:about|through)\b/i.test(normalised);
    if (!committedAnyway) return false;
  }
  // "we can / I can" alone is an offer; a time makes it a promise ("I can send it tomorrow").
  if (/\b(?:i|we) can\b/i.test(cue[0]) && !englishTimeWords.test(normalised)) return false;
  return true;
}

/**
 * The clauses of an utterance that commit the speaker to an action. A clause that continues a
 * committing sentence with its own verb ("我明天把报价发您，再约个时间做三方视频") is a
 * commitment too; a clause without one is part of the previous commitment.
 */
export function findCommitments(text: string): Commitment[] {
  const commitments: Commitment[] = [];
  let sentenceHasCommitment = false;
  let lastWasCommitment = false;
  /** A first-person action clause that only the next clause's time makes a commitment. */
  let setUp: string | null = null;
  /** The sentence's clauses before its first commitment that could name its object. */
  let lead: string[] = [];
  for (const clause of splitClauses(text)) {
    const language = textLanguage(clause);
    const commits =
      language === "zh"
        ? isChineseCommitment(clause, sentenceHasCommitment)
        : isEnglishCommitment(clause);
    if (commits) {
      // "我算好含安装的价格，明天中午前发您": the object is in the clause before the promise.
      // "那我把门诊去掉，重新算一版保费，后天发您": a promise without an object of its own takes
      // the sentence's clauses before it (Chinese names the object first, the promise last).
      const carried =
        sentenceHasCommitment ? "" : setUp ?? (language === "zh" && isAnaphoric(clause).bare ? lead.slice(-2).join("") : "");
      const available = carried === "" && !sentenceHasCommitment && language === "zh" ? lead.slice(-2).join("") : "";
      commitments.push(available === "" ? { text: `${carried}${clause}` } : { text: `${carried}${clause}`, lead: available });
      setUp = null;
      lead = [];
      sentenceHasCommitment = true;
      lastWasCommitment = true;
    } else if (language === "zh" && !sentenceHasCommitment && isChineseSetUp(clause)) {
      setUp = clause;
      lastWasCommitment = false;
    } else if (setUp !== null && language === "zh" && !isChineseQuestion(clause) && chineseSubject(clause) === "first") {
      // "我先把两家的功能对齐，做成表，下周二之前发您": what follows the set-up belongs to it.
      setUp = `${setUp}${clause}`;
    } else if (lastWasCommitment && language === "zh" && chinesePurpose.test(clause)) {
      // "我回去走一下内部审批，看能不能…争取个折扣，": what the step is for names it.
      const last = commitments[commitments.length - 1];
      last.text = `${last.text}${clause}`;
    } else if (
      lastWasCommitment &&
      !(language === "zh" ? isChineseQuestion(clause) : isEnglishQuestion(clause)) &&
      !(language === "zh" ? chineseActionVerb.test(clause) : englishCommitmentCue.test(clause)) &&
      clause.length <= 40
    ) {
      // "I'll send the quote, and the case study too": no verb of its own, same commitment.
      const last = commitments[commitments.length - 1];
      last.text = `${last.text}${language === "zh" ? "" : " "}${clause}`;
    } else {
      lastWasCommitment = false;
    }
    if (!commits && language === "zh" && !sentenceHasCommitment) {
      // "好的，" / "没问题，" name nothing and neither start nor break the lead.
      const ownAction = !isChineseQuestion(clause) && chineseSubject(clause) === "first" && !chineseNotCommitment.test(clause);
      if (!chineseAcknowledgement.test(clause)) lead = ownAction ? [...lead, clause] : [];
    }
    if (/[。！？!?.；;]$/.test(clause)) {
      // A new sentence starts its own commitment ("…发给您。谢谢您！" adds nothing to it).
      sentenceHasCommitment = false;
      lastWasCommitment = false;
      setUp = null;
      lead = [];
    }
  }
  return commitments;
}

// =============================================================================================
// Extraction.

interface Candidate {
  item: ActionItem;
  /** Ordinal of the utterance that committed (evidence may also hold its context). */
  ordinal: number;
  /** The committing clause(s), as spoken. */
  text: string;
  features: Map<string, number>;
}

/** How much less a type found with the help of the previous line is trusted. */
const contextDiscount = 0.9;

/**
 * Whether a commitment leaves its object to context: `bare` when it has fewer than two content
 * features ("I'll send it over", "好的我下午发您"), `pronoun` when it names it with "it/这个".
 */
function isAnaphoric(text: string): { bare: boolean; pronoun: boolean } {
  let content = 0;
  for (const feature of textFeatures(text).keys()) {
    if (feature.startsWith("w:") || feature.startsWith("b:")) content += 1;
  }
  return {
    bare: content < 2,
    pronoun: /(?:it|them|this|that|those|these)|这个|那个|这份|那份|它/i.test(text),
  };
}

function validateOptions(options: ExtractActionItemsOptions): number {
  const threshold = options.threshold ?? defaultActionThreshold;
  const issues: Array<{ path: string[]; message: string }> = [];
  if (!(options.reference instanceof Date) || Number.isNaN(options.reference.getTime())) {
    issues.push({
      path: ["reference"],
      message: "reference must be a valid Date",
    });
  }
  if (!(typeof threshold === "number" && threshold >= 0 && threshold <= 1)) {
    issues.push({
      path: ["threshold"],
      message: "threshold must be a number between 0 and 1",
    });
  }
  if (issues.length > 0) throw new ValidationError("Invalid action item options", { issues });
  return threshold;
}

function shorten(text: string, limit = 80): string {
  const trimmed = text.trim().replace(/[，,。.!！;；\s]+$/u, "");
  return [...trimmed].length <= limit ? trimmed : `${[...trimmed].slice(0, limit - 1).join("")}…`;
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000;
}

/**
 * Action items committed to in a transcript, typed by the catalogue.
 * - `owner`: "agent" or "customer" when roles are known (see `speakerRole`), else the speaker label.
 * - `dueDate`: from the committing clause, else the rest of the utterance (see `parseDueDate`).
 * - `evidence`: the committing segment; when the type came from the line it answers ("好的，
 *   我下午发您" after "能把报价单发我吗？"), that line's ordinal too.
 * - The same action restated within a few segments by the same owner is merged (evidence joined,
 *   the highest confidence and the latest date kept: a restatement refines the first mention).
 */
export function extractActionItems(
  segments: TranscriptSegment[],
  catalogue: ActionType[],
  options: ExtractActionItemsOptions,
): ActionItem[] {
  const threshold = validateOptions(options);
  const matcher = createCatalogueMatcher(catalogue);
  const byId = new Map(catalogue.map((action) => [action.id, action]));
  // Only the entries the speaker can commit to compete (see `owners`); unknown roles: all of them.
  const matchers = new Map<SpeakerRole, CatalogueMatcher>();
  const matcherFor = (role: SpeakerRole | null): CatalogueMatcher => {
    if (role === null) return matcher;
    let restricted = matchers.get(role);
    if (!restricted) {
      restricted = {
        match: (text) => matcher.match(text).filter((match) => byId.get(match.id)?.owners?.includes(role) ?? true),
      };
      matchers.set(role, restricted);
    }
    return restricted;
  };
  const ordered = [...segments].sort((left, right) => left.ordinal - right.ordinal);
  const candidates: Candidate[] = [];

  ordered.forEach((segment, index) => {
    const commitments = findCommitments(segment.text);
    if (commitments.length === 0) return;
    const language = textLanguage(segment.text);
    const role = speakerRole(segment.speaker, options.agentSpeaker);
    const owner = role ?? segment.speaker;
    const ownerMatcher = matcherFor(role);
    const previous = index > 0 ? ordered[index - 1] : null;
    const context = previous && previous.speaker !== segment.speaker ? previous : null;
    const dated = (text: string) =>
      (lastDueDate(text, options.reference, language) ?? parseDueDate(segment.text, options.reference, language)) !== null;
    const clauses = commitments.map((commitment) =>
      matchClause(commitment.text, segment.ordinal, context, ownerMatcher, threshold, {
        dated: dated(commitment.text),
        customer: role === "customer",
      }, commitment.lead),
    );
    for (const clause of consolidateClauses(clauses, ownerMatcher, threshold)) {
      const said =
        lastDueDate(clause.text, options.reference, language) ??
        parseDueDate(segment.text, options.reference, language);
      // "Shall I call you in early April?" — "April 6th works.": the other side names the day.
      const answer = said ? null : dateInAnswer(ordered, index, options.reference);
      const due = said ?? answer?.due ?? null;
      if (answer) clause.evidence = [...new Set([...clause.evidence, answer.ordinal])].sort((left, right) => left - right);
      const { best } = clause;
      const typed = clause.typed && best ? byId.get(best.id) : undefined;
      // A promise outside the catalogue is kept for a trainer to name only when it is a dated one
      // of the rep's ("我明天给您寄一份新年礼品"). A customer's ("let me run it by my boss",
      // "我们内部开会定一下") is their own decision process, an intent; an undated one ("I'll take
      // care of it", "we'll handle the installation", "I'll send everything in writing") is talk,
      // not a step anyone will track.
      if (!typed && (role === "customer" || due === null)) continue;
      const item: ActionItem = typed
        ? {
            type: typed.id,
            flagged: false,
            title: typed.name[language],
            owner,
            dueDate: due?.date ?? null,
            customer: null,
            notes: null,
            evidence: clause.evidence,
            confidence: round(best!.score),
          }
        : {
            type: null,
            flagged: true,
            title: shorten(clause.text),
            owner,
            dueDate: due?.date ?? null,
            customer: null,
            notes: best
              ? `No catalogue action matched; closest: ${best.id} (${round(best.score)})`
              : "No catalogue action matched",
            evidence: clause.evidence,
            confidence: round(best?.score ?? 0),
          };
      candidates.push({ item, ordinal: segment.ordinal, text: clause.text, features: textFeatures(clause.text) });
    }
  });
  return mergeRestatements(candidates, ordered);
}

/**
 * The date a commitment ends on: the last one its clauses name ("我让法务今天改好，明天上午把新合同
 * 发您": the contract is due tomorrow, the edit today is a step towards it).
 */
function lastDueDate(text: string, reference: Date, language: "zh" | "en") {
  let last: ReturnType<typeof parseDueDate> = null;
  for (const clause of splitClauses(text)) last = parseDueDate(clause, reference, language) ?? last;
  return last;
}

/** A date the other speaker names in the line right after a commitment, when that line commits to nothing itself. */
function dateInAnswer(
  ordered: TranscriptSegment[],
  index: number,
  reference: Date,
): { due: NonNullable<ReturnType<typeof parseDueDate>>; ordinal: number } | null {
  const next = ordered[index + 1];
  if (!next || next.speaker === ordered[index].speaker || findCommitments(next.text).length > 0) return null;
  const due = parseDueDate(next.text, reference, textLanguage(next.text));
  return due ? { due, ordinal: next.ordinal } : null;
}

interface ClauseMatch {
  text: string;
  best: CatalogueMatch | undefined;
  /** Whether `best` is good and specific enough to become the item's type. */
  typed: boolean;
  /** Names no object of its own ("今晚发您", "I'll send it over"). */
  bare: boolean;
  evidence: number[];
}

/**
 * Whether the best entry is good enough: at the threshold, or below it (down to 60 %) when it
 * leaves every other entry far behind — 2.5 times the runner-up with a cue word of its own,
 * three times without for a dated promise ("I'll get you a proposal for sixty pumps including five years of service…",
 * "我按您家情况做一份计划书，明天晚上发您": long clauses and unseen nouns dilute the
 * similarity, not the evidence).
 */
interface ClearOptions {
  /** The promise names a date. */
  dated: boolean;
  /** Only the few entries a customer can own compete, so a smaller lead is already clear. */
  customer: boolean;
}

function clearsThreshold(ranked: CatalogueMatch[], threshold: number, options: ClearOptions): boolean {
  const [best, second] = ranked;
  if (!best) return false;
  if (best.score >= threshold) return true;
  if (best.score < threshold * 0.6) return false;
  const lead = best.score / Math.max(second?.score ?? 0, 0.01);
  // Without a cue word only a dated promise qualifies: an undated low match is as often
  // something done on the call ("我给您演示一下后台怎么用").
  if (options.customer) return options.dated && lead >= 1.5;
  return best.cueHits > 0 ? lead >= 2.5 : options.dated && lead >= 3;
}

function matchClause(
  text: string,
  ordinal: number,
  context: TranscriptSegment | null,
  matcher: CatalogueMatcher,
  threshold: number,
  clear: ClearOptions,
  /** The sentence's clauses before the commitment (`Commitment.lead`). */
  lead?: string,
): ClauseMatch {
  const ranked = matcher.match(text);
  const own = ranked[0];
  const anaphoric = isAnaphoric(text);
  // "send it over" alone could be any of the sending actions: its type is not ours to guess —
  // unless its one word is a cue of one entry ("let's talk again on Monday").
  const ownTyped = own !== undefined && clearsThreshold(ranked, threshold, clear) && (!anaphoric.bare || own.cueHits > 0);
  if (!ownTyped && lead) {
    // The object named first in the same sentence, by the same speaker: read them together.
    const withLead = joinClauses(lead, text);
    const rankedWithLead = matcher.match(withLead);
    if (rankedWithLead[0] && clearsThreshold(rankedWithLead, threshold, clear)) {
      return { text: withLead, best: rankedWithLead[0], typed: true, bare: false, evidence: [ordinal] };
    }
  }
  if (!ownTyped && context) {
    // An anaphoric commitment ("好的，我下午发您", "sure, I'll send it over") names its object in
    // the line it answers, and so does one that only says how ("好，我明天去医院拿了就发给你"
    // after "麻烦您把体检报告拍照发我"): match the two together, trusting the result a little less.
    const rankedWithContext = matcher
      .match(`${context.text} ${text}`)
      .map((match) => ({ ...match, score: match.score * contextDiscount }));
    const withContext = rankedWithContext[0];
    if (withContext && clearsThreshold(rankedWithContext, threshold, clear)) {
      return {
        text,
        best: withContext,
        typed: true,
        bare: anaphoric.bare,
        evidence: [context.ordinal, ordinal],
      };
    }
  }
  return { text, best: own, typed: ownTyped, bare: anaphoric.bare, evidence: [ordinal] };
}

/**
 * Adjacent commitment clauses of one utterance often describe one action ("我约一下我们的核保
 * 老师，下周三开个三方视频"): a clause typed without any cue word of its type, or not typed at
 * all, is folded into its neighbour when the two read together still point to the neighbour's
 * type (and, for an untyped clause, no less strongly). Two clauses that each carry their own cue
 * words ("把报价发您，再约个时间做三方视频") stay two actions.
 */
function consolidateClauses(
  clauses: ClauseMatch[],
  matcher: CatalogueMatcher,
  threshold: number,
): ClauseMatch[] {
  const result: ClauseMatch[] = [];
  for (const clause of clauses) {
    const previous = result.at(-1);
    if (!previous) {
      result.push(clause);
      continue;
    }
    const distinct =
      previous.typed && clause.typed && previous.best!.id !== clause.best!.id && previous.best!.cueHits > 0 && clause.best!.cueHits > 0;
    if ((previous.bare || clause.bare) && !distinct) {
      // A clause without an object of its own ("…整理成表格，今晚发您") is its neighbour's action.
      result[result.length - 1] = rematch(previous, clause, matcher, threshold);
      continue;
    }
    const [strong, weak] = strongerFirst(previous, clause);
    const sameType = previous.typed && clause.typed && previous.best?.id === clause.best?.id;
    const weakIsFoldable = sameType || !weak.typed || (weak.best?.cueHits ?? 0) === 0;
    if (strong.typed && weakIsFoldable) {
      const joinedText = joinClauses(previous.text, clause.text);
      const joined = matcher.match(joinedText)[0];
      const pointsToStrong = joined?.id === strong.best!.id && joined.score >= threshold;
      const strongEnough = weak.typed || (joined?.score ?? 0) >= strong.best!.score;
      // An untyped clause that reads as part of its typed neighbour ("Let's talk again on Monday
      // and I'll bring a rollout plan") is that action's detail, not a second, unnamed action.
      const untypedDetail = !weak.typed && weak === clause && joined?.id === strong.best!.id;
      if (sameType || (pointsToStrong && strongEnough) || untypedDetail) {
        result[result.length - 1] = {
          text: joinedText,
          best: strong.best,
          typed: true,
          bare: false,
          evidence: joinEvidence(previous, clause),
        };
        continue;
      }
    }
    result.push(clause);
  }
  return result;
}

function joinEvidence(left: ClauseMatch, right: ClauseMatch): number[] {
  return [...new Set([...left.evidence, ...right.evidence])].sort((a, b) => a - b);
}

/** Two clauses read as one; a type found earlier (e.g. from context) is kept if it is stronger. */
function rematch(
  left: ClauseMatch,
  right: ClauseMatch,
  matcher: CatalogueMatcher,
  threshold: number,
): ClauseMatch {
  const text = joinClauses(left.text, right.text);
  const joined = matcher.match(text)[0];
  // A clause that names its object outranks a bare one that only matched a cue ("I'll have an
  // answer for you Monday" after "let me see what I can do on a multi-year discount").
  const earlier = [left, right]
    .filter((clause) => clause.typed)
    .sort((a, b) => Number(a.bare) - Number(b.bare) || b.best!.score - a.best!.score)[0];
  const joinedTyped =
    isAnaphoric(text).bare === false && joined !== undefined && joined.score >= threshold;
  // A bare clause names no object, so it cannot change the type its typed neighbour found ("Let
  // me see what I can do on a multi-year discount. I'll have an answer for you Monday.").
  const otherIsBare = earlier !== undefined && (earlier === left ? right : left).bare;
  const best =
    earlier && (otherIsBare || !joinedTyped || earlier.best!.score > joined.score) ? earlier.best : joined;
  return {
    text,
    best,
    typed: Boolean(earlier) || joinedTyped,
    bare: isAnaphoric(text).bare,
    evidence: joinEvidence(left, right),
  };
}

function strongerFirst(left: ClauseMatch, right: ClauseMatch): [ClauseMatch, ClauseMatch] {
  const strength = (clause: ClauseMatch) =>
    clause.typed ? (clause.best!.cueHits > 0 ? 2 : 1) + clause.best!.score : 0;
  return strength(left) >= strength(right) ? [left, right] : [right, left];
}

function joinClauses(left: string, right: string): string {
  return textLanguage(right) === "zh" ? `${left}${right}` : `${left} ${right}`;
}

function cosine(left: Map<string, number>, right: Map<string, number>): number {
  return dot(normalise(new Map(left)), normalise(new Map(right)));
}

/** "I'll get back to you", "给您回话/答复", "联系您": delivering an answer, not a new step. */
const replyPromise =
  /回话|答复|回复|回个话|给(?:您|你)(?:个)?(?:准信|消息|结果)|联系(?:您|你)|get back to you|come back to you|circle back|let you know|be in touch/i;

/**
 * "我跟领导申请一下，下周二前给您答复" … "下周二前我给您回话": an untyped promise to reply on
 * the very day an earlier promise of the same speaker is due is that promise, however far apart.
 */
function isPromisedReply(candidate: Candidate, earlier: Candidate): boolean {
  return (
    candidate.item.type === null &&
    candidate.item.dueDate !== null &&
    candidate.ordinal !== earlier.ordinal &&
    earlier.item.owner === candidate.item.owner &&
    earlier.item.dueDate === candidate.item.dueDate &&
    replyPromise.test(candidate.text)
  );
}

function mergeRestatements(candidates: Candidate[], ordered: TranscriptSegment[]): ActionItem[] {
  const position = new Map(ordered.map((segment, index) => [segment.ordinal, index]));
  const merged: Candidate[] = [];
  for (const candidate of candidates) {
    const target = [...merged].reverse().find((earlier) => {
      if (isPromisedReply(candidate, earlier)) return true;
      const gap = position.get(candidate.ordinal)! - position.get(earlier.ordinal)!;
      if (gap > dedupeWindow || earlier.item.owner !== candidate.item.owner) return false;
      if (earlier.item.type !== null || candidate.item.type !== null) {
        return earlier.item.type === candidate.item.type;
      }
      return gap <= 2 && cosine(earlier.features, candidate.features) >= 0.5;
    });
    if (!target) {
      merged.push(candidate);
      continue;
    }
    const item = target.item;
    item.evidence = [...new Set([...item.evidence, ...candidate.item.evidence])].sort(
      (left, right) => left - right,
    );
    item.confidence = Math.max(item.confidence, candidate.item.confidence);
    item.dueDate = candidate.item.dueDate ?? item.dueDate;
    target.ordinal = candidate.ordinal;
  }
  return merged.map((candidate) => candidate.item);
}
