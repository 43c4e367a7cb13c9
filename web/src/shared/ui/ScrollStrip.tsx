import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A horizontal strip (a tab bar) that scrolls sideways when it does not fit, showing a fade with an arrow at each
 * side that has more: on a phone a person sees that the tabs go on instead of meeting a cut-off word. The current
 * item (`aria-current="page"`) is scrolled into view whenever `current` changes (a shortcut can pick a hidden tab).
 */
export function ScrollStrip({
  label,
  current,
  className = '',
  children,
}: {
  label: string;
  current?: string;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  const [more, setMore] = useState({ before: false, after: false });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      const before = el.scrollLeft > 1;
      const after = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
      setMore((m) => (m.before === before && m.after === after ? m : { before, after }));
    };
    update();
    el.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    // The strip's own width and its items' (a badge appears) both change whether it overflows; jsdom has no observer.
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    observer?.observe(el);
    for (const child of el.children) observer?.observe(child);
    return () => {
      el.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
      observer?.disconnect();
    };
  }, []);
  useEffect(() => {
    const active = ref.current?.querySelector('[aria-current="page"]');
    // jsdom has no scrollIntoView.
    if (active && 'scrollIntoView' in active) active.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [current]);
  const fade = 'pointer-events-none absolute inset-y-0 flex w-12 items-center text-lg font-bold text-ink';
  return (
    <div className="relative min-w-0" data-testid="scroll-strip">
      <nav ref={ref} aria-label={label} className={`flex overflow-x-auto [scrollbar-width:none] ${className}`}>
        {children}
      </nav>
      {more.before ? (
        <span
          aria-hidden="true"
          data-testid="scroll-hint-before"
          className={`${fade} left-0 justify-start bg-linear-to-r from-panel from-40% to-transparent pl-0.5`}
        >
          ‹
        </span>
      ) : null}
      {more.after ? (
        <span
          aria-hidden="true"
          data-testid="scroll-hint-after"
          className={`${fade} right-0 justify-end bg-linear-to-l from-panel from-40% to-transparent pr-0.5`}
        >
          ›
        </span>
      ) : null}
    </div>
  );
}
