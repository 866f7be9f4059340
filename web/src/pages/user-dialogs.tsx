/** Admins: editing a person (name, role, team) and resetting their password to a temporary one. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.ts";
import { roles } from "../api/types.ts";
import type { ManagedUser, Role, Team } from "../api/types.ts";
import { Dialog, FormDialog } from "../components/dialog.tsx";
import { Field } from "../components/field.tsx";
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

  async function save() {
    const { user: saved } = await api.patch<{ user: ManagedUser }>(`/api/users/${user.id}`, {
      displayName: form.displayName,
      teamId: form.teamId,
      ...(isMe ? {} : { role: form.role }),
    });
    onSaved(saved);
    onClose();
  }

  return (
    <FormDialog
      title={t("accounts.edit.title", { name: user.displayName })}
      submitLabel={t("accounts.edit.save")}
      canSubmit={form.displayName.trim() !== ""}
      onSubmit={save}
      onClose={onClose}
      size="medium"
      testId="edit-user-dialog"
    >
      <div className="form-grid">
        <Field label={t("users.displayName")}>
          <input
            type="text"
            name="displayName"
            required
            maxLength={200}
            data-autofocus
            value={form.displayName}
            onChange={(event) => setForm({ ...form, displayName: event.target.value })}
          />
        </Field>
        <Field label={t("users.role")} hint={isMe ? t("accounts.edit.ownRole") : undefined}>
          <select
            name="role"
            value={form.role}
            disabled={isMe}
            onChange={(event) => setForm({ ...form, role: event.target.value as Role })}
          >
            <RoleOptions />
          </select>
        </Field>
        <Field label={t("users.team")}>
          <select
            name="teamId"
            value={form.teamId}
            onChange={(event) => setForm({ ...form, teamId: event.target.value })}
          >
            <TeamOptions teams={teams} />
          </select>
        </Field>
      </div>
    </FormDialog>
  );
}

/** Confirm, then show the temporary password once, with a copy button. */
export function ResetPasswordDialog({ user, onClose }: { user: ManagedUser; onClose(): void }) {
  const { t } = useTranslation();
  const [temporary, setTemporary] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  // Confirmed, the dialog stays open to show the temporary password.
  if (!temporary) {
    return (
      <FormDialog
        title={t("accounts.reset.confirmTitle", { name: user.displayName })}
        submitLabel={t("accounts.reset.confirm")}
        danger
        onSubmit={async () => {
          const response = await api.post<{ temporaryPassword: string }>(
            `/api/users/${user.id}/password-reset`,
          );
          setTemporary(response.temporaryPassword);
        }}
        onClose={onClose}
        testId="confirm-dialog"
      >
        <p>{t("accounts.reset.confirmBody")}</p>
      </FormDialog>
    );
  }
  return (
    <Dialog
      title={t("accounts.reset.doneTitle", { name: user.displayName })}
      onClose={onClose}
      testId="temporary-password-dialog"
      footer={
        <button type="button" className="button button--primary" onClick={onClose}>
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

/** Every role as an option, in the UI's language. */
export function RoleOptions() {
  const { t } = useTranslation();
  return (
    <>
      {roles.map((role) => (
        <option key={role} value={role}>
          {t(`roles.${role}`)}
        </option>
      ))}
    </>
  );
}
