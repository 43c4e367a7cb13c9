import { useLayoutEffect, useRef, useState } from 'react';
import type { LogLine } from '@shared/events';
import { formatTime } from '../../shared/ui/format';
import { Fold } from '../../shared/ui/Fold';
import { followsAfterScroll } from './follow';

const KIND_TONE: Record<string, string> = {
  tool_call: 'text-accent',
  tool_result: 'text-muted',
  retry: 'text-st-input',
  text: 'text-ink',
};

function Line({ line, onOpen }: { line: LogLine; onOpen: () => void }) {
  const tone = KIND_TONE[line.kind] ?? 'text-ink';
  const lead = line.kind === 'tool_result' ? '↳ ' : '';
  const time = <span className="text-muted">{formatTime(line.at)} </span>;
  return (
    <li data-kind={line.kind} data-line={line.id} className="break-words">
      {line.detail === undefined ? (
        <>
          {time}
          <span className={tone}>
            {line.kind === 'tool_call' ? '▸ ' : lead}
            {line.text}
          </span>
        </>
      ) : (
        <Fold
          onOpen={onOpen}
          // The time inside the button: a button lays out as one box, so a long line wraps after its time like the
          // others instead of dropping below it.
          before={time}
          className={tone}
          summary={
            <>
              {lead}
              {line.text}
            </>
          }
        >
          {() => (
            // A long input or output scrolls: focusable and named, so a keyboard can scroll it too.
            <pre
              tabIndex={0}
              aria-label={`Full ${line.kind === 'tool_result' ? 'output' : 'input'}`}
              className="max-h-64 overflow-auto rounded-md border border-line bg-panel p-2 whitespace-pre-wrap text-ink"
            >
              {line.detail}
            </pre>
          )}
        </Fold>
      )}
    </li>
  );
}

/**
 * A live log pane that follows its newest line until the person scrolls up (or opens a line to read it); then a "Jump
 * to latest" button, announced politely, brings it back.
 */
export function LogView({ lines, label }: { lines: readonly LogLine[]; label: string }) {
  const ref = useRef<HTMLOListElement>(null);
  const [following, setFollowing] = useState(true);
  /** Where the pane last scrolled itself to (see follow.ts). */
  const placedAt = useRef<number | null>(null);
  // Before paint, so no frame (and no scroll event) ever sees the pane short of a line it already shows.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !following) return;
    el.scrollTop = el.scrollHeight;
    placedAt.current = el.scrollTop;
  }, [lines, following]);
  const newest = lines.length > 0 ? lines[lines.length - 1]!.id : null;
  return (
    <div className="relative">
      <ol
        ref={ref}
        tabIndex={0}
        aria-label={label}
        data-following={following}
        data-newest={newest ?? ''}
        onScroll={(e) => setFollowing(followsAfterScroll(e.currentTarget, placedAt.current, following))}
        // Scroll anchoring stays on: scrolled up, the lines being read hold still while old ones drop off the top.
        className="h-56 overflow-y-auto rounded-lg bg-sunken p-2 font-mono text-[11px] leading-relaxed"
      >
        {lines.length === 0 ? <li className="text-muted">No activity yet.</li> : null}
        {lines.map((l) => (
          <Line key={l.id} line={l} onOpen={() => setFollowing(false)} />
        ))}
      </ol>
      <div aria-live="polite" className="pointer-events-none absolute right-3 bottom-2">
        {following ? null : (
          <button
            type="button"
            onClick={() => {
              setFollowing(true);
              ref.current?.focus();
            }}
            className="pointer-events-auto rounded-lg border border-line bg-panel px-2.5 py-1 text-xs font-semibold text-ink shadow-card hover:bg-sunken"
          >
            Jump to latest <span aria-hidden="true">↓</span>
          </button>
        )}
      </div>
    </div>
  );
}
