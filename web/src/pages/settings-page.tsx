/**
 * The signed-in person's own settings: name, password, keyboard shortcuts, and personal API tokens;
 * for an admin also the workspace's profile (industry and products), which the day-one drafts use.
 */
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useLocationProperty } from "wouter/use-browser-location";
import { api } from "../api/client.ts";
import type { ApiToken, CurrentUser } from "../api/types.ts";
import { ErrorMessage } from "../components/error-message.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { ConfirmDialog } from "../components/dialog.tsx";
import { useFormatters } from "../i18n/format.ts";
import { useSession, useCurrentUser } from "../session/session-context.tsx";
import { HotkeySettings } from "./hotkey-settings.tsx";
import { PasswordSettings } from "./password-settings.tsx";

export default function SettingsPage() {
  const { t } = useTranslation();
  // Links such as "/settings#shortcuts" (from the ? dialog) or "/settings#workspace" (the Admin
  // menu) land on their section, also when Settings is already open.
  const hash = useLocationProperty(() => window.location.hash);
  useEffect(() => {
    const id = hash.slice(1);
    if (id) document.getElementById(id)?.scrollIntoView({ block: "start" });
  }, [hash]);
  return (
    <section data-testid="settings-page">
      <PageHeader title={t("settings.title")} />
      <ProfileSettings />
      <WorkspaceProfileSettings />
      <PasswordSettings />
      <HotkeySettings />
      <TokenSettings />
    </section>
  );
}

function ProfileSettings() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const { replaceUser } = useSession();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [state, setState] = useState<"idle" | "saving" | "saved">("idle");
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState("saving");
    setError(null);
    try {
      const response = await api.patch<{ user: CurrentUser }>("/api/me", { displayName });
      replaceUser({ ...user, displayName: response.user.displayName });
      setState("saved");
    } catch (caught) {
      setError(caught);
      setState("idle");
    }
  }

  return (
    <form className="panel" onSubmit={submit}>
      <h2 className="panel__title">{t("settings.profile")}</h2>
      <div className="inline-form">
        <label className="field">
          <span className="field__label">{t("settings.displayName")}</span>
          <input
            type="text"
            required
            maxLength={200}
            value={displayName}
            onChange={(event) => {
              setDisplayName(event.target.value);
              setState("idle");
            }}
          />
        </label>
        <button
          type="submit"
          className="button button--primary"
          disabled={
            state === "saving" || displayName.trim() === "" || displayName === user.displayName
          }
        >
          {state === "saving" ? t("common.saving") : t("common.save")}
        </button>
        {state === "saved" && (
          <span className="message message--success">{t("settings.saved")}</span>
        )}
      </div>
      {error !== null && <ErrorMessage error={error} />}
    </form>
  );
}

interface WorkspaceProfile {
  industry: string | null;
  products: string[];
}

