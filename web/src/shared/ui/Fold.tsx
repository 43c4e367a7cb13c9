import { useId, useState, type ReactNode } from 'react';

/**
 * A one-line summary that opens on demand to show what it folds (a tool call's whole input, a result's whole text).
 * What it folds is rendered only while open: it is not on the page (nor read out) before someone asks for it.
 */
export function Fold({
  before,
  summary,
  children,
  className = '',
  onOpen,
}: {
  /** Shown in the button ahead of the ▸ (a log line's time), so the whole line wraps as one. */
  before?: ReactNode;
  summary: ReactNode;
  /** Called only while open. */
  children: () => ReactNode;
  className?: string;
  onOpen?: () => void;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => {
          if (!open) onOpen?.();
          setOpen(!open);
        }}
        className={`max-w-full text-left break-words hover:underline focus-visible:underline ${className}`}
      >
        {before}
        <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>
        {summary}
      </button>
      {open ? (
        <div id={id} className="mt-1 mb-2">
          {children()}
        </div>
      ) : null}
    </>
  );
}
