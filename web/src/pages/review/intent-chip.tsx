import { useTranslation } from "react-i18next";
import { useFormatters } from "../../i18n/format.ts";
import type { ItemStatus } from "./review-types.ts";

/** An intent as a chip: its name, the model's confidence, and how a human decided on it. */
export function IntentChip({
  name,
  confidence,
  status,
  corrected,
}: {
  name: string | null;
  confidence: number | null;
  status?: ItemStatus;
  /** The name shown is a human's correction, not the prediction. */
  corrected?: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const level =
    confidence === null
      ? "unknown"
      : confidence < 0.5
        ? "low"
        : confidence < 0.8
          ? "medium"
          : "high";
  return (
    <span
      className={`intent-chip intent-chip--${status ?? "pending"} ${corrected ? "intent-chip--corrected" : ""}`}
      data-testid="intent-chip"
      data-status={status ?? "pending"}
    >
      <span className="intent-chip__name">{name ?? t("review.call.noIntent")}</span>
      {confidence !== null && !corrected && (
        <span
          className={`intent-chip__confidence confidence--${level}`}
          title={t("review.item.confidence", {
            percent: format.percent(confidence),
          })}
        >
          {format.percent(confidence)}
        </span>
      )}
      {status && status !== "pending" && (
        <span className="intent-chip__status">{t(`review.status.${status}`)}</span>
      )}
    </span>
  );
}
