/** Admins: editing a person (name, role, team) and resetting their password to a temporary one. */
import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.ts";
import { roles } from "../api/types.ts";
import type { ManagedUser, Role, Team } from "../api/types.ts";
import { Dialog } from "../components/dialog.tsx";
import { ErrorMessage } from "../components/error-message.tsx";
import { TeamOptions } from "./teams-panel.tsx";

export function EditUserDialog({
  user,
  teams,
  isMe,
  onSaved,
  onClose,
}: {
  user: ManagedUser;
  teams: Team[];
  isMe: boolean;
  onSaved(user: ManagedUser): void;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    displayName: user.displayName,
    role: user.role,
    teamId: user.teamId,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const formId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user: saved } = await api.patch<{ user: ManagedUser }>(
        `/api/users/${user.id}`,
        {
          displayName: form.displayName,
          teamId: form.teamId,
          ...(isMe ? {} : { role: form.role }),
        },
      );
      onSaved(saved);
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t("accounts.edit.title", { name: user.displayName })}
      onClose={onClose}
      size="medium"
      testId="edit-user-dialog"
      footer={
        <>
          <button
            type="button"
            className="button"
            onClick={onClose}
            disabled={busy}
          >
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            form={formId}
            className="button button--primary"
            disabled={busy || !form.displayName.trim()}
          >
            {t("accounts.edit.save")}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit}>
        <div className="form-grid">
          <label className="field">
            <span className="field__label">{t("users.displayName")}</span>
            <input
              type="text"
              name="displayName"
              required
              maxLength={200}
              data-autofocus
              value={form.displayName}
              onChange={(event) =>
                setForm({ ...form, displayName: event.target.value })
              }
            />
          </label>
          <label className="field">
            <span className="field__label">{t("users.role")}</span>
            <select
              name="role"
              value={form.role}
              disabled={isMe}
              onChange={(event) =>
                setForm({ ...form, role: event.target.value as Role })
              }
            >
              {roles.map((role) => (
                <option key={role} value={role}>
                  {t(`roles.${role}`)}
                </option>
              ))}
            </select>
            {isMe && (
              <span className="field__hint">{t("accounts.edit.ownRole")}</span>
            )}
          </label>
          <label className="field">
            <span className="field__label">{t("users.team")}</span>
            <select
              name="teamId"
              value={form.teamId}
              onChange={(event) =>
                setForm({ ...form, teamId: event.target.value })
              }
            >
              <TeamOptions teams={teams} />
            </select>
          </label>
        </div>
        {error !== null && <ErrorMessage error={error} />}
      </form>
    </Dialog>
  );
}

/** Confirm, then show the temporary password once, with a copy button. */
export function ResetPasswordDialog({
  user,
  onClose,
}: {
  user: ManagedUser;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const [temporary, setTemporary] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);

  async function reset() {
    setBusy(true);
    setError(null);
    try {
      const response = await api.post<{ temporaryPassword: string }>(
        `/api/users/${user.id}/password-reset`,
      );
      setTemporary(response.temporaryPassword);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  if (!temporary) {
    return (
      <Dialog
        title={t("accounts.reset.confirmTitle", { name: user.displayName })}
        onClose={onClose}
        testId="confirm-dialog"
        footer={
          <>
            <button
              type="button"
              className="button"
              onClick={onClose}
              disabled={busy}
            >
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => void reset()}
            >
              {t("accounts.reset.confirm")}
            </button>
          </>
        }
      >
        <p>{t("accounts.reset.confirmBody")}</p>
        {error !== null && <ErrorMessage error={error} />}
      </Dialog>
    );
  }
  return (
    <Dialog
      title={t("accounts.reset.doneTitle", { name: user.displayName })}
      onClose={onClose}
      testId="temporary-password-dialog"
      footer={
        <button
          type="button"
          className="button button--primary"
          onClick={onClose}
        >
          {t("accounts.reset.close")}
        </button>
      }
    >
      <p>{t("accounts.reset.doneBody")}</p>
      <p className="inline-form">
        <code className="secret" data-testid="temporary-password">
          {temporary}
        </code>
        <button
          type="button"
          className="button button--small"
          onClick={() =>
            void navigator.clipboard
              ?.writeText(temporary)
              .then(() => setCopied(true))
              .catch(() => undefined)
          }
        >
          {copied ? t("accounts.reset.copied") : t("accounts.reset.copy")}
        </button>
      </p>
    </Dialog>
  );
}
