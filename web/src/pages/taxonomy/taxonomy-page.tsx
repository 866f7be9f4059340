/**
 * The workspace's intent taxonomy and sales-action catalogue: read by managers, edited by trainers
 * and admins. Each change sends the whole list (`PUT /api/workspace/intents` or
 * `/action-catalogue`), validated by the server with the core's schemas; retiring an entry that
 * labels use asks where those labels move (see core/draft/vocabulary-editing.ts).
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../../api/client.ts";
import type {
  ActionType,
  IntentDefinition,
} from "../../../../core/draft/schema.ts";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Tabs } from "../../components/tabs.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useCurrentUser } from "../../session/session-context.tsx";
import { localName } from "../review/item-content.ts";
import { useLocale } from "../review/use-locale.ts";
import { NoFitPanel } from "./no-fit-panel.tsx";
import { EntryDialog, RetireDialog } from "./taxonomy-dialogs.tsx";
import type { Entry, EntryKind } from "./taxonomy-dialogs.tsx";
import "./taxonomy.css";

interface Vocabulary {
  intents: IntentDefinition[];
  actionCatalogue: ActionType[];
  customised: { intents: boolean; actionCatalogue: boolean };
  revisions: { intents: string; actionCatalogue: string };
  usage: {
    intents: Record<string, number>;
    actionTypes: Record<string, number>;
  };
}

interface SaveResult {
  vocabulary: Vocabulary;
  retired: string[];
  relabelled: number;
}

export default function TaxonomyPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const locale = useLocale();
  const canEdit = user.role === "trainer" || user.role === "admin";
  const resource = useResource<{ vocabulary: Vocabulary }>(
    "/api/workspace/vocabulary",
  );
  const [kind, setKind] = useState<EntryKind>("intents");
  const [editing, setEditing] = useState<Entry | "new" | null>(null);
  const [retiring, setRetiring] = useState<Entry | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const vocabulary = resource.data?.vocabulary ?? null;
  const entries: Entry[] =
    vocabulary === null
      ? []
      : kind === "intents"
        ? vocabulary.intents
        : vocabulary.actionCatalogue;
  const usage =
    vocabulary === null
      ? {}
      : kind === "intents"
        ? vocabulary.usage.intents
        : vocabulary.usage.actionTypes;
  const customised =
    vocabulary === null
      ? true
      : kind === "intents"
        ? vocabulary.customised.intents
        : vocabulary.customised.actionCatalogue;

  async function save(
    next: Entry[],
    mappings?: Record<string, string>,
  ): Promise<SaveResult> {
    // The revision this list was read at: a save over someone else's newer one is refused (409),
    // and the list is reloaded while the dialog keeps what this trainer typed.
    const revision = vocabulary?.revisions[kind === "intents" ? "intents" : "actionCatalogue"];
    try {
      const result =
        kind === "intents"
          ? await api.put<SaveResult>("/api/workspace/intents", {
              intents: next,
              mappings,
              revision,
            })
          : await api.put<SaveResult>("/api/workspace/action-catalogue", {
              actionCatalogue: next,
              mappings,
              revision,
            });
      resource.setData(() => ({ vocabulary: result.vocabulary }));
      return result;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.code === "conflict") void resource.reload();
      throw error;
    }
  }

  async function saveEntry(entry: Entry) {
    const exists = entries.some((existing) => existing.id === entry.id);
    const next =
      editing !== "new" && exists
        ? entries.map((existing) =>
            existing.id === entry.id ? entry : existing,
          )
        : [...entries, entry];
    await save(next);
    setNotice(
      kind === "intents" ? t("taxonomy.retrainNote") : t("taxonomy.saved"),
    );
  }

  async function retire(entry: Entry, mapTo: string | null) {
    const result = await save(
      entries.filter((existing) => existing.id !== entry.id),
      mapTo ? { [entry.id]: mapTo } : undefined,
    );
    setNotice(
      t("taxonomy.retireDialog.done", {
        name: localName(entry.name, locale),
        count: result.relabelled,
      }),
    );
  }

  return (
    <section data-testid="taxonomy-page">
      <PageHeader
        title={t("taxonomy.title")}
        intro={t("taxonomy.intro")}
        actions={
          canEdit && (
            <button
              type="button"
              className="button button--primary"
              onClick={() => setEditing("new")}
              data-testid="taxonomy-add"
            >
              {kind === "intents"
                ? t("taxonomy.addIntent")
                : t("taxonomy.addAction")}
            </button>
          )
        }
      />
      <Tabs
        tabs={[
          { id: "intents", label: t("taxonomy.tabs.intents") },
          { id: "actions", label: t("taxonomy.tabs.actions") },
        ]}
        selected={kind}
        onSelect={(id) => {
          setKind(id);
          setNotice(null);
        }}
        label={t("taxonomy.tabs.label")}
        idPrefix="taxonomy-tab"
      />
      {!canEdit && <p className="muted">{t("taxonomy.readOnly")}</p>}
      {canEdit && !customised && (
        <p className="message message--info">{t("taxonomy.defaults")}</p>
      )}
      {notice && (
        <p
          className="message message--success"
          role="status"
          data-testid="taxonomy-notice"
        >
          {notice}
        </p>
      )}
      {resource.error !== null && <ErrorMessage error={resource.error} />}
      {vocabulary && (
        <div
          className="table-wrap"
          role="tabpanel"
          aria-labelledby={`taxonomy-tab-${kind}`}
        >
          <table className="table taxonomy__table" data-testid="taxonomy-table">
            <thead>
              <tr>
                <th scope="col">{t("taxonomy.columns.id")}</th>
                <th scope="col">{t("taxonomy.columns.english")}</th>
                <th scope="col">{t("taxonomy.columns.chinese")}</th>
                <th scope="col">
                  {kind === "intents"
                    ? t("taxonomy.columns.description")
                    : t("taxonomy.columns.examples")}
                </th>
                <th scope="col" className="numeric">
                  {t("taxonomy.columns.usage")}
                </th>
                {canEdit && (
                  <th scope="col" className="actions">
                    <span className="visually-hidden">
                      {t("taxonomy.columns.actions")}
                    </span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr
                  key={entry.id}
                  data-testid="taxonomy-row"
                  data-id={entry.id}
                >
                  <td>
                    <code>{entry.id}</code>
                  </td>
                  <td className="table__primary">{entry.name.en}</td>
                  <td>{entry.name.zh}</td>
                  <td className="taxonomy__detail">
                    {"description" in entry
                      ? entry.description
                      : [
                          ...entry.examples.zh.slice(0, 1),
                          ...entry.examples.en.slice(0, 1),
                        ].join(" · ")}
                  </td>
                  <td className="numeric nowrap">
                    {usage[entry.id] ? (
                      t("taxonomy.usage", { count: usage[entry.id] })
                    ) : (
                      <span className="muted">{t("taxonomy.unused")}</span>
                    )}
                  </td>
                  {canEdit && (
                    <td className="actions nowrap">
                      <button
                        type="button"
                        className="button button--small button--ghost"
                        onClick={() => setEditing(entry)}
                      >
                        {t("taxonomy.edit")}
                      </button>
                      <button
                        type="button"
                        className="button button--small button--danger-text"
                        onClick={() => setRetiring(entry)}
                        disabled={entries.length <= 1}
                      >
                        {t("taxonomy.retire")}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {vocabulary && kind === "intents" && user.role !== "rep" && (
        <NoFitPanel intents={vocabulary.intents} />
      )}
      {editing && (
        <EntryDialog
          kind={kind}
          entry={editing === "new" ? null : editing}
          onSave={saveEntry}
          onClose={() => setEditing(null)}
        />
      )}
      {retiring && (
        <RetireDialog
          entry={retiring}
          usage={usage[retiring.id] ?? 0}
          others={entries.filter((entry) => entry.id !== retiring.id)}
          onRetire={(mapTo) => retire(retiring, mapTo)}
          onClose={() => setRetiring(null)}
        />
      )}
    </section>
  );
}
