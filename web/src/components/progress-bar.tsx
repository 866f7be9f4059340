/** A thin determinate bar; `value` null shows an indeterminate one (work started, amount unknown). */
export function ProgressBar({
  value,
  label,
  tone = "accent",
}: {
  value: number | null;
  label: string;
  tone?: "accent" | "success" | "danger";
}) {
  const percent = value === null ? undefined : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div
      className={`progress progress--${tone} ${value === null ? "progress--indeterminate" : ""}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
    >
      <div
        className="progress__bar"
        style={percent === undefined ? undefined : { width: `${percent}%` }}
      />
    </div>
  );
}
