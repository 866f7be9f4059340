/**
 * Model connectors (admins): the OpenAI-compatible endpoints agents call. Each one shows its
 * endpoint, key hint (never the key), models, limits, prices and whether it may receive unredacted
 * text; "Test connection" shows the latency and the model's answer or the exact error; "Fetch
 * models" reads the endpoint's list; edit, turn off/on, and the audit of who changed what.
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import type { Connector, ConnectorAuditEntry, ConnectorPresetId, ConnectorPurpose, ConnectorTestResult, ModelListResult } from "./types.ts";
import { connectorPresets, connectorPurposes } from "./types.ts";
import "./connectors.css";

export default function ConnectorsPage() {
  const { t } = useTranslation();
  const resource = useResource<{ connectors: Connector[] }>("/api/connectors");
  const [adding, setAdding] = useState(false);
  return (
    <section data-testid="connectors-page">
      <PageHeader title={t("connectors.title")} intro={t("connectors.intro")} />
      <div className="panel">
        <details className="connectors__create" data-testid="create-connector" open={adding} onToggle={(event) => setAdding(event.currentTarget.open)}>
          <summary>{t("connectors.add")}</summary>
          <ConnectorForm
            onSaved={() => {
              setAdding(false);
              void resource.reload();
            }}
          />
        </details>
      </div>
      {resource.error !== null && <ErrorMessage error={resource.error} />}
      {resource.data && resource.data.connectors.length === 0 && <p className="muted">{t("connectors.empty")}</p>}
      {resource.data?.connectors.map((connector) => (
        <ConnectorCard key={connector.id} connector={connector} onChanged={() => void resource.reload()} />
      ))}
    </section>
  );
}

function ConnectorCard({ connector, onChanged }: { connector: Connector; onChanged(): void }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const [busy, setBusy] = useState<"test" | "models" | "switch" | null>(null);
  const [test, setTest] = useState<ConnectorTestResult | null>(null);
  const [models, setModels] = useState<ModelListResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [auditOpen, setAuditOpen] = useState(false);
  const [auditVersion, setAuditVersion] = useState(0);

  const act = async (kind: "test" | "models" | "switch", work: () => Promise<void>) => {
    setBusy(kind);
    setError(null);
    try {
      await work();
      setAuditVersion((version) => version + 1);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  return (
    <article className="panel connectors__card" data-testid="connector-row" data-name={connector.name}>
      <header className="connectors__header">
        <div>
          <h2 className="connectors__name">{connector.name}</h2>{" "}
          <span className={`badge ${connector.enabled ? "badge--success" : "badge--neutral"}`}>
            {connector.enabled ? t("connectors.enabled") : t("connectors.disabled")}
          </span>{" "}
          <span className="badge badge--accent">{t("connectors.kind")}</span>{" "}
          {connector.bootstrapSource && <span className="badge badge--warning">{t("connectors.bootstrap", { source: connector.bootstrapSource })}</span>}
          <div className="muted small connectors__url" data-testid="connector-base-url">
            {connector.baseUrl}
          </div>
        </div>
        <div className="connectors__actions">
          <button type="button" className="button button--small button--primary" data-testid="test-connector" disabled={busy !== null} onClick={() => void act("test", async () => {
            setTest(null);
            setTest((await api.post<{ result: ConnectorTestResult }>(`/api/connectors/${connector.id}/test`, {})).result);
          })}>
            {busy === "test" ? t("connectors.testing") : t("connectors.test")}
          </button>
          <button type="button" className="button button--small" data-testid="fetch-models" disabled={busy !== null} onClick={() => void act("models", async () => {
            const response = await api.post<{ result: ModelListResult }>(`/api/connectors/${connector.id}/models`, {});
            setModels(response.result);
            onChanged();
          })}>
            {busy === "models" ? t("connectors.fetching") : t("connectors.fetchModels")}
          </button>
          <button type="button" className="button button--small" data-testid="edit-connector" onClick={() => setEditing(!editing)}>
            {t("connectors.edit")}
          </button>
          <button type="button" className="button button--small" data-testid="switch-connector" disabled={busy !== null} onClick={() => void act("switch", async () => {
            await api.patch(`/api/connectors/${connector.id}`, { enabled: !connector.enabled });
            onChanged();
          })}>
            {connector.enabled ? t("connectors.disable") : t("connectors.enable")}
          </button>
          <button type="button" className="button button--small" data-testid="toggle-audit" onClick={() => setAuditOpen(!auditOpen)}>
            {auditOpen ? t("connectors.hideAudit") : t("connectors.audit")}
          </button>
        </div>
      </header>
      <dl className="connectors__facts">
        <div>
          <dt>{t("connectors.key")}</dt>
          <dd>
            <code data-testid="connector-key-hint">{connector.apiKeyHint ?? t("connectors.noKey")}</code>
          </dd>
        </div>
        <div>
          <dt>{t("connectors.purposes")}</dt>
          <dd>{connector.purposes.map((purpose) => t(`connectors.purpose.${purpose}`)).join(" · ")}</dd>
        </div>
        <div className="connectors__models">
          <dt>{t("connectors.models")}</dt>
          <dd data-testid="connector-models">
            {connector.models.map((model) => (
              <span key={model} className={`connectors__model${model === connector.defaultModel ? " connectors__model--default" : ""}`} title={model === connector.defaultModel ? t("connectors.defaultModel") : undefined}>
                {model}
              </span>
            ))}
          </dd>
        </div>
        <div>
          <dt>{t("connectors.concurrency")}</dt>
          <dd>{format.number(connector.maxConcurrency)}</dd>
        </div>
        <div>
          <dt>{t("connectors.timeout")}</dt>
          <dd>{t("connectors.milliseconds", { value: format.number(connector.timeoutMs) })}</dd>
        </div>
        <div>
          <dt>{t("connectors.prices")}</dt>
          <dd>{t("connectors.priceValue", { input: format.number(connector.priceInputPerMTokUsd), output: format.number(connector.priceOutputPerMTokUsd) })}</dd>
        </div>
        <div>
          <dt>{t("connectors.unredacted")}</dt>
          <dd>{connector.allowUnredacted ? t("connectors.yes") : t("connectors.no")}</dd>
        </div>
      </dl>
      {test && (
        <p className={`message ${test.ok ? "message--success" : "message--error"}`} role="status" data-testid="test-result" data-ok={String(test.ok)}>
          {test.ok
            ? t("connectors.testOk", { latency: format.number(test.latencyMs), model: test.model, answer: test.answer })
            : t("connectors.testFailed", { latency: format.number(test.latencyMs), error: test.error })}
        </p>
      )}
      {models && (
        <p className={`message ${models.ok ? "message--info" : "message--error"}`} role="status" data-testid="models-result">
          {models.ok ? t("connectors.modelsFetched", { count: models.models.length }) : t("connectors.modelsNotFetched", { error: models.error })}
        </p>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {editing && (
        <div className="connectors__edit">
          <ConnectorForm
            connector={connector}
            onSaved={() => {
              setEditing(false);
              setAuditVersion((version) => version + 1);
              onChanged();
            }}
          />
        </div>
      )}
      {auditOpen && <AuditList connectorId={connector.id} version={auditVersion} />}
    </article>
  );
}

function AuditList({ connectorId, version }: { connectorId: string; version: number }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const resource = useResource<{ audit: ConnectorAuditEntry[] }>(`/api/connectors/${connectorId}/audit?v=${version}`);
  if (resource.error !== null) return <ErrorMessage error={resource.error} />;
  if (!resource.data) return <p className="muted">{t("common.loading")}</p>;
  if (resource.data.audit.length === 0) return <p className="muted">{t("connectors.noAudit")}</p>;
  return (
    <ol className="connectors__audit" data-testid="connector-audit">
      {resource.data.audit.map((entry) => {
        const detail = entry.detail as { ok?: boolean; latencyMs?: number; error?: string } | null;
        return (
          <li key={entry.id} data-action={entry.action}>
            <span className="muted nowrap">{format.dateTime(entry.at)}</span>{" "}
            {t("connectors.auditLine", { who: entry.actor?.displayName ?? t("connectors.system"), action: t(`connectors.actions.${entry.action}`) })}
            {entry.fields.length > 0 && entry.action !== "created" && <span className="muted"> — {t("connectors.fields", { fields: entry.fields.join(", ") })}</span>}
            {entry.action === "tested" && detail && (
              <span className={detail.ok ? "connectors__ok" : "connectors__bad"}>
                {" — "}
                {detail.ok ? t("connectors.testedOk", { latency: format.number(detail.latencyMs ?? 0) }) : t("connectors.testedFailed", { error: detail.error ?? "" })}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

interface FormState {
  preset: ConnectorPresetId;
  name: string;
  baseUrl: string;
  apiKey: string;
  removeKey: boolean;
  purposes: ConnectorPurpose[];
  models: string;
  defaultModel: string;
  timeoutMs: string;
  maxConcurrency: string;
  priceInput: string;
  priceOutput: string;
  allowUnredacted: boolean;
}

function initialState(connector?: Connector): FormState {
  return {
    preset: connector ? (connectorPresets.find((preset) => preset.baseUrl === connector.baseUrl)?.id ?? "custom") : "custom",
    name: connector?.name ?? "",
    baseUrl: connector?.baseUrl ?? "",
    apiKey: "",
    removeKey: false,
    purposes: connector?.purposes ?? ["chat"],
    models: connector?.models.join(", ") ?? "",
    defaultModel: connector?.defaultModel ?? "",
    timeoutMs: String(connector?.timeoutMs ?? 60_000),
    maxConcurrency: String(connector?.maxConcurrency ?? 4),
    priceInput: String(connector?.priceInputPerMTokUsd ?? 0),
    priceOutput: String(connector?.priceOutputPerMTokUsd ?? 0),
    allowUnredacted: connector?.allowUnredacted ?? false,
  };
}

/** Adds a connector, or edits `connector` (the key is sent only when typed, or removed when asked). */
function ConnectorForm({ connector, onSaved }: { connector?: Connector; onSaved(): void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<FormState>(() => initialState(connector));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (change: Partial<FormState>) => setForm((current) => ({ ...current, ...change }));

  function choosePreset(id: ConnectorPresetId) {
    const preset = connectorPresets.find((candidate) => candidate.id === id)!;
    set({
      preset: id,
      baseUrl: preset.baseUrl || form.baseUrl,
      defaultModel: form.defaultModel || preset.model,
      name: form.name || (id === "custom" ? "" : t(`connectors.presets.${id}`)),
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      name: form.name,
      baseUrl: form.baseUrl,
      purposes: form.purposes,
      models: form.models.split(/[,\n]/).map((model) => model.trim()).filter(Boolean),
      defaultModel: form.defaultModel,
      timeoutMs: Number(form.timeoutMs),
      maxConcurrency: Number(form.maxConcurrency),
      priceInputPerMTokUsd: Number(form.priceInput),
      priceOutputPerMTokUsd: Number(form.priceOutput),
      allowUnredacted: form.allowUnredacted,
    };
    try {
      if (connector) {
        // Omitted: the stored key stays; null: removed.
        const apiKey = form.removeKey ? null : form.apiKey.trim() || undefined;
        await api.patch(`/api/connectors/${connector.id}`, { ...body, apiKey });
      } else {
        await api.post("/api/connectors", { ...body, apiKey: form.apiKey.trim() || undefined });
        setForm(initialState());
      }
      onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} data-testid="connector-form">
      <div className="form-grid">
        <label className="field">
          <span className="field__label">{t("connectors.preset")}</span>
          <select name="preset" value={form.preset} onChange={(event) => choosePreset(event.target.value as ConnectorPresetId)}>
            {connectorPresets.map((preset) => (
              <option key={preset.id} value={preset.id}>
                {t(`connectors.presets.${preset.id}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.name")}</span>
          <input name="name" type="text" required maxLength={200} value={form.name} onChange={(event) => set({ name: event.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.baseUrl")}</span>
          <input name="baseUrl" type="text" inputMode="url" required placeholder="https://…/v1" value={form.baseUrl} onChange={(event) => set({ baseUrl: event.target.value })} />
          <span className="field__hint">{t("connectors.baseUrlHint")}</span>
        </label>
        <label className="field">
          <span className="field__label">
            {t("connectors.apiKey")} <span className="muted">({t("common.optional")})</span>
          </span>
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            value={form.apiKey}
            disabled={form.removeKey}
            placeholder={connector?.apiKeyHint ? t("connectors.apiKeyKeep", { hint: connector.apiKeyHint }) : t("connectors.apiKeyNone")}
            onChange={(event) => set({ apiKey: event.target.value })}
          />
          {connector?.apiKeyHint && (
            <span className="field__hint">
              <label>
                <input type="checkbox" checked={form.removeKey} onChange={(event) => set({ removeKey: event.target.checked })} /> {t("connectors.removeKey")}
              </label>
            </span>
          )}
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.models")}</span>
          <input name="models" type="text" value={form.models} onChange={(event) => set({ models: event.target.value })} />
          <span className="field__hint">{t("connectors.modelsHint")}</span>
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.defaultModel")}</span>
          <input name="defaultModel" type="text" required maxLength={200} value={form.defaultModel} onChange={(event) => set({ defaultModel: event.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.timeoutMs")}</span>
          <input name="timeoutMs" type="number" min={1000} max={600000} step={1000} required value={form.timeoutMs} onChange={(event) => set({ timeoutMs: event.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.maxConcurrency")}</span>
          <input name="maxConcurrency" type="number" min={1} max={256} required value={form.maxConcurrency} onChange={(event) => set({ maxConcurrency: event.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.priceInput")}</span>
          <input name="priceInput" type="number" min={0} step="any" required value={form.priceInput} onChange={(event) => set({ priceInput: event.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t("connectors.priceOutput")}</span>
          <input name="priceOutput" type="number" min={0} step="any" required value={form.priceOutput} onChange={(event) => set({ priceOutput: event.target.value })} />
        </label>
      </div>
      <fieldset className="connectors__checks">
        <legend className="field__label">{t("connectors.purposes")}</legend>
        {connectorPurposes.map((purpose) => (
          <label key={purpose}>
            <input
              type="checkbox"
              checked={form.purposes.includes(purpose)}
              onChange={(event) => set({ purposes: event.target.checked ? [...form.purposes, purpose] : form.purposes.filter((existing) => existing !== purpose) })}
            />{" "}
            {t(`connectors.purpose.${purpose}`)}
          </label>
        ))}
        {form.purposes.includes("transcription") && <p className="field__hint">{t("connectors.transcriptionHint")}</p>}
      </fieldset>
      <label className="connectors__unredacted">
        <input name="allowUnredacted" type="checkbox" checked={form.allowUnredacted} onChange={(event) => set({ allowUnredacted: event.target.checked })} /> {t("connectors.allowUnredacted")}
        <span className="field__hint"> {t("connectors.allowUnredactedHint")}</span>
      </label>
      {error !== null && <ErrorMessage error={error} />}
      <button type="submit" className="button button--primary" disabled={busy || form.purposes.length === 0}>
        {connector ? (busy ? t("common.saving") : t("common.save")) : busy ? t("connectors.creating") : t("connectors.create")}
      </button>
    </form>
  );
}
