/**
 * Decisions per day as bars, hand-drawn SVG: a handful of rects costs nothing to load, where a
 * chart library would weigh more than the rest of the dashboard. Each bar has a tooltip with its
 * day and count; the whole chart has a text label for screen readers.
 */
import { useTranslation } from "react-i18next";
import { useFormatters } from "../../i18n/format.ts";

export function DailyBars({
  days,
  values,
  height = 120,
  compact = false,
  label,
}: {
  days: readonly string[];
  values: readonly number[];
  height?: number;
  /** A sparkline for a table row: no axis text. */
  compact?: boolean;
  label: string;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const maximum = Math.max(1, ...values);
  const slot = 10;
  const gap = days.length > 60 ? 1 : 2;
  const width = Math.max(1, days.length) * slot;
  const chart = (
    <svg
      className={`daily-bars ${compact ? "daily-bars--compact" : ""}`}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid={compact ? "daily-sparkline" : "daily-chart"}
    >
      {values.map((value, index) => {
        const barHeight = value === 0 ? 0 : Math.max(2, (value / maximum) * height);
        return (
          <rect
            key={days[index]}
            x={index * slot + gap / 2}
            y={height - barHeight}
            width={slot - gap}
            height={barHeight}
            className="daily-bars__bar"
            data-day={days[index]}
            data-value={value}
          >
            <title>
              {t("dashboard.dayValue", {
                day: format.date(days[index]),
                number: format.number(value),
              })}
            </title>
          </rect>
        );
      })}
      <line x1={0} x2={width} y1={height} y2={height} className="daily-bars__baseline" />
    </svg>
  );
  if (compact || days.length === 0) return chart;
  // Axis labels in HTML: text inside a stretched SVG would be stretched with it.
  return (
    <figure className="daily-chart">
      {chart}
      <figcaption className="daily-chart__axis">
        <span>{format.date(days[0])}</span>
        <span>{format.date(days[days.length - 1])}</span>
      </figcaption>
    </figure>
  );
}
