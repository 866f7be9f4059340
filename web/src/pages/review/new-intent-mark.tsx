/** "Maybe a new intent" on intent items the queue found under the workspace's new-intent threshold. */
import { useTranslation } from "react-i18next";
import type { ReviewItem } from "./review-types.ts";

export function NewIntentMark({ item }: { item: Pick<ReviewItem, "likelyNewIntent" | "status"> }) {
  const { t } = useTranslation();
  if (!item.likelyNewIntent || item.status !== "pending") return null;
  return (
    <span className="badge badge--warning" data-testid="new-intent-mark">
      {t("review.item.likelyNewIntent")}
    </span>
  );
}
