import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { formatCost, formatDuration } from '../../shared/ui/format';
import {
  AGENT_LABEL,
  CHECKPOINT_STATUS_TONE,
  checkpointDurationMs,
  FACT_STATUS_TONE,
  REVIEW_STATUS_TONE,
  shortCommit,
  TRIGGER_LABEL,
} from './checkpoint-view';
import { Pill, SeverityCountChips } from '../../shared/ui/chips';
import { featureLink, FindingList } from './FindingList';

const card = 'rounded-[var(--radius-card)] border border-line bg-panel p-4 shadow-card';

/** One checkpoint: what it reviewed, its tool results, each reviewer's summary, its findings and what it resolved. */
export function CheckpointDetail({ project, n }: { project: string; n: number }) {
  const q = useQuery({ queryKey: keys.checkpoint(project, n), queryFn: () => endpoints.checkpoint(project, n) });
  const base = `/projects/${encodeURIComponent(project)}/checkpoints`;
  if (q.error)
    return (
      <section className={card} aria-label={`Checkpoint ${n}`}>
        <p role="alert" className="text-sm text-st-failed">
          {errorMessage(q.error)}
        </p>
        <Link to={base} className="text-sm text-accent underline">
          All checkpoints
        </Link>
      </section>
    );
  if (!q.data)
    return (
      <p className="text-sm text-muted" role="status">
        Loading checkpoint {n}…
      </p>
    );
  const { checkpoint: c, findings, resolved } = q.data;
  const duration = checkpointDurationMs(c);
  return (
    <section
      className={`${card} flex flex-col gap-4`}
      aria-labelledby="checkpoint-detail-title"
      data-testid="checkpoint-detail"
    >
      <header className="flex flex-wrap items-center gap-3">
        <h3 id="checkpoint-detail-title" className="text-lg font-semibold">
          Checkpoint {c.n}
        </h3>
        <Pill tone={CHECKPOINT_STATUS_TONE[c.status]}>{c.status}</Pill>
        <SeverityCountChips counts={c.counts} />
        <Link to={base} className="ml-auto text-sm text-accent underline">
          Close
        </Link>
      </header>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <div>
          <dt className="text-xs text-muted">Commit</dt>
          <dd className="font-mono" title={c.commit}>
            {shortCommit(c.commit)}
            {c.previousCommit ? <span className="text-muted"> (since {shortCommit(c.previousCommit)})</span> : null}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Trigger</dt>
          <dd>{TRIGGER_LABEL[c.trigger]}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Started</dt>
          <dd>{new Date(c.startedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Duration</dt>
          <dd>{duration === null ? 'running' : formatDuration(duration)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Cost</dt>
          <dd>{formatCost(c.costUsd)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Passing features</dt>
          <dd>{c.passing}</dd>
        </div>
      </dl>
      {c.reportPath ? (
        <p className="text-sm">
          Report: <code className="break-all font-mono">{c.reportPath}</code>
        </p>
      ) : null}
      {c.error ? (
        <p role="alert" className="rounded-lg bg-st-failed-bg px-3 py-2 text-sm text-st-failed">
          {c.error}
        </p>
      ) : null}

      <section aria-labelledby="cp-tools">
        <h4 id="cp-tools" className="text-sm font-semibold">
          Tool results
        </h4>
        {c.facts.length === 0 ? (
          <p className="mt-1 text-sm text-muted">No tool results recorded.</p>
        ) : (
          <div className="mt-1 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs text-muted">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Tool
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Result
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Summary
                  </th>
                  <th scope="col" className="py-1 font-medium">
                    Command
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.facts.map((f) => (
                  <tr key={f.kind} className="border-t border-line" data-testid={`fact-${f.kind}`}>
                    <th scope="row" className="py-1.5 pr-3 font-medium">
                      {f.kind}
                    </th>
                    <td className="py-1.5 pr-3">
                      <Pill tone={FACT_STATUS_TONE[f.status]}>{f.status}</Pill>
                    </td>
                    <td className="py-1.5 pr-3">{f.summary}</td>
                    <td className="py-1.5 font-mono text-xs text-muted">{f.command || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="cp-reviews">
        <h4 id="cp-reviews" className="text-sm font-semibold">
          Reviews
        </h4>
        {c.reviews.length === 0 ? (
          <p className="mt-1 text-sm text-muted">No reviewer has reported yet.</p>
        ) : (
          <ul className="mt-1 grid grid-cols-1 gap-2 md:grid-cols-3">
            {c.reviews.map((r) => (
              <li key={r.agent} className="rounded-lg border border-line p-3" data-testid={`review-${r.agent}`}>
                <p className="flex flex-wrap items-center gap-2 text-sm font-semibold">
                  {AGENT_LABEL[r.agent]} review
                  <Pill tone={REVIEW_STATUS_TONE[r.status]}>{r.status}</Pill>
                  <span className="text-xs font-normal text-muted">
                    {r.findings} {r.findings === 1 ? 'finding' : 'findings'}
                  </span>
                </p>
                <p className="mt-1 text-sm">
                  {r.summary ?? (
                    <span className="text-muted">No summary: the session ended without finishing its review.</span>
                  )}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      {c.fixFeatureIds.length > 0 ? (
        <p className="flex flex-wrap gap-2 text-sm">
          Fix features created:
          {c.fixFeatureIds.map((id) => (
            <Link key={id} to={featureLink(project, id)} className="font-medium text-accent underline">
              #{id}
            </Link>
          ))}
        </p>
      ) : null}

      <section aria-labelledby="cp-findings" className="flex flex-col gap-2">
        <h4 id="cp-findings" className="text-sm font-semibold">
          Findings seen in it ({findings.length}, {c.newFindings} new)
        </h4>
        <FindingList
          project={project}
          findings={findings}
          label={`Findings of checkpoint ${c.n}`}
          empty="This checkpoint found nothing."
        />
      </section>
      <section aria-labelledby="cp-resolved" className="flex flex-col gap-2">
        <h4 id="cp-resolved" className="text-sm font-semibold">
          Resolved by it ({resolved.length})
        </h4>
        <FindingList
          project={project}
          findings={resolved}
          label={`Resolved by checkpoint ${c.n}`}
          empty="Nothing earlier went away at this checkpoint."
        />
      </section>
    </section>
  );
}
