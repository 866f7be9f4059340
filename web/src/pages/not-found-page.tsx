import { useTranslation } from "react-i18next";
import { Link } from "wouter";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section className="panel empty-state" data-testid="not-found">
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.body")}</p>
      <Link href="/recordings" className="button">
        {t("notFound.home")}
      </Link>
    </section>
  );
}
