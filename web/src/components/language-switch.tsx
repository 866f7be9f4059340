import { useState } from "react";
import { useTranslation } from "react-i18next";
import { locales } from "../api/types.ts";
import type { Locale } from "../api/types.ts";
import { isLocale } from "../i18n/i18n.ts";
import { useSession } from "../session/session-context.tsx";

/** Switches the UI language; when signed in the choice is saved to the profile (`PATCH /api/me`). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { changeLocale } = useSession();
  const [failed, setFailed] = useState(false);
  return (
    <label className="language-switch" title={failed ? t("errors.network") : undefined}>
      <span className="visually-hidden">{t("header.language")}</span>
      <select
        value={i18n.language}
        data-testid="language-switch"
        aria-label={t("header.language")}
        onChange={(event) => {
          const locale = event.target.value;
          if (!isLocale(locale)) return;
          setFailed(false);
          changeLocale(locale as Locale).catch(() => setFailed(true));
        }}
      >
        {locales.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {t(`languages.${locale}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
