/** Labelled form controls: one control with its label (and hint), and a group of checkboxes. */
import type { ReactNode } from "react";

/** The label above the control, an optional hint below, all in one `<label>`. */
export function Field({
  label,
  hint,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      {children}
      {hint && <span className="field__hint">{hint}</span>}
    </label>
  );
}

/** One checkbox per option under a legend; `onToggle` decides what the new selection is. */
export function CheckboxGroup<Option extends string>({
  legend,
  options,
  checked,
  label,
  onToggle,
  className,
}: {
  legend: ReactNode;
  options: readonly Option[];
  checked: readonly Option[];
  label(option: Option): ReactNode;
  onToggle(option: Option, checked: boolean): void;
  className?: string;
}) {
  return (
    <fieldset className={className}>
      <legend className="field__label">{legend}</legend>
      {options.map((option) => (
        <label key={option} className="checkbox">
          <input
            type="checkbox"
            checked={checked.includes(option)}
            onChange={(event) => onToggle(option, event.target.checked)}
          />
          {label(option)}
        </label>
      ))}
    </fieldset>
  );
}
