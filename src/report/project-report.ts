import type { ProjectStore } from '../db/ports.js';
import { runEnd } from '../metrics/scope.js';
import { projectMetrics, type ProjectMetricsOptions } from '../metrics/project-metrics.js';
import type { Verification } from '../shared/acceptance.js';
import type { Report } from '../shared/report.js';
import { buildReport } from './build-report.js';

/**
 * Reads what the report needs through the storage ports (the metrics, the backlog with each feature's newest finished
 * verification, human-input requests, disputes, checkpoints and findings) and builds it: the one reader the API and
 * the CLI share.
 */
export function projectReport(store: ProjectStore, options: ProjectMetricsOptions): Report {
  // The metrics first: they refuse a run the project does not have.
  const metrics = projectMetrics(store, options);
  const features = store.features.list();
  const newest = store.verifications.latest();
  const verifications = new Map<number, Verification>();
  const running = new Set<number>();
  for (const [id, v] of newest) {
    if (v.status !== 'running') {
      verifications.set(id, v);
      continue;
    }
    running.add(id);
    // A verification still running decides nothing: the newest one that finished does.
    const finished = store.verifications.list(id).find((x) => x.status !== 'running');
    if (finished) verifications.set(id, finished);
  }
  const run = options.runId === null ? undefined : store.runs.get(options.runId);
  const checkpoints = store.checkpoints.list().filter((c) => options.runId === null || c.runId === options.runId);
  // With a run chosen, the findings its checkpoints saw (each once); otherwise every finding (build keeps the open).
  const findings =
    options.runId === null
      ? store.checkpoints.findings()
      : [
          ...new Map(
            checkpoints.flatMap((c) => store.checkpoints.findings({ checkpoint: c.n })).map((f) => [f.id, f]),
          ).values(),
        ];
  return buildReport({
    metrics,
    features,
    verifications,
    running,
    requests: store.humanInput.list({ status: 'all' }),
    disputes: store.disputes.list({ status: 'all' }),
    checkpoints,
    findings,
    window: run ? { from: run.startedAt, to: runEnd(run, options.now) } : null,
  });
}
