/**
 * A change against a baseline (previous quarter, baseline run): an arrow, the signed value, and
 * a colour saying whether the change is for the better, which depends on the metric (higher
 * accuracy is better, higher latency is not).
 */
import "./delta.css";

export type Better = "higher" | "lower";

export function deltaTone(
  delta: number | null | undefined,
  better: Better,
): "good" | "bad" | "flat" {
  if (delta === null || delta === undefined || delta === 0 || !Number.isFinite(delta))
    return "flat";
  return delta > 0 === (better === "higher") ? "good" : "bad";
}

export function deltaArrow(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta) || delta === 0) return "→";
  return delta > 0 ? "▲" : "▼";
}

export function Delta({
  value,
  better,
  format,
  title,
  testId,
}: {
  value: number | null | undefined;
  better: Better;
  format: (value: number | null | undefined) => string;
  title?: string;
  testId?: string;
}) {
  if (value === null || value === undefined) {
    return (
      <span className="delta delta--flat" title={title} data-testid={testId}>
        —
      </span>
    );
  }
  const tone = deltaTone(value, better);
  return (
    <span className={`delta delta--${tone}`} title={title} data-testid={testId} data-tone={tone}>
      <span aria-hidden="true">{deltaArrow(value)} </span>
      {format(value)}
    </span>
  );
}
