import type { RunOutcomeName } from '@shared/runs';

/**
 * The status colours of each run outcome: `box` and `text` for mission control's banner and the project's card, `badge`
 * for the run-state badge in the project header.
 */
export const OUTCOME_TONE: Record<RunOutcomeName | 'ended', { box: string; text: string; badge: string }> = {
  finished: {
    box: 'border-st-passing bg-st-passing-bg',
    text: 'text-st-passing',
    badge: 'bg-st-passing-bg text-st-passing',
  },
  input: { box: 'border-st-input bg-st-input-bg', text: 'text-st-input', badge: 'bg-st-input-bg text-st-input' },
  budget: { box: 'border-st-input bg-st-input-bg', text: 'text-st-input', badge: 'bg-st-input-bg text-st-input' },
  stopped: {
    box: 'border-st-pending bg-st-pending-bg',
    text: 'text-st-pending',
    badge: 'bg-st-pending-bg text-st-pending',
  },
  failed: { box: 'border-st-failed bg-st-failed-bg', text: 'text-st-failed', badge: 'bg-st-failed-bg text-st-failed' },
  no_features: {
    box: 'border-st-failed bg-st-failed-bg',
    text: 'text-st-failed',
    badge: 'bg-st-failed-bg text-st-failed',
  },
  crashed: { box: 'border-st-failed bg-st-failed-bg', text: 'text-st-failed', badge: 'bg-st-failed-bg text-st-failed' },
  ended: { box: 'border-line bg-sunken', text: 'text-muted', badge: 'bg-sunken text-muted' },
};

/** Advice text with its `commands` in code type (the text marks them with backticks). */
export function WithCode({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="rounded bg-sunken px-1 font-mono text-[0.9em] text-ink">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}
