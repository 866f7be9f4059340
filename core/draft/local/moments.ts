/**
 * Who said it, and which customer lines are moments a rep must answer well: objections ("太贵了",
 * "we already use Salesforce"), hesitation ("我再考虑一下", "let me think about it") and
 * substantive questions. A small bilingual cue detector — the local engine's first step towards
 * talk tracks, and the text it hands to retrieval.
 */
import type { TranscriptSegment } from "../schema.ts";

export type SpeakerRole = "agent" | "customer";
export type MomentKind = "objection" | "question" | "hesitation";

/**
 * What triggered a moment. Objections: price, a supplier already in place ("incumbent"), a rival's
 * offer ("competitor"), need, trust, contract terms, capacity, a hard requirement, timing.
 * Hesitations: someone else decides ("consult"), later ("defer"), thinking it over ("stall").
 * Questions by topic, or "question" when the topic is none of those.
 */
export type MomentCue =
  | "price" | "incumbent" | "competitor" | "need" | "trust" | "terms" | "capacity" | "requirement" | "timing"
  | "consult" | "defer" | "stall"
  | "data" | "certification" | "integration" | "payment" | "trial" | "contract" | "rollout"
  | "question";

/**
 * The role of a speaker label. With `agentSpeaker` (the diarised label of the rep) every other
 * speaker is the customer; without it, labels that already name a role ("agent", "销售",
 * "customer", "客户") are read, and anything else ("SPEAKER_01") is unknown: null.
 */
export function speakerRole(speaker: string, agentSpeaker?: string | null): SpeakerRole | null {
  if (agentSpeaker) return speaker === agentSpeaker ? "agent" : "customer";
  const label = speaker.trim().toLowerCase();
  if (/^(agent|rep|sales|seller|advisor|adviser|销售|坐席|顾问|客服|经理人|代理人)/.test(label)) {
    return "agent";
  }
  if (/^(customer|client|prospect|buyer|客户|顾客|买家|用户)/.test(label)) return "customer";
  return null;
}

/** "zh" when the text is mostly Chinese characters, else "en". */
export function textLanguage(text: string): "zh" | "en" {
  const chinese = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const latinWords = text.match(/[A-Za-z]+/g)?.length ?? 0;
  return chinese > 0 && chinese >= latinWords ? "zh" : "en";
}

export interface DetectedMoment {
  moment: MomentKind;
  /** Ordinals of the customer segments that make up the moment (consecutive, one speaker). */
  evidence: number[];
  speaker: string;
  /** The customer's words, joined when a moment spans segments. */
  text: string;
  /** What triggered it. */
  cue: MomentCue;
}

interface Cue {
  moment: MomentKind;
  cue: MomentCue;
  pattern: RegExp;
}

