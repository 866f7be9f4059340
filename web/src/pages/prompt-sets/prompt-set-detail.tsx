/**
 * One prompt set: its versions (edit as a new version, publish), a diff of any two versions, the
 * side-by-side sandbox and the history of label moves. The open tab and its choices live in the
 * address (`?tab=compare&from=v1&to=v2`), so a comparison can be linked.
 */
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "wouter";
import { PageHeader } from "../../components/page-header.tsx";
import { Tabs } from "../../components/tabs.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { LabelHistory } from "./label-history.tsx";
import { PublishDialog } from "./publish-dialog.tsx";
import { CompareVersions } from "./version-diff.tsx";
import { VersionEditor } from "./version-editor.tsx";
import { VersionsTable } from "./versions-table.tsx";
import { undoDirection } from "./undo-move.ts";
import type { UndoDirection } from "./undo-move.ts";
import type { LabelEvent, PromptSet, PromptSetVersion } from "./types.ts";
import { latestCandidate, productionLabel, stagingLabel, versionWithLabel } from "./types.ts";
import { api } from "../../api/client.ts";
import { ErrorMessage } from "../../components/error-message.tsx";

// The sandbox brings the AI SDK (most of this screen's code): it loads when its tab is opened.
const Sandbox = lazy(() => import("./sandbox.tsx").then((module) => ({ default: module.Sandbox })));

type TabId = "versions" | "compare" | "sandbox" | "history";
const tabIds: TabId[] = ["versions", "compare", "sandbox", "history"];

export function PromptSetDetail({
  set,
  onChanged,
}: {
  set: PromptSet;
  onChanged: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const canEdit = user.role === "trainer" || user.role === "admin";
  const [search, setSearch] = useSearchParams();
  const tab = (tabIds as string[]).includes(search.get("tab") ?? "")
    ? (search.get("tab") as TabId)
    : "versions";
  const history = useResource<{ events: LabelEvent[] }>(
    `/api/prompt-sets/${encodeURIComponent(set.set)}/history`,
  );
  const [editing, setEditing] = useState<PromptSetVersion | null>(null);
  const [publishing, setPublishing] = useState<{
    version: PromptSetVersion;
    mode: "publish" | UndoDirection;
  } | null>(null);

  const production = versionWithLabel(set, productionLabel);
  const candidate = latestCandidate(set);
  // The version production pointed at before its latest move: where "roll back" goes.
  const lastMove = history.data?.events.find(
    (event) => event.label === productionLabel && event.toVersion === production?.version,
  );
  const rollbackTarget = lastMove?.fromVersion
    ? (set.versions.find((version) => version.version === lastMove.fromVersion) ?? null)
    : null;

  const [stageError, setStageError] = useState<unknown>(null);
  /** Staging moves without a dialog: it changes no call's drafting, only what is tried next. */
  async function stage(version: PromptSetVersion) {
    setStageError(null);
    try {
      await api.put(`/api/prompt-sets/${encodeURIComponent(set.set)}/labels/${stagingLabel}`, {
        version: version.version,
        expectedVersionId: versionWithLabel(set, stagingLabel)?.id ?? null,
      });
      await Promise.all([onChanged(), history.reload()]);
    } catch (caught) {
      setStageError(caught);
    }
  }

  function openTab(id: TabId, parameters: Record<string, string> = {}) {
    setSearch(() => new URLSearchParams({ tab: id, ...parameters }));
  }

  return (
    <>
      <PageHeader
        title={set.set}
        intro={production?.manifest.description || t("promptSets.intro")}
        actions={
          <div className="prompt-set__production" data-testid="production-version">
            <span className="muted">{t("promptSets.production")}</span>
            {production ? (
              <span className="badge badge--success" data-testid="production-badge">
                {production.version}
              </span>
            ) : (
              <span className="muted">{t("promptSets.noProduction")}</span>
            )}
            {canEdit && rollbackTarget && (
              <button
                type="button"
                className="button button--small"
                data-testid="rollback"
                onClick={() =>
                  setPublishing({
                    version: rollbackTarget,
                    mode: undoDirection(rollbackTarget, production ?? null),
                  })
                }
              >
                {t(
                  undoDirection(rollbackTarget, production ?? null) === "return"
                    ? "promptSets.returnTo"
                    : "promptSets.rollbackTo",
                  { version: rollbackTarget.version },
                )}
              </button>
            )}
          </div>
        }
      />
      <Tabs
        label={t("promptSets.tabsLabel")}
        idPrefix="prompt-set-tab"
        selected={tab}
        onSelect={(id) => openTab(id)}
        tabs={tabIds.map((id) => ({ id, label: t(`promptSets.tabs.${id}`) }))}
      />
      {stageError !== null && <ErrorMessage error={stageError} />}
      <div role="tabpanel" aria-labelledby={`prompt-set-tab-${tab}`}>
        {tab === "versions" && (
          <VersionsTable
            set={set}
            canEdit={canEdit}
            onEdit={setEditing}
            onCompare={(version) =>
              openTab("compare", {
                from: production?.version ?? version.version,
                to: version.version,
              })
            }
            onTry={(version) =>
              openTab("sandbox", {
                left: production?.version ?? version.version,
                right: version.version,
              })
            }
            onPublish={(version) => setPublishing({ version, mode: "publish" })}
            onStage={(version) => void stage(version)}
          />
        )}
        {tab === "compare" && (
          <CompareVersions
            set={set}
            from={search.get("from") ?? production?.version ?? set.versions.at(-1)?.version ?? ""}
            to={search.get("to") ?? candidate?.version ?? set.versions[0]?.version ?? ""}
            onChange={(from, to) => openTab("compare", { from, to })}
          />
        )}
        {tab === "sandbox" && (
          <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
            <Sandbox
              set={set}
              left={search.get("left") ?? production?.version ?? set.versions[0]?.version ?? ""}
              right={search.get("right") ?? candidate?.version ?? set.versions[0]?.version ?? ""}
              canRun={canEdit}
              onChange={(left, right) => openTab("sandbox", { left, right })}
            />
          </Suspense>
        )}
        {tab === "history" && (
          <LabelHistory events={history.data?.events ?? null} error={history.error} />
        )}
      </div>

      {editing && (
        <VersionEditor
          set={set.set}
          base={editing}
          onClose={() => setEditing(null)}
          onSaved={async (created) => {
            setEditing(null);
            await onChanged();
            openTab("compare", { from: editing.version, to: created.version });
          }}
        />
      )}
      {publishing && (
        <PublishDialog
          set={set.set}
          version={publishing.version}
          production={production}
          mode={publishing.mode}
          onClose={() => setPublishing(null)}
          onPublished={async () => {
            await Promise.all([onChanged(), history.reload()]);
          }}
        />
      )}
    </>
  );
}
