/**
 * A button that shows and hides a small panel of links and buttons below it (the WAI-ARIA
 * "disclosure navigation" pattern rather than `role="menu"`, which is for application commands):
 * Enter, Space or ArrowDown open it, ArrowUp/ArrowDown/Home/End move between its entries, Escape
 * closes it and gives the focus back to the button, and it closes when an entry is chosen, on a
 * click elsewhere or when the focus leaves it. Closed, the panel stays in the page (hidden), so its
 * text is there for whoever reads it.
 */
import { useEffect, useId, useRef, useState } from "react";
import type { KeyboardEvent, ReactNode } from "react";
import { flushSync } from "react-dom";

export interface DisclosureMenuProps {
  /** What the button shows. */
  label: ReactNode;
  /** The button's accessible name, when its text is not enough. */
  accessibleLabel?: string;
  /** The current page is one of the entries: the button looks like an active link. */
  active?: boolean;
  /** Which edge of the button the panel lines up with. */
  align?: "start" | "end";
  className?: string;
  testId?: string;
  children: ReactNode;
}

const entrySelector = "a[href], button:not([disabled])";

export function DisclosureMenu({
  label,
  accessibleLabel,
  active = false,
  align = "start",
  className = "",
  testId,
  children,
}: DisclosureMenuProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const closeOnOutsideClick = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", closeOnOutsideClick);
    return () => document.removeEventListener("pointerdown", closeOnOutsideClick);
  }, [open]);

  const entries = () => [...(panel.current?.querySelectorAll<HTMLElement>(entrySelector) ?? [])];

  function focusEntry(which: "first" | "last" | "next" | "previous") {
    const all = entries();
    if (all.length === 0) return;
    const current = all.indexOf(document.activeElement as HTMLElement);
    const index = {
      first: 0,
      last: all.length - 1,
      next: (current + 1) % all.length,
      previous: (current - 1 + all.length) % all.length,
    }[which];
    all[index].focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    const fromButton = event.target === button.current;
    if (event.key === "Escape" && open) {
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const down = event.key === "ArrowDown";
      // Show the panel now, so that its entries can take the focus.
      if (!open) flushSync(() => setOpen(true));
      if (fromButton) focusEntry(down ? "first" : "last");
      else focusEntry(down ? "next" : "previous");
    } else if (open && !fromButton && (event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      focusEntry(event.key === "Home" ? "first" : "last");
    }
  }

  return (
    <div
      ref={root}
      className={`disclosure-menu ${className}`}
      data-testid={testId}
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        if (!root.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        className={`nav-link disclosure-menu__button ${active ? "nav-link--active" : ""}`}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={accessibleLabel}
        data-active={active || undefined}
        onClick={() => setOpen(!open)}
      >
        {label}
        <span className="disclosure-menu__caret" aria-hidden="true">
          ▾
        </span>
      </button>
      <div
        ref={panel}
        id={panelId}
        className={`disclosure-menu__panel disclosure-menu__panel--${align}`}
        hidden={!open}
        onClick={(event) => {
          if ((event.target as HTMLElement).closest(entrySelector)) setOpen(false);
        }}
      >
        {children}
      </div>
    </div>
  );
}
