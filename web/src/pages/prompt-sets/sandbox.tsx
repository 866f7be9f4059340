/**
 * The sandbox: two prompt-set versions (production and a candidate, by default) draft the same
 * recording side by side, each pane streaming the model's output as it is generated. When both
 * are done, utterances where the two versions chose different intents are marked in both panes.
 */
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Recording, Transcript } from "../../api/types.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { LlmMissingNotice, useLlmConfigured } from "../../components/llm-status.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import type { IntentDefinition } from "../../../../core/draft/schema.ts";
import { recordingTitle } from "../recordings/recording-status.tsx";
import { intentsBySegment } from "./sandbox-stream.ts";
import { SandboxPane } from "./sandbox-pane.tsx";
import type { PromptSet } from "./types.ts";
import { localEngineVersion, useSandboxRun } from "./use-sandbox-run.ts";

export function Sandbox({
  set,
  left,
  right,
  canRun,
  onChange,
}: {
  set: PromptSet;
  left: string;
  right: string;
  canRun: boolean;
  onChange: (left: string, right: string) => void;
}) {
  const llmConfigured = useLlmConfigured();
  const { t } = useTranslation();
  const format = useFormatters();
  const recordings = useResource<{ recordings: Recording[] }>(
    "/api/recordings?status=ready&limit=200",
  );
  const [recordingId, setRecordingId] = useState<string>("");
  const firstReady = recordings.data?.recordings[0]?.id ?? "";
  useEffect(() => {
    if (!recordingId && firstReady) setRecordingId(firstReady);
  }, [recordingId, firstReady]);

  const detail = useResource<{ transcript: Transcript | null }>(
    recordingId ? `/api/recordings/${recordingId}` : null,
  );
  const taxonomy = useResource<{ intents: IntentDefinition[] }>(
    recordingId ? `/api/recordings/${recordingId}/draft` : null,
  );
  const leftRun = useSandboxRun(set.set, left, "left");
  const rightRun = useSandboxRun(set.set, right, "right");
  const running =
    ["waiting", "streaming"].includes(leftRun.state) ||
    ["waiting", "streaming"].includes(rightRun.state);

  const leftIntents = intentsBySegment(leftRun.final);
  const rightIntents = intentsBySegment(rightRun.final);
  const differing = new Set<number>();
  if (leftIntents && rightIntents) {
    for (const segment of new Set([...leftIntents.keys(), ...rightIntents.keys()])) {
      if (leftIntents.get(segment) !== rightIntents.get(segment)) differing.add(segment);
    }
  }

  const versionOptions = [
    ...set.versions.map((version) => (
      <option key={version.id} value={version.version} disabled={llmConfigured === false}>
        {version.version}
        {version.labels.length > 0 ? ` (${version.labels.join(", ")})` : ""}
        {llmConfigured === false ? ` — ${t("llmStatus.unavailable")}` : ""}
      </option>
    )),
    // The local engine beside a version: what the drafts get without any LLM.
    <option key={localEngineVersion} value={localEngineVersion}>
      {t("promptSets.sandbox.localEngine")}
    </option>,
  ];
  // A pane can run when it is the local engine, or when an LLM endpoint is there for its version.
  const runnable = (version: string) => version === localEngineVersion || llmConfigured !== false;
  const recordingList = recordings.data?.recordings ?? [];

  return (
    <div data-testid="sandbox">
      <p className="muted">{t("promptSets.sandbox.intro")}</p>
      <div className="toolbar sandbox__bar">
        <label className="field field--inline sandbox__recording">
          <span className="field__label">{t("promptSets.sandbox.recording")}</span>
          <select
            value={recordingId}
            onChange={(event) => setRecordingId(event.target.value)}
            data-testid="sandbox-recording"
            disabled={recordingList.length === 0}
          >
            {recordingList.length === 0 && (
              <option value="">{t("promptSets.sandbox.noRecordings")}</option>
            )}
            {recordingList.map((recording) => (
              <option key={recording.id} value={recording.id}>
                {recordingTitle(recording)}
              </option>
            ))}
          </select>
        </label>
        {canRun && (
          <button
            type="button"
            className="button button--primary"
            data-testid="sandbox-run"
            disabled={!recordingId || running || (!runnable(left) && !runnable(right))}
            onClick={() => {
              if (runnable(left)) leftRun.run(recordingId);
              if (runnable(right)) rightRun.run(recordingId);
            }}
          >
            {running ? t("promptSets.sandbox.running") : t("promptSets.sandbox.run")}
          </button>
        )}
        {running && (
          <button
            type="button"
            className="button"
            onClick={() => {
              leftRun.stop();
              rightRun.stop();
            }}
          >
            {t("promptSets.sandbox.stop")}
          </button>
        )}
      </div>
      {llmConfigured === false && <LlmMissingNotice />}
      {recordings.error !== null && <ErrorMessage error={recordings.error} />}
      {recordings.data && recordingList.length === 0 && (
        <p className="message message--info">{t("promptSets.sandbox.noRecordingsHint")}</p>
      )}
      {differing.size > 0 && (
        <p className="message message--info" data-testid="sandbox-differences">
          {t("promptSets.sandbox.differences", {
            number: format.number(differing.size),
          })}
        </p>
      )}
      {leftIntents && rightIntents && differing.size === 0 && (
        <p className="message message--success" data-testid="sandbox-differences">
          {t("promptSets.sandbox.noDifferences")}
        </p>
      )}
      <div className="sandbox__panes">
        <SandboxPane
          side="left"
          run={leftRun}
          versionSelect={
            <select
              value={left}
              onChange={(event) => onChange(event.target.value, right)}
              aria-label={t("promptSets.sandbox.leftVersion")}
              data-testid="sandbox-left-version"
              disabled={running}
            >
              {versionOptions}
            </select>
          }
          version={set.versions.find((version) => version.version === left) ?? null}
          segments={detail.data?.transcript?.segments ?? []}
          intents={taxonomy.data?.intents ?? []}
          differing={differing}
        />
        <SandboxPane
          side="right"
          run={rightRun}
          versionSelect={
            <select
              value={right}
              onChange={(event) => onChange(left, event.target.value)}
              aria-label={t("promptSets.sandbox.rightVersion")}
              data-testid="sandbox-right-version"
              disabled={running}
            >
              {versionOptions}
            </select>
          }
          version={set.versions.find((version) => version.version === right) ?? null}
          segments={detail.data?.transcript?.segments ?? []}
          intents={taxonomy.data?.intents ?? []}
          differing={differing}
        />
      </div>
    </div>
  );
}
