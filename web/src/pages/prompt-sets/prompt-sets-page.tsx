/**
 * Prompt sets: every set with its production version (`/prompt-sets`), and one set's versions,
 * diff, side-by-side sandbox and label history (`/prompt-sets/:set`). Versions never change;
 * editing saves a new one, and publishing or rolling back moves the `production` label.
 */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";
import { ErrorMessage } from "../../components/error-message.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { useResource } from "../../components/use-resource.ts";
import { useFormatters } from "../../i18n/format.ts";
import { PromptSetDetail } from "./prompt-set-detail.tsx";
import type { PromptSet } from "./types.ts";
import { productionLabel, versionWithLabel } from "./types.ts";
import "../../components/insights.css";
import "./prompt-sets.css";

export default function PromptSetsPage({ set: setName }: { set?: string }) {
  const { t } = useTranslation();
  const resource = useResource<{ promptSets: PromptSet[] }>("/api/prompt-sets");
  const sets = resource.data?.promptSets ?? null;

  if (setName) {
    const set = sets?.find((candidate) => candidate.set === setName) ?? null;
    return (
      <section data-testid="prompt-set-page">
        <Link href="/prompt-sets" className="back-link">
          ← {t("promptSets.back")}
        </Link>
        {resource.error !== null && <ErrorMessage error={resource.error} />}
        {sets === null && resource.error === null && <p className="muted">{t("common.loading")}</p>}
        {sets !== null && !set && (
          <div className="panel empty-state">
            <p>{t("promptSets.notFound", { set: setName })}</p>
          </div>
        )}
        {set && <PromptSetDetail set={set} onChanged={resource.reload} />}
      </section>
    );
  }

  return (
    <section data-testid="prompt-sets-page">
      <PageHeader title={t("promptSets.title")} intro={t("promptSets.intro")} />
      {resource.error !== null && <ErrorMessage error={resource.error} />}
      {sets === null && resource.error === null && <p className="muted">{t("common.loading")}</p>}
      {sets !== null && sets.length === 0 && (
        <div className="panel empty-state">
          <p>{t("promptSets.empty")}</p>
        </div>
      )}
      {sets !== null && sets.length > 0 && <PromptSetsTable sets={sets} />}
    </section>
  );
}

function PromptSetsTable({ sets }: { sets: PromptSet[] }) {
  const { t } = useTranslation();
  const format = useFormatters();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="prompt-sets-table">
        <thead>
          <tr>
            <th scope="col">{t("promptSets.columns.set")}</th>
            <th scope="col">{t("promptSets.columns.production")}</th>
            <th scope="col">{t("promptSets.columns.model")}</th>
            <th scope="col" className="numeric">
              {t("promptSets.columns.versions")}
            </th>
            <th scope="col">{t("promptSets.columns.latest")}</th>
          </tr>
        </thead>
        <tbody>
          {sets.map((set) => {
            const production = versionWithLabel(set, productionLabel);
            const latest = set.versions[0];
            return (
              <tr key={set.set} data-testid="prompt-set-row">
                <td className="table__primary">
                  <Link href={`/prompt-sets/${encodeURIComponent(set.set)}`}>{set.set}</Link>
                  {production?.manifest.description && (
                    <div className="muted small prompt-sets__description">
                      {production.manifest.description}
                    </div>
                  )}
                </td>
                <td>
                  {production ? (
                    <span className="badge badge--success">{production.version}</span>
                  ) : (
                    <span className="muted">{t("promptSets.noProduction")}</span>
                  )}
                </td>
                <td>{production?.manifest.model ?? latest?.manifest.model ?? t("common.none")}</td>
                <td className="numeric">{format.number(set.versions.length)}</td>
                <td>
                  {latest
                    ? `${latest.version} · ${format.dateTime(latest.createdAt)}`
                    : t("common.none")}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
