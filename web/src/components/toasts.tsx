/**
 * Short notices in a corner ("your call is ready", "e-mail copied"): a tiny store any code can push
 * to, rendered once by the app shell. Each notice goes away by itself, or when dismissed; screen
 * readers hear it through a polite live region.
 */
import { useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

export interface Toast {
  id: number;
  message: string;
  link?: { href: string; label: string };
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());

export function dismissToast(id: number): void {
  toasts = toasts.filter((toast) => toast.id !== id);
  emit();
}

export function showToast(
  message: string,
  options: { link?: Toast["link"]; durationMs?: number } = {},
): number {
  const id = nextId++;
  toasts = [...toasts.slice(-3), { id, message, link: options.link }];
  emit();
  setTimeout(() => dismissToast(id), options.durationMs ?? 8_000);
  return id;
}

export function Toasts() {
  const { t } = useTranslation();
  const current = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
  );
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {current.map((toast) => (
        <div key={toast.id} className="toast" data-testid="toast">
          <span>{toast.message}</span>
          {toast.link && (
            <Link
              href={toast.link.href}
              className="toast__link"
              onClick={() => dismissToast(toast.id)}
            >
              {toast.link.label}
            </Link>
          )}
          <button
            type="button"
            className="button button--ghost button--small"
            aria-label={t("common.close")}
            onClick={() => dismissToast(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
