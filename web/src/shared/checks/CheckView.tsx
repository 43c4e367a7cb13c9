import type { AcceptanceCheck } from '@shared/acceptance';
import { checkText } from './check-text';

const KIND_LABEL: Record<AcceptanceCheck['kind'], string> = {
  command: 'command',
  http: 'http',
  browser: 'browser',
};

/** The kind of a check as a small tag (text, not colour alone). */
export function CheckKind({ kind }: { kind: AcceptanceCheck['kind'] }) {
  return (
    <span className="rounded border border-line bg-sunken px-1.5 py-px font-mono text-[11px] text-muted">
      {KIND_LABEL[kind]}
    </span>
  );
}

/**
 * One acceptance check in words: its kind, name, and what it runs and expects. `mark` lists the lines to highlight
 * (what a diff changed), with the sign shown before them.
 */
export function CheckView({
  check,
  number,
  mark,
}: {
  check: AcceptanceCheck;
  number?: number;
  mark?: { readonly lines: ReadonlySet<string>; readonly sign: '+' | '−' };
}) {
  const t = checkText(check);
  return (
    <div className="min-w-0 text-sm">
      <div className="flex flex-wrap items-baseline gap-1.5">
        {number === undefined ? null : <span className="font-mono text-xs text-muted">{number}.</span>}
        <CheckKind kind={check.kind} />
        <span className="font-medium break-words">{t.title}</span>
      </div>
      <ul className="mt-1 space-y-0.5 font-mono text-xs break-words">
        {t.lines.map((line, i) => {
          const marked = mark?.lines.has(line) ?? false;
          return (
            <li
              key={i}
              className={
                marked
                  ? mark?.sign === '+'
                    ? 'rounded bg-st-passing-bg px-1 text-st-passing'
                    : 'rounded bg-st-failed-bg px-1 text-st-failed'
                  : 'px-1 text-muted'
              }
            >
              {marked ? (
                <>
                  <span aria-hidden="true" className="mr-1 font-semibold">
                    {mark?.sign}
                  </span>
                  <span className="sr-only">{mark?.sign === '+' ? 'added: ' : 'removed: '}</span>
                </>
              ) : null}
              {line}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** A feature's checks, numbered. */
export function CheckList({ checks }: { checks: readonly AcceptanceCheck[] }) {
  return (
    <ol className="flex flex-col gap-2">
      {checks.map((c, i) => (
        <li key={i} className="rounded-lg border border-line p-2">
          <CheckView check={c} number={i + 1} />
        </li>
      ))}
    </ol>
  );
}
