/**
 * Key combinations as canonical strings: lower-case, modifiers first in a fixed order, joined by
 * "+" — "a", "shift+a", "mod+enter", "space", "?". `mod` means Ctrl or Cmd, so one binding works on
 * Windows, Linux and macOS. Pure functions, no DOM: the server may import this to validate a map.
 */

const modifierOrder = ["mod", "alt", "shift"] as const;
type Modifier = (typeof modifierOrder)[number];

const modifierAliases: Record<string, Modifier> = {
  mod: "mod",
  ctrl: "mod",
  control: "mod",
  cmd: "mod",
  command: "mod",
  meta: "mod",
  alt: "alt",
  option: "alt",
  shift: "shift",
};

const namedKeys = new Set([
  "enter",
  "space",
  "escape",
  "tab",
  "backspace",
  "delete",
  "arrowup",
  "arrowdown",
  "arrowleft",
  "arrowright",
  "home",
  "end",
  "pageup",
  "pagedown",
  ...Array.from({ length: 12 }, (_, index) => `f${index + 1}`),
]);

const keyAliases: Record<string, string> = {
  " ": "space",
  spacebar: "space",
  esc: "escape",
  return: "enter",
  del: "delete",
  up: "arrowup",
  down: "arrowdown",
  left: "arrowleft",
  right: "arrowright",
  plus: "+",
};

/** Keys the browser or accessibility needs (leaving dialogs, moving focus): never bindable. */
export const reservedKeys: ReadonlySet<string> = new Set(["escape", "tab", "shift+tab"]);

function isLetter(key: string): boolean {
  return key.length === 1 && key.toLowerCase() !== key.toUpperCase();
}

/** A single printable character that is not a letter, e.g. "1", "/", "?". */
function isSymbol(key: string): boolean {
  return Array.from(key).length === 1 && !isLetter(key) && key.trim() !== "";
}

function canonicalKeyName(raw: string): string | null {
  if (raw === " ") return "space";
  const lower = raw.toLowerCase();
  const aliased = keyAliases[lower] ?? lower;
  if (namedKeys.has(aliased)) return aliased;
  if (isLetter(aliased) || isSymbol(aliased)) return aliased;
  return null;
}

function join(modifiers: Set<Modifier>, key: string): string {
  // Symbols such as "?" already carry their Shift in the character itself, so Shift is dropped:
  // "shift+/" and "?" would otherwise be two names for what users think of as one key.
  const parts: string[] = modifierOrder.filter(
    (modifier) => modifiers.has(modifier) && !(modifier === "shift" && isSymbol(key)),
  );
  parts.push(key);
  return parts.join("+");
}

/**
 * Parses what a person or a stored map wrote ("Ctrl+Enter", "cmd+enter", "Space", "?", "Shift+A")
 * into the canonical form, or returns null when it is not a key combination.
 */
export function normaliseKey(input: string): string | null {
  if (typeof input !== "string") return null;
  const trimmed = input.trim();
  if (trimmed === "") return input === " " ? "space" : null;
  if (trimmed === "+") return "+";
  // "ctrl++" ends with the "+" key itself.
  const endsWithPlus = trimmed.length > 1 && trimmed.endsWith("++");
  const parts = (endsWithPlus ? trimmed.slice(0, -2) : trimmed)
    .split("+")
    .map((part) => part.trim());
  if (endsWithPlus) parts.push("+");
  const keyPart = parts.pop();
  if (keyPart === undefined || keyPart === "") return null;
  const modifiers = new Set<Modifier>();
  for (const part of parts) {
    const modifier = modifierAliases[part.toLowerCase()];
    if (!modifier || modifiers.has(modifier)) return null;
    modifiers.add(modifier);
  }
  // An upper-case letter typed as such ("A") is the same key as "a"; Shift must be written out.
  const key = canonicalKeyName(keyPart);
  if (key === null) return null;
  return join(modifiers, key);
}

/** The fields of a KeyboardEvent this module reads (so tests need no DOM). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
}

const modifierKeyNames = new Set([
  "control",
  "shift",
  "alt",
  "meta",
  "altgraph",
  "capslock",
  "os",
  "hyper",
  "super",
  "fn",
]);

/**
 * The canonical combination a key press stands for, or null for presses that are no combination:
 * modifiers alone, dead keys, and keys pressed while an input method (Chinese IME) composes text.
 */
export function keyFromEvent(event: KeyPress): string | null {
  if (event.isComposing) return null;
  const raw = event.key;
  if (!raw || raw === "Dead" || raw === "Process" || raw === "Unidentified") return null;
  if (modifierKeyNames.has(raw.toLowerCase())) return null;
  const key = canonicalKeyName(raw);
  if (key === null) return null;
  const modifiers = new Set<Modifier>();
  if (event.ctrlKey || event.metaKey) modifiers.add("mod");
  if (event.altKey) modifiers.add("alt");
  if (event.shiftKey) modifiers.add("shift");
  return join(modifiers, key);
}

const displayNames: Record<string, string> = {
  enter: "Enter",
  space: "Space",
  escape: "Esc",
  tab: "Tab",
  backspace: "Backspace",
  delete: "Delete",
  arrowup: "↑",
  arrowdown: "↓",
  arrowleft: "←",
  arrowright: "→",
  home: "Home",
  end: "End",
  pageup: "Page Up",
  pagedown: "Page Down",
};

/** The parts to show for a canonical combination, e.g. ["Ctrl", "Enter"] or ["⌘", "Enter"]. */
export function keyLabels(key: string, options: { mac?: boolean } = {}): string[] {
  const parts =
    key === "+"
      ? ["+"]
      : key.endsWith("++")
        ? [...key.slice(0, -2).split("+"), "+"]
        : key.split("+");
  return parts.map((part, index) => {
    if (index < parts.length - 1) {
      if (part === "mod") return options.mac ? "⌘" : "Ctrl";
      if (part === "alt") return options.mac ? "⌥" : "Alt";
      if (part === "shift") return options.mac ? "⇧" : "Shift";
    }
    return displayNames[part] ?? (/^f\d+$/.test(part) ? part.toUpperCase() : part.toUpperCase());
  });
}

/** A canonical combination as one readable string, e.g. "Ctrl+Enter". */
export function formatKey(key: string, options: { mac?: boolean } = {}): string {
  return keyLabels(key, options).join(options.mac ? "" : "+");
}
