/**
 * Text → hashed n-gram features, shared by the intent classifier and the local embedder.
 *
 * Chinese has no spaces between words, so a run of CJK characters is featurised by its
 * character 1–3-grams (a Chinese word is mostly one to three characters, and overlapping
 * n-grams cover every segmentation without a dictionary). Latin-script text gets word uni- and
 * bigrams plus character n-grams inside word boundaries, which catch morphology ("booking" /
 * "booked") and typos. Mixed text ("帮我book一个room") simply yields both kinds.
 *
 * A CJK run is also cut into words by ICU's dictionary segmenter (`Intl.Segmenter`, shipped with
 * Node), and those words and their bigrams are added as word features beside the character
 * n-grams: "退款" then counts as one word, not only as the characters 退 and 款.
 *
 * Features are 30-bit hashes of namespaced strings: no vocabulary has to be shipped, and a model
 * only stores the hashes it saw in training.
 */

export interface FeatureOptions {
  /** Character n-gram lengths for Latin-script words, padded with a boundary mark. */
  latinCharacterRange: readonly [number, number];
  /** Character n-gram lengths inside CJK runs, padded with a boundary mark. */
  cjkCharacterRange: readonly [number, number];
  /** Add word bigrams (Latin words and whole CJK runs count as words). */
  wordBigrams: boolean;
  /**
   * Also cut CJK runs into words with `Intl.Segmenter` and add the words and their bigrams as
   * word features. Absent (false) in models stored before it existed, which keeps them exact.
   */
  cjkWords?: boolean;
}

export const defaultFeatureOptions: FeatureOptions = {
  latinCharacterRange: [2, 4],
  cjkCharacterRange: [1, 3],
  wordBigrams: true,
  cjkWords: true,
};

/** One ICU word segmenter for the process (creating one costs far more than using it). */
let chineseSegmenter: Intl.Segmenter | undefined;

/** The words of a CJK run, by ICU's dictionary segmenter (Chinese dictionary; runs without spaces). */
export function segmentCjkWords(run: string): string[] {
  chineseSegmenter ??= new Intl.Segmenter("zh", { granularity: "word" });
  const words: string[] = [];
  for (const segment of chineseSegmenter.segment(run)) {
    if (segment.isWordLike) words.push(segment.segment);
  }
  return words;
}

/** Word features and character features are weighted separately (see vectorizer.ts). */
export const FeatureGroup = { word: 0, character: 1 } as const;
export type FeatureGroup = (typeof FeatureGroup)[keyof typeof FeatureGroup];

export interface Token {
  text: string;
  kind: "cjk" | "latin" | "mark";
}

const cjkCharacter = "[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]";
// Han characters are letters too (\p{L}): a word stops where a CJK run begins.
const wordCharacter = `(?:(?!${cjkCharacter})[\\p{L}\\p{M}\\p{N}])`;
const latinWord = `${wordCharacter}+(?:['’]${wordCharacter}+)*`;
// `?` and `!` carry intent (question vs statement); other punctuation is noise. NFKC has
// already folded the full-width forms (？！) into these.
const tokenPattern = new RegExp(`(${cjkCharacter}+)|(${latinWord})|([?!])`, "gu");
/** Marks word starts and ends inside character n-grams (a control character never typed). */
const boundaryCode = 1;

/** NFKC folds full-width letters, digits and punctuation (common in Chinese input) to ASCII. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of normalizeText(text).matchAll(tokenPattern)) {
    if (match[1] !== undefined) tokens.push({ text: match[1], kind: "cjk" });
    else if (match[2] !== undefined) tokens.push({ text: match[2], kind: "latin" });
    else tokens.push({ text: match[3], kind: "mark" });
  }
  return tokens;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** Continue an FNV-1a hash over the code points of `text`, so n-grams can extend a prefix. */
function continueHash(state: number, text: string): number {
  let hash = state;
  for (const character of text) {
    hash = Math.imul(hash ^ (character.codePointAt(0) as number), fnvPrime);
  }
  return hash;
}