/** Ordered: the first that matches wins, so "为什么这么贵？" is a price objection, not a question. */
const cues: Cue[] = [
  {
    moment: "objection",
    cue: "price",
    pattern:
      /太贵|好贵|有点贵|挺贵|这么贵|贵了|价格(?:有点|太|偏|比较)?高|价格.{0,4}(?:接受不了|承受不了)|(?:预算|钱)(?:不够|有限|超了|紧张)|(?<!没|没有|不|未)超(?:出|过)?.{0,4}预算|(?:财务|预算|领导).{0,6}批不下来|(?:这个|那个)(?:数|价|价钱)(?:字|格)?(?:有点|太|偏|也太|比较)高|能不能便宜|再便宜|比.{1,8}(?:便宜|贵)|不划算|性价比(?:不高|太低|一般)|\btoo (?:expensive|pricey|costly|much)\b|\bpricey\b|\b(?:over|out of|beyond) (?:our|my|the) budget\b|\bcan(?:'|’)?t afford\b|\bcan ?not afford\b|\b(?:price|cost|quote|rate)s? (?:is|are|seems?) (?:too |a bit |quite |really )?(?:high|steep)\b|\bcheaper\b|\bno budget\b|\btoo high\b|\bmore than (?:we|i) (?:budgeted|planned|expected)\b|\b(?:a|one|two|three|five|ten|\d+) (?:dollars?|euros?|pounds?|bucks|percent) (?:less|cheaper)\b|\btoo steep\b|\bmore than (?:we|i) can (?:justify|afford|spend)\b|\b(?:more|higher) than (?:we|i) (?:were|was) (?:hoping|expecting|planning) to (?:spend|pay)\b|\b(?:the )?same (?:cover|coverage|product|thing|service) for (?:\w+ ){0,3}less\b|\b(?:half|a third) (?:of )?(?:your|the) price\b|高出一截|才[0-9一二两三四五六七八九十百千万.]+.{0,3}[，,].{0,6}你们(?:要|卖|收)|利润都(?:快)?没了/i,
  },
  // A competitor already in place ("we already use X") and a rival offer ("X quoted us less") are
  // answered differently: ask what one thing could be better, or compare what is inside the offers.
  {
    moment: "objection",
    cue: "incumbent",
    pattern:
      /已经(?:在)?(?:用|买|有|上|签)(?![完光掉])|现在用的是|(?:我们|公司)(?:一直)?(?:在)?用的是|已经有(?:保险|供应商|系统)|\b(?:we|i) (?:already|currently) (?:use|have|work with|pay for)\b|\b(?:we(?:'|’)re|i(?:'|’)m) (?:already |currently )?using\b|\bhappy with (?:our|my|the) current\b/i,
  },
  {
    moment: "objection",
    cue: "competitor",
    pattern:
      /别家|其他家|人家(?:那边|公司)?|竞品|\b(?:another|other) (?:vendor|provider|supplier|company) (?:offers|quoted|gave)\b|\bcompetitor\b|\b(?:quoted|offered) us\b|\b(?:already|keeps?|are) (?:calling|chasing) (?:me|us)\b|另一家|隔壁那家|(?<!我们|财务|领导|公司)那边(?:也在|给(?:我|我们)?)报(?:了|价)|别的(?:机构|供应商|公司|厂家)|那边(?:给的|报的)?(?:报价|价格)?.{0,6}(?:便宜|可以签|能签)/i,
  },
  {
    moment: "objection",
    cue: "need",
    pattern:
      /不需要|没(?:有)?需要|用不上|用不着|没(?:什么)?兴趣|不感兴趣|没必要|\bnot interested\b|\b(?:don(?:'|’)?t|do not) (?:really )?need (?:it|this|that|them|anything|one|another|more|a new|something like|any (?:more|other))\b|\bno need\b|\bnot (?:a )?(?:fit|priority)\b/i,
  },
  {
    moment: "objection",
    cue: "trust",
    pattern:
      /不(?:太)?(?:相信|靠谱|放心)|(?:担心|怕|顾虑).{0,10}(?:安全|理赔|售后|合规|泄露|风险|坑|骗)|理赔(?:很|太)?(?:麻烦|难)|可别(?:也)?(?:这样|出(?:问题|岔子))|\b(?:worried|concerned|nervous) (?:about|that)\b|\bnot sure (?:it|this|that) (?:works|will work)\b|\b(?:sounds|seems) too good\b|\bdon(?:'|’)?t trust\b/i,
  },
  {
    moment: "objection",
    cue: "terms",
    pattern:
      /(?:[一二两三四五]年|长期)起签|(?:合同|签约|期限|年限).{0,8}太长|最多(?:只能)?签[一二两三]?年|条款.{0,10}(?:不(?:太)?同意|不接受|接受不了)|\b(?:flagged|redlined|pushed back on) the\b|\b(?:cancellation|termination) fees?\b|\b(?:can(?:'|’)?t|won(?:'|’)?t|not going to) (?:sign|commit to|do) (?:a |an )?(?:multi|two|three|four|five)-year\b|\bnon-?starter\b|\bdeal-?breaker\b|\b(?:contract|term|commitment) (?:is|seems) too long\b|\b(?:multi|three|two|five)-year (?:contract|term|commitment)\b.{0,30}\b(?:can(?:'|’)?t|won(?:'|’)?t|not)\b/i,
  },
  {
    moment: "objection",
    cue: "capacity",
    pattern:
      /(?:IT|技术|人手|实施).{0,12}(?:顾不过来|忙不过来|排满|不够|跟不上)|\b(?:capacity|bandwidth|resources|people) to (?:roll|implement|set|take|run)\b|\b(?:tied up|stretched thin|at capacity|swamped)\b|\b(?:no|(?:doesn(?:'|’)?t|don(?:'|’)?t) have (?:the )?)bandwidth\b/i,
  },
  {
    moment: "objection",
    cue: "requirement",
    pattern:
      /不然.{0,8}(?:不签|不批|签不了|批不了)|\bwon(?:'|’)?t (?:approve|accept|allow|sign) (?:anything|it|this)? ?without\b|\bcan(?:'|’)?t have (?:anything|any data|data|it) (?:stored|hosted|kept)\b/i,
  },
  {
    moment: "objection",
    cue: "timing",
    pattern:
      /现在不是时候|明年再说|预算(?:已经|都)?(?:用完|花完|花光)|以后再说|过段时间再说|暂时不(?:考虑|需要)|\bnot the right time\b|\bmaybe next (?:year|quarter)\b|\bcircle back (?:next|in)\b/i,
  },
  // Hesitations, by what the customer is waiting for: someone else's say, a later date, or their own
  // mind. A reply to one kind rarely fits another ("ask your boss" ≠ "budgets are frozen").
  {
    moment: "hesitation",
    cue: "consult",
    pattern:
      /商量(?!好)(?:一下|商量)?|(?:跟|和|问问|问一下)(?:我)?(?:老婆|老公|爱人|家里|家人|领导|老板|同事|财务|合伙人)|(?:老板|领导|董事会|院里)(?:拍板|决定|说了算)|(?:跟|向|给)(?:老板|领导|上级|院里)汇报|(?:要|得)上.{0,6}(?:委员会|董事会|院务会)|\b(?:talk|speak|check) (?:it over )?(?:with|to) (?:my|our) (?:wife|husband|partner|boss|manager|team|cfo|finance)\b|\brun (?:it|this|that) (?:by|past)\b|\bsigns? off on\b|\bmakes? (?:all )?(?:the )?(?:purchasing|buying|final) (?:calls|decisions?)\b|\b(?:his|her|their|the board(?:'|’)?s) (?:decision|call)\b/i,
  },
  {
    moment: "hesitation",
    cue: "defer",
    pattern:
      /下个?(?:季度|月)再说|过完.{1,6}再说|等(?:到)?(?:下半年|明年|年后|开春)|预算.{0,4}(?:已经)?定了|回头再说|\bwait (?:until|till) (?:next|after)\b|\bnot (?:buying|signing|deciding|doing) anything (?:before|until)\b|\b(?:won(?:'|’)?t|might not|not going to|don(?:'|’)?t) decide (?:until|before)\b|\bdecide after\b|\b(?:budgets?|spending) (?:is |are )?(?:frozen|on hold)\b|\bcan(?:'|’)?t promise anything\b/i,
  },
  {
    moment: "hesitation",
    cue: "stall",
    pattern:
      /考虑(?:一下|考虑|看看)|再想想|想一想|想想看|我想想|再看看|再比较|比较一下|不着急|还没想好|还没决定|还(?:得|要)再?看看|\bno rush\b|\bstill deciding\b|拿不定主意|\blet me think\b|\bthink (?:about it|it over)\b|\bsleep on it\b|\bneed (?:some )?(?:more )?time\b|\bnot (?:sure|ready) yet\b|\bhaven(?:'|’)?t decided\b|\bget back to you\b/i,
  },
];

/** Questions that keep a call going but need no talk track. */
const phaticQuestion =
  /^(?:喂|您好|你好|哈喽|hello|hi)?[,，\s]*(?:哪位|谁啊|你是谁|听得(?:到|见)吗|能听到吗|在吗|是吗|对吧|真的吗|好吗|可以吗|can you hear me|who is this|sorry\??|pardon\??|really\??|right\??|ok(?:ay)?\??)[?？!！。.\s]*$/i;

const questionPattern =
  /[?？]|[吗么呢嘛][。.!！\s]*$|多少|怎么|为什么|为啥|哪个|哪些|哪里|哪家|哪种|几个|几年|几天|是否|如何|多久|多长|能不能|可不可以|有没有|是不是|会不会|(?<![没不])什么|\bwants? to know\b|\bask(?:ed|ing)? (?:whether|if)\b|\bwondering (?:if|whether)\b|^(?:so\s+|and\s+|but\s+)?(?:what|how|when|where|why|which|who|can|could|do|does|did|is|are|will|would|should|any)\b/i;

function isSubstantive(text: string): boolean {
  const chinese = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const words = text.match(/[A-Za-z]+/g)?.length ?? 0;
  return chinese >= 4 || words >= 3;
}

/**
 * What a question is about, when it is one of the topics a rep can answer the same way whatever the
 * product ("I'll send the security overview", "our engineer will check it with your IT"). Ordered:
 * the first that matches wins ("跟金蝶对接要多久" is about integration, not timing).
 */
const questionTopics: Array<{ cue: MomentCue; pattern: RegExp }> = [
  { cue: "data", pattern: /数据|隐私|加密|泄露|存在哪|存哪|等保|\bdata\b|\bprivacy\b|\bsecurity\b|\bencrypt|\b(?:stored|hosted)\b|\bGDPR\b|\bHIPAA\b|\bSOC ?2\b/i },
  { cue: "certification", pattern: /注册证|证书|认证|资质|检测报告|证明|\bcertif|\bcleared\b|\bFDA\b|\bCE mark|\baccredit/i },
  { cue: "integration", pattern: /对接|打通|集成|接口|兼容|\bintegrat|\bAPI\b|\bsync|\bconnect|\bcompatible\b|\bplug into\b/i },
  { cue: "payment", pattern: /付款|分期|账期|首付|交清|分两期|\bpayments?\b|\binstal?lments?\b|\bpay (?:monthly|annually|upfront|in)\b|\binvoic|\bnet ?\d+\b|\bfinancing\b|\binterest-free\b/i },
  { cue: "trial", pattern: /试用|试听|试驾|样品|体验课|先试|试一试|试试|\btry\b|\btrial\b|\btest drive\b|\bsamples?\b/i },
  { cue: "contract", pattern: /合同|条款|中途退|退保|解约|\bcontract\b|\bcancel|\bget out of\b/i },
  { cue: "rollout", pattern: /上线|用上|实施.{0,6}(?:多久|多长时间)|\bgo live\b|\bup and running\b|\bhow long\b.{0,30}\b(?:implement|set ?up|roll ?out|onboard)/i },
];

const askForAction =
  /(?:能不能|可不可以|可以|能否|麻烦)(?:先)?(?:帮(?:我|我们)?)?(?:寄|发|拿|送|安排|给(?:我|我们))|\b(?:can|could|would) you (?:please )?(?:send|ship|bring|arrange|set up|get me|email|drop)\b/i;

/** The moment in one customer line, or null for lines that need no answer. */
export function classifyMoment(text: string): { moment: MomentKind; cue: MomentCue } | null {
  const trimmed = text.trim();
  for (const cue of cues) {
    if (cue.pattern.test(trimmed)) return { moment: cue.moment, cue: cue.cue };
  }
  if (phaticQuestion.test(trimmed) || !isSubstantive(trimmed)) return null;
  // "能不能先寄点样品？", "Can you send a proposal?": an ask for the rep to do something — an action
  // item, answered by doing it, not a moment that needs a talk track.
  if (!questionPattern.test(trimmed) || askForAction.test(trimmed)) return null;
  return { moment: "question", cue: questionTopics.find((topic) => topic.pattern.test(trimmed))?.cue ?? "question" };
}

/**
 * Customer moments in a transcript. Agent lines are skipped; when roles cannot be told (no
 * `agentSpeaker` and unlabelled speakers) every line is considered. Consecutive segments of the
 * same speaker and moment become one moment, so a split sentence gets one talk track.
 */
export function detectMoments(
  segments: TranscriptSegment[],
  options: { agentSpeaker?: string | null } = {},
): DetectedMoment[] {
  const moments: DetectedMoment[] = [];
  let previous: { segment: TranscriptSegment; hadMoment: boolean } | null = null;
  for (const segment of [...segments].sort((left, right) => left.ordinal - right.ordinal)) {
    const role = speakerRole(segment.speaker, options.agentSpeaker);
    const found = role === "agent" ? null : classifyMoment(segment.text);
    const last = moments.at(-1);
    const sameSpeakerBefore = previous?.segment.speaker === segment.speaker;
    if (
      found &&
      sameSpeakerBefore &&
      previous!.hadMoment &&
      last?.evidence.at(-1) === previous!.segment.ordinal &&
      last.moment === found.moment
    ) {
      last.evidence.push(segment.ordinal);
      last.text = joinText(last.text, segment.text);
    } else if (found) {
      // Diarisation often cuts a sentence in two ("嗯，这个价格" | "有点贵了"): an unfinished
      // fragment of the same speaker just before belongs to the moment.
      const fragment =
        sameSpeakerBefore &&
        role !== "agent" &&
        !previous!.hadMoment &&
        isUnfinished(previous!.segment.text)
          ? previous!.segment
          : null;
      moments.push({
        moment: found.moment,
        cue: found.cue,
        evidence: fragment ? [fragment.ordinal, segment.ordinal] : [segment.ordinal],
        speaker: segment.speaker,
        text: fragment ? joinText(fragment.text, segment.text) : segment.text.trim(),
      });
    }
    previous = { segment, hadMoment: Boolean(found) };
  }
  return moments;
}

function isUnfinished(text: string): boolean {
  return !/[。！？.!?…]\s*$/.test(text.trim());
}

function joinText(left: string, right: string): string {
  const separator = textLanguage(left) === "zh" && textLanguage(right) === "zh" ? "" : " ";
  return `${left.trim()}${separator}${right.trim()}`;
}

const fillers =
  /(?:^|(?<=[\s,，。.!！?？]))(?:嗯+|啊+|呃+|哦+|额+|那个|就是说|um+|uh+|erm|hmm+|you know)(?=[\s,，。.!！?？]|$)[,，。.\s]*/giu;

/**
 * The text to embed for a customer line, and for the customer line of every approved talk
 * track: both sides must go through the same function so their embeddings are comparable.
 * Drops fillers and extra space; keeps the words that carry the objection.
 */
export function momentQueryText(text: string): string {
  const cleaned = text.replace(fillers, "").replace(/\s+/g, " ").trim();
  return cleaned === "" ? text.trim() : cleaned;
}

/** Query texts for retrieval (e.g. a pgvector kNN per moment), one per detected moment. */
export function momentQueries(
  segments: TranscriptSegment[],
  options: { agentSpeaker?: string | null } = {},
): Array<DetectedMoment & { query: string }> {
  return detectMoments(segments, options).map((moment) => ({
    ...moment,
    query: momentQueryText(moment.text),
  }));
}
