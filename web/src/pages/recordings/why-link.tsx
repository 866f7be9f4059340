/**
 * "Why?" → the trace of the invocation that made an item or a run. Stand-in until the trace viewer's
 * own `web/src/components/why-link.tsx` (same props) is merged: then import that one instead.
 */
import { useTranslation } from "react-i18next";

export function WhyLink({ traceId }: { traceId: string | null }) {
  const { t } = useTranslation();
  if (!traceId) return null;
  return (
    <a className="why-link" href={`/traces/${traceId}`} data-testid="why-link">
      {t("agents.pipeline.why")}
    </a>
  );
}
