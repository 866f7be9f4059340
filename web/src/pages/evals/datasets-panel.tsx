/**
 * Datasets: what exists (with its latest version) and, for trainers, building one from the
 * reviewed labels or importing one — a public set shipped with Calibrate, or a JSONL / CSV file
 * (sent as is, so large files are fine).
 */
import { useRef, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import { fetchWithCsrf } from "../../components/csrf-fetch.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useFormatters } from "../../i18n/format.ts";
import { DatasetBuilder } from "./dataset-builder.tsx";
import { TestShareField } from "./test-share-field.tsx";
import type { Dataset, DatasetVersion } from "./types.ts";

const publicSets = ["clinc150", "persuasion", "crosswoz"] as const;

interface ImportResult {
  dataset: Dataset;
  version: DatasetVersion;
  created: boolean;
}

export function DatasetsPanel({
  datasets,
  canImport,
  onImported,
}: {
  datasets: Dataset[] | null;
  canImport: boolean;
  onImported: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  return (
    <div data-testid="datasets-panel">
      {datasets !== null && datasets.length === 0 && (
        <p className="muted">{t("evals.datasets.empty")}</p>
      )}
      {datasets !== null && datasets.length > 0 && (
        <div className="table-wrap">
          <table className="table table--compact" data-testid="datasets-table">
            <thead>
              <tr>
                <th scope="col">{t("evals.datasets.name")}</th>
                <th scope="col">{t("evals.datasets.source")}</th>
                <th scope="col" className="numeric">
                  {t("evals.datasets.version")}
                </th>
                <th scope="col">{t("evals.datasets.created")}</th>
                {canImport && <th scope="col"><span className="visually-hidden">{t("evals.datasets.newVersion")}</span></th>}
              </tr>
            </thead>
            <tbody>
              {datasets.map((dataset) => (
                <tr key={dataset.id} data-testid="dataset-row">
                  <td className="table__primary">
                    {dataset.name}
                    {dataset.description && (
                      <div className="muted small">{dataset.description}</div>
                    )}
                  </td>
                  <td>
                    {t(`evals.datasets.sources.${dataset.source.split(":")[0]}`, {
                      defaultValue: dataset.source,
                    })}
                    {dataset.source.startsWith("public:") && (
                      <span className="muted"> · {dataset.source.slice("public:".length)}</span>
                    )}
                  </td>
                  <td className="numeric">{dataset.latestVersion ?? t("common.none")}</td>
                  <td className="nowrap">{format.date(dataset.createdAt)}</td>
                  {canImport && (
                    <td className="nowrap">
                      {dataset.source === "workspace" && dataset.latestVersion !== null && (
                        <NewVersionButton dataset={dataset} onCreated={onImported} />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canImport && <DatasetBuilder onBuilt={onImported} />}
      {canImport && <ImportForms onImported={onImported} />}
    </div>
  );
}

/** "New version": the same filters and split as the latest version, over today's reviewed labels. */
function NewVersionButton({ dataset, onCreated }: { dataset: Dataset; onCreated: () => Promise<void> }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ImportResult | null>(null);

  async function snapshot() {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = await api.post<ImportResult>(`/api/datasets/${dataset.id}/versions`, {});
      setDone(result);
      if (result.created) await onCreated();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="dataset-new-version">
      <button type="button" className="button button--small" onClick={() => void snapshot()} disabled={busy} title={t("evals.datasets.newVersionHint")} data-testid="dataset-new-version">
        {busy ? t("evals.datasets.snapshotting") : t("evals.datasets.newVersion")}
      </button>
      {done !== null && (
        <div className="muted small" role="status" data-testid="dataset-new-version-result">
          {done.created
            ? t("evals.datasets.newVersionDone", { name: dataset.name, version: done.version.version, count: format.number(done.version.sampleCount) })
            : t("evals.datasets.newVersionSame", { version: done.version.version })}
        </div>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </div>
  );
}

function ImportForms({ onImported }: { onImported: () => Promise<void> }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const [publicSet, setPublicSet] = useState<(typeof publicSets)[number]>("clinc150");
  const [name, setName] = useState("");
  const [testShare, setTestShare] = useState("0.2");
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<"public" | "file" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<ImportResult | null>(null);

  async function run(kind: "public" | "file", action: () => Promise<ImportResult>) {
    setBusy(kind);
    setError(null);
    setDone(null);
    try {
      const result = await action();
      setDone(result);
      await onImported();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  function importPublic(event: FormEvent) {
    event.preventDefault();
    void run("public", () => api.post<ImportResult>("/api/datasets/import", { public: publicSet }));
  }

  function importFile(event: FormEvent) {
    event.preventDefault();
    const chosen = file.current?.files?.[0];
    if (!chosen || !name.trim()) return;
    const csv = /\.csv$/i.test(chosen.name);
    const query = new URLSearchParams({
      name: name.trim(),
      format: csv ? "csv" : "jsonl",
    });
    const share = Number(testShare);
    if (share > 0 && share < 1) query.set("testShare", String(share));
    void run("file", async () => {
      const response = await fetchWithCsrf(`/api/datasets/import?${query}`, {
        method: "POST",
        headers: {
          "Content-Type": csv ? "text/csv" : "application/x-ndjson",
          Accept: "application/json",
        },
        body: await chosen.text(),
      });
      return (await response.json()) as ImportResult;
    });
  }

  return (
    <div className="evals__import">
      <form className="inline-form" onSubmit={importPublic}>
        <label className="field">
          <span className="field__label">{t("evals.datasets.publicSet")}</span>
          <select
            value={publicSet}
            onChange={(event) => setPublicSet(event.target.value as (typeof publicSets)[number])}
          >
            {publicSets.map((set) => (
              <option key={set} value={set}>
                {t(`evals.datasets.public.${set}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={busy !== null}>
          {busy === "public" ? t("evals.datasets.importing") : t("evals.datasets.importPublic")}
        </button>
      </form>
      <form className="inline-form" onSubmit={importFile} data-testid="dataset-file-form">
        <label className="field">
          <span className="field__label">{t("evals.datasets.name")}</span>
          <input
            type="text"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            data-testid="dataset-name"
          />
        </label>
        <label className="field">
          <span className="field__label">{t("evals.datasets.file")}</span>
          <input
            ref={file}
            type="file"
            accept=".jsonl,.ndjson,.json,.csv"
            required
            data-testid="dataset-file"
          />
          <span className="field__hint">{t("evals.datasets.fileHint")}</span>
        </label>
        <TestShareField value={testShare} onChange={setTestShare} />
        <button
          type="submit"
          className="button"
          disabled={busy !== null}
          data-testid="import-dataset"
        >
          {busy === "file" ? t("evals.datasets.importing") : t("evals.datasets.importFile")}
        </button>
      </form>
      {error !== null && <ErrorMessage error={error} />}
      {done && (
        <p className="message message--success" role="status" data-testid="dataset-imported">
          {t(done.created ? "evals.datasets.imported" : "evals.datasets.unchanged", {
            name: done.dataset.name,
            version: done.version.version,
            train: format.number(done.version.counts.train ?? 0),
            test: format.number(done.version.counts.test ?? 0),
          })}
        </p>
      )}
    </div>
  );
}
