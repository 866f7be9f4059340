/**
 * A heat map drawn as plain SVG: a grid of coloured cells with row and column headers and a
 * legend. The capability map (teams × stages) and the eval confusion matrix both use it.
 *
 * The SVG is self-contained (presentation attributes, no CSS classes inside), so it can be
 * serialised and drawn onto a canvas for a PNG export that looks like the screen. Cells are
 * focusable buttons with their full description as accessible name and hover/focus tooltip;
 * cells without enough data are hatched grey and say so instead of getting a colour.
 */
import { useId, useRef, useState } from "react";
import type { KeyboardEvent, Ref } from "react";
import { legendStops, noDataFill, noDataStroke, scaleColor, textColorOn } from "./color-scale.ts";
import "./heat-grid.css";

export interface HeatGridRow {
  id: string;
  label: string;
  /** Indentation level for trees (teams under their parent). */
  depth?: number;
}

export interface HeatGridColumn {
  id: string;
  label: string;
}

export interface HeatGridCell {
  rowId: string;
  columnId: string;
  /**
   * `value`: coloured by `position` (0–1 on the scale); `insufficient`: hatched, too little data
   * to show a number; `empty`: plain grey, nothing to measure.
   */
  state: "value" | "insufficient" | "empty";
  position?: number;
  text: string;
  /** A second, smaller line (e.g. the change since last quarter). */
  secondaryText?: string;
  /** The whole story of the cell in words: accessible name and tooltip. */
  description: string;
}

export interface HeatGridLegend {
  title: string;
  minimumLabel: string;
  maximumLabel: string;
  insufficientLabel?: string;
  emptyLabel?: string;
}

export interface HeatGridProps {
  /** Accessible name of the whole grid. */
  title: string;
  /** Drawn above the grid (shows in exported images). */
  caption?: string;
  rows: HeatGridRow[];
  columns: HeatGridColumn[];
  cells: HeatGridCell[];
  legend?: HeatGridLegend;
  selected?: { rowId: string; columnId: string } | null;
  onSelect?: (cell: HeatGridCell) => void;
  cellWidth?: number;
  cellHeight?: number;
  rowHeaderWidth?: number;
  /** Label of the row-header column (e.g. "Team"). */
  cornerLabel?: string;
  /**
   * Column labels slanted at 45° instead of cut to the cell width: for many narrow columns with
   * long names (a confusion matrix), so every header stays readable.
   */
  slantedColumns?: boolean;
  testId?: string;
  svgRef?: Ref<SVGSVGElement>;
}

const fontFamily =
  'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans", Arial, sans-serif';
const textColor = "#1c2333";
const mutedColor = "#5d6678";
const borderColor = "#dde1e8";
const accent = "#2f5bd3";
/** The longest a slanted column label may run before it is cut. */
const slantedLabelWidth = 200;

/** Roughly how wide text is at 12 px: CJK characters are square, Latin ones about half. */
export function estimateTextWidth(text: string, fontSize = 12): number {
  let width = 0;
  for (const character of text) {
    width += /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(character)
      ? fontSize
      : fontSize * 0.58;
  }
  return width;
}

/** Shortens text to fit `width` pixels, ending in "…" when cut. */
export function fitText(text: string, width: number, fontSize = 12): string {
  if (estimateTextWidth(text, fontSize) <= width) return text;
  let kept = "";
  for (const character of text) {
    if (estimateTextWidth(`${kept}${character}…`, fontSize) > width) break;
    kept += character;
  }
  return `${kept}…`;
}

interface Hover {
  cell: HeatGridCell;
  left: number;
  top: number;
}

