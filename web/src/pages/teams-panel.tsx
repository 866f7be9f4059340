/** Admins: the workspace's teams as a tree, adding one (at the top or inside another) and renaming. */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.ts";
import type { ManagedUser, Team } from "../api/types.ts";
import { ErrorMessage } from "../components/error-message.tsx";
import "./accounts.css";

/** Depth below the workspace root, from the team's materialised path ('/a/b/' → 1). */
export function depthOf(team: Team): number {
  return Math.max(0, team.path.split("/").filter(Boolean).length - 1);
}

/** Options for a team <select>, indented by depth (teams arrive ordered by path, so parents first). */
export function TeamOptions({ teams }: { teams: Team[] }) {
  return (
    <>
      {teams.map((team) => (
        <option key={team.id} value={team.id}>
          {"\u00a0\u00a0".repeat(depthOf(team))}
          {team.name}
        </option>
      ))}
    </>
  );
}

export function TeamsPanel({
  teams,
  users,
  onChanged,
}: {
  teams: Team[];
  users: ManagedUser[];
  onChanged(team: Team): void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [parentId, setParentId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(
    null,
  );
  const people = (teamId: string) =>
    users.filter((user) => user.teamId === teamId).length;

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const { team } = await api.post<{ team: Team }>("/api/teams", {
        name,
        parentId: parentId || null,
      });
      onChanged(team);
      setCreated(team.name);
      setName("");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function rename(event: FormEvent) {
    event.preventDefault();
    if (!renaming) return;
    setError(null);
    try {
      const { team } = await api.patch<{ team: Team }>(
        `/api/teams/${renaming.id}`,
        {
          name: renaming.name,
        },
      );
      onChanged(team);
      setRenaming(null);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <details className="panel create-user" data-testid="teams-panel">
      <summary className="panel__title">{t("accounts.teams.title")}</summary>
      <p className="muted">{t("accounts.teams.intro")}</p>
      <ul className="team-tree" data-testid="team-tree">
        {teams.map((team) => (
          <li
            key={team.id}
            data-testid="team-row"
            data-name={team.name}
            style={{ paddingInlineStart: `${depthOf(team) * 1.5}rem` }}
          >
            {renaming?.id === team.id ? (
              <form className="inline-form" onSubmit={rename}>
                <label className="field">
                  <span className="visually-hidden">
                    {t("accounts.teams.name")}
                  </span>
                  <input
                    type="text"
                    required
                    maxLength={200}
                    value={renaming.name}
                    autoFocus
                    onChange={(event) =>
                      setRenaming({ id: team.id, name: event.target.value })
                    }
                  />
                </label>
                <button
                  type="submit"
                  className="button button--small button--primary"
                >
                  {t("accounts.teams.save")}
                </button>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => setRenaming(null)}
                >
                  {t("accounts.teams.cancel")}
                </button>
              </form>
            ) : (
              <>
                <span className="table__primary">{team.name}</span>{" "}
                <span className="muted">
                  {t("accounts.teams.people", { count: people(team.id) })}
                </span>{" "}
                <button
                  type="button"
                  className="button button--small button--ghost"
                  onClick={() => setRenaming({ id: team.id, name: team.name })}
                >
                  {t("accounts.teams.rename")}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={create}>
        <label className="field">
          <span className="field__label">{t("accounts.teams.name")}</span>
          <input
            type="text"
            name="teamName"
            required
            maxLength={200}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t("accounts.teams.parent")}</span>
          <select
            name="parentId"
            value={parentId}
            onChange={(event) => setParentId(event.target.value)}
          >
            <option value="">{t("accounts.teams.topLevel")}</option>
            <TeamOptions teams={teams} />
          </select>
        </label>
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || !name.trim()}
        >
          {t("accounts.teams.create")}
        </button>
      </form>
      {created && (
        <p className="message message--success" role="status">
          {t("accounts.teams.created", { name: created })}
        </p>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </details>
  );
}
