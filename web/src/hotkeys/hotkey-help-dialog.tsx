/** The `?` dialog: every action from the registry, grouped by where it works, in the UI language. */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { Dialog } from "../components/dialog.tsx";
import { KeyCombination } from "../components/key-combination.tsx";
import { isLocale } from "../i18n/i18n.ts";
import type { KeyBindings } from "./registry.ts";
import { hotkeyActions, hotkeyScopes } from "./registry.ts";

export default function HotkeyHelpDialog({
  bindings,
  onClose,
}: {
  bindings: KeyBindings;
  onClose(): void;
}) {
  const { t, i18n } = useTranslation();
  const locale = isLocale(i18n.language) ? i18n.language : "en";
  return (
    <Dialog title={t("hotkeys.title")} onClose={onClose} size="medium" testId="hotkey-help">
      <p className="muted">{t("hotkeys.hint")}</p>
      {hotkeyScopes.map((scope) => (
        <section key={scope} className="hotkey-group">
          <h3>{t(`hotkeys.scopes.${scope}`)}</h3>
          <dl className="hotkey-list">
            {hotkeyActions
              .filter((action) => action.scope === scope)
              .map((action) => (
                <div key={action.id} className="hotkey-list__row" data-action={action.id}>
                  <dt>{action.description[locale]}</dt>
                  <dd>
                    <KeyCombination value={bindings[action.id]} />
                  </dd>
                </div>
              ))}
          </dl>
        </section>
      ))}
      <p>
        <Link href="/settings#shortcuts" onClick={onClose}>
          {t("hotkeys.customise")}
        </Link>
      </p>
    </Dialog>
  );
}
