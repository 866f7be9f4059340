/** "Corrected by the rep" (or "Added by the rep") on items standing on the call's rep's decision. */
import { useTranslation } from "react-i18next";
import type { ReviewItem } from "./review-types.ts";

export function RepMark({ item }: { item: Pick<ReviewItem, "decidedAs" | "origin" | "status"> }) {
  const { t } = useTranslation();
  if (item.decidedAs !== "rep") return null;
  return (
    <span className="badge badge--warning" data-testid="rep-mark">
      {item.origin === "rep" ? t("review.rep.added") : t(`review.rep.${item.status}`)}
    </span>
  );
}
