/**
 * Trainers build a dataset version from the reviewed labels: the filters `POST /api/datasets`
 * takes, a live count of what they would collect (`POST /api/datasets/preview`, nothing stored),
 * and a progress state while the version is built. The new dataset then shows in the run dialog.
 */
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Team, Workspace } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import { TestShareField } from "./test-share-field.tsx";
import { useLocale } from "../review/use-locale.ts";
import { intentLabel } from "./eval-display.ts";
import type { IntentNames } from "./eval-display.ts";
import type { Dataset, DatasetVersion } from "./types.ts";

const languages = ["zh", "en"] as const;
const decisions = ["accepted", "overridden"] as const;
const outcomes = [
  "advanced",
  "not_advanced",
  "won",
  "lost",
  "replied",
  "meeting_booked",
  "none",
] as const;
/** Below this many test cases the run page warns that the figure says little; warn before building. */
const smallTestSet = 20;

interface Preview {
  samples: number;
  recordings: number;
  labels: { label: string; count: number }[];
}

interface Filters {
  teamId: string;
  customerStages: string[];
  from: string;
  to: string;
  languages: string[];
  decisions: string[];
  outcome: string;
}

const emptyFilters: Filters = {
  teamId: "",
  customerStages: [],
  from: "",
  to: "",
  languages: [],
  decisions: [],
  outcome: "",
};

/** The request's `filters`: only what is set, so an empty form means "every label I may see". */
export function requestFilters(filters: Filters): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (filters.teamId) result.teamId = filters.teamId;
  if (filters.customerStages.length)
    result.customerStages = filters.customerStages;
  if (filters.from) result.from = filters.from;
  if (filters.to) result.to = filters.to;
  if (filters.languages.length) result.languages = filters.languages;
  if (filters.decisions.length) result.decisions = filters.decisions;
  if (filters.outcome) result.outcome = filters.outcome;
  return result;
}

function toggle(list: string[], value: string): string[] {
  return list.includes(value)
    ? list.filter((entry) => entry !== value)
    : [...list, value];
}

