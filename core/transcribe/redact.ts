/**
 * Removes personal data from transcript text before it leaves the machine (LLM drafting, exports):
 * phone numbers, e-mail addresses, PRC resident ID numbers and bank card numbers become typed
 * placeholders. The spans are returned so the original can be kept where only the rep or an admin
 * can see it.
 *
 * Precision matters as much as recall: a sales call is full of prices, dates, quantities and order
 * numbers, and a transcript whose "¥12,800" became "[BANK_CARD]" is useless. So every number must
 * stand alone (no digits, letters, currency signs or units glued to it) and pass its kind's check:
 * ID numbers their ISO 7064 MOD 11-2 check character and a real birth date, bank cards the Luhn
 * checksum and a card-network first digit, mainland numbers the numbering plan's shape.
 *
 * Full-width digits and punctuation (１３８…, ＋８６, ＠) are matched like their ASCII forms.
 * Not covered: numbers spoken as words ("幺三八…", "one three eight…"); 15-digit first-generation ID
 * numbers (no check character to tell them from other numbers).
 */

export type RedactionKind = "PHONE" | "EMAIL" | "ID_NUMBER" | "BANK_CARD";

export const redactionPlaceholders: Record<RedactionKind, string> = {
  PHONE: "[PHONE]",
  EMAIL: "[EMAIL]",
  ID_NUMBER: "[ID_NUMBER]",
  BANK_CARD: "[BANK_CARD]",
};

export interface Redaction {
  kind: RedactionKind;
  /** Span in the original text (UTF-16 offsets, end exclusive). */
  start: number;
  end: number;
  /** Span of the placeholder in the redacted text. */
  redactedStart: number;
  redactedEnd: number;
}

export interface RedactionResult {
  text: string;
  redactions: Redaction[];
}

interface Candidate {
  kind: RedactionKind;
  start: number;
  end: number;
}

/** Full-width and typographic forms mapped to ASCII one code unit for one, so offsets stay valid. */
function matchingView(text: string): string {
  let view = "";
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (character.length === 2) view += character;
    else if (code >= 0xff01 && code <= 0xff5e) view += String.fromCharCode(code - 0xfee0);
    else if (code === 0x3000 || code === 0x00a0 || code === 0x2009 || code === 0x202f) view += " ";
    else if (code >= 0x2010 && code <= 0x2015) view += "-";
    else view += character;
  }
  return view;
}

// A number must not continue a word, a decimal or a price, and must not run into a unit.
// Codes like "SO-13812345678-A" or "#13812345678" are references, not phone numbers.
const standsAloneBefore = String.raw`(?<![0-9A-Za-z_¥$€£￥#№])(?<![0-9][.,])(?<![0-9A-Za-z]-)`;
const standsAloneAfter = String.raw`(?![0-9A-Za-z_])(?![.,][0-9])(?!-[0-9A-Za-z])(?!\s?(?:元|块|角|万|亿|千|百|%|％|‰|美元|人民币|RMB|USD|CNY))`;

const spokenDot = String.raw`(?:\s+dot\s+|\s?点\s?)`;
const emailPattern = new RegExp(
  [
    String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
    // As speech recognition writes them: "john dot smith at gmail dot com", "zhangsan艾特163点com".
    // The spoken words need spaces around them, so a name can be split only one way (an optional
    // space would let "adotadot…" be read exponentially many ways).
    String.raw`\b[A-Za-z0-9_-]+(?:${spokenDot}[A-Za-z0-9_-]+)*(?:\s+at\s+|\s?艾特\s?)[A-Za-z0-9-]+(?:${spokenDot}[A-Za-z0-9-]+)*${spokenDot}(?:com|net|org|cn|edu|gov|io|co|uk)\b`,
  ].join("|"),
  "gi",
);

const idNumberPattern = new RegExp(
  String.raw`${standsAloneBefore}[1-9]\d{5}[ -]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[0-9Xx]${standsAloneAfter}`,
  "g",
);

