/**
 * Starting an eval run: a dataset (its latest version) and a target — the local engine, a
 * prompt-set version, or a version of an agent the harness can score (under "Agents"). The run is queued on the server and followed live in the list.
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useResource } from "../../components/use-resource.ts";
import type { PromptSet } from "../prompt-sets/types.ts";
import { LlmMissingNotice, useLlmConfigured } from "../../components/llm-status.tsx";
import type { Dataset, EvalRunSummary } from "./types.ts";
import { datasetReference } from "./types.ts";

/** A stored agent version as `/api/agents/:agent/versions` lists it. */
interface AgentVersion {
  id: string;
  agent: string;
  version: number;
  reference: string;
  labels: string[];
}

export function NewRunDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (run: EvalRunSummary) => void;
}) {
  const { t } = useTranslation();
  const datasets = useResource<{ datasets: Dataset[] }>("/api/datasets");
  const promptSets = useResource<{ promptSets: PromptSet[] }>("/api/prompt-sets");
  const intentAgent = useResource<{ versions: AgentVersion[] }>("/api/agents/intent-tagger/versions");
  const actionAgent = useResource<{ versions: AgentVersion[] }>("/api/agents/action-items/versions");
  const agentVersions = [...(intentAgent.data?.versions ?? []), ...(actionAgent.data?.versions ?? [])];
  // Prompt-set targets need the LLM endpoint: offered but not choosable without one, and said why.
  const llmConfigured = useLlmConfigured();
  const usable = (datasets.data?.datasets ?? []).filter((dataset) => dataset.latestVersion);
  const [dataset, setDataset] = useState("");
  const [target, setTarget] = useState("local");
  const [limit, setLimit] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const chosenDataset = usable.find((entry) => entry.name === dataset) ?? usable[0] ?? null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!chosenDataset) return;
    setSaving(true);
    setError(null);
    try {
      const limitNumber = Number.parseInt(limit, 10);
      const { run } = await api.post<{ run: EvalRunSummary }>("/api/eval-runs", {
        dataset: datasetReference(chosenDataset),
        target,
        ...(Number.isInteger(limitNumber) && limitNumber > 0
          ? { options: { limit: limitNumber } }
          : {}),
      });
      onCreated(run);
      onClose();
    } catch (caught) {
      setError(caught);
      setSaving(false);
    }
  }

  return (
    <Dialog
      title={t("evals.newRun.title")}
      onClose={onClose}
      size="medium"
      testId="new-run-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            form="new-run-form"
            className="button button--primary"
            disabled={saving || !chosenDataset}
            data-testid="start-run"
          >
            {saving ? t("evals.newRun.starting") : t("evals.newRun.start")}
          </button>
        </>
      }
    >
      <form id="new-run-form" onSubmit={submit}>
        {datasets.error !== null && <ErrorMessage error={datasets.error} />}
        {datasets.data && usable.length === 0 && (
          <p className="message message--info">{t("evals.newRun.noDatasets")}</p>
        )}
        <label className="field">
          <span className="field__label">{t("evals.newRun.dataset")}</span>
          <select
            value={chosenDataset?.name ?? ""}
            onChange={(event) => setDataset(event.target.value)}
            data-testid="run-dataset"
            required
          >
            {usable.map((entry) => (
              <option key={entry.id} value={entry.name}>
                {datasetReference(entry)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t("evals.newRun.target")}</span>
          <select
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            data-testid="run-target"
          >
            <option value="local">{t("evals.newRun.local")}</option>
            {(promptSets.data?.promptSets ?? []).map((set) => (
              <optgroup key={set.set} label={set.set}>
                {set.versions.map((version) => (
                  <option
                    key={version.id}
                    value={`${set.set}@${version.version}`}
                    disabled={llmConfigured === false}
                  >
                    {`${set.set}@${version.version}`}
                    {version.labels.length > 0 ? ` (${version.labels.join(", ")})` : ""}
                    {llmConfigured === false ? ` — ${t("llmStatus.unavailable")}` : ""}
                  </option>
                ))}
              </optgroup>
            ))}
            {agentVersions.length > 0 && (
              <optgroup label={t("evals.newRun.agents")} data-testid="run-target-agents">
                {agentVersions.map((version) => (
                  <option key={version.id} value={`agent:${version.reference}`}>
                    {version.reference}
                    {version.labels.length > 0 ? ` (${version.labels.join(", ")})` : ""}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          <span className="field__hint">
            {target.startsWith("agent:") ? t("evals.newRun.agentHint") : t("evals.newRun.targetHint")}
          </span>
        </label>
        {llmConfigured === false && <LlmMissingNotice />}
        <label className="field field--narrow">
          <span className="field__label">
            {t("evals.newRun.limit")} <span className="muted small">({t("common.optional")})</span>
          </span>
          <input
            type="number"
            min={1}
            value={limit}
            onChange={(event) => setLimit(event.target.value)}
          />
          <span className="field__hint">{t("evals.newRun.limitHint")}</span>
        </label>
        {error !== null && <ErrorMessage error={error} />}
      </form>
    </Dialog>
  );
}