export function DatasetBuilder({ onBuilt }: { onBuilt: () => Promise<void> }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const locale = useLocale();
  const teams = useResource<{ teams: Team[] }>("/api/teams");
  const workspace = useResource<Workspace>("/api/workspace");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [testShare, setTestShare] = useState("0.2");
  const [filters, setFilters] = useState<Filters>(emptyFilters);
  // Utterances with intent labels, or whole reviewed calls with their action-item decisions.
  const [kind, setKind] = useState<"intents" | "action_items">("intents");
  const calls = kind === "action_items";
  const [preview, setPreview] = useState<{
    preview: Preview;
    intentNames: IntentNames;
  } | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const [building, setBuilding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [built, setBuilt] = useState<{
    dataset: Dataset;
    version: DatasetVersion;
  } | null>(null);
  // Label decisions are per utterance: a dataset of reviewed calls does not take them.
  const filtersKey = JSON.stringify({
    kind,
    filters: requestFilters(calls ? { ...filters, decisions: [] } : filters),
  });

  // A short pause after the last change, so ticking three boxes asks once.
  useEffect(() => {
    let cancelled = false;
    setPreviewing(true);
    const timer = setTimeout(() => {
      api
        .post<{ preview: Preview; intentNames: IntentNames }>(
          "/api/datasets/preview",
          JSON.parse(filtersKey),
        )
        .then((result) => {
          if (cancelled) return;
          setPreview(result);
          setPreviewError(null);
        })
        .catch((caught) => {
          if (!cancelled) setPreviewError(caught);
        })
        .finally(() => {
          if (!cancelled) setPreviewing(false);
        });
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [filtersKey]);

  async function build(event: FormEvent) {
    event.preventDefault();
    setBuilding(true);
    setError(null);
    setBuilt(null);
    try {
      const share = Number(testShare);
      const result = await api.post<{
        dataset: Dataset;
        version: DatasetVersion;
      }>("/api/datasets", {
        name: name.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...JSON.parse(filtersKey),
        ...(!calls && share > 0 && share < 1 ? { testShare: share } : {}),
      });
      setBuilt(result);
      setName("");
      setDescription("");
      await onBuilt();
    } catch (caught) {
      setError(caught);
    } finally {
      setBuilding(false);
    }
  }

  const count = preview?.preview.samples ?? 0;
  // Reviewed calls are all test cases (an agent is not trained on them).
  const expectedTest = calls ? count : Math.round(count * (Number(testShare) || 0.2));
  const stages = workspace.data?.customerStages ?? [];

  return (
    <form
      className="dataset-builder"
      onSubmit={build}
      data-testid="dataset-builder"
    >
      <h3>{t("datasetBuilder.title")}</h3>
      <p className="muted">{t("datasetBuilder.intro")}</p>
      <div className="form-grid">
        <label className="field">
          <span className="field__label">{t("datasetBuilder.name")}</span>
          <input
            type="text"
            name="datasetName"
            required
            maxLength={100}
            pattern="[\p{L}\p{N}][\p{L}\p{N}._\-]{0,99}"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <span className="field__hint">{t("datasetBuilder.nameHint")}</span>
        </label>
        <label className="field">
          <span className="field__label">
            {t("datasetBuilder.description")}{" "}
            <span className="muted">({t("common.optional")})</span>
          </span>
          <input
            type="text"
            name="datasetDescription"
            maxLength={2000}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t("datasetBuilder.kind")}</span>
          <select
            name="datasetKind"
            value={kind}
            onChange={(event) => setKind(event.target.value as typeof kind)}
            data-testid="dataset-kind"
          >
            <option value="intents">{t("datasetBuilder.kinds.intents")}</option>
            <option value="action_items">{t("datasetBuilder.kinds.action_items")}</option>
          </select>
          {calls && <span className="field__hint">{t("datasetBuilder.kindHint")}</span>}
        </label>
        <label className="field">
          <span className="field__label">{t("datasetBuilder.team")}</span>
          <select
            name="teamId"
            value={filters.teamId}
            onChange={(event) =>
              setFilters({ ...filters, teamId: event.target.value })
            }
          >
            <option value="">{t("datasetBuilder.allTeams")}</option>
            {(teams.data?.teams ?? []).map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t("datasetBuilder.from")}</span>
          <input
            type="date"
            name="from"
            value={filters.from}
            onChange={(event) =>
              setFilters({ ...filters, from: event.target.value })
            }
          />
        </label>
        <label className="field">
          <span className="field__label">{t("datasetBuilder.to")}</span>
          <input
            type="date"
            name="to"
            value={filters.to}
            onChange={(event) =>
              setFilters({ ...filters, to: event.target.value })
            }
          />
        </label>
        <label className="field">
          <span className="field__label">{t("datasetBuilder.outcome")}</span>
          <select
            name="outcome"
            value={filters.outcome}
            onChange={(event) =>
              setFilters({ ...filters, outcome: event.target.value })
            }
          >
            <option value="">{t("datasetBuilder.anyOutcome")}</option>
            {outcomes.map((outcome) => (
              <option key={outcome} value={outcome}>
                {t(`outcomes.filter.values.${outcome}`)}
              </option>
            ))}
          </select>
        </label>
        {!calls && (
          <TestShareField value={testShare} onChange={setTestShare} />
        )}
      </div>
      <div className="dataset-builder__checks">
        {stages.length > 0 && (
          <fieldset className="field">
            <legend className="field__label">
              {t("datasetBuilder.stages")}
            </legend>
            <div className="checks">
              {stages.map((stage) => (
                <label key={stage} className="checkbox">
                  <input
                    type="checkbox"
                    checked={filters.customerStages.includes(stage)}
                    onChange={() =>
                      setFilters({
                        ...filters,
                        customerStages: toggle(filters.customerStages, stage),
                      })
                    }
                  />
                  {stageLabel(t, stage)}
                </label>
              ))}
            </div>
            {filters.customerStages.length === 0 && (
              <span className="field__hint">
                {t("datasetBuilder.allStages")}
              </span>
            )}
          </fieldset>
        )}
        <fieldset className="field">
          <legend className="field__label">
            {t("datasetBuilder.languages")}
          </legend>
          <div className="checks">
            {languages.map((language) => (
              <label key={language} className="checkbox">
                <input
                  type="checkbox"
                  checked={filters.languages.includes(language)}
                  onChange={() =>
                    setFilters({
                      ...filters,
                      languages: toggle(filters.languages, language),
                    })
                  }
                />
                {t(`datasetBuilder.language.${language}`)}
              </label>
            ))}
          </div>
        </fieldset>
        {!calls && (
          <fieldset className="field">
            <legend className="field__label">
              {t("datasetBuilder.decisions")}
            </legend>
            <div className="checks">
              {decisions.map((decision) => (
                <label key={decision} className="checkbox">
                  <input
                    type="checkbox"
                    checked={filters.decisions.includes(decision)}
                    onChange={() =>
                      setFilters({
                        ...filters,
                        decisions: toggle(filters.decisions, decision),
                      })
                    }
                  />
                  {t(`datasetBuilder.decision.${decision}`)}
                </label>
              ))}
            </div>
          </fieldset>
        )}
      </div>

      <div
        className="dataset-builder__preview"
        data-testid="dataset-preview"
        aria-live="polite"
      >
        {previewError !== null && <ErrorMessage error={previewError} />}
        {preview && count > 0 && (
          <>
            <p
              className="dataset-builder__count"
              data-testid="dataset-preview-count"
            >
              {t(calls ? "datasetBuilder.previewCalls" : "datasetBuilder.preview", {
                count,
                recordings: format.number(preview.preview.recordings),
                labels: format.number(preview.preview.labels.length),
              })}
              {previewing && (
                <span className="muted">
                  {" "}
                  · {t("datasetBuilder.previewing")}
                </span>
              )}
            </p>
            <p className="muted small">
              {t("datasetBuilder.topLabels")}:{" "}
              {preview.preview.labels
                .slice(0, 6)
                .map(
                  (entry) =>
                    `${intentLabel(preview.intentNames, entry.label, locale)} (${format.number(entry.count)})`,
                )
                .join(" · ")}
            </p>
            {expectedTest < smallTestSet && (
              <p className="message evals__warning">
                {t("datasetBuilder.small")}
              </p>
            )}
          </>
        )}
        {preview && count === 0 && (
          <p
            className="message evals__warning"
            data-testid="dataset-preview-empty"
          >
            {t("datasetBuilder.previewEmpty")}
          </p>
        )}
        {!preview && previewError === null && (
          <p className="muted">{t("datasetBuilder.previewing")}</p>
        )}
      </div>

      {building && (
        <div className="dataset-builder__progress" role="status">
          <ProgressBar value={null} label={t("datasetBuilder.building")} />
          <p className="muted small">{t("datasetBuilder.building")}</p>
        </div>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {built && (
        <p
          className="message message--success"
          role="status"
          data-testid="dataset-built"
        >
          {t("datasetBuilder.built", {
            name: built.dataset.name,
            version: built.version.version,
            train: format.number(built.version.counts.train ?? 0),
            test: format.number(built.version.counts.test ?? 0),
          })}
        </p>
      )}
      <button
        type="submit"
        className="button button--primary"
        disabled={building || count === 0 || !name.trim()}
        data-testid="build-dataset"
      >
        {t("datasetBuilder.build")}
      </button>
    </form>
  );
}
