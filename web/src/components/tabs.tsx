/**
 * Tabs as a row of buttons (WAI-ARIA tabs pattern): arrow keys move between them, the chosen
 * one is `aria-selected`. The caller renders the panel for the selected tab.
 */
import { useRef } from "react";
import type { KeyboardEvent, ReactNode } from "react";
import "./tabs.css";

export interface Tab<Id extends string> {
  id: Id;
  label: ReactNode;
}

export function Tabs<Id extends string>({
  tabs,
  selected,
  onSelect,
  label,
  idPrefix,
}: {
  tabs: Tab<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
  label: string;
  /** Prefix of the tab ids, so the panel can be `aria-labelledby` `${idPrefix}-${id}`. */
  idPrefix: string;
}) {
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  function onKeyDown(event: KeyboardEvent, index: number) {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = (index + step + tabs.length) % tabs.length;
    onSelect(tabs[next].id);
    buttons.current[next]?.focus();
  }
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button
          key={tab.id}
          ref={(element) => {
            buttons.current[index] = element;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-${tab.id}`}
          aria-selected={tab.id === selected}
          tabIndex={tab.id === selected ? 0 : -1}
          className={`tabs__tab ${tab.id === selected ? "tabs__tab--selected" : ""}`}
          data-testid={`tab-${tab.id}`}
          onClick={() => onSelect(tab.id)}
          onKeyDown={(event) => onKeyDown(event, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
