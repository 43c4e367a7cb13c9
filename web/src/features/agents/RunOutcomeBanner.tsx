import type { RunEnding } from '@shared/runs';
import { endingFacts, endingTitle, outcomeAdvice } from '@shared/run-outcome-text';
import { OUTCOME_TONE, WithCode } from '../../shared/ui/run-outcome';

/**
 * How the last run ended, from the server's record of it (so it is the same after a reload): the outcome, why, how long
 * it took, how many features passed and what it cost, and what to do next.
 */
export function RunOutcomeBanner({ ending, project }: { ending: RunEnding; project: string }) {
  const tone = OUTCOME_TONE[ending.outcome ?? 'ended'];
  const ended = ending.endedAt === null ? null : new Date(ending.endedAt);
  return (
    <section
      aria-labelledby="run-outcome-title"
      data-testid="run-outcome"
      data-outcome={ending.outcome ?? 'ended'}
      className={`rounded-2xl border px-4 py-3 text-sm ${tone.box}`}
    >
      <h2 id="run-outcome-title" className={`text-base font-semibold ${tone.text}`}>
        Last run: {endingTitle(ending)}
      </h2>
      {ending.reason ? <p className="mt-1 text-ink">{ending.reason}</p> : null}
      <p className="mt-1 text-muted" data-testid="run-outcome-facts">
        {endingFacts(ending)}
        {ended ? (
          <>
            {' · ended '}
            <time dateTime={ended.toISOString()}>{ended.toLocaleString()}</time>
          </>
        ) : null}
      </p>
      {ending.outcome !== null ? (
        <p className="mt-1 text-ink" data-testid="run-outcome-next">
          <WithCode text={outcomeAdvice(ending.outcome, project, 'ui')} />
        </p>
      ) : null}
    </section>
  );
}
