/** The signed-in person changes their own password: the current one, then the new one twice. */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.ts";
import { ErrorMessage } from "../components/error-message.tsx";
import "./accounts.css";

export function PasswordSettings() {
  const { t } = useTranslation();
  const empty = { currentPassword: "", newPassword: "", repeat: "" };
  const [form, setForm] = useState(empty);
  const [state, setState] = useState<"idle" | "saving" | "saved">("idle");
  const [error, setError] = useState<unknown>(null);
  const mismatch = form.repeat !== "" && form.repeat !== form.newPassword;
  const set = (key: keyof typeof empty, value: string) => {
    setForm((current) => ({ ...current, [key]: value }));
    setState("idle");
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    setState("saving");
    setError(null);
    try {
      await api.post("/api/me/password", {
        currentPassword: form.currentPassword,
        newPassword: form.newPassword,
      });
      setForm(empty);
      setState("saved");
    } catch (caught) {
      setError(caught);
      setState("idle");
    }
  }

  return (
    <form
      className="panel"
      id="password"
      onSubmit={submit}
      data-testid="password-settings"
    >
      <h2 className="panel__title">{t("accounts.password.title")}</h2>
      <div className="form-grid">
        <label className="field">
          <span className="field__label">{t("accounts.password.current")}</span>
          <input
            type="password"
            name="currentPassword"
            required
            autoComplete="current-password"
            value={form.currentPassword}
            onChange={(event) => set("currentPassword", event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t("accounts.password.next")}</span>
          <input
            type="password"
            name="newPassword"
            required
            minLength={10}
            autoComplete="new-password"
            value={form.newPassword}
            onChange={(event) => set("newPassword", event.target.value)}
          />
          <span className="field__hint">{t("accounts.password.hint")}</span>
        </label>
        <label className="field">
          <span className="field__label">{t("accounts.password.repeat")}</span>
          <input
            type="password"
            name="repeatPassword"
            required
            autoComplete="new-password"
            aria-invalid={mismatch}
            value={form.repeat}
            onChange={(event) => set("repeat", event.target.value)}
          />
          {mismatch && (
            <span className="field__error">
              {t("accounts.password.mismatch")}
            </span>
          )}
        </label>
      </div>
      {error !== null && <ErrorMessage error={error} />}
      {state === "saved" && (
        <p className="message message--success" role="status">
          {t("accounts.password.changed")}
        </p>
      )}
      <button
        type="submit"
        className="button button--primary"
        disabled={state === "saving" || mismatch}
      >
        {state === "saving"
          ? t("accounts.password.changing")
          : t("accounts.password.change")}
      </button>
    </form>
  );
}
