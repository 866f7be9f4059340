/**
 * Word error rate for English and character error rate for Chinese, from one Levenshtein
 * alignment over tokens: a CJK character is a token (Chinese has no word spaces, so CER is the
 * standard measure), a run of letters/digits is a token (WER). Mixed Chinese–English speech is
 * scored with both at once (the "mixed error rate" used for code-switched ASR).
 *
 *   error rate = (substitutions + deletions + insertions) / reference tokens
 *
 * Text is normalised first: NFKC (full-width → ASCII), lower case, punctuation removed,
 * apostrophes inside words dropped ("neighbor's" = "neighbors"). Numbers are not spelled out, so
 * "12" against "twelve" counts as an error — normalise those upstream if a test set needs it.
 */
import { ValidationError } from "../errors.ts";

export type ErrorRateUnit = "auto" | "character";

export interface AlignmentStep {
  operation: "hit" | "substitution" | "deletion" | "insertion";
  reference: string | null;
  hypothesis: string | null;
}

export interface ErrorRateResult {
  /** (S + D + I) / N; can exceed 1 when the hypothesis has many insertions. */
  errorRate: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  hits: number;
  referenceLength: number;
  hypothesisLength: number;
  /** Only when requested (it needs a full matrix: quadratic memory). */
  alignment?: AlignmentStep[];
}

export interface ErrorRateOptions {
  /** "auto": CJK characters and words; "character": every non-space character is a token. */
  unit?: ErrorRateUnit;
  includeAlignment?: boolean;
}

const cjkClass = String.raw`[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]`;
const cjkCharacter = new RegExp(cjkClass, "u");
// A CJK character alone, or a run of other letters/digits (which must not swallow CJK: "CRM系统").
const tokenPattern = new RegExp(String.raw`${cjkClass}|(?:(?!${cjkClass})[\p{L}\p{N}])+`, "gu");

