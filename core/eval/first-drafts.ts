/**
 * Scores drafts against the sales-call evaluation set (core/dataset/sales-calls.ts): intents per
 * utterance, action items per call, talk tracks per customer moment. Pure: drafts in, figures out,
 * built on the metric functions of metrics.ts so the conventions (null when there is nothing to
 * measure) are the same as in every other eval.
 */
import type { SalesCall } from "../dataset/sales-calls.ts";
import type { DraftContent } from "../draft/schema.ts";
import { textLanguage } from "../draft/local/moments.ts";
import {
  actionItemAgreement,
  classificationReport,
  type ActionItemDecision,
  type ClassificationCase,
} from "./metrics.ts";

export interface DraftedCall {
  call: SalesCall;
  /** Segment ordinals in the draft are the utterance indexes of the call. */
  draft: DraftContent;
}

export interface FirstDraftScores {
  calls: number;
  utterances: number;
  intentAccuracy: number | null;
  intentMacroF1: number | null;
  /** Action items matched by catalogue type (one drafted item per expected item). */
  actionPrecision: number | null;
  actionRecall: number | null;
  actionF1: number | null;
  /** The same, where a match must also have the expected due date (or none when none was said). */
  actionWithDueF1: number | null;
  /** Of the type-matched items, the share whose due date is right. */
  dueDateAccuracy: number | null;
  talkTracksOffered: number;
  /** Offered tracks whose evidence is a labelled moment of the same type. */
  talkTrackPrecision: number | null;
  /** Labelled moments that got a track of their type. */
  talkTrackCoverage: number | null;
  /** Offered tracks whose suggestion is in another language than the call. */
  talkTracksInOtherLanguage: number;
  /** Offered tracks written for another industry than the call's (null: industries unknown). */
  talkTracksOffDomain: number | null;
}

export interface ScoreOptions {
  /**
   * The industry an offered track was written for ("general" for any), looked up by its
   * suggestion; null when unknown. Without it, off-domain tracks are not counted.
   */
  trackIndustry?: (suggestion: string) => string | null;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** Pairs drafted with expected action items of the same type, in order of evidence distance. */
function matchActionItems(call: SalesCall, drafted: DraftContent["actionItems"]) {
  const pairs: Array<{ expected: number; drafted: number; distance: number }> = [];
  call.actionItems.forEach((expected, expectedIndex) => {
    drafted.forEach((item, draftedIndex) => {
      if (item.type !== expected.type) return;
      const distance = Math.min(
        ...expected.evidence.flatMap((left) => item.evidence.map((right) => Math.abs(left - right))),
      );
      pairs.push({ expected: expectedIndex, drafted: draftedIndex, distance });
    });
  });
  pairs.sort((left, right) => left.distance - right.distance);
  const usedExpected = new Set<number>();
  const usedDrafted = new Set<number>();
  const matches: Array<{ expected: number; drafted: number }> = [];
  for (const pair of pairs) {
    if (usedExpected.has(pair.expected) || usedDrafted.has(pair.drafted)) continue;
    usedExpected.add(pair.expected);
    usedDrafted.add(pair.drafted);
    matches.push(pair);
  }
  return matches;
}

export function scoreFirstDrafts(
  drafted: readonly DraftedCall[],
  intentIds: readonly string[],
  options: ScoreOptions = {},
): FirstDraftScores {
  const intentCases: ClassificationCase[] = [];
  const items: Array<{ id: string }> = [];
  const byType: ActionItemDecision[] = [];
  const byTypeAndDue: ActionItemDecision[] = [];
  let typeMatches = 0;
  let dueMatches = 0;
  let offered = 0;
  let fitting = 0;
  let otherLanguage = 0;
  let offDomain = 0;
  let moments = 0;
  let covered = 0;

  for (const { call, draft } of drafted) {
    const predicted = new Map(draft.intents.map((prediction) => [prediction.segment, prediction.intent]));
    call.utterances.forEach((utterance, index) => {
      intentCases.push({ expected: utterance.intent, predicted: predicted.get(index) ?? null });
    });

    const matches = matchActionItems(call, draft.actionItems);
    const matchedDrafted = new Map(matches.map((match) => [match.drafted, match.expected]));
    const matchedExpected = new Set(matches.map((match) => match.expected));
    draft.actionItems.forEach((item, index) => {
      const id = `${call.id}#drafted-${index}`;
      items.push({ id });
      const expectedIndex = matchedDrafted.get(index);
      if (expectedIndex === undefined) {
        byType.push({ itemId: id, decision: "rejected" });
        byTypeAndDue.push({ itemId: id, decision: "rejected" });
        return;
      }
      typeMatches++;
      const dueRight = item.dueDate === (call.actionItems[expectedIndex].due?.date ?? null);
      if (dueRight) dueMatches++;
      byType.push({ itemId: id, decision: "accepted" });
      byTypeAndDue.push({ itemId: id, decision: dueRight ? "accepted" : "edited" });
    });
    call.actionItems.forEach((_, index) => {
      if (matchedExpected.has(index)) return;
      byType.push({ itemId: `${call.id}#expected-${index}`, decision: "added" });
      byTypeAndDue.push({ itemId: `${call.id}#expected-${index}`, decision: "added" });
    });

    const labelled = new Map(call.talkTrackMoments.map((moment) => [moment.utterance, moment.moment]));
    const coveredHere = new Set<number>();
    for (const track of draft.talkTracks) {
      offered++;
      if (textLanguage(track.suggestion) !== call.language) otherLanguage++;
      const industry = options.trackIndustry?.(track.suggestion) ?? null;
      if (industry !== null && industry !== "general" && industry !== call.industry) offDomain++;
      const fits = track.evidence.filter((ordinal) => labelled.get(ordinal) === track.moment);
      if (fits.length > 0) fitting++;
      for (const ordinal of fits) coveredHere.add(ordinal);
    }
    moments += labelled.size;
    covered += coveredHere.size;
  }

  const intents = classificationReport(intentCases, { labels: intentIds });
  const typeAgreement = actionItemAgreement(items, byType).strict;
  const dueAgreement = actionItemAgreement(items, byTypeAndDue).strict;
  return {
    calls: drafted.length,
    utterances: intentCases.length,
    intentAccuracy: intents.accuracy,
    intentMacroF1: intents.macroF1,
    actionPrecision: typeAgreement.precision,
    actionRecall: typeAgreement.recall,
    actionF1: typeAgreement.f1,
    actionWithDueF1: dueAgreement.f1,
    dueDateAccuracy: ratio(dueMatches, typeMatches),
    talkTracksOffered: offered,
    talkTrackPrecision: ratio(fitting, offered),
    talkTrackCoverage: ratio(covered, moments),
    talkTracksInOtherLanguage: otherLanguage,
    talkTracksOffDomain: options.trackIndustry ? offDomain : null,
  };
}
