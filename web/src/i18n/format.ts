/**
 * Dates, numbers and durations through `Intl`, in the current UI language. Formatters are cached
 * per locale because constructing them is the slow part.
 */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

export interface Formatters {
  locale: string;
  /** "2025-03-04" or an ISO timestamp → a calendar date. Plain dates are not shifted by time zone. */
  date(value: string | null | undefined): string;
  dateTime(value: string | null | undefined): string;
  number(value: number): string;
  percent(fraction: number): string;
  /** Milliseconds → "1:02:03" or "2:03" (a clock reading, the same in both languages). */
  duration(milliseconds: number | null | undefined): string;
  fileSize(bytes: number): string;
  /** "zh" → "Chinese" / "中文"; unknown codes are returned as given. */
  language(code: string | null | undefined): string;
}

const none = "—";

export function clock(milliseconds: number): string {
  const totalSeconds = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

export function createFormatters(locale: string): Formatters {
  const dateFormat = new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
  const plainDateFormat = new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
  });
  const numberFormat = new Intl.NumberFormat(locale);
  const percentFormat = new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 0,
  });
  const megabytes = new Intl.NumberFormat(locale, {
    style: "unit",
    unit: "megabyte",
    maximumFractionDigits: 1,
  });
  const kilobytes = new Intl.NumberFormat(locale, {
    style: "unit",
    unit: "kilobyte",
    maximumFractionDigits: 0,
  });
  const languageNames =
    typeof Intl.DisplayNames === "function"
      ? new Intl.DisplayNames([locale], { type: "language" })
      : null;
  const parse = (value: string) => {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  };
  return {
    locale,
    date(value) {
      if (!value) return none;
      // A bare calendar date means that day everywhere: format it in UTC so it never moves a day.
      const plain = /^\d{4}-\d{2}-\d{2}$/.test(value);
      const date = parse(plain ? `${value}T00:00:00Z` : value);
      return date ? (plain ? plainDateFormat : dateFormat).format(date) : value;
    },
    dateTime(value) {
      if (!value) return none;
      const date = parse(value);
      return date ? dateTimeFormat.format(date) : value;
    },
    number: (value) => numberFormat.format(value),
    percent: (fraction) => percentFormat.format(Math.min(1, Math.max(0, fraction))),
    duration: (milliseconds) =>
      milliseconds === null || milliseconds === undefined ? none : clock(milliseconds),
    language(code) {
      if (!code) return none;
      try {
        return languageNames?.of(code) ?? code;
      } catch {
        // Not a well-formed language tag (RangeError): show it as stored.
        return code;
      }
    },
    fileSize: (bytes) =>
      bytes >= 1_000_000
        ? megabytes.format(bytes / 1_000_000)
        : kilobytes.format(Math.max(1, bytes / 1000)),
  };
}

const cache = new Map<string, Formatters>();

export function formattersFor(locale: string): Formatters {
  let formatters = cache.get(locale);
  if (!formatters) {
    formatters = createFormatters(locale);
    cache.set(locale, formatters);
  }
  return formatters;
}

export function useFormatters(): Formatters {
  const { i18n } = useTranslation();
  return useMemo(() => formattersFor(i18n.language), [i18n.language]);
}
