/**
 * The time axis of the capability map: a quarter ("2026-Q3") or a custom range of calendar days,
 * and the period it is compared with. Dates are plain `YYYY-MM-DD` calendar days in the rollup's
 * time zone; ranges include both ends. Day arithmetic is done on UTC dates, where every day has
 * 24 hours, so daylight-saving changes in the workspace's zone cannot shift a boundary.
 */
import { ValidationError } from "../errors.ts";

export interface Period {
  /** First day, inclusive. */
  from: string;
  /** Last day, inclusive. */
  to: string;
  /** "2026-Q3" when the period is exactly a calendar quarter, otherwise null. */
  quarter: string | null;
}

export interface PeriodInput {
  quarter?: string;
  from?: string;
  to?: string;
}

const quarterPattern = /^(\d{4})-Q([1-4])$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayMs = 86_400_000;
/** Longer custom ranges are almost certainly a typo, and the comparison period doubles them. */
export const maximumRangeDays = 3 * 366;

export function parseQuarter(label: string): Period {
  const match = quarterPattern.exec(label);
  if (!match) throw new ValidationError(`"${label}" is not a quarter; write it like 2026-Q3.`);
  const year = Number(match[1]);
  const quarter = Number(match[2]);
  const firstMonth = (quarter - 1) * 3;
  return {
    from: formatDay(Date.UTC(year, firstMonth, 1)),
    to: formatDay(Date.UTC(year, firstMonth + 3, 1) - dayMs),
    quarter: label,
  };
}

/** The quarter a calendar day falls in, e.g. "2026-08-15" → "2026-Q3". */
export function quarterOf(day: string): string {
  const time = parseDay(day, "date");
  const date = new Date(time);
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

export function previousQuarter(label: string): string {
  const { from } = parseQuarter(label);
  return quarterOf(formatDay(parseDay(from, "quarter") - dayMs));
}

/** Number of calendar days in a period, both ends included. */
export function periodDays(period: Period): number {
  return Math.round((parseDay(period.to, "to") - parseDay(period.from, "from")) / dayMs) + 1;
}

/**
 * The period asked for and the one it is compared with: the previous quarter for a quarter, the
 * same number of days immediately before for a custom range. With neither, the quarter containing
 * `today` (a date in the rollup's time zone).
 */
export function resolvePeriods(
  input: PeriodInput,
  today: string,
): { current: Period; previous: Period } {
  const hasRange = input.from !== undefined || input.to !== undefined;
  if (input.quarter !== undefined && hasRange) {
    throw new ValidationError("Give either a quarter or a from/to range, not both.");
  }
  if (hasRange) {
    if (input.from === undefined || input.to === undefined) {
      throw new ValidationError(
        "A custom range needs both from and to (YYYY-MM-DD, both included).",
      );
    }
    const from = parseDay(input.from, "from");
    const to = parseDay(input.to, "to");
    if (to < from)
      throw new ValidationError(`The range ends (${input.to}) before it starts (${input.from}).`);
    const days = Math.round((to - from) / dayMs) + 1;
    if (days > maximumRangeDays) {
      throw new ValidationError(
        `A range may span at most ${maximumRangeDays} days; this one spans ${days}.`,
      );
    }
    const current = labelled({ from: input.from, to: input.to });
    const previous = labelled({
      from: formatDay(from - days * dayMs),
      to: formatDay(from - dayMs),
    });
    return { current, previous };
  }
  const current = parseQuarter(input.quarter ?? quarterOf(today));
  return { current, previous: parseQuarter(previousQuarter(current.quarter!)) };
}

/** A stretch of a period read from one rollup table; months are named by their first day. */
export interface PeriodSegment {
  grain: "day" | "month";
  from: string;
  to: string;
}

/**
 * Splits a period into the whole calendar months it covers (read from the monthly rollup) and the
 * days left over at its edges (read from the daily rollup). A quarter is a single month segment.
 */
export function periodSegments(period: Period): PeriodSegment[] {
  const from = new Date(parseDay(period.from, "from"));
  const to = new Date(parseDay(period.to, "to"));
  const firstWhole = Date.UTC(
    from.getUTCFullYear(),
    from.getUTCMonth() + (from.getUTCDate() === 1 ? 0 : 1),
    1,
  );
  const endOfToMonth = Date.UTC(to.getUTCFullYear(), to.getUTCMonth() + 1, 1) - dayMs;
  const lastWhole = Date.UTC(
    to.getUTCFullYear(),
    to.getUTCMonth() - (to.getTime() === endOfToMonth ? 0 : 1),
    1,
  );
  if (firstWhole > lastWhole) return [{ grain: "day", from: period.from, to: period.to }];
  const segments: PeriodSegment[] = [];
  if (from.getTime() < firstWhole)
    segments.push({ grain: "day", from: period.from, to: formatDay(firstWhole - dayMs) });
  segments.push({ grain: "month", from: formatDay(firstWhole), to: formatDay(lastWhole) });
  const afterLastWhole = Date.UTC(
    new Date(lastWhole).getUTCFullYear(),
    new Date(lastWhole).getUTCMonth() + 1,
    1,
  );
  if (afterLastWhole <= to.getTime())
    segments.push({ grain: "day", from: formatDay(afterLastWhole), to: period.to });
  return segments;
}

/** Today's calendar date in `timeZone` (an IANA name such as "Asia/Shanghai"). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** A custom range that happens to be exactly a quarter is labelled as one. */
function labelled(range: { from: string; to: string }): Period {
  const quarter = quarterOf(range.from);
  const whole = parseQuarter(quarter);
  return { ...range, quarter: whole.from === range.from && whole.to === range.to ? quarter : null };
}

function parseDay(value: string, name: string): number {
  const match = datePattern.exec(value);
  if (match) {
    const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    // Date.UTC rolls 2026-02-30 over into March; a real date survives the round trip.
    if (formatDay(time) === value) return time;
  }
  throw new ValidationError(`${name} must be a calendar date written YYYY-MM-DD; got "${value}".`);
}

function formatDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
