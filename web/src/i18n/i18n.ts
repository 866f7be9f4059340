/**
 * i18next set up once, with both languages bundled (they are small, and switching must not wait
 * for the network). The language chosen before sign-in is remembered in this browser; once signed
 * in, the user's saved locale wins (see session-context.tsx).
 */
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import type { Locale } from "../api/types.ts";
import en from "./en.ts";
import zhCN from "./zh-CN.ts";

const storageKey = "calibrate.locale";

export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "zh-CN";
}

/** Remembered choice, else the browser's languages: any Chinese variant → zh-CN, otherwise English. */
export function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(storageKey);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be disabled; the browser's language still applies.
  }
  const preferred =
    typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);
  for (const language of preferred) {
    const lower = language.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "zh-CN";
}

export function currentLocale(): Locale {
  return isLocale(i18next.language) ? i18next.language : "en";
}

/** Switches the UI language now and remembers it in this browser. */
export async function applyLocale(locale: Locale): Promise<void> {
  try {
    localStorage.setItem(storageKey, locale);
  } catch {
    // Not remembered; the server-side preference still is, when signed in.
  }
  document.documentElement.lang = locale;
  if (i18next.language !== locale) await i18next.changeLanguage(locale);
}

export function initialiseI18n(): typeof i18next {
  const locale = initialLocale();
  document.documentElement.lang = locale;
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
    lng: locale,
    fallbackLng: "en",
    // React escapes output already.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return i18next;
}
