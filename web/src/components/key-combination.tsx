import { keyLabels } from "../hotkeys/keys.ts";

export const isMac =
  typeof navigator !== "undefined" &&
  /mac|iphone|ipad/i.test(navigator.platform || navigator.userAgent);

/** A key combination drawn as keycaps, e.g. [Ctrl] + [Enter]. */
export function KeyCombination({ value }: { value: string }) {
  const labels = keyLabels(value, { mac: isMac });
  return (
    <span className="keys" data-key={value}>
      {labels.map((label, index) => (
        <kbd key={index}>{label}</kbd>
      ))}
    </span>
  );
}