/**
 * murmur3's finaliser (FNV alone mixes the low bits of short strings poorly), cut to 30 bits so
 * a hash is a small integer in V8 and a valid `IntegerMap` key. With a few hundred thousand
 * features, collisions stay negligible.
 */
function finalizeHash(state: number): number {
  let hash = state ^ (state >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 2;
}

/** The feature hash of a string (by code points). */
export function hashString(text: string): number {
  return finalizeHash(continueHash(fnvOffset, text));
}

/** Receives every feature occurrence of a text; a feature repeated in the text arrives repeatedly. */
export type FeatureSink = (group: FeatureGroup, hash: number) => void;

/**
 * Character n-grams of `word` padded with a boundary mark on each side, hashed as
 * `namespace + gram` without building the gram strings (this is the hot loop of training).
 */
function characterGrams(
  sink: FeatureSink,
  namespace: string,
  word: string,
  [minimum, maximum]: readonly [number, number],
): void {
  const codes: number[] = [boundaryCode];
  for (const character of word) codes.push(character.codePointAt(0) as number);
  codes.push(boundaryCode);
  const prefix = continueHash(fnvOffset, namespace);
  for (let start = 0; start < codes.length; start++) {
    let state = prefix;
    for (let length = 1; length <= maximum && start + length <= codes.length; length++) {
      state = Math.imul(state ^ codes[start + length - 1], fnvPrime);
      if (length < minimum) continue;
      // A lone boundary mark says nothing.
      if (length === 1 && codes[start] === boundaryCode) continue;
      sink(FeatureGroup.character, finalizeHash(state));
    }
  }
}

/**
 * Emits the n-gram features of `text` into `sink`. `namespace` keeps features of different
 * roles apart (the previous utterance's "hello" is not the current one's).
 */
export function extractFeatures(
  text: string,
  sink: FeatureSink,
  options: FeatureOptions = defaultFeatureOptions,
  namespace = "",
): void {
  const tokens = tokenize(text);
  let previous = "<s>";
  for (const token of tokens) {
    sink(FeatureGroup.word, hashString(`${namespace}w:${token.text}`));
    if (options.wordBigrams)
      sink(FeatureGroup.word, hashString(`${namespace}b:${previous} ${token.text}`));
    previous = token.text;
    if (token.kind === "latin") {
      characterGrams(sink, `${namespace}c:`, token.text, options.latinCharacterRange);
    } else if (token.kind === "cjk") {
      characterGrams(sink, `${namespace}h:`, token.text, options.cjkCharacterRange);
      if (options.cjkWords) cjkWordFeatures(sink, namespace, token.text);
    }
  }
  if (options.wordBigrams && tokens.length > 0) {
    sink(FeatureGroup.word, hashString(`${namespace}b:${previous} </s>`));
  }
}

function cjkWordFeatures(sink: FeatureSink, namespace: string, run: string): void {
  const words = segmentCjkWords(run);
  // A run that is one word is already a word feature (`w:`).
  if (words.length < 2) return;
  let previous = "<r>";
  for (const word of words) {
    sink(FeatureGroup.word, hashString(`${namespace}z:${word}`));
    sink(FeatureGroup.word, hashString(`${namespace}y:${previous} ${word}`));
    previous = word;
  }
  sink(FeatureGroup.word, hashString(`${namespace}y:${previous} </r>`));
}

/** The distinct features of `text` with their counts, as readable `hash → count` maps (for tests and tools). */
export function countFeatures(
  text: string,
  options: FeatureOptions = defaultFeatureOptions,
): { word: Map<number, number>; character: Map<number, number> } {
  const counts = { word: new Map<number, number>(), character: new Map<number, number>() };
  extractFeatures(
    text,
    (group, hash) => {
      const map = group === FeatureGroup.word ? counts.word : counts.character;
      map.set(hash, (map.get(hash) ?? 0) + 1);
    },
    options,
  );
  return counts;
}
