/** The versions of a set, newest first, with their labels and what can be done with each. */
import { Fragment, useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormatters } from "../../i18n/format.ts";
import type { PromptSet, PromptSetVersion } from "./types.ts";
import { productionLabel, stagingLabel } from "./types.ts";

export function VersionsTable({
  set,
  canEdit,
  onEdit,
  onCompare,
  onTry,
  onPublish,
  onStage,
}: {
  set: PromptSet;
  canEdit: boolean;
  onEdit: (version: PromptSetVersion) => void;
  onCompare: (version: PromptSetVersion) => void;
  onTry: (version: PromptSetVersion) => void;
  onPublish: (version: PromptSetVersion) => void;
  /** Moves the staging label to this version (what the gate and a CI check try before production). */
  onStage?: (version: PromptSetVersion) => void;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const [open, setOpen] = useState<string | null>(null);
  const names = new Map(set.versions.map((version) => [version.id, version.version]));

  return (
    <div className="table-wrap">
      <table className="table" data-testid="versions-table">
        <thead>
          <tr>
            <th scope="col">{t("promptSets.columns.version")}</th>
            <th scope="col">{t("promptSets.columns.labels")}</th>
            <th scope="col">{t("promptSets.columns.model")}</th>
            <th scope="col">{t("promptSets.columns.parent")}</th>
            <th scope="col">{t("promptSets.columns.source")}</th>
            <th scope="col">{t("promptSets.columns.created")}</th>
            <th scope="col" className="actions">
              <span className="visually-hidden">{t("promptSets.columns.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {set.versions.map((version) => {
            const inProduction = version.labels.includes(productionLabel);
            const expanded = open === version.id;
            return (
              <Fragment key={version.id}>
                <tr data-testid="version-row" data-version={version.version}>
                  <td className="table__primary">
                    <button
                      type="button"
                      className="button button--ghost button--small prompt-sets__toggle"
                      aria-expanded={expanded}
                      onClick={() => setOpen(expanded ? null : version.id)}
                    >
                      <span aria-hidden="true">{expanded ? "▾" : "▸"}</span> {version.version}
                    </button>
                  </td>
                  <td>
                    <span className="prompt-sets__labels">
                      {version.labels.map((label) => (
                        <span
                          key={label}
                          className={`badge ${label === productionLabel ? "badge--success" : "badge--accent"}`}
                          data-testid="version-label"
                        >
                          {t(`promptSets.labels.${label}`, {
                            defaultValue: label,
                          })}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td>{version.manifest.model}</td>
                  <td>
                    {version.parentVersionId
                      ? (names.get(version.parentVersionId) ?? t("common.none"))
                      : t("common.none")}
                  </td>
                  <td>{t(`promptSets.source.${version.source}`)}</td>
                  <td className="nowrap">{format.dateTime(version.createdAt)}</td>
                  <td className="actions">
                    <span className="prompt-sets__actions">
                      <button
                        type="button"
                        className="button button--small"
                        onClick={() => onCompare(version)}
                        data-testid="compare-version"
                      >
                        {t("promptSets.actions.compare")}
                      </button>
                      {canEdit && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => onTry(version)}
                          data-testid="try-version"
                        >
                          {t("promptSets.actions.try")}
                        </button>
                      )}
                      {canEdit && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => onEdit(version)}
                          data-testid="edit-version"
                        >
                          {t("promptSets.actions.edit")}
                        </button>
                      )}
                      {canEdit && onStage && !version.labels.includes(stagingLabel) && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => onStage(version)}
                          data-testid="stage-version"
                        >
                          {t("promptSets.actions.stage")}
                        </button>
                      )}
                      {canEdit && !inProduction && (
                        <button
                          type="button"
                          className="button button--small button--primary"
                          onClick={() => onPublish(version)}
                          data-testid="publish-version"
                        >
                          {t("promptSets.actions.publish")}
                        </button>
                      )}
                    </span>
                  </td>
                </tr>
                {expanded && (
                  <tr className="prompt-sets__files-row">
                    <td colSpan={7}>
                      <VersionFiles version={version} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function VersionFiles({ version }: { version: PromptSetVersion }) {
  const files: Array<[string, string]> = [
    ["manifest.json", JSON.stringify(version.manifest, null, 2)],
    ["system.md", version.system],
    ["user.md", version.user],
  ];
  return (
    <div className="prompt-sets__files" data-testid="version-files">
      {files.map(([name, text]) => (
        <details key={name} open={name !== "manifest.json"}>
          <summary>
            <code>{name}</code>
          </summary>
          <pre className="code-block">{text}</pre>
        </details>
      ))}
    </div>
  );
}
