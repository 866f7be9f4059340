/**
 * Agents (admins change; trainers and managers read): each agent's purpose, its production version,
 * how it runs (after transcription, after other agents), its engine binding — auto, the local
 * engine, or an LLM connector + model chosen from `GET /api/connectors/choices` — whether it is
 * enabled, and where (customer stages, languages). Saving writes a new immutable version.
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { showToast } from "../../components/toasts.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import type { AgentDefinition } from "../../../../core/agents/definition.ts";
import { AgentSandbox } from "./agent-sandbox.tsx";
import "./agents.css";

interface AgentVersion {
  id: string;
  agent: string;
  version: number;
  reference: string;
  definition: AgentDefinition;
  source: "file" | "api";
  createdAt: string;
}

interface AgentSummary {
  name: string;
  purpose: { en: string; zh: string };
  hasLocalEngine: boolean;
  production: AgentVersion | null;
}

/** One connector an agent may be bound to (`GET /api/connectors/choices`, from the connectors part). */
interface ConnectorChoice {
  id: string;
  name: string;
  models: string[];
  defaultModel: string;
  enabled: boolean;
  purposes: string[];
}

const languages = ["zh", "en", "mixed"] as const;

export default function AgentsPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const agents = useResource<{ agents: AgentSummary[] }>("/api/agents");
  const choices = useResource<
    ConnectorChoice[] | { connectors: ConnectorChoice[] }
  >(user.role === "admin" ? "/api/connectors/choices" : null);
  const connectors = (
    Array.isArray(choices.data)
      ? choices.data
      : (choices.data?.connectors ?? [])
  ).filter((choice) => choice.enabled && choice.purposes.includes("chat"));
  // No enabled chat connector yet: agents on "auto" run on the local engine; say where to add one.
  const connectorsMissing = choices.data !== null && choices.data !== undefined && connectors.length === 0;

  return (
    <section data-testid="agents-page">
      <PageHeader title={t("agents.title")} intro={t("agents.intro")} />
      {user.role !== "admin" && (
        <p className="muted">{t("agents.page.readOnly")}</p>
      )}
      {connectorsMissing && (
        <p className="message message--info" data-testid="connectors-missing">
          {t("agents.page.connectorsMissing")}
        </p>
      )}
      {choices.error !== null && (
        <ErrorMessage error={choices.error} />
      )}
      {agents.error !== null && <ErrorMessage error={agents.error} />}
      <div className="agents-list">
        {agents.data?.agents.map((agent) => (
          <AgentCard
            key={agent.name}
            agent={agent}
            connectors={connectors}
            editable={user.role === "admin"}
            canTry={user.role !== "manager"}
            onSaved={() => void agents.reload()}
          />
        ))}
      </div>
    </section>
  );
}

