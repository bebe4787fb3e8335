import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from '../session';

interface ConfirmActionProps {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  confirmLabel: string;
  /** What the action does, and any fields it needs. */
  children: ComponentChildren;
  /** Runs on confirmation; a rejection is shown in the dialog, which stays open for another try. */
  run: () => Promise<void>;
  /** Styles the opening button (Pico's classes); destructive actions are set apart. */
  tone?: 'secondary' | 'contrast';
}

/**
 * A button that asks before it acts, in a modal <dialog>: the browser traps focus in it, closes it on
 * Escape and gives focus back to the button afterwards.
 */
export function ConfirmAction({ label, title, confirmLabel, children, run, tone }: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const titleId = useId();

  // Before paint: a key pressed right after the click already reaches the open dialog.
  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await run();
      setOpen(false);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        class={tone}
        onClick={() => {
          setOpen(true);
        }}
      >
        {label}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        onClose={() => {
          setOpen(false);
        }}
      >
        <article>
          <form onSubmit={(event) => void confirm(event)}>
            <h2 id={titleId}>{title}</h2>
            {children}
            {error && (
              <p role="alert" class="notice notice-error">
                {error}
              </p>
            )}
            <footer>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setOpen(false);
                }}
              >
                Cancel
              </button>
              <button type="submit" aria-busy={busy} disabled={busy}>
                {confirmLabel}
              </button>
            </footer>
          </form>
        </article>
      </dialog>
    </>
  );
}
