import type { RunOutcomeName } from '@shared/runs';

/** The status colours of each run outcome (mission control's banner, the project's card). */
export const OUTCOME_TONE: Record<RunOutcomeName | 'ended', { box: string; text: string }> = {
  finished: { box: 'border-st-passing bg-st-passing-bg', text: 'text-st-passing' },
  input: { box: 'border-st-input bg-st-input-bg', text: 'text-st-input' },
  budget: { box: 'border-st-input bg-st-input-bg', text: 'text-st-input' },
  stopped: { box: 'border-st-pending bg-st-pending-bg', text: 'text-st-pending' },
  failed: { box: 'border-st-failed bg-st-failed-bg', text: 'text-st-failed' },
  no_features: { box: 'border-st-failed bg-st-failed-bg', text: 'text-st-failed' },
  crashed: { box: 'border-st-failed bg-st-failed-bg', text: 'text-st-failed' },
  ended: { box: 'border-line bg-sunken', text: 'text-muted' },
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
