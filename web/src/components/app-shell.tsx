/** The frame around every signed-in screen: who you are, where you can go, language and help. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "wouter";
import { useHotkeys } from "../hotkeys/hotkeys-context.tsx";
import { navigationFor, screens } from "../navigation.ts";
import type { Screen } from "../navigation.ts";
import { useSession } from "../session/session-context.tsx";
import { DisclosureMenu } from "./disclosure-menu.tsx";
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
  const navigation = navigationFor(user.role);

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
          {navigation.links.map((screen) => (
            <NavigationLink key={screen.path} screen={screen} active={isActive(screen.path)} />
          ))}
          {navigation.adminMenu.length > 0 && (
            <DisclosureMenu
              label={t("nav.admin")}
              active={navigation.adminMenu.some((screen) => isActive(screen.path))}
              testId="admin-menu"
            >
              <ul className="disclosure-menu__list">
                {navigation.adminMenu.map((screen) => (
                  <li key={screen.path}>
                    <NavigationLink screen={screen} active={isActive(screen.path)} />
                  </li>
                ))}
              </ul>
            </DisclosureMenu>
          )}
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
          {/* Who you are, your settings and signing out: one button, so the links fit on one line. */}
          <DisclosureMenu
            label={<span className="account__name">{user.displayName}</span>}
            accessibleLabel={t("header.account", { name: user.displayName })}
            active={isActive(screens.settings.path)}
            align="end"
            className="account"
            testId="account"
          >
            <p className="account__meta">
              <span data-testid="account-role">{t(`roles.${user.role}`)}</span>
              {teamName && <span data-testid="account-team"> · {teamName}</span>}
            </p>
            <ul className="disclosure-menu__list">
              <li>
                <NavigationLink
                  screen={screens.settings}
                  active={isActive(screens.settings.path)}
                />
              </li>
              <li>
                <button
                  type="button"
                  className="nav-link"
                  data-testid="sign-out"
                  onClick={async () => {
                    await signOut().catch(() => undefined);
                    setLocation("/sign-in");
                  }}
                >
                  {t("header.signOut")}
                </button>
              </li>
            </ul>
          </DisclosureMenu>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <Toasts />
    </div>
  );
}

function NavigationLink({ screen, active }: { screen: Screen; active: boolean }) {
  const { t } = useTranslation();
  return (
    <Link
      href={screen.path}
      className={`nav-link ${active ? "nav-link--active" : ""}`}
      aria-current={active ? "page" : undefined}
    >
      {t(screen.label)}
    </Link>
  );
}
