/**
 * Admins: everyone in the workspace and the teams they belong to — adding a user or a team, editing
 * a person (name, role, team), resetting a password, disabling and re-enabling.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.ts";
import { locales } from "../api/types.ts";
import type { Locale, ManagedUser, Role, Team } from "../api/types.ts";
import { ConfirmDialog } from "../components/dialog.tsx";
import { ErrorMessage } from "../components/error-message.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { currentLocale } from "../i18n/i18n.ts";
import { useFormatters } from "../i18n/format.ts";
import { useCurrentUser } from "../session/session-context.tsx";
import { TeamOptions, TeamsPanel } from "./teams-panel.tsx";
import { EditUserDialog, ResetPasswordDialog, RoleOptions } from "./user-dialogs.tsx";

export default function UsersPage() {
  const { t } = useTranslation();
  const format = useFormatters();
  const me = useCurrentUser();
  const [users, setUsers] = useState<ManagedUser[] | null>(null);
  const [teams, setTeams] = useState<Team[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [disabling, setDisabling] = useState<ManagedUser | null>(null);
  const [editing, setEditing] = useState<ManagedUser | null>(null);
  const [resetting, setResetting] = useState<ManagedUser | null>(null);

  const load = useCallback(async () => {
    try {
      const [usersResponse, teamsResponse] = await Promise.all([
        api.get<{ users: ManagedUser[] }>("/api/users"),
        api.get<{ teams: Team[] }>("/api/teams"),
      ]);
      setUsers(usersResponse.users);
      setTeams(teamsResponse.teams);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const teamNames = useMemo(() => new Map(teams.map((team) => [team.id, team.name])), [teams]);

  function replaceUser(updated: ManagedUser) {
    setUsers(
      (current) =>
        current?.map((existing) => (existing.id === updated.id ? updated : existing)) ?? current,
    );
  }

  async function setDisabled(user: ManagedUser, disabled: boolean) {
    const { user: updated } = await api.patch<{ user: ManagedUser }>(`/api/users/${user.id}`, {
      disabled,
    });
    replaceUser(updated);
  }

  function replaceTeam(team: Team) {
    setTeams((current) =>
      [...current.filter((existing) => existing.id !== team.id), team].sort((a, b) =>
        a.path.localeCompare(b.path),
      ),
    );
  }

  return (
    <section data-testid="users-page">
      <PageHeader title={t("users.title")} intro={t("users.intro")} />
      <TeamsPanel teams={teams} users={users ?? []} onChanged={replaceTeam} />
      <CreateUserForm
        teams={teams}
        onCreated={(user) => setUsers((current) => [...(current ?? []), user])}
      />
      {error !== null && <ErrorMessage error={error} />}
      {users && (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">{t("users.columns.name")}</th>
                <th scope="col">{t("users.columns.email")}</th>
                <th scope="col">{t("users.columns.role")}</th>
                <th scope="col">{t("users.columns.team")}</th>
                <th scope="col">{t("users.columns.status")}</th>
                <th scope="col">{t("users.columns.created")}</th>
                <th scope="col" className="actions">
                  <span className="visually-hidden">{t("users.columns.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr
                  key={user.id}
                  data-testid="user-row"
                  data-email={user.email}
                  className={user.disabled ? "row--muted" : ""}
                >
                  <td className="table__primary">
                    {user.displayName}
                    {user.id === me.id && <span className="muted"> ({t("users.you")})</span>}
                  </td>
                  <td>{user.email}</td>
                  <td>{t(`roles.${user.role}`)}</td>
                  <td>{teamNames.get(user.teamId) ?? t("common.none")}</td>
                  <td>
                    <span
                      className={`badge ${user.disabled ? "badge--neutral" : "badge--success"}`}
                    >
                      {user.disabled ? t("users.disabled") : t("users.active")}
                    </span>
                  </td>
                  <td className="nowrap">{format.date(user.createdAt)}</td>
                  <td className="actions nowrap">
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      onClick={() => setEditing(user)}
                      data-testid="edit-user"
                    >
                      {t("accounts.edit.button")}
                    </button>
                    {user.id !== me.id && !user.disabled && (
                      <button
                        type="button"
                        className="button button--small button--ghost"
                        onClick={() => setResetting(user)}
                        data-testid="reset-password"
                      >
                        {t("accounts.reset.button")}
                      </button>
                    )}
                    {user.id !== me.id &&
                      (user.disabled ? (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => void setDisabled(user, false).catch(setError)}
                        >
                          {t("users.enable")}
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="button button--small button--danger-text"
                          onClick={() => setDisabling(user)}
                          data-testid="disable-user"
                        >
                          {t("users.disable")}
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {disabling && (
        <ConfirmDialog
          title={t("users.confirmDisable.title")}
          body={t("users.confirmDisable.body", { name: disabling.displayName })}
          confirmLabel={t("users.confirmDisable.confirm")}
          onConfirm={() => setDisabled(disabling, true)}
          onClose={() => setDisabling(null)}
        />
      )}
      {editing && (
        <EditUserDialog
          user={editing}
          teams={teams}
          isMe={editing.id === me.id}
          onSaved={replaceUser}
          onClose={() => setEditing(null)}
        />
      )}
      {resetting && <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />}
    </section>
  );
}

function CreateUserForm({
  teams,
  onCreated,
}: {
  teams: Team[];
  onCreated(user: ManagedUser): void;
}) {
  const { t } = useTranslation();
  const empty = {
    email: "",
    displayName: "",
    role: "rep" as Role,
    teamId: "",
    password: "",
    locale: currentLocale() as Locale,
  };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const teamId = form.teamId || teams[0]?.id || "";
  const set = <Key extends keyof typeof form>(key: Key, value: (typeof form)[Key]) =>
    setForm((current) => ({ ...current, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const { user } = await api.post<{ user: ManagedUser }>("/api/users", {
        email: form.email,
        displayName: form.displayName || undefined,
        role: form.role,
        teamId,
        password: form.password,
        locale: form.locale,
      });
      onCreated(user);
      setCreated(user.email);
      setForm({ ...empty, role: form.role, teamId: form.teamId, locale: form.locale });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="panel create-user" data-testid="create-user">
      <summary className="panel__title">{t("users.createTitle")}</summary>
      <form onSubmit={submit}>
        <div className="form-grid">
          <label className="field">
            <span className="field__label">{t("users.email")}</span>
            <input
              type="email"
              name="email"
              required
              value={form.email}
              onChange={(event) => set("email", event.target.value)}
              autoComplete="off"
            />
          </label>
          <label className="field">
            <span className="field__label">
              {t("users.displayName")} <span className="muted">({t("common.optional")})</span>
            </span>
            <input
              type="text"
              name="displayName"
              maxLength={200}
              value={form.displayName}
              onChange={(event) => set("displayName", event.target.value)}
              autoComplete="off"
            />
          </label>
          <label className="field">
            <span className="field__label">{t("users.role")}</span>
            <select
              name="role"
              value={form.role}
              onChange={(event) => set("role", event.target.value as Role)}
            >
              <RoleOptions />
            </select>
          </label>
          <label className="field">
            <span className="field__label">{t("users.team")}</span>
            <select
              name="teamId"
              value={teamId}
              onChange={(event) => set("teamId", event.target.value)}
              required
            >
              <TeamOptions teams={teams} />
            </select>
          </label>
          <label className="field">
            <span className="field__label">{t("users.password")}</span>
            <input
              type="password"
              name="password"
              required
              minLength={10}
              value={form.password}
              onChange={(event) => set("password", event.target.value)}
              autoComplete="new-password"
            />
            <span className="field__hint">{t("users.passwordHint")}</span>
          </label>
          <label className="field">
            <span className="field__label">{t("users.locale")}</span>
            <select
              name="locale"
              value={form.locale}
              onChange={(event) => set("locale", event.target.value as Locale)}
            >
              {locales.map((locale) => (
                <option key={locale} value={locale}>
                  {t(`languages.${locale}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {error !== null && <ErrorMessage error={error} />}
        {created && (
          <p className="message message--success" role="status">
            {t("users.created", { email: created })}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy || !teamId}>
          {busy ? t("users.creating") : t("users.create")}
        </button>
      </form>
    </details>
  );
}