const digitRunPattern = new RegExp(
  String.raw`${standsAloneBefore}(?<!\+)\d(?:[ -]?\d){12,30}${standsAloneAfter}`,
  "g",
);

const phonePatterns: Array<{ pattern: RegExp; accept: (match: string) => boolean }> = [
  {
    // Mainland mobile: 1[3-9] + 9 digits, optionally +86 / 0086 / (+86), grouped 3-4-4.
    pattern: new RegExp(
      String.raw`${standsAloneBefore}(?:(?:\+|00)86[ -]?|\(\+?86\)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}${standsAloneAfter}`,
      "g",
    ),
    accept: () => true,
  },
  {
    // Mainland landline: 010-12345678, (0755) 8888 1234, 021 6123 4567, +86 10 1234 5678.
    pattern: new RegExp(
      String.raw`${standsAloneBefore}(?:(?:(?:\+|00)86[ -]?)(?:\(0?[1-9]\d{1,2}\)|0?[1-9]\d{1,2})|\(0[1-9]\d{1,2}\)|0[1-9]\d{1,2})[ -]?[1-9]\d{2,3}[ -]?\d{4}${standsAloneAfter}`,
      "g",
    ),
    accept: isPlausibleMainlandLandline,
  },
  {
    // International: +44 20 7946 0958, 0044 20 7946 0958, +1 (415) 555-2671.
    pattern: new RegExp(
      String.raw`${standsAloneBefore}(?:\+|00)[1-9]\d{0,2}(?:[ -]?(?:\(\d{1,4}\)|\d{1,4})){1,5}${standsAloneAfter}`,
      "g",
    ),
    accept: (match) => {
      // "00" + digits with no separator is more often a zero-padded order number than a phone.
      if (match.startsWith("00") && !/[ ()-]/.test(match)) return false;
      const digits = digitsOf(match).replace(/^00/, "");
      return digits.length >= 8 && digits.length <= 15;
    },
  },
  {
    // North American without country code, separators required: (415) 555-2671, 415-555-2671.
    pattern: new RegExp(
      String.raw`${standsAloneBefore}(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}${standsAloneAfter}`,
      "g",
    ),
    accept: () => true,
  },
];

export function redactText(text: string): RedactionResult {
  const view = matchingView(text);
  const taken: Candidate[] = [];
  const overlaps = (start: number, end: number) =>
    taken.some((candidate) => start < candidate.end && candidate.start < end);
  const take = (kind: RedactionKind, start: number, end: number) => {
    if (!overlaps(start, end)) taken.push({ kind, start, end });
  };

  // Most text has no e-mail at all: skip the scan (it is quadratic on long runs of word characters).
  const mayHoldEmail = view.includes("@") || /\sat\s|艾特/i.test(view);
  for (const match of mayHoldEmail ? view.matchAll(emailPattern) : []) {
    take("EMAIL", match.index, match.index + match[0].length);
  }
  for (const match of view.matchAll(idNumberPattern)) {
    if (isValidResidentIdNumber(match[0]))
      take("ID_NUMBER", match.index, match.index + match[0].length);
  }
  for (const match of view.matchAll(digitRunPattern)) {
    const card = findBankCard(match[0]);
    if (card) take("BANK_CARD", match.index + card.start, match.index + card.end);
  }
  for (const { pattern, accept } of phonePatterns) {
    for (const match of view.matchAll(pattern)) {
      if (accept(match[0])) take("PHONE", match.index, match.index + match[0].length);
    }
  }

  taken.sort((a, b) => a.start - b.start);
  let redacted = "";
  let cursor = 0;
  const redactions: Redaction[] = [];
  for (const candidate of taken) {
    redacted += text.slice(cursor, candidate.start);
    const placeholder = redactionPlaceholders[candidate.kind];
    redactions.push({
      kind: candidate.kind,
      start: candidate.start,
      end: candidate.end,
      redactedStart: redacted.length,
      redactedEnd: redacted.length + placeholder.length,
    });
    redacted += placeholder;
    cursor = candidate.end;
  }
  redacted += text.slice(cursor);
  return { text: redacted, redactions };
}

