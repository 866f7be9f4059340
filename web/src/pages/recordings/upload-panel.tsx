/**
 * Drag-and-drop several files (audio or transcripts), describe them once, confirm consent, and
 * watch each upload's progress. Files go one at a time so the first finishes (and starts
 * processing) as early as possible on a slow uplink.
 */
import { useId, useRef, useState } from "react";
import type { DragEvent, FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { upload } from "../../api/client.ts";
import type { Recording, RecordingLanguage } from "../../api/types.ts";
import { describeError } from "../../components/error-message.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { useFormatters } from "../../i18n/format.ts";
import { stageLabel } from "../../i18n/stage-label.ts";
import type { UploadKind, UploadMetadata } from "./upload-form.ts";
import { acceptedFileTypes, buildUploadForm, uploadEndpoint, uploadKindOf } from "./upload-form.ts";

type ItemState = "waiting" | "uploading" | "done" | "duplicate" | "failed";

interface UploadItem {
  key: string;
  file: File;
  kind: UploadKind;
  state: ItemState;
  progress: number;
  error: string | null;
}

let nextKey = 0;

export function UploadPanel({
  customerStages,
  onUploaded,
}: {
  customerStages: string[];
  onUploaded(recording: Recording): void;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const inputReference = useRef<HTMLInputElement>(null);
  const consentId = useId();
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [metadata, setMetadata] = useState<UploadMetadata>({
    customerStage: "",
    customerReference: "",
    callDate: "",
    language: "auto",
    consent: false,
  });
  const stage = metadata.customerStage || customerStages[0] || "";
  const waiting = items.filter((item) => item.state === "waiting" || item.state === "failed");

  function addFiles(files: FileList | File[]) {
    const added = Array.from(files).map<UploadItem>((file) => ({
      key: `upload-${nextKey++}`,
      file,
      kind: uploadKindOf(file.name),
      state: "waiting",
      progress: 0,
      error: null,
    }));
    if (added.length > 0) {
      setItems((current) => [...current, ...added]);
      setProblem(null);
    }
  }

  function update(key: string, changes: Partial<UploadItem>) {
    setItems((current) =>
      current.map((item) => (item.key === key ? { ...item, ...changes } : item)),
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (waiting.length === 0) return setProblem(t("recordings.noFiles"));
    if (!metadata.consent) return setProblem(t("recordings.consentRequired"));
    setProblem(null);
    setBusy(true);
    const fields = { ...metadata, customerStage: stage };
    for (const item of waiting) {
      update(item.key, { state: "uploading", progress: 0, error: null });
      try {
        const response = await upload<{ recording: Recording; duplicate?: boolean }>(
          uploadEndpoint(item.kind),
          buildUploadForm(fields, item.file, item.file.name),
          { onProgress: (progress) => update(item.key, { progress }) },
        );
        update(item.key, { state: response.duplicate ? "duplicate" : "done", progress: 1 });
        onUploaded(response.recording);
      } catch (caught) {
        update(item.key, { state: "failed", error: describeError(caught, t) });
      }
    }
    setBusy(false);
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (!busy) addFiles(event.dataTransfer.files);
  }

  const set = <Key extends keyof UploadMetadata>(key: Key, value: UploadMetadata[Key]) =>
    setMetadata((current) => ({ ...current, [key]: value }));

  return (
    <form className="panel upload" onSubmit={submit} data-testid="upload-panel" noValidate>
      <h2 className="panel__title">{t("recordings.uploadTitle")}</h2>
      <div
        className={`dropzone ${dragging ? "dropzone--active" : ""}`}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <div className="dropzone__icon" aria-hidden="true">
          ⇪
        </div>
        <p className="dropzone__title">{t("recordings.dropTitle")}</p>
        <p className="dropzone__hint">{t("recordings.dropHint")}</p>
        <button
          type="button"
          className="button"
          onClick={() => inputReference.current?.click()}
          disabled={busy}
        >
          {t("recordings.chooseFiles")}
        </button>
        <input
          ref={inputReference}
          type="file"
          multiple
          accept={acceptedFileTypes}
          className="visually-hidden"
          tabIndex={-1}
          aria-label={t("recordings.chooseFiles")}
          data-testid="file-input"
          onChange={(event) => {
            if (event.target.files) addFiles(event.target.files);
            event.target.value = "";
          }}
        />
      </div>

      {items.length > 0 && (
        <ul className="upload-list" data-testid="upload-list">
          {items.map((item) => (
            <li
              key={item.key}
              className={`upload-item upload-item--${item.state}`}
              data-state={item.state}
            >
              <div className="upload-item__row">
                <span className="upload-item__name" title={item.file.name}>
                  {item.file.name}
                </span>
                <span className="tag">{t(`recordings.kind.${item.kind}`)}</span>
                <span className="muted upload-item__size">{format.fileSize(item.file.size)}</span>
                <span className="upload-item__state">
                  {item.state === "uploading"
                    ? t("recordings.fileState.uploading", {
                        percent: format.percent(item.progress),
                      })
                    : t(`recordings.fileState.${item.state}`)}
                </span>
                {item.state !== "uploading" && (
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    onClick={() =>
                      setItems((current) => current.filter((other) => other.key !== item.key))
                    }
                  >
                    {t("recordings.remove")}
                  </button>
                )}
              </div>
              {(item.state === "uploading" ||
                item.state === "done" ||
                item.state === "duplicate") && (
                <ProgressBar
                  value={item.progress}
                  label={item.file.name}
                  tone={item.state === "uploading" ? "accent" : "success"}
                />
              )}
              {item.error && (
                <p className="message message--error" role="alert">
                  {item.error}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}

      <div className="form-grid">
        <label className="field">
          <span className="field__label">{t("recordings.customerStage")}</span>
          {customerStages.length > 0 ? (
            <select
              value={stage}
              onChange={(event) => set("customerStage", event.target.value)}
              name="customerStage"
              required
            >
              {customerStages.map((option) => (
                <option key={option} value={option}>
                  {stageLabel(t, option)}
                </option>
              ))}
            </select>
          ) : (
            <input
              type="text"
              value={metadata.customerStage}
              onChange={(event) => set("customerStage", event.target.value)}
              name="customerStage"
              required
              maxLength={100}
            />
          )}
        </label>
        <label className="field">
          <span className="field__label">
            {t("recordings.customerReference")}{" "}
            <span className="muted">({t("common.optional")})</span>
          </span>
          <input
            type="text"
            value={metadata.customerReference}
            onChange={(event) => set("customerReference", event.target.value)}
            name="customerReference"
            maxLength={200}
          />
          <span className="field__hint">{t("recordings.customerReferenceHint")}</span>
        </label>
        <label className="field">
          <span className="field__label">
            {t("recordings.callDate")} <span className="muted">({t("common.optional")})</span>
          </span>
          <input
            type="date"
            value={metadata.callDate}
            onChange={(event) => set("callDate", event.target.value)}
            name="callDate"
          />
        </label>
        <label className="field">
          <span className="field__label">{t("recordings.language")}</span>
          <select
            value={metadata.language}
            onChange={(event) => set("language", event.target.value as RecordingLanguage)}
            name="language"
          >
            {(["auto", "zh", "en"] as const).map((language) => (
              <option key={language} value={language}>
                {t(`recordings.languageOptions.${language}`)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div className="consent">
        <input
          id={consentId}
          type="checkbox"
          checked={metadata.consent}
          onChange={(event) => set("consent", event.target.checked)}
          required
          data-testid="consent"
        />
        <label htmlFor={consentId}>{t("recordings.consent")}</label>
      </div>

      {problem && (
        <p className="message message--error" role="alert" data-testid="upload-problem">
          {problem}
        </p>
      )}

      <div className="upload__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || waiting.length === 0 || !metadata.consent}
          data-testid="upload-submit"
        >
          {busy
            ? t("recordings.uploading")
            : waiting.length > 0
              ? t("recordings.upload", { count: waiting.length })
              : t("recordings.uploadNothing")}
        </button>
        {!metadata.consent && waiting.length > 0 && (
          <span className="muted">{t("recordings.consentRequired")}</span>
        )}
        {items.some((item) => item.state === "done" || item.state === "duplicate") && !busy && (
          <button
            type="button"
            className="button button--ghost"
            onClick={() =>
              setItems((current) =>
                current.filter((item) => item.state !== "done" && item.state !== "duplicate"),
              )
            }
          >
            {t("recordings.clearFinished")}
          </button>
        )}
      </div>
    </form>
  );
}
