import type { TFunction } from "i18next";

const knownSpeakers = new Set(["agent", "rep", "customer"]);

/** A transcript's speaker label in the UI language: "Agent" → Rep/销售, "SPEAKER_01" → Speaker 01. */
export function speakerLabel(t: TFunction, speaker: string | null): string {
  const lower = speaker?.toLowerCase() ?? "";
  if (knownSpeakers.has(lower))
    return t(`recording.speakers.${lower as "agent" | "rep" | "customer"}`);
  const numbered = /^speaker[_ ]?(\d+)$/i.exec(speaker ?? "");
  if (numbered) return t("recording.speakers.numbered", { number: numbered[1] });
  return speaker || t("recording.speakers.unknown");
}
