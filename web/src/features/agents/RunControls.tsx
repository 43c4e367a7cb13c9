import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { RunOutcomeName, RunStatus } from '@shared/runs';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { OUTCOME_TONE } from '../../shared/ui/run-outcome';
import { useToast } from '../../shared/ui/toast';
import { useShortcuts } from '../../shared/shortcuts';
import { useProject } from '../../shared/project-context';
import { StartRunDialog } from './StartRunDialog';
import { REQUEST_STANDS_MS, requestSettled, shownRunState, type RequestedRunState } from './run-state-view';

const STATE_TEXT: Record<RunStatus['status'], string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  draining: 'Draining — finishing current features',
  paused: 'Paused',
  stopping: 'Stopping…',
  crashed: 'Crashed',
};
const STATE_TONE: Record<RunStatus['status'], string> = {
  stopped: 'bg-st-pending-bg text-st-pending',
  starting: 'bg-st-progress-bg text-st-progress',
  running: 'bg-st-passing-bg text-st-passing',
  draining: 'bg-st-input-bg text-st-input',
  paused: 'bg-st-input-bg text-st-input',
  stopping: 'bg-st-pending-bg text-st-pending',
  crashed: 'bg-st-failed-bg text-st-failed',
};

/** The badge once a run ended: its outcome in a word or two (the banner on mission control says the rest). */
const OUTCOME_BADGE: Record<RunOutcomeName, string> = {
  finished: 'Finished',
  failed: 'Failed',
  stopped: 'Stopped',
  budget: 'Budget used up',
  input: 'Waiting for input',
  no_features: 'No features',
  crashed: 'Crashed',
};

/** Start (with settings), pause = drain, resume, stop; the run's state as the runner reports it. */
export function RunControls() {
  const { name, stream } = useProject();
  const toast = useToast();
  // The Start dialog is open; it holds the server's state when it was opened (what a start moves away from).
  const [startingFrom, setStartingFrom] = useState<RunStatus['status'] | null>(null);
  // Between a click and the runner's own event the badge shows what was asked; the server's next state replaces it.
  const [requested, setRequested] = useState<RequestedRunState | null>(null);
  const status = stream.run?.status ?? 'stopped';
  const shown = shownRunState(status, requested);
  if (requestSettled(status, requested)) setRequested(null);
  // `from`: the server's state when the person clicked, not when the answer came (the server may have moved since).
  const ask = (state: RunStatus['status'], from: RunStatus['status']) =>
    setRequested(state === from ? null : { state, from });
  // A runner that dies before it records itself never moves the server: the asked-for state does not stand for ever.
  useEffect(() => {
    if (requested === null) return undefined;
    const timer = setTimeout(() => setRequested(null), REQUEST_STANDS_MS);
    return () => clearTimeout(timer);
  }, [requested]);

  const act = useMutation({
    mutationFn: async ({ action }: { action: 'pause' | 'resume' | 'stop'; from: RunStatus['status'] }) => {
      if (action === 'pause') return (await endpoints.pauseRun(name)).status;
      if (action === 'stop') return (await endpoints.stopRun(name)).status;
      return (await endpoints.resumeRun(name)).status;
    },
    onSuccess: (s, { from }) => ask(s, from),
    onError: (err) => toast(err.message, 'error'),
  });
  const active = ['starting', 'running', 'draining', 'paused'].includes(status);
  const settings = useQuery({ queryKey: keys.settings(name), queryFn: () => endpoints.projectSettings(name) });

  const shortcuts = useMemo(
    () => ({
      s: () => !active && shown !== 'starting' && setStartingFrom(status),
      p: () =>
        status === 'running'
          ? act.mutate({ action: 'pause', from: status })
          : status === 'paused'
            ? act.mutate({ action: 'resume', from: status })
            : undefined,
    }),
    [active, status, shown, act],
  );
  useShortcuts(shortcuts);
  // Nothing runs: the badge says how the last run ended (the server's record), not just "Stopped".
  const ended = shown === 'stopped' ? (stream.run?.lastOutcome?.outcome ?? null) : null;

  return (
    <div className="flex flex-wrap items-center gap-2">
      <span
        role="status"
        aria-live="polite"
        data-testid="run-state"
        data-state={shown}
        data-outcome={ended ?? undefined}
        className={`rounded-full px-3 py-1 text-xs font-semibold ${ended ? OUTCOME_TONE[ended].badge : STATE_TONE[shown]}`}
      >
        {ended ? OUTCOME_BADGE[ended] : STATE_TEXT[shown]}
      </span>
      {!active ? (
        <Button
          variant="primary"
          onClick={() => setStartingFrom(status)}
          disabled={status === 'stopping' || shown === 'starting'}
        >
          ▶ Start agents
        </Button>
      ) : null}
      {status === 'running' || status === 'starting' ? (
        <Button
          onClick={() => act.mutate({ action: 'pause', from: status })}
          disabled={act.isPending || status === 'starting'}
        >
          ❚❚ Pause
        </Button>
      ) : null}
      {status === 'paused' || status === 'draining' ? (
        <Button
          variant="primary"
          onClick={() => act.mutate({ action: 'resume', from: status })}
          disabled={act.isPending}
        >
          ▶ Resume
        </Button>
      ) : null}
      {active ? (
        <Button variant="danger" onClick={() => act.mutate({ action: 'stop', from: status })} disabled={act.isPending}>
          ■ Stop
        </Button>
      ) : null}
      {startingFrom !== null ? (
        <StartRunDialog
          onClose={() => setStartingFrom(null)}
          onStarted={() => ask('starting', startingFrom)}
          defaults={settings.data ?? null}
        />
      ) : null}
    </div>
  );
}
