import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../api/client.ts";
import { describeError } from "../components/error-message.tsx";
import { LanguageSwitch } from "../components/language-switch.tsx";
import { useSession } from "../session/session-context.tsx";

/** Shown for any address while signed out; after signing in, that address opens. */
export function SignInPage({ expired }: { expired: boolean }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [setupNeeded, setSetupNeeded] = useState(false);

  useEffect(() => {
    api
      .get<{ needed: boolean }>("/api/setup")
      .then((response) => setSetupNeeded(response.needed))
      .catch(() => undefined);
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? t("signIn.wrongCredentials")
          : describeError(caught, t),
      );
      setBusy(false);
    }
  }

  return (
    <div className="centered-page">
      <div className="centered-page__tools">
        <LanguageSwitch />
      </div>
      <form className="panel auth-card" onSubmit={submit} data-testid="sign-in-form">
        <div className="auth-card__brand">
          <span className="brand__mark" aria-hidden="true">
            ◎
          </span>
          <div>
            <div className="auth-card__name">{t("app.name")}</div>
            <div className="muted">{t("app.tagline")}</div>
          </div>
        </div>
        <h1>{t("signIn.title")}</h1>
        {expired && <p className="message message--info">{t("errors.sessionExpired")}</p>}
        {setupNeeded && <p className="message message--info">{t("signIn.setupNeeded")}</p>}
        <label className="field">
          <span className="field__label">{t("signIn.email")}</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            autoFocus
          />
        </label>
        <label className="field">
          <span className="field__label">{t("signIn.password")}</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error && (
          <p className="message message--error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? t("signIn.submitting") : t("signIn.submit")}
        </button>
      </form>
    </div>
  );
}