export function HeatGrid({
  title,
  caption,
  rows,
  columns,
  cells,
  legend,
  selected,
  onSelect,
  cellWidth = 108,
  cellHeight = 50,
  rowHeaderWidth = 200,
  cornerLabel,
  slantedColumns = false,
  testId,
  svgRef,
}: HeatGridProps) {
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const hatchId = `${id}-hatch`;
  const gradientId = `${id}-gradient`;
  const titleId = `${id}-title`;
  const wrapper = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<Hover | null>(null);

  const captionHeight = caption ? 30 : 0;
  const slantedLength = slantedColumns
    ? Math.min(
        slantedLabelWidth,
        Math.max(0, ...columns.map((column) => estimateTextWidth(column.label))),
      )
    : 0;
  // A label slanted at 45° rises and runs by its length / √2.
  const slantedReach = Math.ceil(slantedLength / Math.SQRT2);
  const headerHeight = slantedColumns ? Math.max(40, slantedReach + 24) : 40;
  const top = captionHeight + headerHeight;
  const gridHeight = rows.length * cellHeight;
  const legendHeight = legend ? 56 : 0;
  const width = rowHeaderWidth + columns.length * cellWidth + 2 + slantedReach;
  const height = top + gridHeight + legendHeight + 4;

  const byKey = new Map(cells.map((cell) => [`${cell.rowId}\u0000${cell.columnId}`, cell]));
  const interactive = Boolean(onSelect);

  function showTooltip(cell: HeatGridCell, target: Element) {
    const box = wrapper.current?.getBoundingClientRect();
    const cellBox = target.getBoundingClientRect();
    if (!box) return;
    setHover({
      cell,
      left: cellBox.left - box.left + cellBox.width / 2,
      top: cellBox.bottom - box.top + 4,
    });
  }

  function onKeyDown(event: KeyboardEvent<SVGGElement>, cell: HeatGridCell) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect?.(cell);
    }
  }

  return (
    <div className="heat-grid" ref={wrapper} data-testid={testId}>
      <div className="heat-grid__scroll">
        <svg
          ref={svgRef}
          xmlns="http://www.w3.org/2000/svg"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="group"
          aria-labelledby={titleId}
          fontFamily={fontFamily}
          fontSize={12}
          className="heat-grid__svg"
        >
          <title id={titleId}>{title}</title>
          <defs>
            <pattern
              id={hatchId}
              width={8}
              height={8}
              patternUnits="userSpaceOnUse"
              patternTransform="rotate(45)"
            >
              <rect width={8} height={8} fill={noDataFill} />
              <line x1={0} y1={0} x2={0} y2={8} stroke={noDataStroke} strokeWidth={3} />
            </pattern>
            <linearGradient id={gradientId} x1="0" x2="1" y1="0" y2="0">
              {legendStops().map((color, index, all) => (
                <stop key={color} offset={index / (all.length - 1)} stopColor={color} />
              ))}
            </linearGradient>
          </defs>
          <rect x={0} y={0} width={width} height={height} fill="#ffffff" />
          {caption && (
            <text x={4} y={20} fontSize={15} fontWeight={600} fill={textColor}>
              {caption}
            </text>
          )}
          {cornerLabel && (
            <text x={8} y={top - 14} fill={mutedColor} fontWeight={600}>
              {fitText(cornerLabel, rowHeaderWidth - 16)}
            </text>
          )}
          {columns.map((column, index) => {
            const x = rowHeaderWidth + index * cellWidth + cellWidth / 2;
            return slantedColumns ? (
              <text
                key={column.id}
                x={x}
                y={top - 8}
                transform={`rotate(-45 ${x} ${top - 8})`}
                fill={mutedColor}
                fontWeight={600}
                data-column-label
              >
                <title>{column.label}</title>
                {fitText(column.label, slantedLabelWidth)}
              </text>
            ) : (
              <text
                key={column.id}
                x={x}
                y={top - 14}
                textAnchor="middle"
                fill={mutedColor}
                fontWeight={600}
                data-column-label
              >
                <title>{column.label}</title>
                {fitText(column.label, cellWidth - 8)}
              </text>
            );
          })}
          {rows.map((row, rowIndex) => {
            const y = top + rowIndex * cellHeight;
            const indent = 8 + (row.depth ?? 0) * 16;
            return (
              <g key={row.id}>
                <line x1={0} x2={width} y1={y} y2={y} stroke={borderColor} strokeWidth={1} />
                <text
                  x={indent}
                  y={y + cellHeight / 2 + 4}
                  fill={textColor}
                  fontWeight={(row.depth ?? 0) === 0 ? 600 : 400}
                >
                  <title>{row.label}</title>
                  {(row.depth ?? 0) > 0 ? "└ " : ""}
                  {fitText(row.label, rowHeaderWidth - indent - 24)}
                </text>
                {columns.map((column, columnIndex) => {
                  const cell = byKey.get(`${row.id}\u0000${column.id}`);
                  if (!cell) return null;
                  const x = rowHeaderWidth + columnIndex * cellWidth;
                  const fill =
                    cell.state === "value"
                      ? scaleColor(cell.position ?? 0)
                      : cell.state === "insufficient"
                        ? `url(#${hatchId})`
                        : noDataFill;
                  const ink = cell.state === "value" ? textColorOn(fill) : mutedColor;
                  const isSelected =
                    selected?.rowId === cell.rowId && selected?.columnId === cell.columnId;
                  return (
                    <g
                      key={column.id}
                      role={interactive ? "button" : "img"}
                      tabIndex={interactive ? 0 : undefined}
                      aria-label={cell.description}
                      aria-pressed={interactive ? isSelected : undefined}
                      data-testid="heat-cell"
                      data-row={cell.rowId}
                      data-column={cell.columnId}
                      data-state={cell.state}
                      className={
                        interactive
                          ? "heat-grid__cell heat-grid__cell--interactive"
                          : "heat-grid__cell"
                      }
                      onClick={interactive ? () => onSelect?.(cell) : undefined}
                      onKeyDown={interactive ? (event) => onKeyDown(event, cell) : undefined}
                      onMouseEnter={(event) => showTooltip(cell, event.currentTarget)}
                      onMouseLeave={() => setHover(null)}
                      onFocus={(event) => showTooltip(cell, event.currentTarget)}
                      onBlur={() => setHover(null)}
                    >
                      <rect
                        x={x + 2}
                        y={y + 2}
                        width={cellWidth - 4}
                        height={cellHeight - 4}
                        rx={4}
                        fill={fill}
                        stroke={
                          isSelected ? accent : cell.state === "value" ? "none" : noDataStroke
                        }
                        strokeWidth={isSelected ? 3 : 1}
                      />
                      <text
                        x={x + cellWidth / 2}
                        y={y + (cell.secondaryText ? cellHeight / 2 - 2 : cellHeight / 2 + 4)}
                        textAnchor="middle"
                        fill={ink}
                        fontWeight={cell.state === "value" ? 600 : 400}
                        fontSize={cell.state === "value" ? 13 : 11}
                      >
                        {fitText(cell.text, cellWidth - 10, cell.state === "value" ? 13 : 11)}
                      </text>
                      {cell.secondaryText && (
                        <text
                          x={x + cellWidth / 2}
                          y={y + cellHeight / 2 + 13}
                          textAnchor="middle"
                          fill={ink}
                          fontSize={11}
                        >
                          {fitText(cell.secondaryText, cellWidth - 10, 11)}
                        </text>
                      )}
                    </g>
                  );
                })}
              </g>
            );
          })}
          <line
            x1={0}
            x2={width}
            y1={top + gridHeight}
            y2={top + gridHeight}
            stroke={borderColor}
            strokeWidth={1}
          />
          {legend && (
            <g transform={`translate(8, ${top + gridHeight + 18})`} data-testid="heat-legend">
              <text x={0} y={0} fill={mutedColor} fontWeight={600}>
                {legend.title}
              </text>
              <text x={0} y={24} fill={mutedColor}>
                {legend.minimumLabel}
              </text>
              <rect
                x={estimateTextWidth(legend.minimumLabel) + 8}
                y={14}
                width={140}
                height={12}
                rx={2}
                fill={`url(#${gradientId})`}
              />
              <text x={estimateTextWidth(legend.minimumLabel) + 156} y={24} fill={mutedColor}>
                {legend.maximumLabel}
              </text>
              {legend.insufficientLabel && (
                <g
                  transform={`translate(${estimateTextWidth(legend.minimumLabel) + estimateTextWidth(legend.maximumLabel) + 184}, 0)`}
                >
                  <rect
                    x={0}
                    y={14}
                    width={18}
                    height={12}
                    fill={`url(#${hatchId})`}
                    stroke={noDataStroke}
                  />
                  <text x={24} y={24} fill={mutedColor}>
                    {legend.insufficientLabel}
                  </text>
                  {legend.emptyLabel && (
                    <g
                      transform={`translate(${estimateTextWidth(legend.insufficientLabel) + 44}, 0)`}
                    >
                      <rect
                        x={0}
                        y={14}
                        width={18}
                        height={12}
                        fill={noDataFill}
                        stroke={noDataStroke}
                      />
                      <text x={24} y={24} fill={mutedColor}>
                        {legend.emptyLabel}
                      </text>
                    </g>
                  )}
                </g>
              )}
            </g>
          )}
        </svg>
      </div>
      {hover && (
        <div
          className="heat-grid__tooltip"
          role="tooltip"
          data-testid="heat-tooltip"
          style={{ left: hover.left, top: hover.top }}
        >
          {hover.cell.description}
        </div>
      )}
    </div>
  );
}
