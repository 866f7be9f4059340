/** The follow-up e-mail draft: subject and body from the template, copy (C) and open in the mail app (M). */
import { useTranslation } from "react-i18next";
import { KeyCombination } from "../../components/key-combination.tsx";
import { useHotkeys } from "../../hotkeys/hotkeys-context.tsx";
import type { FollowUpEmail } from "../../../../core/follow-up/follow-up-email.ts";

export function FollowUpEmailCard({
  email,
  mailto,
  onCopy,
}: {
  email: FollowUpEmail;
  mailto: string;
  onCopy(): void;
}) {
  const { t } = useTranslation();
  const { bindings } = useHotkeys();
  return (
    <section
      className="panel"
      aria-labelledby="follow-up-email-title"
      data-testid="follow-up-email"
    >
      <div className="section-header section-header--tight">
        <h2 className="panel__title" id="follow-up-email-title">
          {t("repCall.email.title")}
        </h2>
        {email.source === "agent" ? (
          <span className="badge badge--accent" data-testid="email-source">
            {t("agents.email.agent")}
          </span>
        ) : (
          <span className="badge badge--neutral" data-testid="email-source">
            {t("repCall.email.template")}
          </span>
        )}
      </div>
      <p className="muted small">{email.source === "agent" ? t("agents.email.agentNote") : t("repCall.email.templateNote")}</p>
      <p className="call-email__subject" data-testid="email-subject">
        <span className="muted">{t("repCall.email.subject")}</span> {email.subject}
      </p>
      <pre className="call-email__body" data-testid="email-body">
        {email.body}
      </pre>
      <div className="toolbar">
        <button
          type="button"
          className="button button--primary"
          onClick={onCopy}
          data-testid="copy-email"
        >
          {t("repCall.email.copy")} <KeyCombination value={bindings["review:copy-email"]} />
        </button>
        <a className="button" href={mailto} data-testid="open-mail">
          {t("repCall.email.open")} <KeyCombination value={bindings["review:open-mail"]} />
        </a>
      </div>
    </section>
  );
}
