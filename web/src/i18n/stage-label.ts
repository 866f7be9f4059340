import type { TFunction } from "i18next";

/**
 * Customer stages are workspace data (codes such as "closed_won"). The default ones have names in
 * both languages; a stage a workspace added itself is shown as written.
 */
export function stageLabel(t: TFunction, stage: string | null | undefined): string {
  if (!stage) return t("common.none");
  return t(`stages.${stage}`, { defaultValue: stage });
}
