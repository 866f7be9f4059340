/**
 * A sequential colour scale for heat maps: light (little) to the accent's dark blue (much), one
 * hue so it reads in greyscale print and for red–green colour blindness. Pure functions, so the
 * on-screen grid, the PNG export and the printed report colour a value the same way.
 */

/** Stops from 0 to 1, evenly spaced. */
const stops = ["#eef3fd", "#c9d8f6", "#94b2ec", "#5a86dc", "#2f5bd3", "#1c3785"] as const;

/** Cells with too little data: not coloured, hatched in this grey. */
export const noDataFill = "#f0f2f5";
export const noDataStroke = "#c4cad4";

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function toHex([red, green, blue]: [number, number, number]): string {
  return `#${[red, green, blue]
    .map((channel) => Math.round(channel).toString(16).padStart(2, "0"))
    .join("")}`;
}

/** The colour of a position 0–1 on the scale (clamped; NaN counts as 0). */
export function scaleColor(position: number): string {
  const clamped = Number.isFinite(position) ? Math.min(1, Math.max(0, position)) : 0;
  const scaled = clamped * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(scaled));
  const fraction = scaled - index;
  const from = channels(stops[index]);
  const to = channels(stops[index + 1]);
  return toHex(
    [0, 1, 2].map((channel) => from[channel] + (to[channel] - from[channel]) * fraction) as [
      number,
      number,
      number,
    ],
  );
}

export interface Domain {
  min: number;
  max: number;
}

/** Where `value` sits in the domain, 0–1; a domain of one value puts everything at the top. */
export function positionIn(value: number, domain: Domain): number {
  const span = domain.max - domain.min;
  if (span <= 0) return 1;
  return Math.min(1, Math.max(0, (value - domain.min) / span));
}

/**
 * The domain of some values: fixed (rates are always 0–1), or the smallest and largest present,
 * starting at 0 when all values are positive so that a small spread is not exaggerated.
 */
export function domainOf(values: readonly (number | null)[], fixed?: Domain): Domain {
  if (fixed) return fixed;
  const present = values.filter(
    (value): value is number => value !== null && Number.isFinite(value),
  );
  if (present.length === 0) return { min: 0, max: 1 };
  const max = Math.max(...present);
  const min = Math.min(0, ...present);
  return { min, max: max === min ? min + 1 : max };
}

/** Relative luminance (WCAG) of a #rrggbb colour. */
export function luminance(hex: string): number {
  const linear = channels(hex).map((channel) => {
    const value = channel / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
}

/** Dark text on light cells, white on dark ones: whichever has the higher contrast. */
export function textColorOn(background: string): "#1c2333" | "#ffffff" {
  const background_ = luminance(background);
  const dark = luminance("#1c2333");
  const contrastWithDark = (background_ + 0.05) / (dark + 0.05);
  const contrastWithWhite = 1.05 / (background_ + 0.05);
  return contrastWithDark >= contrastWithWhite ? "#1c2333" : "#ffffff";
}

/** Evenly spaced stops of the scale, for a legend gradient. */
export function legendStops(count = 6): string[] {
  return Array.from({ length: count }, (_, index) => scaleColor(index / (count - 1)));
}