/** Admins only: what the workspace sells, so the shipped talk tracks offered fit it. */
function WorkspaceProfileSettings() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const [industries, setIndustries] = useState<string[] | null>(null);
  const [industry, setIndustry] = useState("");
  const [products, setProducts] = useState("");
  const [state, setState] = useState<"idle" | "saving" | "saved">("idle");
  const [error, setError] = useState<unknown>(null);
  const isAdmin = user.role === "admin";

  useEffect(() => {
    if (!isAdmin) return;
    api
      .get<{ profile: WorkspaceProfile; industries: string[] }>("/api/workspace/profile")
      .then((response) => {
        setIndustries(response.industries);
        setIndustry(response.profile.industry ?? "");
        setProducts(response.profile.products.join("\n"));
      })
      .catch(setError);
  }, [isAdmin]);

  if (!isAdmin) return null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState("saving");
    setError(null);
    try {
      const response = await api.put<{ profile: WorkspaceProfile }>("/api/workspace/profile", {
        industry: industry === "" ? null : industry,
        products: products
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== ""),
      });
      setIndustry(response.profile.industry ?? "");
      setProducts(response.profile.products.join("\n"));
      setState("saved");
    } catch (caught) {
      setError(caught);
      setState("idle");
    }
  }

  return (
    <form className="panel" id="workspace" data-testid="workspace-profile" onSubmit={submit}>
      <h2 className="panel__title">{t("settings.workspace.title")}</h2>
      <p className="muted">{t("settings.workspace.intro")}</p>
      <div className="inline-form">
        <label className="field">
          <span className="field__label">{t("settings.workspace.industry")}</span>
          <select
            name="industry"
            value={industry}
            disabled={industries === null}
            onChange={(event) => {
              setIndustry(event.target.value);
              setState("idle");
            }}
          >
            <option value="">{t("settings.workspace.notDeclared")}</option>
            {(industries ?? []).map((id) => (
              <option key={id} value={id}>
                {t(`settings.workspace.industries.${id}`, { defaultValue: id })}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t("settings.workspace.products")}</span>
          <textarea
            name="products"
            rows={3}
            value={products}
            placeholder={t("settings.workspace.productsHint")}
            onChange={(event) => {
              setProducts(event.target.value);
              setState("idle");
            }}
          />
        </label>
        <button type="submit" className="button button--primary" disabled={state === "saving" || industries === null}>
          {state === "saving" ? t("common.saving") : t("common.save")}
        </button>
        {state === "saved" && <span className="message message--success">{t("settings.saved")}</span>}
      </div>
      {error !== null && <ErrorMessage error={error} />}
    </form>
  );
}

function TokenSettings() {
  const { t } = useTranslation();
  const format = useFormatters();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState("");
  const [expiresInDays, setExpiresInDays] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  useEffect(() => {
    api
      .get<{ tokens: ApiToken[] }>("/api/tokens")
      .then((response) => setTokens(response.tokens))
      .catch(setError);
  }, []);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const days = expiresInDays.trim() ? Number(expiresInDays) : null;
      const { token } = await api.post<{ token: ApiToken & { token: string } }>("/api/tokens", {
        name,
        expiresInDays: days,
      });
      const { token: value, ...listed } = token;
      setSecret(value);
      setTokens((current) => [listed, ...(current ?? [])]);
      setName("");
      setExpiresInDays("");
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section className="panel" id="tokens">
      <h2 className="panel__title">{t("settings.tokens.title")}</h2>
      <p className="muted">{t("settings.tokens.intro")}</p>
      <form className="inline-form" onSubmit={create}>
        <label className="field">
          <span className="field__label">{t("settings.tokens.name")}</span>
          <input
            type="text"
            required
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label className="field field--narrow">
          <span className="field__label">
            {t("settings.tokens.expiresInDays")}{" "}
            <span className="muted">({t("common.optional")})</span>
          </span>
          <input
            type="number"
            min={1}
            max={3650}
            value={expiresInDays}
            onChange={(event) => setExpiresInDays(event.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={!name.trim()}>
          {t("settings.tokens.create")}
        </button>
      </form>
      {secret && (
        <div className="message message--success">
          <p>{t("settings.tokens.created")}</p>
          <code className="secret">{secret}</code>
        </div>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {tokens && tokens.length === 0 && <p className="muted">{t("settings.tokens.empty")}</p>}
      {tokens && tokens.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("settings.tokens.name")}</th>
                <th scope="col">{t("settings.tokens.prefix")}</th>
                <th scope="col">{t("settings.tokens.lastUsed")}</th>
                <th scope="col">{t("settings.tokens.expires")}</th>
                <th scope="col" className="actions" />
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id}>
                  <td className="table__primary">{token.name}</td>
                  <td>
                    <code>{token.prefix}…</code>
                  </td>
                  <td>{format.dateTime(token.lastUsedAt)}</td>
                  <td>
                    {token.expiresAt ? format.date(token.expiresAt) : t("settings.tokens.never")}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button button--small button--danger-text"
                      onClick={() => setRevoking(token)}
                    >
                      {t("settings.tokens.revoke")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={t("settings.tokens.confirmRevoke.title")}
          body={t("settings.tokens.confirmRevoke.body", { name: revoking.name })}
          confirmLabel={t("settings.tokens.confirmRevoke.confirm")}
          onConfirm={async () => {
            await api.delete(`/api/tokens/${revoking.id}`);
            setTokens((current) => current?.filter((token) => token.id !== revoking.id) ?? current);
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
