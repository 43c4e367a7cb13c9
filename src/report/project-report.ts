import type { ProjectStore } from '../db/ports.js';
import { runEnd } from '../metrics/scope.js';
import { projectMetrics, type ProjectMetricsOptions } from '../metrics/project-metrics.js';
import type { Verification } from '../shared/acceptance.js';
import type { Report } from '../shared/report.js';
import { buildReport } from './build-report.js';

/**
 * Reads what the report needs through the storage ports (the metrics, the backlog with each feature's newest finished
 * verification, human-input requests and disputes) and builds it: the one reader the API and the CLI share.
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
  return buildReport({
    metrics,
    features,
    verifications,
    running,
    requests: store.humanInput.list({ status: 'all' }),
    disputes: store.disputes.list({ status: 'all' }),
    window: run ? { from: run.startedAt, to: runEnd(run, options.now) } : null,
  });
}
