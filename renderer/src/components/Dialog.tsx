/**
 * A modal dialog on the native <dialog> element: focus is trapped, Escape closes it, and focus
 * goes back to whatever opened it (a menu gives focus back to its button before an item opens a
 * dialog). One Close button, in the header; the content never adds another.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Icon } from './Icon.js';

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  wide?: boolean;
}

export function Dialog({ title, onClose, children, wide }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first control (Close); a dialog may name a more useful one.
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      dialog?.close();
      // After React has removed the dialog: the opener may have been re-rendered meanwhile.
      requestAnimationFrame(() => {
        if (opener?.isConnected && document.activeElement === document.body) opener.focus();
      });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="button-close" aria-label="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {children}
    </dialog>
  );
}
