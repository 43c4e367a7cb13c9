import { RUN_OUTCOME_TITLE, type RunEnding, type RunOutcomeName } from './runs.js';

/**
 * The words a run's ending is told in, one source for mission control, the projects list and `autocoder status`:
 * what happened, and what a person does next. `surface` picks where they act: in the web UI, or in a terminal.
 */
export type OutcomeSurface = 'ui' | 'cli';

/** What to do after a run that ended this way (the finished one: how to open the built app). */
export function outcomeAdvice(outcome: RunOutcomeName, project: string, surface: OutcomeSurface): string {
  const ui = surface === 'ui';
  switch (outcome) {
    case 'finished':
      return `Open the built app with \`autocoder preview ${project}\`: it starts the app from main on a preview port.`;
    case 'input':
      return ui
        ? 'Answer the agents’ questions in the Inbox, then start the agents again.'
        : `Answer the agents' questions (\`autocoder inbox ${project}\`), then start it again (\`autocoder run ${project}\`).`;
    case 'budget':
      return ui
        ? 'Raise the budget (Budget for this run in the Start dialog, or budget.runUsd in Settings) and start again.'
        : `Raise the budget (\`autocoder run ${project} --max-cost <usd>\`) to go on.`;
    case 'stopped':
      return ui
        ? 'Start the agents again to go on where the run stopped.'
        : `Run it again to go on where it stopped: \`autocoder run ${project}\`.`;
    case 'no_features':
      return ui
        ? 'Check the app spec in Settings and read the initializer’s log under All activity to see why, then start again.'
        : `Check the app spec (\`autocoder check-spec ${project}\`) and read the initializer's log (\`autocoder logs ${project}\`), then run it again.`;
    case 'failed':
      return ui
        ? 'The failed features on the Board and the sessions’ logs say why; fix the cause and start again.'
        : `The failed features (\`autocoder features ${project} --status failed\`) and the log (\`autocoder logs ${project}\`) say why.`;
    case 'crashed':
      return ui
        ? 'Start the agents again: the next run hands back the features the dead one held.'
        : `Run it again (\`autocoder run ${project}\`): the next run hands back the features the dead one held.`;
  }
}

/** 65 000 → "1m 5s". */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Dollars as the UI shows them: $0.00, <$0.01, $1.25. */
export function costText(usd: number): string {
  return usd === 0 ? '$0.00' : usd < 0.01 ? '<$0.01' : `$${usd.toFixed(2)}`;
}

/** The facts of an ending after its headline: "1m 5s · 6/6 features passing · $0.00" (what is known of them). */
export function endingFacts(ending: RunEnding): string {
  const parts: string[] = [];
  if (ending.durationMs !== null) parts.push(durationText(ending.durationMs));
  // An empty backlog is "no features", never "0/0 passing" (which reads as a run that did nothing wrong).
  if (ending.featuresTotal === 0) parts.push('no features');
  else if (ending.featuresTotal !== null)
    parts.push(`${ending.featuresPassing ?? 0}/${ending.featuresTotal} features passing`);
  parts.push(costText(ending.costUsd));
  return parts.join(' · ');
}

/** The headline of an ending; one recorded before outcomes were (outcome null) is just "Ended". */
export function endingTitle(ending: RunEnding): string {
  return ending.outcome === null ? 'Ended' : RUN_OUTCOME_TITLE[ending.outcome];
}