function AgentCard({
  agent,
  connectors,
  editable,
  canTry,
  onSaved,
}: {
  agent: AgentSummary;
  connectors: ConnectorChoice[];
  editable: boolean;
  /** Trainers and admins try versions in the sandbox. */
  canTry: boolean;
  onSaved(): void;
}) {
  const { t, i18n } = useTranslation();
  const definition = agent.production?.definition;
  const [engine, setEngine] = useState(
    definition?.engine ?? {
      kind: "auto" as const,
      connectorId: null,
      model: null,
    },
  );
  const [enabled, setEnabled] = useState(definition?.enabled ?? true);
  const [stages, setStages] = useState(
    (definition?.enabledFor.customerStages ?? []).join(", "),
  );
  const [chosenLanguages, setChosenLanguages] = useState<string[]>(
    definition?.enabledFor.languages ?? [],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = t(`agents.names.${agent.name}`, { defaultValue: agent.name });
  const purpose =
    i18n.language === "zh-CN" ? agent.purpose.zh : agent.purpose.en;
  const after = definition?.trigger.after;
  const trigger =
    after === "transcription"
      ? t("agents.page.afterTranscription")
      : after === "on-demand"
        ? t("agents.page.onDemand")
        : t("agents.page.after", {
            agents: (after ?? [])
              .map((dependency) =>
                t(`agents.names.${dependency}`, { defaultValue: dependency }),
              )
              .join(", "),
          });
  const connector =
    connectors.find((choice) => choice.id === engine.connectorId) ?? null;
  // A bound connector this admin cannot list (e.g. from the environment) stays selectable.
  const connectorOptions =
    engine.connectorId && !connector
      ? [
          {
            id: engine.connectorId,
            name: engine.connectorId,
            models: [],
            defaultModel: "",
          },
          ...connectors,
        ]
      : connectors;

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const customerStages = stages
      .split(/[,，]/)
      .map((stage) => stage.trim())
      .filter(Boolean);
    try {
      const saved = await api.patch<{ version: AgentVersion }>(
        `/api/agents/${agent.name}`,
        {
          engine:
            engine.kind === "local"
              ? { kind: "local", connectorId: null, model: null }
              : engine,
          enabled,
          enabledFor: {
            ...(definition?.enabledFor.teams
              ? { teams: definition.enabledFor.teams }
              : {}),
            ...(customerStages.length > 0 ? { customerStages } : {}),
            ...(chosenLanguages.length > 0
              ? { languages: chosenLanguages }
              : {}),
          },
          expectedVersion: agent.production?.version,
        },
      );
      showToast(
        t("agents.page.saved", { agent: name, version: saved.version.version }),
      );
      onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      className="panel agent-card"
      data-testid="agent-card"
      data-agent={agent.name}
    >
      <form onSubmit={save}>
        <div className="section-header section-header--tight">
          <h2 className="panel__title">{name}</h2>
          <span className="badge badge--neutral" data-testid="agent-version">
            {agent.production?.reference ?? "—"}
          </span>
        </div>
        <p className="agent-card__purpose">{purpose}</p>
        <p className="muted small">
          {t("agents.page.trigger")}: {trigger} ·{" "}
          {agent.hasLocalEngine
            ? t("agents.page.localEngine")
            : t("agents.page.llmOnly")}
        </p>
        <fieldset className="agent-card__fields" disabled={!editable || busy}>
          <div className="form-grid">
            <label className="field">
              <span className="field__label">{t("agents.page.binding")}</span>
              <select
                value={engine.kind}
                onChange={(event) =>
                  setEngine({
                    ...engine,
                    kind: event.target.value as "auto" | "llm" | "local",
                  })
                }
                data-testid="agent-engine"
              >
                {(["auto", "llm", "local"] as const).map((kind) => (
                  <option
                    key={kind}
                    value={kind}
                    disabled={kind === "local" && !agent.hasLocalEngine}
                  >
                    {t(`agents.engines.${kind}`)}
                  </option>
                ))}
              </select>
            </label>
            {engine.kind !== "local" && (
              <label className="field">
                <span className="field__label">
                  {t("agents.page.connector")}
                </span>
                <select
                  value={engine.connectorId ?? ""}
                  onChange={(event) =>
                    setEngine({
                      ...engine,
                      connectorId: event.target.value || null,
                      model: null,
                    })
                  }
                  data-testid="agent-connector"
                >
                  <option value="">{t("agents.page.defaultConnector")}</option>
                  {connectorOptions.map((choice) => (
                    <option key={choice.id} value={choice.id}>
                      {choice.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {engine.kind !== "local" && (
              <label className="field">
                <span className="field__label">{t("agents.page.model")}</span>
                {connector && connector.models.length > 0 ? (
                  <select
                    value={engine.model ?? ""}
                    onChange={(event) =>
                      setEngine({
                        ...engine,
                        model: event.target.value || null,
                      })
                    }
                    data-testid="agent-model"
                  >
                    <option value="">
                      {t("agents.page.defaultModel")} ({connector.defaultModel})
                    </option>
                    {connector.models.map((model) => (
                      <option key={model} value={model}>
                        {model}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    type="text"
                    maxLength={200}
                    placeholder={t("agents.page.defaultModel")}
                    value={engine.model ?? ""}
                    onChange={(event) =>
                      setEngine({
                        ...engine,
                        model: event.target.value.trim() || null,
                      })
                    }
                    data-testid="agent-model"
                  />
                )}
              </label>
            )}
            <label className="field">
              <span className="field__label">{t("agents.page.stages")}</span>
              <input
                type="text"
                value={stages}
                placeholder={t("agents.page.everywhere")}
                onChange={(event) => setStages(event.target.value)}
              />
              <span className="muted small">{t("agents.page.stagesHint")}</span>
            </label>
          </div>
          <div className="toolbar">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={enabled}
                onChange={(event) => setEnabled(event.target.checked)}
                data-testid="agent-enabled"
              />
              {t("agents.page.enabled")}
            </label>
            <span className="muted small">{t("agents.page.languages")}:</span>
            {languages.map((language) => (
              <label key={language} className="checkbox">
                <input
                  type="checkbox"
                  checked={chosenLanguages.includes(language)}
                  onChange={(event) =>
                    setChosenLanguages(
                      event.target.checked
                        ? [...chosenLanguages, language]
                        : chosenLanguages.filter(
                            (chosen) => chosen !== language,
                          ),
                    )
                  }
                />
                {language}
              </label>
            ))}
          </div>
          {editable && (
            <button
              type="submit"
              className="button button--primary"
              data-testid="agent-save"
            >
              {t("agents.page.save")}
            </button>
          )}
        </fieldset>
        {error !== null && <ErrorMessage error={error} />}
      </form>
      {canTry && <AgentSandbox agent={agent.name} name={name} />}
    </section>
  );
}
