/**
 * A small line chart in plain SVG: one polyline per series, an optional band (e.g. ± one
 * standard deviation), labelled axes and focusable points whose values show on hover or focus.
 * Used for the eval accuracy trend and the label-efficiency curve.
 */
import { useId, useRef, useState } from "react";
import "./line-chart.css";

export interface LinePoint {
  x: number;
  /** null leaves a gap (e.g. a run without metrics). */
  y: number | null;
  /** Optional band around the line at this point. */
  lower?: number | null;
  upper?: number | null;
  /** What the point means, in words: accessible name and tooltip. */
  description: string;
}

export interface LineSeries {
  id: string;
  label: string;
  color: string;
  points: LinePoint[];
}

export interface LineChartProps {
  title: string;
  series: LineSeries[];
  formatY: (value: number) => string;
  /** Label of an x position on the axis. */
  formatX: (value: number) => string;
  yDomain?: { min: number; max: number };
  xScale?: "linear" | "log";
  xAxisLabel?: string;
  yAxisLabel?: string;
  width?: number;
  height?: number;
  testId?: string;
}

export const seriesColors = ["#2f5bd3", "#b45309", "#0f766e", "#7c3aed"] as const;

const fontFamily =
  'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", Arial, sans-serif';

/** Up to `count` evenly spaced round-ish ticks over the domain. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (max <= min) return [min];
  const step = (max - min) / (count - 1);
  return Array.from({ length: count }, (_, index) => min + step * index);
}

export function LineChart({
  title,
  series,
  formatY,
  formatX,
  yDomain = { min: 0, max: 1 },
  xScale = "linear",
  xAxisLabel,
  yAxisLabel,
  width = 680,
  height = 240,
  testId,
}: LineChartProps) {
  const titleId = `${useId().replace(/[^a-zA-Z0-9_-]/g, "")}-title`;
  const wrapper = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{
    text: string;
    left: number;
    top: number;
  } | null>(null);

  const margin = { top: 12, right: 48, bottom: xAxisLabel ? 44 : 28, left: 56 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const xs = [...new Set(series.flatMap((line) => line.points.map((point) => point.x)))].sort(
    (left, right) => left - right,
  );
  const transform = (value: number) =>
    xScale === "log" ? Math.log(Math.max(value, Number.MIN_VALUE)) : value;
  const xMin = xs.length > 0 ? transform(xs[0]) : 0;
  const xMax = xs.length > 0 ? transform(xs[xs.length - 1]) : 1;
  const xOf = (value: number) =>
    margin.left +
    (xMax === xMin ? plotWidth / 2 : ((transform(value) - xMin) / (xMax - xMin)) * plotWidth);
  const yOf = (value: number) => {
    const span = yDomain.max - yDomain.min || 1;
    const clamped = Math.min(yDomain.max, Math.max(yDomain.min, value));
    return margin.top + plotHeight - ((clamped - yDomain.min) / span) * plotHeight;
  };
  const xTicks =
    xs.length <= 12 ? xs : xs.filter((_, index) => index % Math.ceil(xs.length / 12) === 0);

  function show(text: string, target: Element) {
    const box = wrapper.current?.getBoundingClientRect();
    const point = target.getBoundingClientRect();
    if (box)
      setHover({
        text,
        left: point.left - box.left + point.width / 2,
        top: point.top - box.top - 8,
      });
  }

  /** Consecutive runs of points with a value: a null y breaks the line. */
  const segments = (points: LinePoint[]) => {
    const runs: LinePoint[][] = [];
    let current: LinePoint[] = [];
    for (const point of [...points].sort((left, right) => left.x - right.x)) {
      if (point.y === null) {
        if (current.length > 0) runs.push(current);
        current = [];
      } else current.push(point);
    }
    if (current.length > 0) runs.push(current);
    return runs;
  };

  return (
    <figure className="line-chart" ref={wrapper} data-testid={testId}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="group"
        aria-labelledby={titleId}
        fontFamily={fontFamily}
        fontSize={11}
        className="line-chart__svg"
      >
        <title id={titleId}>{title}</title>
        {linearTicks(yDomain.min, yDomain.max).map((tick) => (
          <g key={tick}>
            <line
              x1={margin.left}
              x2={width - margin.right}
              y1={yOf(tick)}
              y2={yOf(tick)}
              stroke="#dde1e8"
            />
            <text x={margin.left - 6} y={yOf(tick) + 4} textAnchor="end" fill="#5d6678">
              {formatY(tick)}
            </text>
          </g>
        ))}
        {xTicks.map((tick) => (
          <text
            key={tick}
            x={xOf(tick)}
            y={margin.top + plotHeight + 16}
            textAnchor="middle"
            fill="#5d6678"
          >
            {formatX(tick)}
          </text>
        ))}
        {xAxisLabel && (
          <text x={margin.left + plotWidth / 2} y={height - 6} textAnchor="middle" fill="#5d6678">
            {xAxisLabel}
          </text>
        )}
        {yAxisLabel && (
          <text
            x={12}
            y={margin.top + plotHeight / 2}
            textAnchor="middle"
            fill="#5d6678"
            transform={`rotate(-90 12 ${margin.top + plotHeight / 2})`}
          >
            {yAxisLabel}
          </text>
        )}
        {series.map((line) => (
          <g key={line.id} data-series={line.id}>
            {segments(line.points).map((run, index) => {
              const banded = run.filter(
                (point) => typeof point.lower === "number" && typeof point.upper === "number",
              );
              return (
                <g key={index}>
                  {banded.length > 1 && (
                    <polygon
                      points={[
                        ...banded.map((point) => `${xOf(point.x)},${yOf(point.upper!)}`),
                        ...[...banded]
                          .reverse()
                          .map((point) => `${xOf(point.x)},${yOf(point.lower!)}`),
                      ].join(" ")}
                      fill={line.color}
                      opacity={0.12}
                    />
                  )}
                  <polyline
                    points={run.map((point) => `${xOf(point.x)},${yOf(point.y!)}`).join(" ")}
                    fill="none"
                    stroke={line.color}
                    strokeWidth={2}
                    strokeLinejoin="round"
                  />
                </g>
              );
            })}
            {line.points
              .filter((point) => point.y !== null)
              .map((point) => (
                <circle
                  key={point.x}
                  cx={xOf(point.x)}
                  cy={yOf(point.y!)}
                  r={4}
                  fill="#ffffff"
                  stroke={line.color}
                  strokeWidth={2}
                  tabIndex={0}
                  role="img"
                  aria-label={point.description}
                  className="line-chart__point"
                  data-testid="chart-point"
                  onMouseEnter={(event) => show(point.description, event.currentTarget)}
                  onMouseLeave={() => setHover(null)}
                  onFocus={(event) => show(point.description, event.currentTarget)}
                  onBlur={() => setHover(null)}
                >
                  <title>{point.description}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      {series.length > 1 && (
        <figcaption className="line-chart__legend">
          {series.map((line) => (
            <span key={line.id} className="line-chart__key">
              <span className="line-chart__swatch" style={{ background: line.color }} />
              {line.label}
            </span>
          ))}
        </figcaption>
      )}
      {hover && (
        <div
          className="line-chart__tooltip"
          role="tooltip"
          style={{ left: hover.left, top: hover.top }}
        >
          {hover.text}
        </div>
      )}
    </figure>
  );
}
