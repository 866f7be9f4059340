/**
 * The signed-in user's key bindings: the registry's defaults overlaid with what they saved through
 * `GET/PUT /api/me/hotkeys` (`{ bindings: { [actionId]: key } }`, overrides only, so changing a
 * default later reaches everyone who did not rebind that action). Also owns the `?` help dialog, which is
 * a global action available on every screen.
 */
import {
  createContext,
  lazy,
  Suspense,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { ReactNode } from "react";
import { ApiError, api } from "../api/client.ts";
import { bindHotkeys } from "./bind-hotkeys.ts";
import type { KeyBindings } from "./registry.ts";
import { defaultBindings, isHotkeyActionId, resolveBindings, toOverrides } from "./registry.ts";

const HotkeyHelpDialog = lazy(() => import("./hotkey-help-dialog.tsx"));

/** `server`: saved per user. `unavailable`: this server has no endpoint yet; changes last until reload. */
export type HotkeyStorage = "loading" | "server" | "unavailable";

export interface HotkeysContextValue {
  bindings: KeyBindings;
  storage: HotkeyStorage;
  save(bindings: KeyBindings): Promise<void>;
  openHelp(): void;
}

const HotkeysContext = createContext<HotkeysContextValue | null>(null);

/** The override map in a response: `{ bindings: {...} }`, or leniently a bare map; else null. */
function overridesIn(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  if ("bindings" in body) return (body as { bindings: unknown }).bindings;
  return Object.keys(body).every(isHotkeyActionId) ? body : null;
}

export function HotkeysProvider({ children }: { children: ReactNode }) {
  const [bindings, setBindings] = useState<KeyBindings>(defaultBindings);
  const [storage, setStorage] = useState<HotkeyStorage>("loading");
  const [helpOpen, setHelpOpen] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api
      .get<unknown>("/api/me/hotkeys")
      .then((body) => {
        if (cancelled) return;
        setBindings(resolveBindings(overridesIn(body)).bindings);
        setStorage("server");
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        // 404 means the endpoint does not exist on this server yet: run on the defaults.
        setStorage(error instanceof ApiError && error.status === 404 ? "unavailable" : "server");
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const save = useCallback(
    async (next: KeyBindings) => {
      if (storage !== "unavailable") {
        const body = await api.put<unknown>("/api/me/hotkeys", { bindings: toOverrides(next) });
        setBindings(resolveBindings(overridesIn(body) ?? toOverrides(next)).bindings);
        return;
      }
      setBindings(next);
    },
    [storage],
  );

  const openHelp = useCallback(() => setHelpOpen(true), []);
  const helpHandlers = useRef({ "global:help": openHelp });
  useEffect(() => bindHotkeys(bindings, ["global:help"], () => helpHandlers.current), [bindings]);

  const value = useMemo(
    () => ({ bindings, storage, save, openHelp }),
    [bindings, storage, save, openHelp],
  );
  return (
    <HotkeysContext.Provider value={value}>
      {children}
      {helpOpen && (
        <Suspense fallback={null}>
          <HotkeyHelpDialog bindings={bindings} onClose={() => setHelpOpen(false)} />
        </Suspense>
      )}
    </HotkeysContext.Provider>
  );
}

export function useHotkeys(): HotkeysContextValue {
  const value = useContext(HotkeysContext);
  if (!value) throw new Error("useHotkeys needs a HotkeysProvider above it");
  return value;
}
