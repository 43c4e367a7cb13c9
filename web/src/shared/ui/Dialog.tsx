import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal on the native <dialog> (focus trap, Escape and inert background come from the
 * browser). `side` makes it a drawer on the right.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  side = false,
  wide = false,
  footer,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  side?: boolean;
  wide?: boolean;
  footer?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', ''); // environments without modal dialogs (jsdom)
    }
    if (!open && d.open) d.close?.();
  }, [open]);
  if (!open) return null;
  const frame = side
    ? 'fixed inset-y-0 right-0 left-auto m-0 h-full max-h-full w-full max-w-xl rounded-none border-l-[3px]'
    : `m-auto w-[calc(100%-2rem)] ${wide ? 'max-w-3xl' : 'max-w-lg'} rounded-2xl border-[3px]`;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        // React passes the event on to a dialog this one was opened from (a screenshot over the drawer): Escape
        // closes only the top one.
        e.stopPropagation();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
      className={`${frame} border-line bg-panel p-0 text-ink shadow-lift backdrop:bg-black/50`}
    >
      <div className="flex h-full max-h-[inherit] flex-col">
        <header className="flex items-start justify-between gap-4 border-b border-line px-5 py-4">
          <h2 id={titleId} className="text-xl font-bold leading-snug">
            {title}
          </h2>
          <button
            type="button"
            onClick={onClose}
            aria-label="Close"
            className="rounded-md border border-line bg-panel px-2 py-0.5 text-xl leading-none text-ink shadow-sm hover:bg-pop hover:text-pop-ink active:translate-0.5 active:shadow-none"
          >
            ×
          </button>
        </header>
        <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div>
        {footer ? <footer className="flex justify-end gap-2 border-t border-line px-5 py-3">{footer}</footer> : null}
      </div>
    </dialog>
  );
}
