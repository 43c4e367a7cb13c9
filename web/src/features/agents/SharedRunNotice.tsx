import { useQuery } from '@tanstack/react-query';
import type { RunStatus } from '@shared/runs';
import { sharedRunWorkersLine } from '@shared/workers';
import { endpoints, keys } from '../../shared/api/endpoints';

/** The states in which a shared run waits on workers: it is at work, even while it drains or is paused. */
const AT_WORK: readonly RunStatus['status'][] = ['running', 'draining', 'paused'];

/**
 * Whether `run` is a shared run (#20) at work: its recorded settings carry the runner's `sharedRun` marker
 * (SHARED_RUN_MARKER in src/projects/run-control.ts), so its features are worked by workers on any machine.
 */
function sharedRunAtWork(run: RunStatus | null): boolean {
  return run !== null && run.settings['sharedRun'] === true && AT_WORK.includes(run.status);
}

/**
 * Who works a shared run: the workers online on the shared store, or a warning that none is (its features then wait
 * for one). The words are `autocoder status`'s (sharedRunWorkersLine), so the CLI and the UI say the same.
 */
function WorkersOnline() {
  const workers = useQuery({ queryKey: keys.workers, queryFn: endpoints.workers, refetchInterval: 5_000 });
  // Nothing before the first answer: "no live worker" would flash on every visit.
  if (!workers.data) return null;
  const online = workers.data.workers.filter((w) => w.status === 'online').map((w) => w.name);
  const none = online.length === 0;
  // One element whatever the count: a live region that is replaced, not changed, is not announced.
  return (
    <p
      role="status"
      data-testid="shared-run-workers"
      data-online={online.length}
      className={none ? 'rounded-2xl border border-st-input bg-st-input-bg px-4 py-3 text-sm' : 'text-sm text-muted'}
    >
      <span aria-hidden className={`mr-1.5 ${none ? 'font-semibold text-st-input' : 'text-st-passing'}`}>
        {none ? '⚠' : '●'}
      </span>
      {sharedRunWorkersLine(online)}
    </p>
  );
}

/**
 * The shared run's workers while `run` is a shared run at work; nothing for any other run. The workers are polled
 * (every 5 s, the heartbeat's pace) only while the notice is mounted, i.e. only while such a run is shown.
 */
export function SharedRunNotice({ run }: { run: RunStatus | null }) {
  return sharedRunAtWork(run) ? <WorkersOnline /> : null;
}
