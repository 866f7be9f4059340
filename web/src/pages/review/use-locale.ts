import { useTranslation } from "react-i18next";
import type { Locale } from "../../api/types.ts";
import { isLocale } from "../../i18n/i18n.ts";

/** The UI language, for data that carries names in both (intents, sales actions). */
export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return isLocale(i18n.language) ? i18n.language : "en";
}
