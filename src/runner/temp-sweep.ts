import { sweepOrphanedDirs } from '../agent/session-dirs.js';
import { ACTIVE_RUN_STATUSES, type RunPort, type RunRecord } from '../db/ports.js';

/**
 * Whether a session folder's run is over, from the project's `runs` row of the id its marker
 * names: the row exists (the run is this project's), its incarnation and pid are the marker's
 * (the same run, not a namesake), and it is no longer active (it ended, or recoverDeadRuns
 * found its process dead and recorded it as crashed).
 */
export function runIsOver(
  record: RunRecord | undefined,
  run: { readonly id: string; readonly incarnation: string },
  pid: number,
): boolean {
  return (
    record !== undefined &&
    record.id === run.id &&
    record.incarnation === run.incarnation &&
    record.pid === pid &&
    !ACTIVE_RUN_STATUSES.includes(record.status)
  );
}

/**
 * At a run's start, after dead runs were recovered: removes the temporary folders that this
 * project's finished or dead runs left (a runner killed with -9 cannot remove its own) and
 * those of processes that died (spec chats, demo models). Live runs' folders, other projects'
 * and other hosts' are kept.
 */
export function sweepRunOrphans(runs: Pick<RunPort, 'get'>, base?: string): Promise<string[]> {
  return sweepOrphanedDirs({ runIsOver: (run, pid) => runIsOver(runs.get(run.id), run, pid) }, base);
}
