/** The frame around every signed-in screen: who you are, where you can go, language and help. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "wouter";
import { useHotkeys } from "../hotkeys/hotkeys-context.tsx";
import { navigationFor, screens } from "../navigation.ts";
import { useSession } from "../session/session-context.tsx";
import { LanguageSwitch } from "./language-switch.tsx";
import { Toasts } from "./toasts.tsx";

export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { session, signOut } = useSession();
  const { openHelp } = useHotkeys();
  const [location, setLocation] = useLocation();
  if (session.status !== "signed-in") return null;
  const { user, teamName } = session;
  const isActive = (path: string) => location === path || location.startsWith(`${path}/`);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header className="topbar">
        <Link href="/recordings" className="brand">
          <span className="brand__mark" aria-hidden="true">
            ◎
          </span>
          {t("app.name")}
        </Link>
        <nav className="topbar__nav" aria-label={t("nav.label")} data-testid="main-navigation">
          {navigationFor(user.role).map((screen) => (
            <Link
              key={screen.path}
              href={screen.path}
              className={`nav-link ${isActive(screen.path) ? "nav-link--active" : ""}`}
              aria-current={isActive(screen.path) ? "page" : undefined}
            >
              {t(screen.label)}
            </Link>
          ))}
        </nav>
        <div className="topbar__tools">
          <LanguageSwitch />
          <button
            type="button"
            className="button button--ghost button--icon"
            onClick={openHelp}
            title={t("header.shortcuts")}
            aria-label={t("header.shortcuts")}
            data-testid="open-shortcuts"
          >
            ?
          </button>
          <div
            className="account"
            data-testid="account"
            aria-label={t("header.account", { name: user.displayName })}
          >
            <span className="account__name">{user.displayName}</span>
            <span className="account__meta">
              <span data-testid="account-role">{t(`roles.${user.role}`)}</span>
              {teamName && <span data-testid="account-team"> · {teamName}</span>}
            </span>
          </div>
          <Link
            href={screens.settings.path}
            className={`nav-link ${isActive(screens.settings.path) ? "nav-link--active" : ""}`}
          >
            {t("nav.settings")}
          </Link>
          <button
            type="button"
            className="button button--ghost"
            data-testid="sign-out"
            onClick={async () => {
              await signOut().catch(() => undefined);
              setLocation("/sign-in");
            }}
          >
            {t("header.signOut")}
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <Toasts />
    </div>
  );
}
