/**
 * One shared EventSource on `/api/events` for the whole app, opened while something listens. The
 * browser reconnects by itself after a dropped connection; when the server refuses outright (the
 * stream closes for good, e.g. a restart behind a proxy) we open a new one with growing delays.
 * Events missed while disconnected are not replayed, so listeners get `onReconnect` to refetch.
 */
import { useEffect, useRef, useSyncExternalStore } from "react";
import type { JobEvent } from "../api/types.ts";

export type LiveConnectionState = "connecting" | "open" | "reconnecting";

interface Subscriber {
  onEvent: (event: JobEvent) => void;
  onReconnect?: () => void;
}

const subscribers = new Set<Subscriber>();
const stateListeners = new Set<() => void>();
let source: EventSource | null = null;
let state: LiveConnectionState = "connecting";
let hadError = false;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let retryDelayMs = 3_000;
const maximumRetryDelayMs = 30_000;

function setState(next: LiveConnectionState): void {
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener();
}

function open(): void {
  source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    setState("open");
    retryDelayMs = 3_000;
    if (hadError) for (const subscriber of subscribers) subscriber.onReconnect?.();
    hadError = false;
  });
  source.addEventListener("job", (message) => {
    let event: JobEvent;
    try {
      event = JSON.parse((message as MessageEvent<string>).data) as JobEvent;
    } catch {
      return;
    }
    for (const subscriber of subscribers) subscriber.onEvent(event);
  });
  source.addEventListener("error", () => {
    hadError = true;
    setState("reconnecting");
    if (source?.readyState === EventSource.CLOSED) {
      source.close();
      source = null;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (subscribers.size > 0) open();
      }, retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, maximumRetryDelayMs);
    }
  });
}

function close(): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  source?.close();
  source = null;
  hadError = false;
  setState("connecting");
}

export function subscribeToJobEvents(subscriber: Subscriber): () => void {
  subscribers.add(subscriber);
  if (!source && !retryTimer) open();
  return () => {
    subscribers.delete(subscriber);
    if (subscribers.size === 0) close();
  };
}

/** Calls `onEvent` for every job event the signed-in user may see, while the component is mounted. */
export function useJobEvents(onEvent: (event: JobEvent) => void, onReconnect?: () => void): void {
  const latest = useRef({ onEvent, onReconnect });
  latest.current = { onEvent, onReconnect };
  useEffect(
    () =>
      subscribeToJobEvents({
        onEvent: (event) => latest.current.onEvent(event),
        onReconnect: () => latest.current.onReconnect?.(),
      }),
    [],
  );
}

export function useLiveConnectionState(): LiveConnectionState {
  return useSyncExternalStore(
    (listener) => {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    () => state,
  );
}
