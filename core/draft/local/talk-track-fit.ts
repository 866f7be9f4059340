/**
 * Which approved talk tracks may answer a moment of this call, before similarity is even asked:
 * a reply in another language, or one written for another industry, is never the right one, however
 * close its customer line sounds ("the premium is too high" is near "the licence is too
 * expensive", but an insurance reply about deductibles is useless to a software rep). Better to
 * say "nothing approved fits" than to offer it.
 *
 * - language: the track's language (declared, else read from its customer line) must be the
 *   moment's.
 * - industry: the workspace's own approved tracks always fit (its trainers approved them for its
 *   calls). A shipped seed track fits when it was written for any industry (`general`) or for the
 *   workspace's declared industry; with no industry declared, only the general ones.
 * - stage: a track that names the customer stages it is for fits only those (when the call's stage
 *   is known).
 */
import { anyIndustry } from "../workspace-profile.ts";
import { textLanguage } from "./moments.ts";

export interface TalkTrackMetadata {
  customerText: string;
  language?: string | null;
  industry?: string | null;
  stages?: string[] | null;
  /** Shipped with Calibrate (datasets/seed) rather than approved by this workspace's trainers. */
  seed?: boolean | null;
}

export interface CallForTalkTracks {
  language: "zh" | "en";
  industry: string | null;
  stage: string | null;
}

export function talkTrackFits(track: TalkTrackMetadata, call: CallForTalkTracks): boolean {
  const language = track.language === "zh" || track.language === "en" ? track.language : textLanguage(track.customerText);
  if (language !== call.language) return false;
  if (track.seed) {
    const industry = track.industry ?? anyIndustry;
    if (industry !== anyIndustry && industry !== call.industry) return false;
  }
  if (track.stages && track.stages.length > 0 && call.stage && !track.stages.includes(call.stage)) return false;
  return true;
}
