/** Two versions side by side as a per-file line diff (computed by the server). */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../components/error-message.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { changeCounts, foldUnchanged } from "./diff-hunks.ts";
import type { DiffBlock, DiffLine } from "./diff-hunks.ts";
import type { FileDiff, PromptSet } from "./types.ts";

export function CompareVersions({
  set,
  from,
  to,
  onChange,
}: {
  set: PromptSet;
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
}) {
  const { t } = useTranslation();
  const path =
    from && to
      ? `/api/prompt-sets/${encodeURIComponent(set.set)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`
      : null;
  const diff = useResource<{ files: FileDiff[] }>(path);
  const options = set.versions.map((version) => (
    <option key={version.id} value={version.version}>
      {version.version}
      {version.labels.length > 0 ? ` (${version.labels.join(", ")})` : ""}
    </option>
  ));

  return (
    <div data-testid="compare-versions">
      <div className="toolbar prompt-sets__compare-bar">
        <label className="field field--inline">
          <span className="field__label">{t("promptSets.compare.from")}</span>
          <select
            value={from}
            onChange={(event) => onChange(event.target.value, to)}
            data-testid="diff-from"
          >
            {options}
          </select>
        </label>
        <span aria-hidden="true">→</span>
        <label className="field field--inline">
          <span className="field__label">{t("promptSets.compare.to")}</span>
          <select
            value={to}
            onChange={(event) => onChange(from, event.target.value)}
            data-testid="diff-to"
          >
            {options}
          </select>
        </label>
        <button
          type="button"
          className="button button--small"
          onClick={() => onChange(to, from)}
          disabled={from === to}
        >
          {t("promptSets.compare.swap")}
        </button>
      </div>
      {diff.error !== null && <ErrorMessage error={diff.error} />}
      {diff.loading && !diff.data && <p className="muted">{t("common.loading")}</p>}
      {diff.data && from === to && <p className="muted">{t("promptSets.compare.same")}</p>}
      {diff.data && from !== to && (
        <div className={diff.loading ? "is-refreshing" : undefined}>
          {diff.data.files.every((file) => !file.changed) && (
            <p className="message message--info">{t("promptSets.compare.identical")}</p>
          )}
          {diff.data.files.map((file) => (
            <FileDiffView key={file.file} file={file} />
          ))}
        </div>
      )}
    </div>
  );
}

function FileDiffView({ file }: { file: FileDiff }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const counts = changeCounts(file.lines);
  return (
    <section
      className="diff"
      data-testid="file-diff"
      data-file={file.file}
      data-changed={file.changed}
    >
      <header className="diff__header">
        <code>{file.file}</code>
        {file.changed ? (
          <span className="diff__counts">
            <span className="diff__count diff__count--added">+{format.number(counts.added)}</span>
            <span className="diff__count diff__count--removed">
              −{format.number(counts.removed)}
            </span>
          </span>
        ) : (
          <span className="muted small">{t("promptSets.compare.unchanged")}</span>
        )}
      </header>
      {file.changed && (
        <table className="diff__table">
          <tbody>
            {foldUnchanged(file.lines).map((block, index) => (
              <Block key={index} block={block} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Block({ block }: { block: DiffBlock }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const [open, setOpen] = useState(false);
  if (block.kind === "folded" && !open) {
    return (
      <tr className="diff__fold">
        <td colSpan={4}>
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => setOpen(true)}
          >
            {t("promptSets.compare.folded", {
              number: format.number(block.lines.length),
            })}
          </button>
        </td>
      </tr>
    );
  }
  return (
    <>
      {block.lines.map((line, index) => (
        <Line key={index} line={line} />
      ))}
    </>
  );
}

const markers = { same: " ", added: "+", removed: "−" } as const;

function Line({ line }: { line: DiffLine }) {
  const { t } = useTranslation();
  return (
    <tr className={`diff__line diff__line--${line.kind}`} data-kind={line.kind}>
      <td className="diff__number">{line.oldLine ?? ""}</td>
      <td className="diff__number">{line.newLine ?? ""}</td>
      <td className="diff__marker">
        <span aria-hidden="true">{markers[line.kind]}</span>
        {line.kind !== "same" && (
          <span className="visually-hidden">{t(`promptSets.compare.${line.kind}`)}</span>
        )}
      </td>
      <td className="diff__text">{line.text || " "}</td>
    </tr>
  );
}
