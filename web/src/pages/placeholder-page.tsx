import { useTranslation } from "react-i18next";
import { PageHeader } from "../components/page-header.tsx";
import type { Screen } from "../navigation.ts";

/** Stands in for screens that later versions fill (Review, Prompt sets, Capability map). */
export function PlaceholderPage({ title }: { title: Screen["label"] }) {
  const { t } = useTranslation();
  return (
    <section data-testid="placeholder-page">
      <PageHeader title={t(title)} />
      <div className="panel empty-state">
        <h2>{t("placeholder.title")}</h2>
        <p>{t("placeholder.body")}</p>
      </div>
    </section>
  );
}
