import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { messageOf } from '../session';

interface ConfirmActionProps {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  confirmLabel: string;
  /** What the action does, and any fields it needs. */
  children: ComponentChildren;
  /**
   * Runs on confirmation; a rejection is shown in the dialog, which stays open for another try (a 401 signs
   * out instead, through the session's client).
   */
  run: () => Promise<void>;
  /** Styles the opening button (Pico's classes); destructive actions are set apart. */
  tone?: 'secondary' | 'contrast';
}

/**
 * A button that asks before it acts, in a modal <dialog>: the browser traps focus in it, closes it on
 * Escape and gives focus back to the button afterwards. The element itself says whether it is open: a
 * state of ours would learn of an Escape only from the close event, which comes a task later, and a click
 * in between would find it still "open" and show nothing.
 */
export function ConfirmAction({ label, title, confirmLabel, children, run, tone }: ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const titleId = useId();
  const close = () => {
    dialog.current?.close();
  };

  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await run();
      close();
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
          // A failure from the last time the dialog was open is no news now.
          setError(undefined);
          // At once, not after a render: a key pressed right after the click already reaches the dialog.
          dialog.current?.showModal();
        }}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
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
              <button type="button" class="secondary" onClick={close}>
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
