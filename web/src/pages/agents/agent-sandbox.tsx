/**
 * The agents' sandbox: two versions of one agent on one ready call, side by side — what each made,
 * on which engine and model, its tokens and cost, and "Why?" to its trace. Nothing is stored
 * (`POST /api/agents/:agent/try`).
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Recording } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useResource } from "../../components/use-resource.ts";
import { WhyLink } from "../../components/why-link.tsx";
import type { AgentTryResult } from "../../../../core/agents/pipeline.ts";

interface VersionRow {
  version: number;
  reference: string;
  labels: string[];
}

/** One line per thing the agent made: an item's main text, or the output's fields. */
function describeProduct(result: AgentTryResult): string[] {
  if (!result.product) return [];
  const items = result.product.items.map((item) => {
    const content = item.content as Record<string, unknown>;
    const text = content.title ?? content.suggestion ?? content.intent ?? "";
    return `${item.kind} · ${String(text)}${item.evidence.length ? ` [${item.evidence.join(", ")}]` : ""}`;
  });
  const output = Object.entries(result.product.output ?? {}).flatMap(
    ([key, value]) =>
      Array.isArray(value)
        ? value.map(
            (entry) =>
              `${key} · ${typeof entry === "object" && entry && "text" in entry ? String((entry as { text: string }).text) : JSON.stringify(entry)}`,
          )
        : key === "source" || key === "language"
          ? []
          : [`${key} · ${String(value)}`],
  );
  return [...items, ...output];
}

export function AgentSandbox({ agent, name }: { agent: string; name: string }) {
  const { t } = useTranslation();
  const versions = useResource<{ versions: VersionRow[] }>(
    `/api/agents/${agent}/versions`,
  );
  const recordings = useResource<{ recordings: Recording[] }>(
    "/api/recordings?status=ready&limit=50",
  );
  const [recordingId, setRecordingId] = useState("");
  const [chosen, setChosen] = useState<[string, string]>(["", ""]);
  const [results, setResults] = useState<AgentTryResult[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const list = versions.data?.versions ?? [];
  const calls = recordings.data?.recordings ?? [];
  const first = chosen[0] || String(list[0]?.version ?? "");
  const second =
    chosen[1] || String(list[1]?.version ?? list[0]?.version ?? "");
  const call = recordingId || calls[0]?.id || "";

  async function run(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const picked = [...new Set([Number(first), Number(second)])];
      setResults(
        (
          await api.post<{ results: AgentTryResult[] }>(
            `/api/agents/${agent}/try`,
            { recordingId: call, versions: picked },
          )
        ).results,
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="agent-sandbox" data-testid="agent-sandbox">
      <summary>{t("agents.sandbox.title", { agent: name })}</summary>
      <form onSubmit={run} className="form-grid">
        <label className="field">
          <span className="field__label">{t("agents.sandbox.call")}</span>
          <select
            value={call}
            onChange={(event) => setRecordingId(event.target.value)}
            data-testid="sandbox-call"
          >
            {calls.map((recording) => (
              <option key={recording.id} value={recording.id}>
                {recording.title || recording.originalFilename}
              </option>
            ))}
          </select>
        </label>
        {[0, 1].map((index) => (
          <label className="field" key={index}>
            <span className="field__label">
              {t("agents.sandbox.version", { side: index === 0 ? "A" : "B" })}
            </span>
            <select
              value={index === 0 ? first : second}
              onChange={(event) =>
                setChosen(
                  index === 0
                    ? [event.target.value, second]
                    : [first, event.target.value],
                )
              }
              data-testid={`sandbox-version-${index}`}
            >
              {list.map((version) => (
                <option key={version.version} value={version.version}>
                  {version.reference}
                  {version.labels.length
                    ? ` (${version.labels.join(", ")})`
                    : ""}
                </option>
              ))}
            </select>
          </label>
        ))}
        <div className="field">
          <button
            type="submit"
            className="button"
            disabled={busy || !call || !first}
            data-testid="sandbox-run"
          >
            {busy ? t("agents.sandbox.running") : t("agents.sandbox.run")}
          </button>
        </div>
      </form>
      {calls.length === 0 && recordings.data && (
        <p className="muted small">{t("agents.sandbox.noCalls")}</p>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {results && (
        <div className="agent-sandbox__results">
          {results.map((result) => (
            <section
              key={result.version}
              className="agent-sandbox__result"
              data-testid="sandbox-result"
              data-status={result.status}
            >
              <h3>
                {result.version}{" "}
                <span className="muted small">
                  {t(`agents.status.${result.status}`)}
                </span>
              </h3>
              <p className="muted small">
                {[
                  result.engine ? t(`agents.engines.${result.engine}`) : null,
                  result.connectorName ?? result.connectorId,
                  result.model,
                  `${result.latencyMs} ms`,
                  result.engine === "llm"
                    ? `${result.inputTokens + result.outputTokens} tokens · $${result.costUsd}`
                    : null,
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </p>
              {result.error && (
                <p className="pipeline-error small">{result.error}</p>
              )}
              <ul className="small">
                {describeProduct(result).map((line, index) => (
                  <li key={index}>{line}</li>
                ))}
              </ul>
              <WhyLink traceId={result.traceId} />
            </section>
          ))}
        </div>
      )}
    </details>
  );
}
