/**
 * Number formats the insight screens (evals, capability map, prompt-set sandbox) need beyond
 * `useFormatters()`: one-decimal percentages, signed deltas (the shared percent format clamps to
 * 0–100 %), response times, token counts and dollar costs. All through `Intl` in the UI language,
 * cached per locale like the shared formatters.
 */
import { useMemo } from "react";
import { useFormatters } from "../i18n/format.ts";
import type { Formatters } from "../i18n/format.ts";

export interface InsightFormatters extends Formatters {
  /** 0.4251 → "42.5%". */
  percentPrecise(fraction: number | null | undefined): string;
  /** A difference of two fractions, signed: 0.031 → "+3.1%", −0.2 → "−20%", 0 → "0%". */
  signedPercent(delta: number | null | undefined): string;
  /**
   * Milliseconds as a short duration: 0.163 → "0.16 ms" (the local engine answers in well under a
   * millisecond), 850 → "850 ms", 1234 → "1.2 s", 95000 → "95 s".
   */
  milliseconds(value: number | null | undefined): string;
  /** A signed duration difference: "+120 ms", "−1.5 s". */
  signedMilliseconds(delta: number | null | undefined): string;
  /** Whole numbers and counts, "—" when unknown. */
  count(value: number | null | undefined): string;
  /** US dollars with enough digits for sub-cent model costs: "$0.0042". */
  usd(value: number | null | undefined): string;
  signedUsd(delta: number | null | undefined): string;
}

const none = "—";

export function createInsightFormatters(base: Formatters): InsightFormatters {
  const locale = base.locale;
  const percent = new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 1,
  });
  const signedPercent = new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  });
  const unit = (name: "millisecond" | "second", digits: number, signed = false) =>
    new Intl.NumberFormat(locale, {
      style: "unit",
      unit: name,
      maximumFractionDigits: digits,
      signDisplay: signed ? "exceptZero" : "auto",
    });
  const milliseconds = unit("millisecond", 0);
  const smallMilliseconds = (signed: boolean) =>
    new Intl.NumberFormat(locale, {
      style: "unit",
      unit: "millisecond",
      maximumSignificantDigits: 2,
      signDisplay: signed ? "exceptZero" : "auto",
    });
  const smallUnsigned = smallMilliseconds(false);
  const smallSigned = smallMilliseconds(true);
  const secondsPrecise = unit("second", 1);
  const seconds = unit("second", 0);
  const signedMilliseconds = unit("millisecond", 0, true);
  const signedSecondsPrecise = unit("second", 1, true);
  const signedSeconds = unit("second", 0, true);
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const usd = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  });
  const signedUsd = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
    signDisplay: "exceptZero",
  });
  const known = (value: number | null | undefined): value is number =>
    typeof value === "number" && Number.isFinite(value);
  const duration = (value: number, signed: boolean) => {
    const size = Math.abs(value);
    if (size < 10) return (signed ? smallSigned : smallUnsigned).format(value);
    if (size < 1000) return (signed ? signedMilliseconds : milliseconds).format(value);
    if (size < 10_000) return (signed ? signedSecondsPrecise : secondsPrecise).format(value / 1000);
    return (signed ? signedSeconds : seconds).format(value / 1000);
  };
  return {
    ...base,
    percentPrecise: (fraction) => (known(fraction) ? percent.format(fraction) : none),
    signedPercent: (delta) => (known(delta) ? signedPercent.format(delta) : none),
    milliseconds: (value) => (known(value) ? duration(value, false) : none),
    signedMilliseconds: (delta) => (known(delta) ? duration(delta, true) : none),
    count: (value) => (known(value) ? count.format(value) : none),
    usd: (value) => (known(value) ? usd.format(value) : none),
    signedUsd: (delta) => (known(delta) ? signedUsd.format(delta) : none),
  };
}

const cache = new Map<string, InsightFormatters>();

export function insightFormattersFor(base: Formatters): InsightFormatters {
  let formatters = cache.get(base.locale);
  if (!formatters) {
    formatters = createInsightFormatters(base);
    cache.set(base.locale, formatters);
  }
  return formatters;
}

export function useInsightFormatters(): InsightFormatters {
  const base = useFormatters();
  return useMemo(() => insightFormattersFor(base), [base]);
}