export function tokenizeForErrorRate(text: string, unit: ErrorRateUnit = "auto"): string[] {
  const normalised = text
    .normalize("NFKC")
    .toLowerCase()
    // "don't" → "dont"; an apostrophe between letters is part of the word, not a separator.
    .replace(/(\p{L})['’](\p{L})/gu, "$1$2");
  if (unit === "character") {
    return [...normalised].filter((character) => /[\p{L}\p{N}]/u.test(character));
  }
  return normalised.match(tokenPattern) ?? [];
}

/** Largest alignment matrix we build (reference × hypothesis tokens) when an alignment is asked for. */
const maximumAlignmentCells = 25_000_000;

export function errorRate(
  reference: string,
  hypothesis: string,
  options: ErrorRateOptions = {},
): ErrorRateResult {
  const unit = options.unit ?? "auto";
  const referenceTokens = tokenizeForErrorRate(reference, unit);
  const hypothesisTokens = tokenizeForErrorRate(hypothesis, unit);
  if (referenceTokens.length === 0) {
    throw new ValidationError("The reference transcript has no words to score against.");
  }
  const counts = options.includeAlignment
    ? alignWithBacktrace(referenceTokens, hypothesisTokens)
    : countEdits(referenceTokens, hypothesisTokens);
  const errors = counts.substitutions + counts.deletions + counts.insertions;
  return {
    ...counts,
    errorRate: errors / referenceTokens.length,
    referenceLength: referenceTokens.length,
    hypothesisLength: hypothesisTokens.length,
  };
}

/** Word error rate of an English (or mixed) transcript. */
export function wordErrorRate(reference: string, hypothesis: string): ErrorRateResult {
  return errorRate(reference, hypothesis, { unit: "auto" });
}

/** Character error rate: every letter, digit and CJK character is a token. */
export function characterErrorRate(reference: string, hypothesis: string): ErrorRateResult {
  return errorRate(reference, hypothesis, { unit: "character" });
}

export function hasCjk(text: string): boolean {
  return cjkCharacter.test(text);
}

type EditCounts = Pick<ErrorRateResult, "substitutions" | "deletions" | "insertions" | "hits">;

/**
 * Edit distance with the operation counts carried along, two rows at a time (linear memory, so a
 * one-hour transcript can be scored). Ties prefer hit/substitution, then deletion, then insertion —
 * the same order as the backtrace below, so both paths report identical counts.
 */
function countEdits(reference: string[], hypothesis: string[]): EditCounts {
  const width = hypothesis.length + 1;
  let previous = newRow(width);
  let current = newRow(width);
  for (let column = 0; column < width; column += 1) {
    previous.cost[column] = column;
    previous.insertions[column] = column;
  }
  for (let row = 1; row <= reference.length; row += 1) {
    current.cost[0] = row;
    current.deletions[0] = row;
    current.substitutions[0] = 0;
    current.insertions[0] = 0;
    current.hits[0] = 0;
    for (let column = 1; column < width; column += 1) {
      const same = reference[row - 1] === hypothesis[column - 1];
      const diagonal = previous.cost[column - 1] + (same ? 0 : 1);
      const deletion = previous.cost[column] + 1;
      const insertion = current.cost[column - 1] + 1;
      if (diagonal <= deletion && diagonal <= insertion) {
        copyCell(current, column, previous, column - 1);
        current.cost[column] = diagonal;
        if (same) current.hits[column] += 1;
        else current.substitutions[column] += 1;
      } else if (deletion <= insertion) {
        copyCell(current, column, previous, column);
        current.cost[column] = deletion;
        current.deletions[column] += 1;
      } else {
        copyCell(current, column, current, column - 1);
        current.cost[column] = insertion;
        current.insertions[column] += 1;
      }
    }
    [previous, current] = [current, previous];
  }
  const last = hypothesis.length;
  return {
    substitutions: previous.substitutions[last],
    deletions: previous.deletions[last],
    insertions: previous.insertions[last],
    hits: previous.hits[last],
  };
}

interface Row {
  cost: Int32Array;
  substitutions: Int32Array;
  deletions: Int32Array;
  insertions: Int32Array;
  hits: Int32Array;
}

function newRow(width: number): Row {
  return {
    cost: new Int32Array(width),
    substitutions: new Int32Array(width),
    deletions: new Int32Array(width),
    insertions: new Int32Array(width),
    hits: new Int32Array(width),
  };
}

function copyCell(target: Row, targetColumn: number, source: Row, sourceColumn: number): void {
  target.substitutions[targetColumn] = source.substitutions[sourceColumn];
  target.deletions[targetColumn] = source.deletions[sourceColumn];
  target.insertions[targetColumn] = source.insertions[sourceColumn];
  target.hits[targetColumn] = source.hits[sourceColumn];
}

const Move = { Diagonal: 0, Deletion: 1, Insertion: 2 } as const;

function alignWithBacktrace(
  reference: string[],
  hypothesis: string[],
): EditCounts & { alignment: AlignmentStep[] } {
  const height = reference.length + 1;
  const width = hypothesis.length + 1;
  if (height * width > maximumAlignmentCells) {
    throw new ValidationError(
      `Texts too long for an alignment (${reference.length} × ${hypothesis.length} tokens); score without includeAlignment.`,
    );
  }
  const moves = new Uint8Array(height * width);
  let previous = new Int32Array(width);
  let current = new Int32Array(width);
  for (let column = 0; column < width; column += 1) {
    previous[column] = column;
    moves[column] = Move.Insertion;
  }
  for (let row = 1; row < height; row += 1) {
    current[0] = row;
    moves[row * width] = Move.Deletion;
    for (let column = 1; column < width; column += 1) {
      const diagonal =
        previous[column - 1] + (reference[row - 1] === hypothesis[column - 1] ? 0 : 1);
      const deletion = previous[column] + 1;
      const insertion = current[column - 1] + 1;
      if (diagonal <= deletion && diagonal <= insertion) {
        current[column] = diagonal;
        moves[row * width + column] = Move.Diagonal;
      } else if (deletion <= insertion) {
        current[column] = deletion;
        moves[row * width + column] = Move.Deletion;
      } else {
        current[column] = insertion;
        moves[row * width + column] = Move.Insertion;
      }
    }
    [previous, current] = [current, previous];
  }

  const alignment: AlignmentStep[] = [];
  const counts: EditCounts = { substitutions: 0, deletions: 0, insertions: 0, hits: 0 };
  let row = reference.length;
  let column = hypothesis.length;
  while (row > 0 || column > 0) {
    const move = moves[row * width + column];
    if (row > 0 && column > 0 && move === Move.Diagonal) {
      const same = reference[row - 1] === hypothesis[column - 1];
      alignment.push({
        operation: same ? "hit" : "substitution",
        reference: reference[row - 1],
        hypothesis: hypothesis[column - 1],
      });
      if (same) counts.hits += 1;
      else counts.substitutions += 1;
      row -= 1;
      column -= 1;
    } else if (row > 0 && (column === 0 || move === Move.Deletion)) {
      alignment.push({ operation: "deletion", reference: reference[row - 1], hypothesis: null });
      counts.deletions += 1;
      row -= 1;
    } else {
      alignment.push({
        operation: "insertion",
        reference: null,
        hypothesis: hypothesis[column - 1],
      });
      counts.insertions += 1;
      column -= 1;
    }
  }
  alignment.reverse();
  return { ...counts, alignment };
}
