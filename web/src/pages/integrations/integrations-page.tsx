/**
 * Integrations (admins; managers see the CSV import only): outbound webhooks with a test send, the
 * delivery log and resend; the inbound outcomes address and its signing secret; the outcome CSV
 * import. Secrets are shown once, when created.
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { ConfirmDialog } from "../../components/dialog.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import { CheckboxGroup } from "../../components/field.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { DeliveryLog } from "./delivery-log.tsx";
import { OutcomeImport } from "./outcome-import.tsx";
import type { Webhook, WebhookEventType, WebhookFormat } from "./types.ts";
import { webhookEventTypes, webhookFormats } from "./types.ts";
import "./integrations.css";

export default function IntegrationsPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  return (
    <section data-testid="integrations-page">
      <PageHeader title={t("integrations.title")} intro={t("integrations.intro")} />
      {user.role === "admin" && <Webhooks />}
      {user.role === "admin" && <InboundOutcomes />}
      <OutcomeImport />
    </section>
  );
}

function SecretOnce({ secret }: { secret: string }) {
  const { t } = useTranslation();
  return (
    <p className="message message--success integrations__secret" role="status" data-testid="secret-once">
      {t("integrations.secretOnce")} <code>{secret}</code>
    </p>
  );
}

function Webhooks() {
  const { t } = useTranslation();
  const resource = useResource<{ webhooks: Webhook[] }>("/api/webhooks");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [logVersion, setLogVersion] = useState(0);

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await resource.reload();
      setLogVersion((version) => version + 1);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div className="panel" data-testid="webhooks">
      <h2 className="panel__title">{t("integrations.webhooks")}</h2>
      <p className="muted small">{t("integrations.webhooksIntro")}</p>
      <CreateWebhook
        onCreated={(created) => {
          setSecret(created);
          void resource.reload();
        }}
      />
      {secret && <SecretOnce secret={secret} />}
      {(error ?? resource.error) !== null && <ErrorMessage error={error ?? resource.error} />}
      {resource.data && resource.data.webhooks.length === 0 && <p className="muted">{t("integrations.empty")}</p>}
      {resource.data?.webhooks.map((webhook) => (
        <article key={webhook.id} className="integrations__webhook" data-testid="webhook-row" data-name={webhook.name}>
          <header className="integrations__webhook-header">
            <div>
              <strong>{webhook.name}</strong>{" "}
              <span className={`badge ${webhook.enabled ? "badge--success" : "badge--neutral"}`}>
                {webhook.enabled ? t("integrations.enabled") : t("integrations.disabled")}
              </span>{" "}
              <span className="badge badge--accent">{t(`integrations.formats.${webhook.format}`)}</span>
              <div className="muted small integrations__url">{webhook.url}</div>
              <div className="small">
                {webhook.events.map((event) => t(`integrations.eventTypes.${event}`)).join(" · ")}
                {" — "}
                <span className="muted">{t("integrations.stats", { ...webhook.deliveries })}</span>
              </div>
            </div>
            <div className="integrations__actions">
              <button type="button" className="button button--small" data-testid="send-test" onClick={() => void act(() => api.post(`/api/webhooks/${webhook.id}/test`, {}))}>
                {t("integrations.test")}
              </button>
              <button type="button" className="button button--small" onClick={() => setOpen(open === webhook.id ? null : webhook.id)} data-testid="toggle-log">
                {open === webhook.id ? t("integrations.hideDeliveries") : t("integrations.deliveries")}
              </button>
              <button type="button" className="button button--small" onClick={() => void act(() => api.patch(`/api/webhooks/${webhook.id}`, { enabled: !webhook.enabled }))}>
                {webhook.enabled ? t("integrations.disable") : t("integrations.enable")}
              </button>
              {webhook.format === "json" && (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() =>
                    void act(async () => setSecret((await api.post<{ secret: string }>(`/api/webhooks/${webhook.id}/rotate-secret`, {})).secret))
                  }
                >
                  {t("integrations.rotate")}
                </button>
              )}
              <button type="button" className="button button--small button--danger-text" onClick={() => setDeleting(webhook)}>
                {t("common.delete")}
              </button>
            </div>
          </header>
          {open === webhook.id && <DeliveryLog webhookId={webhook.id} version={logVersion} onChanged={() => void resource.reload()} />}
        </article>
      ))}
      {deleting && (
        <ConfirmDialog
          title={t("integrations.confirmDelete.title")}
          body={t("integrations.confirmDelete.body", { name: deleting.name })}
          confirmLabel={t("integrations.confirmDelete.confirm")}
          onConfirm={() => act(() => api.delete(`/api/webhooks/${deleting.id}`))}
          onClose={() => setDeleting(null)}
        />
      )}
    </div>
  );
}

function CreateWebhook({ onCreated }: { onCreated(secret: string | null): void }) {
  const { t } = useTranslation();
  const empty = { name: "", url: "", format: "json" as WebhookFormat, secret: "", events: [...webhookEventTypes] as WebhookEventType[] };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<{ secret: string | null }>("/api/webhooks", {
        name: form.name,
        url: form.url,
        format: form.format,
        events: form.events,
        secret: form.format === "json" || !form.secret ? undefined : form.secret,
      });
      setForm(empty);
      onCreated(created.secret);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="integrations__create" data-testid="create-webhook">
      <summary>{t("integrations.add")}</summary>
      <form onSubmit={submit}>
        <div className="form-grid">
          <label className="field">
            <span className="field__label">{t("integrations.name")}</span>
            <input name="name" type="text" required maxLength={200} value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          </label>
          <label className="field">
            <span className="field__label">{t("integrations.url")}</span>
            <input name="url" type="text" inputMode="url" required placeholder="https://" value={form.url} onChange={(event) => setForm({ ...form, url: event.target.value })} />
          </label>
          <label className="field">
            <span className="field__label">{t("integrations.format")}</span>
            <select name="format" value={form.format} onChange={(event) => setForm({ ...form, format: event.target.value as WebhookFormat })}>
              {webhookFormats.map((format) => (
                <option key={format} value={format}>
                  {t(`integrations.formats.${format}`)}
                </option>
              ))}
            </select>
          </label>
          {form.format !== "json" && form.format !== "slack" && (
            <label className="field">
              <span className="field__label">
                {t("integrations.botSecret")} <span className="muted">({t("common.optional")})</span>
              </span>
              <input name="secret" type="text" value={form.secret} onChange={(event) => setForm({ ...form, secret: event.target.value })} autoComplete="off" />
              <span className="field__hint">{t("integrations.botSecretHint")}</span>
            </label>
          )}
        </div>
        <CheckboxGroup
          className="integrations__events"
          legend={t("integrations.events")}
          options={webhookEventTypes}
          checked={form.events}
          label={(type) => t(`integrations.eventTypes.${type}`)}
          onToggle={(type, checked) =>
            setForm({ ...form, events: checked ? [...form.events, type] : form.events.filter((existing) => existing !== type) })
          }
        />
        {error !== null && <ErrorMessage error={error} />}
        <button type="submit" className="button button--primary" disabled={busy || form.events.length === 0}>
          {busy ? t("integrations.creating") : t("integrations.create")}
        </button>
      </form>
    </details>
  );
}

function InboundOutcomes() {
  const { t } = useTranslation();
  const format = useFormatters();
  const resource = useResource<{ configured: boolean; createdAt: string | null; path: string }>("/api/outcomes/inbound-secret");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const status = resource.data;
  return (
    <div className="panel" data-testid="inbound-outcomes">
      <h2 className="panel__title">{t("integrations.inbound")}</h2>
      <p className="muted small">{t("integrations.inboundIntro")}</p>
      {status && (
        <>
          <p>
            {t("integrations.inboundUrl")}: <code data-testid="inbound-url">{`${window.location.origin}${status.path}`}</code>
          </p>
          <p className={status.configured ? "muted small" : "message message--info"}>
            {status.configured ? t("integrations.inboundConfigured", { date: format.dateTime(status.createdAt) }) : t("integrations.inboundMissing")}
          </p>
          <button
            type="button"
            className="button button--small"
            onClick={async () => {
              setError(null);
              try {
                setSecret((await api.post<{ secret: string }>("/api/outcomes/inbound-secret", {})).secret);
                await resource.reload();
              } catch (caught) {
                setError(caught);
              }
            }}
          >
            {status.configured ? t("integrations.rotateInboundSecret") : t("integrations.createInboundSecret")}
          </button>
        </>
      )}
      {secret && <SecretOnce secret={secret} />}
      {(error ?? resource.error) !== null && <ErrorMessage error={error ?? resource.error} />}
    </div>
  );
}
