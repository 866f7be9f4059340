/**
 * One side of the sandbox: the version, its live raw output while the model writes, then the
 * validated draft — intents per utterance (marked where the other version disagrees), action
 * items, talk tracks — and what the call cost.
 */
import { useEffect, useRef } from "react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { TranscriptSegment } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import type { IntentDefinition } from "../../../../core/draft/schema.ts";
import type { PromptSetVersion } from "./types.ts";
import type { SandboxRun } from "./use-sandbox-run.ts";
import { speakerLabel } from "../review/speaker-label.ts";

const stateTones = {
  idle: "neutral",
  waiting: "accent",
  streaming: "accent",
  done: "success",
  failed: "danger",
} as const;

export function SandboxPane({
  side,
  run,
  version,
  versionSelect,
  segments,
  intents,
  differing,
}: {
  side: "left" | "right";
  run: SandboxRun;
  version: PromptSetVersion | null;
  versionSelect: ReactNode;
  segments: TranscriptSegment[];
  intents: IntentDefinition[];
  differing: ReadonlySet<number>;
}) {
  const { t, i18n } = useTranslation();
  const format = useInsightFormatters();
  const raw = useRef<HTMLPreElement>(null);
  const live = run.state === "waiting" || run.state === "streaming";

  // Keep the newest output in view while it streams.
  useEffect(() => {
    if (live && raw.current) raw.current.scrollTop = raw.current.scrollHeight;
  }, [run.streamed, live]);

  const intentName = (id: string) => {
    const definition = intents.find((intent) => intent.id === id);
    if (!definition) return id;
    return i18n.language.startsWith("zh") ? definition.name.zh : definition.name.en;
  };
  const segmentText = new Map(segments.map((segment) => [segment.ordinal, segment]));
  const final = run.final && !("error" in run.final) ? run.final : null;

  return (
    <section
      className="sandbox-pane panel"
      data-testid={`sandbox-pane-${side}`}
      data-state={run.state}
      aria-busy={live}
    >
      <header className="sandbox-pane__header">
        <h3>{side === "left" ? t("promptSets.sandbox.left") : t("promptSets.sandbox.right")}</h3>
        {versionSelect}
        {version?.labels.map((label) => (
          <span key={label} className="badge badge--success">
            {t(`promptSets.labels.${label}`, { defaultValue: label })}
          </span>
        ))}
        <span
          className={`badge badge--${stateTones[run.state]} sandbox-pane__state`}
          data-testid="pane-state"
          role="status"
        >
          {t(`promptSets.sandbox.state.${run.state}`)}
          {run.state === "streaming"
            ? ` · ${t("promptSets.sandbox.characters", { number: format.count(run.streamed.length) })}`
            : ""}
        </span>
      </header>

      {run.error !== null && run.error !== undefined && <ErrorMessage error={run.error} />}
      {run.final && "error" in run.final && (
        <p className="message message--error" role="alert" data-testid="pane-error">
          {run.final.error}
        </p>
      )}

      {(live || (run.streamed !== "" && !final)) && (
        <pre ref={raw} className="code-block sandbox-pane__raw" data-testid="pane-stream">
          {run.streamed}
          {live && <span className="sandbox-pane__cursor" aria-hidden="true" />}
        </pre>
      )}

      {final && (
        <div data-testid="pane-result">
          <p className="muted small sandbox-pane__provenance" data-testid="pane-provenance">
            {[
              final.provenance.model,
              t("promptSets.sandbox.tokens", {
                input: format.count(final.provenance.inputTokens),
                output: format.count(final.provenance.outputTokens),
              }),
              format.milliseconds(final.provenance.latencyMs),
              format.usd(final.provenance.estimatedCostUsd),
            ].join(" · ")}
          </p>
          <h4>
            {t("promptSets.sandbox.intents", {
              number: format.count(final.content.intents.length),
            })}
          </h4>
          {final.content.intents.length === 0 ? (
            <p className="muted">{t("common.none")}</p>
          ) : (
            <table className="table table--compact sandbox-pane__intents">
              <tbody>
                {final.content.intents.map((intent) => {
                  const segment = segmentText.get(intent.segment);
                  const differs = differing.has(intent.segment);
                  return (
                    <tr
                      key={intent.segment}
                      className={differs ? "row--changed" : undefined}
                      data-testid="pane-intent"
                      data-differs={differs}
                      data-intent={intent.intent}
                    >
                      {/* Numbered as the transcript numbers utterances (from 1). */}
                      <td className="numeric muted">{intent.segment + 1}</td>
                      <td className="sandbox-pane__utterance">
                        {segment ? (
                          <>
                            <span className="muted">{speakerLabel(t, segment.speaker)}: </span>
                            {segment.text}
                          </>
                        ) : (
                          t("common.none")
                        )}
                      </td>
                      <td className="nowrap">
                        <strong>{intentName(intent.intent)}</strong>
                      </td>
                      <td className="numeric muted">{format.percentPrecise(intent.confidence)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <h4>
            {t("promptSets.sandbox.actionItems", {
              number: format.count(final.content.actionItems.length),
            })}
          </h4>
          {final.content.actionItems.length > 0 && (
            <ul className="sandbox-pane__list">
              {final.content.actionItems.map((item, index) => (
                <li key={index} data-testid="pane-action-item">
                  <strong>{item.title}</strong>
                  {item.type && <span className="tag">{item.type}</span>}
                  {item.flagged && (
                    <span className="badge badge--danger">{t("promptSets.sandbox.flagged")}</span>
                  )}
                  {item.dueDate && <span className="muted"> · {format.date(item.dueDate)}</span>}
                </li>
              ))}
            </ul>
          )}
          <h4>
            {t("promptSets.sandbox.talkTracks", {
              number: format.count(final.content.talkTracks.length),
            })}
          </h4>
          {final.content.talkTracks.length > 0 && (
            <ul className="sandbox-pane__list">
              {final.content.talkTracks.map((track, index) => (
                <li key={index}>
                  <span className="tag">{t(`promptSets.sandbox.moments.${track.moment}`)}</span>{" "}
                  {track.suggestion}
                </li>
              ))}
            </ul>
          )}
          {final.content.notes.length > 0 && (
            <>
              <h4>{t("promptSets.sandbox.notes")}</h4>
              <ul className="sandbox-pane__list muted small">
                {final.content.notes.map((note, index) => (
                  <li key={index}>{note}</li>
                ))}
              </ul>
            </>
          )}
          <details className="sandbox-pane__raw-details">
            <summary>{t("promptSets.sandbox.rawOutput")}</summary>
            <pre className="code-block sandbox-pane__raw">{run.streamed}</pre>
          </details>
        </div>
      )}
      {run.state === "idle" && <p className="muted">{t("promptSets.sandbox.idle")}</p>}
    </section>
  );
}
