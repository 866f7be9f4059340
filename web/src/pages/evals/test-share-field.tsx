/** The share of samples held out for testing, as the dataset builder and the file import ask for it. */
import { useTranslation } from "react-i18next";

export function TestShareField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const { t } = useTranslation();
  return (
    <label className="field field--narrow">
      <span className="field__label">{t("evals.datasets.testShare")}</span>
      <input type="number" min={0.05} max={0.95} step={0.05} value={value} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}
