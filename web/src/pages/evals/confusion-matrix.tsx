/**
 * The confusion matrix as a heat grid: rows are the expected intents, columns the predicted
 * ones; a cell's colour is its share of the row, so a dark diagonal means a good model and dark
 * cells off it are the mistakes to look at.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { estimateTextWidth, HeatGrid } from "../../components/heat-grid.tsx";
import type { HeatGridCell } from "../../components/heat-grid.tsx";
import { useInsightFormatters } from "../../components/insight-format.ts";
import { confusionView } from "./confusion-view.ts";
import type { EvalMetrics } from "./types.ts";

export function ConfusionMatrix({
  confusion,
  intentName = (id) => id,
}: {
  confusion: EvalMetrics["confusion"];
  /** The intent's name in the UI language (ids without one stay as they are). */
  intentName?: (id: string) => string;
}) {
  const { t } = useTranslation();
  const format = useInsightFormatters();
  const [showAll, setShowAll] = useState(false);
  const view = confusionView(confusion, showAll ? Number.POSITIVE_INFINITY : undefined);
  const none = t("evals.confusion.none");
  const name = (label: string | null) => (label === null ? none : intentName(label));
  const cells: HeatGridCell[] = view.rows.flatMap((row) =>
    view.columns.map((column) => {
      const value = view.count(row, column);
      const total = view.rowTotal(row);
      const share = total === 0 ? 0 : value / total;
      return {
        rowId: row,
        columnId: column ?? "\u0000none",
        state: "value" as const,
        position: share,
        text: format.count(value),
        description: t("evals.confusion.cell", {
          expected: intentName(row),
          predicted: name(column),
          number: format.count(value),
          share: format.percentPrecise(share),
        }),
      };
    }),
  );
  const corner = t("evals.confusion.corner");
  const longest = Math.max(...view.rows.map((row) => intentName(row).length), 8);
  return (
    <div data-testid="confusion-matrix">
      <p className="muted small">{t("evals.confusion.intro")}</p>
      {view.hidden > 0 && (
        <p className="muted small">
          {t("evals.confusion.hidden", { number: format.count(view.hidden) })}{" "}
          <button
            type="button"
            className="button button--small"
            data-testid="confusion-show-all"
            onClick={() => setShowAll(true)}
          >
            {t("evals.confusion.showAll", { number: format.count(confusion.rows.length) })}
          </button>
        </p>
      )}
      <HeatGrid
        title={t("evals.confusion.title")}
        cornerLabel={corner}
        rows={view.rows.map((row) => ({ id: row, label: intentName(row) }))}
        columns={view.columns.map((column) => ({
          id: column ?? "\u0000none",
          label: name(column),
        }))}
        cells={cells}
        slantedColumns
        cellWidth={Math.max(56, Math.min(110, 720 / Math.max(1, view.columns.length)))}
        cellHeight={36}
        rowHeaderWidth={Math.max(
          estimateTextWidth(corner) + 24,
          Math.max(180, Math.min(240, 40 + longest * 7)),
        )}
        legend={{
          title: t("evals.confusion.legend"),
          minimumLabel: format.percent(0),
          maximumLabel: format.percent(1),
        }}
      />
    </div>
  );
}
