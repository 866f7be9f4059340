/**
 * Binds registry actions to handlers for as long as the component is mounted, through the user's
 * current bindings:
 *
 *   useActionHotkeys({ "review:accept": accept, "review:next-utterance": next });
 *
 * The handler runs instead of the browser's default for that key.
 */
import { useEffect, useRef } from "react";
import type { HotkeyHandlers } from "./bind-hotkeys.ts";
import { bindHotkeys } from "./bind-hotkeys.ts";
import { useHotkeys } from "./hotkeys-context.tsx";
import type { HotkeyActionId } from "./registry.ts";

export interface ActionHotkeyOptions {
  /** False switches the bindings off (e.g. while an editor owns the keyboard). Default true. */
  enabled?: boolean;
}

export function useActionHotkeys(
  handlers: HotkeyHandlers,
  options: ActionHotkeyOptions = {},
): void {
  const { bindings } = useHotkeys();
  const latest = useRef(handlers);
  latest.current = handlers;
  const enabled = options.enabled ?? true;
  // Re-bind only when the set of actions or the bindings change, not on every render.
  const actionIds = (Object.keys(handlers) as HotkeyActionId[]).sort();
  const actionKey = actionIds.join(" ");
  useEffect(() => {
    if (!enabled) return;
    return bindHotkeys(
      bindings,
      actionKey ? (actionKey.split(" ") as HotkeyActionId[]) : [],
      () => latest.current,
    );
  }, [bindings, actionKey, enabled]);
}
