/**
 * Modal dialogs on the native <dialog> element: focus is trapped, Escape closes, the page behind is
 * inert, with no library. Mount it to open it; `onClose` runs for Escape, the backdrop and buttons.
 * Mark the field that should take the focus with `data-autofocus`: React's `autoFocus` runs before
 * `showModal()`, which then moves the focus to the first button (the ×).
 *
 * `FormDialog` is the one for a form (fields, error, Cancel and submit, busy while it saves; Enter in
 * a field submits, Escape cancels); `ConfirmDialog` is a `FormDialog` that asks one question.
 */
import { useCallback, useEffect, useId, useRef, useState } from "react";
import type { FormEvent, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "./error-message.tsx";

export interface DialogProps {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  size?: "small" | "medium" | "large";
  testId?: string;
}

export function Dialog({ title, onClose, children, footer, size = "small", testId }: DialogProps) {
  const reference = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useTranslation();

  useEffect(() => {
    const dialog = reference.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    }
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={reference}
      className={`dialog dialog--${size}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the dialog element itself (not its content) is a click on the backdrop.
        if (event.target === reference.current) onClose();
      }}
    >
      <div className="dialog__content">
        <header className="dialog__header">
          <h2 id={titleId}>{title}</h2>
          <button
            type="button"
            className="button button--ghost button--icon"
            aria-label={t("common.close")}
            onClick={onClose}
          >
            ×
          </button>
        </header>
        <div className="dialog__body">{children}</div>
        {footer && <footer className="dialog__footer">{footer}</footer>}
      </div>
    </dialog>
  );
}

export interface FormDialogProps {
  title: ReactNode;
  /** The form's fields. */
  children: ReactNode;
  submitLabel: ReactNode;
  /** The submit button's text while `onSubmit` runs (the same as `submitLabel` when not given). */
  busyLabel?: ReactNode;
  /**
   * Runs on the submit button or Enter in a field, with both buttons disabled until it settles; the
   * dialog stays open, showing the error, if it throws. It closes the dialog itself when done.
   */
  onSubmit(): Promise<void> | void;
  onClose(): void;
  /** False keeps the submit button disabled (a required choice is missing). */
  canSubmit?: boolean;
  danger?: boolean;
  size?: DialogProps["size"];
  testId?: string;
}

/** A dialog around one form: its fields, the error of the last attempt, Cancel and a submit button. */
export function FormDialog({
  title,
  children,
  submitLabel,
  busyLabel = submitLabel,
  onSubmit,
  onClose,
  canSubmit = true,
  danger = false,
  size,
  testId,
}: FormDialogProps) {
  const { t } = useTranslation();
  const formId = useId();
  const [busy, setBusy] = useStateSafe(false);
  const [error, setError] = useStateSafe<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={title}
      onClose={onClose}
      size={size}
      testId={testId}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            form={formId}
            className={`button ${danger ? "button--danger" : "button--primary"}`}
            disabled={busy || !canSubmit}
          >
            {busy ? busyLabel : submitLabel}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit}>
        {children}
        {error !== null && <ErrorMessage error={error} />}
      </form>
    </Dialog>
  );
}

export interface ConfirmDialogProps {
  title: ReactNode;
  body: ReactNode;
  confirmLabel: ReactNode;
  /** Runs on confirm; the dialog stays open with the error if it throws. */
  onConfirm(): Promise<void> | void;
  onClose(): void;
  danger?: boolean;
}

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  onConfirm,
  onClose,
  danger = true,
}: ConfirmDialogProps) {
  return (
    <FormDialog
      title={title}
      submitLabel={confirmLabel}
      danger={danger}
      testId="confirm-dialog"
      onClose={onClose}
      onSubmit={async () => {
        await onConfirm();
        onClose();
      }}
    >
      <p>{body}</p>
    </FormDialog>
  );
}

/** useState whose setter is a no-op after unmount (the dialog closes while a request finishes). */
function useStateSafe<Value>(initial: Value): [Value, (value: Value) => void] {
  const [value, setValue] = useState(initial);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const set = useCallback((next: Value) => {
    if (mounted.current) setValue(() => next);
  }, []);
  return [value, set];
}
