import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { RunStatus } from '@shared/runs';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { useToast } from '../../shared/ui/toast';
import { useShortcuts } from '../../shared/shortcuts';
import { useProject } from '../../shared/project-context';
import { StartRunDialog } from './StartRunDialog';

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

/** Start (with settings), pause = drain, resume, stop; the run's state as the runner reports it. */
export function RunControls() {
  const { name, stream } = useProject();
  const toast = useToast();
  const [starting, setStarting] = useState(false);
  // Between a click and the runner's own event the button shows what was asked.
  const [requested, setRequested] = useState<RunStatus['status'] | null>(null);
  const status = stream.run?.status ?? 'stopped';
  const shown =
    requested && requested !== status && ['starting', 'stopping', 'draining'].includes(requested) && status !== 'paused'
      ? requested
      : status;
  if (requested && requested === status) setRequested(null);

  const act = useMutation({
    mutationFn: async (action: 'pause' | 'resume' | 'stop') => {
      if (action === 'pause') return (await endpoints.pauseRun(name)).status;
      if (action === 'stop') return (await endpoints.stopRun(name)).status;
      return (await endpoints.resumeRun(name)).status;
    },
    onSuccess: (s) => setRequested(s),
    onError: (err) => toast(err.message, 'error'),
  });
  const active = ['starting', 'running', 'draining', 'paused'].includes(status);
  const settings = useQuery({ queryKey: keys.settings(name), queryFn: () => endpoints.projectSettings(name) });

  const shortcuts = useMemo(
    () => ({
      s: () => !active && setStarting(true),
      p: () => (status === 'running' ? act.mutate('pause') : status === 'paused' ? act.mutate('resume') : undefined),
    }),
    [active, status, act],
  );
  useShortcuts(shortcuts);

  return (
    <div className="flex flex-wrap items-center gap-2">
      <span
        role="status"
        aria-live="polite"
        data-testid="run-state"
        data-state={shown}
        className={`rounded-full px-3 py-1 text-xs font-semibold ${STATE_TONE[shown]}`}
      >
        {STATE_TEXT[shown]}
      </span>
      {!active ? (
        <Button variant="primary" onClick={() => setStarting(true)} disabled={status === 'stopping'}>
          ▶ Start agents
        </Button>
      ) : null}
      {status === 'running' || status === 'starting' ? (
        <Button onClick={() => act.mutate('pause')} disabled={act.isPending || status === 'starting'}>
          ❚❚ Pause
        </Button>
      ) : null}
      {status === 'paused' || status === 'draining' ? (
        <Button variant="primary" onClick={() => act.mutate('resume')} disabled={act.isPending}>
          ▶ Resume
        </Button>
      ) : null}
      {active ? (
        <Button variant="danger" onClick={() => act.mutate('stop')} disabled={act.isPending}>
          ■ Stop
        </Button>
      ) : null}
      {starting ? (
        <StartRunDialog
          onClose={() => setStarting(false)}
          onStarted={() => setRequested('starting')}
          defaults={settings.data ?? null}
        />
      ) : null}
    </div>
  );
}
