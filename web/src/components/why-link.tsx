/**
 * "Why?" on a draft item: opens the trace of the agent run that made it (what the model saw, was
 * asked and answered). Renders nothing when the item has no trace (made before traces existed, or
 * added by a person).
 */
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

export function WhyLink({ traceId }: { traceId: string | null }) {
  const { t } = useTranslation();
  if (!traceId) return null;
  return (
    <Link href={`/traces/${traceId}`} className="why-link" title={t("traces.whyTitle")} data-testid="why-link">
      {t("traces.why")}
    </Link>
  );
}
