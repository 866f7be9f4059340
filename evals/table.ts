/**
 * Plain-text tables for the terminal. Column widths count East Asian wide characters as two
 * cells, so Chinese labels line up with English ones.
 */

function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    // CJK, Hangul, full-width forms and CJK punctuation take two terminal cells.
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, align: "left" | "right"): string {
  const padding = " ".repeat(Math.max(0, width - displayWidth(text)));
  return align === "right" ? padding + text : text + padding;
}

export type Cell = string | number | null | undefined;

/** Numbers are right-aligned; null and undefined show as "–". */
export function formatTable(header: string[], rows: Cell[][]): string {
  const text = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? "–" : String(cell))),
  );
  const numeric = header.map((_, column) =>
    rows.every((row) => typeof row[column] === "number" || row[column] == null),
  );
  const widths = header.map((name, column) =>
    Math.max(displayWidth(name), ...text.map((row) => displayWidth(row[column] ?? ""))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => pad(cell, widths[column], numeric[column] ? "right" : "left"))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...text.map(line)].join(
    "\n",
  );
}

export function percent(value: number | null | undefined, digits = 1): string | null {
  return value === null || value === undefined ? null : `${(value * 100).toFixed(digits)}%`;
}

export function signedPercent(value: number | null | undefined, digits = 1): string | null {
  if (value === null || value === undefined) return null;
  const points = value * 100;
  return `${points >= 0 ? "+" : ""}${points.toFixed(digits)} pt`;
}

export function milliseconds(value: number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
}

export function dollars(value: number | null | undefined): string | null {
  return value === null || value === undefined ? null : `$${value.toFixed(4)}`;
}