function digitsOf(value: string): string {
  return value.replace(/[^0-9Xx]/g, "");
}

const idNumberWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumberCheckCharacters = "10X98765432";
/** First two digits: province-level division codes (GB/T 2260), 83 for Taiwan residence permits. */
const idNumberRegions = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
  53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
]);

/** 18-character PRC resident ID number (GB 11643): region, real birth date, MOD 11-2 check character. */
export function isValidResidentIdNumber(value: string, today: Date = new Date()): boolean {
  const characters = matchingView(value).replace(/[ -]/g, "").toUpperCase();
  if (!/^\d{17}[\dX]$/.test(characters)) return false;
  if (!idNumberRegions.has(Number(characters.slice(0, 2)))) return false;

  const year = Number(characters.slice(6, 10));
  const month = Number(characters.slice(10, 12));
  const day = Number(characters.slice(12, 14));
  const birthDate = new Date(Date.UTC(year, month - 1, day));
  const isRealDate =
    birthDate.getUTCFullYear() === year &&
    birthDate.getUTCMonth() === month - 1 &&
    birthDate.getUTCDate() === day;
  if (!isRealDate || year < 1900 || birthDate.getTime() > today.getTime()) return false;

  let sum = 0;
  for (let index = 0; index < 17; index += 1) {
    sum += Number(characters[index]) * idNumberWeights[index];
  }
  return idNumberCheckCharacters[sum % 11] === characters[17];
}

export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Visa/Mastercard (2, 4, 5), Amex/JCB/Diners (3), UnionPay/Discover (6), older Chinese debit (9). */
function isPlausibleBankCard(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && /^[2-69]/.test(digits) && passesLuhn(digits);
}

/**
 * The longest Luhn-valid card inside a run of digit groups ("卡号 6222 0200 1234 5678 901 谢谢" or a
 * card followed by another number), as offsets into the run; groups are never split.
 */
function findBankCard(run: string): { start: number; end: number } | null {
  const groups = [...run.matchAll(/\d+/g)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    digits: match[0],
  }));
  let best: { start: number; end: number; length: number } | null = null;
  for (let first = 0; first < groups.length; first += 1) {
    let digits = "";
    for (let last = first; last < groups.length; last += 1) {
      digits += groups[last].digits;
      if (digits.length > 19) break;
      if ((best === null || digits.length > best.length) && isPlausibleBankCard(digits)) {
        best = { start: groups[first].start, end: groups[last].end, length: digits.length };
      }
    }
  }
  return best;
}

/** 010/02x area codes take 8-digit local numbers; 0xxx area codes 7 or 8. */
function isPlausibleMainlandLandline(match: string): boolean {
  const withoutCountry = match.replace(/^\s*(?:\+|00)86[ -]?/, "");
  const areaMatch = /^\(?0?([1-9]\d{1,2})\)?/.exec(withoutCountry);
  if (!areaMatch) return false;
  const areaCode = areaMatch[1];
  const localDigits = digitsOf(withoutCountry.slice(areaMatch[0].length));
  if (areaCode.length === 2) return /^(10|2\d)$/.test(areaCode) && localDigits.length === 8;
  return /^[3-9]\d\d$/.test(areaCode) && (localDigits.length === 7 || localDigits.length === 8);
}

/** Redacts a list of segments, keeping each original next to its redacted text. */
export function redactSegments<Segment extends { text: string }>(
  segments: readonly Segment[],
): Array<Segment & { originalText: string; redactions: Redaction[] }> {
  return segments.map((segment) => {
    const { text, redactions } = redactText(segment.text);
    return { ...segment, text, originalText: segment.text, redactions };
  });
}
