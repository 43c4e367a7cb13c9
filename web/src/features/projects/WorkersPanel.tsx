import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { WorkerDTO, WorkerStatus } from '@shared/workers';
import { endpoints, keys } from '../../shared/api/endpoints';
import { featureLink } from '../../shared/ui/findings';

const STATUS_TEXT: Record<WorkerStatus, string> = { online: 'Online', offline: 'Offline', stopped: 'Stopped' };
const STATUS_TONE: Record<WorkerStatus, string> = {
  online: 'bg-st-passing-bg text-st-passing',
  offline: 'bg-st-failed-bg text-st-failed',
  stopped: 'bg-st-pending-bg text-st-pending',
};

const COLUMNS = ['Name', 'State', 'Host', 'Slots', 'Heartbeat', 'Working on'] as const;

/** "4 s ago", "3 min ago": a heartbeat's age, to the second while it is recent. */
function heartbeatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function WorkerRow({ worker }: { worker: WorkerDTO }) {
  return (
    <tr className="border-t border-line align-middle" data-testid={`worker-${worker.name}`}>
      <td className="py-2 pr-3 font-mono text-xs">{worker.name}</td>
      <td className="py-2 pr-3">
        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_TONE[worker.status]}`}>
          {STATUS_TEXT[worker.status]}
        </span>
      </td>
      <td className="py-2 pr-3 text-sm">{worker.host}</td>
      <td className="py-2 pr-3 text-sm tabular-nums">{worker.slots}</td>
      <td className="py-2 pr-3 text-sm tabular-nums">
        <time dateTime={new Date(worker.heartbeatAt).toISOString()}>{heartbeatAge(worker.heartbeatAgeMs)}</time>
      </td>
      <td className="py-2 text-sm">
        {worker.current.length === 0 ? (
          <span className="text-muted">—</span>
        ) : (
          <ul className="flex flex-col gap-0.5">
            {worker.current.map((f) => (
              <li key={`${f.project}-${f.featureId}`}>
                <Link to={featureLink(f.project, f.featureId)} className="text-accent underline">
                  {f.project} #{f.featureId}
                  {f.featureName ? ` ${f.featureName}` : ''}
                </Link>{' '}
                <span className="text-muted">slot {f.slot}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/**
 * The processes working runs on the shared PostgreSQL store (#20): shown once any has registered (a store of this
 * machine only has none), refreshed every 5 s, the heartbeat's pace.
 */
export function WorkersPanel() {
  const workers = useQuery({ queryKey: keys.workers, queryFn: endpoints.workers, refetchInterval: 5_000 });
  const list = workers.data?.workers ?? [];
  if (list.length === 0) return null;
  const online = list.filter((w) => w.status === 'online').length;
  return (
    <section aria-labelledby="workers-title" className="rounded-2xl border border-line bg-panel p-4 shadow-card">
      <h2 id="workers-title" className="text-lg font-semibold">
        Workers <span className="text-sm font-normal text-muted">{online} online</span>
      </h2>
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left">
          <thead className="text-xs uppercase tracking-wide text-muted">
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col" className="py-1 pr-3 font-medium">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <WorkerRow key={w.name} worker={w} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
