/**
 * The one keydown listener behind every shortcut. It resolves a key press to an action through the
 * user's bindings, and stays out of the way while someone types: keys pressed in an input,
 * textarea, select or contenteditable are left alone, except Ctrl/Cmd+Enter (save), which is meant
 * to be pressed from inside a text field.
 */
import type { KeyPress } from "./keys.ts";
import { keyFromEvent } from "./keys.ts";
import type { HotkeyActionId, KeyBindings } from "./registry.ts";

export type HotkeyHandler = (event: KeyboardEvent) => void;
export type HotkeyHandlers = Partial<Record<HotkeyActionId, HotkeyHandler>>;

/** The parts of a DOM element this module reads (so tests need no DOM). */
export interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  getAttribute?(name: string): string | null;
}

/** Keys that are passed through while typing. */
const allowedWhileTyping = new Set(["mod+enter"]);

const nonTextInputTypes = new Set([
  "checkbox",
  "radio",
  "range",
  "button",
  "submit",
  "reset",
  "file",
  "color",
  "image",
]);

/** Whether keys pressed with focus on `target` produce text. */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (!target || typeof target.tagName !== "string") return false;
  const tag = target.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag === "input") return !nonTextInputTypes.has((target.type ?? "text").toLowerCase());
  if (target.isContentEditable) return true;
  const role = target.getAttribute?.("role");
  return role === "textbox" || role === "combobox" || role === "searchbox";
}

/** Space and Enter already mean "press" on buttons, links and checkboxes: leave them that meaning. */
function activatesTarget(key: string, target: TargetLike | null | undefined): boolean {
  if (key !== "space" && key !== "enter") return false;
  if (!target || typeof target.tagName !== "string") return false;
  const tag = target.tagName.toLowerCase();
  if (tag === "button" || tag === "a" || tag === "summary") return true;
  if (tag === "input") return nonTextInputTypes.has((target.type ?? "").toLowerCase());
  const role = target.getAttribute?.("role");
  return (
    role === "button" ||
    role === "link" ||
    role === "checkbox" ||
    role === "menuitem" ||
    role === "tab"
  );
}

/** The action a key press triggers, or null when the press should be left to the page. */
export function actionForKeyPress(
  press: KeyPress & { target?: TargetLike | null },
  keyToAction: ReadonlyMap<string, HotkeyActionId>,
): HotkeyActionId | null {
  const key = keyFromEvent(press);
  if (key === null) return null;
  const actionId = keyToAction.get(key);
  if (!actionId) return null;
  if (isTypingTarget(press.target) && !allowedWhileTyping.has(key)) return null;
  if (activatesTarget(key, press.target)) return null;
  return actionId;
}

export function keyMapFor(
  bindings: KeyBindings,
  actionIds: Iterable<HotkeyActionId>,
): Map<string, HotkeyActionId> {
  const map = new Map<string, HotkeyActionId>();
  for (const actionId of actionIds) map.set(bindings[actionId], actionId);
  return map;
}

function modalDialogOpen(): boolean {
  try {
    return document.querySelector("dialog:modal") !== null;
  } catch {
    // Browsers without :modal: fall back to any open dialog.
    return document.querySelector("dialog[open]") !== null;
  }
}

/**
 * Listens on `window` for the handled actions. `getHandlers` is read on every press, so handlers
 * may change without re-binding. Presses another listener already handled (`defaultPrevented`) and
 * presses while a modal dialog is open are ignored: the dialog owns the keyboard then.
 */
export function bindHotkeys(
  bindings: KeyBindings,
  actionIds: HotkeyActionId[],
  getHandlers: () => HotkeyHandlers,
): () => void {
  const keyToAction = keyMapFor(bindings, actionIds);
  const listener = (event: KeyboardEvent) => {
    if (event.defaultPrevented) return;
    const actionId = actionForKeyPress(
      { ...keyPressOf(event), target: event.target as TargetLike | null },
      keyToAction,
    );
    if (!actionId || modalDialogOpen()) return;
    const handler = getHandlers()[actionId];
    if (!handler) return;
    event.preventDefault();
    handler(event);
  };
  window.addEventListener("keydown", listener);
  return () => window.removeEventListener("keydown", listener);
}

function keyPressOf(event: KeyboardEvent): KeyPress {
  return {
    key: event.key,
    ctrlKey: event.ctrlKey,
    metaKey: event.metaKey,
    altKey: event.altKey,
    shiftKey: event.shiftKey,
    // keyCode 229: some browsers report IME composition only this way.
    isComposing: event.isComposing || event.keyCode === 229,
  };
}
