/**
 * First run: while the database has no users, the holder of the one-time token that `npm start`
 * printed (`/setup?token=…`) creates the first administrator, and is then signed in.
 */
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearch } from "wouter";
import { api } from "../api/client.ts";
import { ErrorMessage } from "../components/error-message.tsx";
import { LanguageSwitch } from "../components/language-switch.tsx";
import { currentLocale } from "../i18n/i18n.ts";
import { useSession } from "../session/session-context.tsx";

export default function SetupPage() {
  const { t } = useTranslation();
  const { session, signIn } = useSession();
  const [, setLocation] = useLocation();
  const token = new URLSearchParams(useSearch()).get("token") ?? "";
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [teamName, setTeamName] = useState(() => t("setup.teamNameDefault"));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api
      .get<{ needed: boolean }>("/api/setup")
      .then((response) => setNeeded(response.needed))
      .catch((caught: unknown) => {
        setNeeded(false);
        setError(caught);
      });
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const locale = currentLocale();
      await api.post("/api/setup", {
        token,
        email,
        password,
        displayName: displayName || undefined,
        teamName,
        locale,
      });
      await signIn(email, password);
      setLocation("/recordings", { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  const body = (() => {
    if (needed === null) return <p>{t("common.loading")}</p>;
    if (!needed || session.status === "signed-in") {
      return (
        <>
          <p className="message message--info">{t("setup.notNeeded")}</p>
          <Link
            href={session.status === "signed-in" ? "/recordings" : "/sign-in"}
            className="button button--primary"
          >
            {t("setup.goToSignIn")}
          </Link>
        </>
      );
    }
    if (!token) return <p className="message message--error">{t("setup.missingToken")}</p>;
    return (
      <form onSubmit={submit} data-testid="setup-form">
        <p className="muted">{t("setup.intro")}</p>
        <label className="field">
          <span className="field__label">{t("setup.email")}</span>
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">
            {t("setup.displayName")} <span className="muted">({t("common.optional")})</span>
          </span>
          <input
            type="text"
            autoComplete="name"
            value={displayName}
            maxLength={200}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t("setup.password")}</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <span className="field__hint">{t("setup.passwordHint")}</span>
        </label>
        <label className="field">
          <span className="field__label">{t("setup.teamName")}</span>
          <input
            type="text"
            required
            maxLength={200}
            value={teamName}
            onChange={(event) => setTeamName(event.target.value)}
          />
        </label>
        {error !== null && <ErrorMessage error={error} />}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? t("setup.submitting") : t("setup.submit")}
        </button>
      </form>
    );
  })();

  return (
    <div className="centered-page">
      <div className="centered-page__tools">
        <LanguageSwitch />
      </div>
      <section className="panel auth-card">
        <div className="auth-card__brand">
          <span className="brand__mark" aria-hidden="true">
            ◎
          </span>
          <div>
            <div className="auth-card__name">{t("app.name")}</div>
            <div className="muted">{t("app.tagline")}</div>
          </div>
        </div>
        <h1>{t("setup.title")}</h1>
        {body}
      </section>
    </div>
  );
}
