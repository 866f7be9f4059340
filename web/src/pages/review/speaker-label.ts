import type { TFunction } from "i18next";
import { speakerRole } from "../../../../core/draft/local/moments.ts";

/**
 * A transcript's speaker label — or an action item's owner — in the UI language. Labels that name
 * a role in either language are read as the drafter reads them ("agent", "销售", "坐席" → Rep;
 * "customer", "客户" → Customer, so an imported Chinese transcript reads "Rep" in the English UI);
 * "SPEAKER_01" / "speaker_1" → Speaker 01; anything else (a person's name) as written.
 */
export function speakerLabel(t: TFunction, speaker: string | null): string {
  const role = speaker ? speakerRole(speaker) : null;
  if (role === "agent") return t("recording.speakers.rep");
  if (role === "customer") return t("recording.speakers.customer");
  const numbered = /^speaker[_ ]?(\d+)$/i.exec(speaker ?? "");
  if (numbered) return t("recording.speakers.numbered", { number: numbered[1] });
  return speaker || t("recording.speakers.unknown");
}
