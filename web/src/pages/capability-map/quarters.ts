/** Quarters as the map names them ("2026-Q3"): the current one, and the ones before it. */

const pattern = /^(\d{4})-Q([1-4])$/;

export function isQuarter(value: string | null | undefined): value is string {
  return typeof value === "string" && pattern.test(value);
}

export function quarterOfDate(date: Date): string {
  return `${date.getFullYear()}-Q${Math.floor(date.getMonth() / 3) + 1}`;
}

/** `2026-Q1` shifted by −1 → `2025-Q4`. */
export function shiftQuarter(quarter: string, by: number): string {
  const match = pattern.exec(quarter);
  if (!match) throw new Error(`not a quarter: ${quarter}`);
  const index = Number(match[1]) * 4 + (Number(match[2]) - 1) + by;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

/** The latest quarter first, then `count − 1` before it; `also` is added if missing (e.g. from a link). */
export function quarterOptions(latest: string, count = 8, also?: string | null): string[] {
  const options = Array.from({ length: count }, (_, index) => shiftQuarter(latest, -index));
  if (isQuarter(also) && !options.includes(also)) {
    options.push(also);
    options.sort((left, right) => right.localeCompare(left));
  }
  return options;
}
