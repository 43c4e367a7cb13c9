import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { DesignIteration } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { formatCost } from '../../shared/ui/format';
import { Pill, SeverityCountChips } from '../../shared/ui/chips';
import { shortCommit } from '../../shared/ui/findings';
import { featureLink } from '../../shared/ui/findings';
import { DesignFindingList } from './DesignFindings';
import { DesignReport } from './DesignReport';
import {
  captureView,
  DESIGN_TRIGGER_LABEL,
  ITERATION_STATUS_TONE,
  OUTCOME_LABEL,
  OUTCOME_TONE,
  personaLabel,
  type ShotView,
} from './design-view';
import { ShotThumbnail } from './ShotImage';

const card = 'rounded-[var(--radius-card)] border border-line bg-panel p-4 shadow-card';

export function OutcomeBadge({ outcome }: { outcome: DesignIteration['outcome'] }) {
  if (outcome === null) return <span className="text-xs text-muted">no outcome</span>;
  return <Pill tone={OUTCOME_TONE[outcome]}>{OUTCOME_LABEL[outcome]}</Pill>;
}

/** Each persona's vote: approve or not, its score, its reason. */
function Votes({ iteration }: { iteration: DesignIteration }) {
  if (iteration.votes.length === 0) return <p className="text-sm text-muted">No persona has voted yet.</p>;
  return (
    <ul className="grid grid-cols-1 gap-2 md:grid-cols-2" aria-label={`Votes of iteration ${iteration.n}`}>
      {iteration.votes.map((v) => (
        <li key={v.persona} className="rounded-lg border border-line p-3" data-testid={`vote-${v.persona}`}>
          <p className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            {personaLabel(v.persona)}
            {v.approve === null ? (
              <Pill tone="text-st-pending bg-st-pending-bg">{v.status}</Pill>
            ) : v.approve ? (
              <Pill tone="text-st-passing bg-st-passing-bg">approves</Pill>
            ) : (
              <Pill tone="text-st-input bg-st-input-bg">requests changes</Pill>
            )}
            {v.score !== null ? <span className="text-xs font-normal text-muted">score {v.score}/10</span> : null}
          </p>
          {v.rationale ? <p className="mt-1 text-sm">{v.rationale}</p> : null}
        </li>
      ))}
    </ul>
  );
}

/** One screenshot: its thumbnail, what went wrong taking it, its findings, its axe violations, console and network. */
function ShotCard({ project, n, view }: { project: string; n: number; view: ShotView }) {
  const { shot, label } = view;
  const alt = `Screenshot of ${label} (iteration ${n})`;
  return (
    <li className="flex min-w-0 flex-col gap-2 rounded-lg border border-line p-3" data-testid={`shot-${label}`}>
      <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
        {shot.viewport} · {shot.theme}
        {view.blocking > 0 ? (
          <Pill tone="text-st-failed bg-st-failed-bg">
            {view.blocking} serious/critical axe {view.blocking === 1 ? 'violation' : 'violations'}
          </Pill>
        ) : null}
        {shot.status !== null && shot.status >= 400 ? (
          <Pill tone="text-st-failed bg-st-failed-bg">HTTP {shot.status}</Pill>
        ) : null}
      </p>
      {shot.file !== null ? (
        <ShotThumbnail shot={{ project, n, file: shot.file }} alt={alt} caption={`${label} · iteration ${n}`} />
      ) : (
        <p className="rounded-lg bg-sunken p-3 text-sm text-muted">No screenshot.</p>
      )}
      {shot.error ? (
        <p role="note" className="text-xs text-st-failed">
          {shot.error}
        </p>
      ) : null}
      <DesignFindingList project={project} findings={view.findings} label={`Findings on ${label}`} empty={null} />
      {view.axe.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-sm font-medium">
            axe-core: {view.axe.length} {view.axe.length === 1 ? 'violation' : 'violations'}
          </summary>
          <ul aria-label={`axe violations on ${label}`} className="mt-1 flex flex-col gap-1 text-xs">
            {view.axe.map((v) => (
              <li key={v.id}>
                <span className="font-semibold">{v.impact ?? 'unknown'}</span> <code className="font-mono">{v.id}</code>{' '}
                {v.help} ({v.nodes} {v.nodes === 1 ? 'element' : 'elements'}){v.summary ? `: ${v.summary}` : ''}{' '}
                <a href={v.helpUrl} target="_blank" rel="noreferrer" className="text-accent underline">
                  rule
                </a>
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <p className="text-xs text-muted">No axe violations.</p>
      )}
      {shot.consoleErrors.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-sm font-medium">Console errors ({shot.consoleErrors.length})</summary>
          <ul className="mt-1 flex flex-col gap-1">
            {shot.consoleErrors.map((e, i) => (
              <li key={i} className="break-all font-mono text-xs">
                {e}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {shot.failedRequests.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-sm font-medium">
            Failed requests ({shot.failedRequests.length})
          </summary>
          <ul className="mt-1 flex flex-col gap-1">
            {shot.failedRequests.map((r, i) => (
              <li key={i} className="break-all font-mono text-xs">
                {r.method} {r.url} → {r.status ?? r.error ?? 'no answer'}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  );
}

/** One iteration: its facts and votes, then its capture page by page with findings pinned to screenshots. */
export function IterationView({ project, n }: { project: string; n: number }) {
  const q = useQuery({
    queryKey: keys.designIteration(project, n),
    queryFn: () => endpoints.designIteration(project, n),
  });
  const base = `/projects/${encodeURIComponent(project)}/design`;
  if (q.error)
    return (
      <section className={card} aria-label={`Iteration ${n}`}>
        <p role="alert" className="text-sm text-st-failed">
          {errorMessage(q.error)}
        </p>
        <Link to={base} className="text-sm text-accent underline">
          All iterations
        </Link>
      </section>
    );
  if (!q.data)
    return (
      <p className="text-sm text-muted" role="status">
        Loading iteration {n}…
      </p>
    );
  const { iteration: it, capture, findings, resolved } = q.data;
  const view = capture ? captureView(capture, findings) : null;
  return (
    <section
      className={`${card} flex flex-col gap-4`}
      aria-labelledby="design-iteration-title"
      data-testid="design-iteration"
    >
      <header className="flex flex-wrap items-center gap-3">
        <h3 id="design-iteration-title" className="text-lg font-semibold">
          Iteration {it.n}
        </h3>
        <Pill tone={ITERATION_STATUS_TONE[it.status]}>{it.status}</Pill>
        <OutcomeBadge outcome={it.outcome} />
        <SeverityCountChips counts={it.counts} />
        <Link to={base} className="ml-auto text-sm text-accent underline">
          Close
        </Link>
      </header>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-muted">Commit</dt>
          <dd className="font-mono" title={it.commit}>
            {shortCommit(it.commit)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Trigger</dt>
          <dd>{DESIGN_TRIGGER_LABEL[it.trigger]}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Started</dt>
          <dd>{new Date(it.startedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Cost</dt>
          <dd>{formatCost(it.costUsd)}</dd>
        </div>
      </dl>
      {it.error ? (
        <p role="alert" className="rounded-lg bg-st-failed-bg px-3 py-2 text-sm text-st-failed">
          {it.error}
        </p>
      ) : null}
      <DesignReport project={project} iteration={it} />
      <section aria-labelledby="design-votes" className="flex flex-col gap-2">
        <h4 id="design-votes" className="text-sm font-semibold">
          Votes
        </h4>
        <Votes iteration={it} />
      </section>
      {it.fixFeatureIds.length > 0 ? (
        <p className="flex flex-wrap gap-2 text-sm">
          Design fix features:
          {it.fixFeatureIds.map((id) => (
            <Link key={id} to={featureLink(project, id)} className="font-medium text-accent underline">
              #{id}
            </Link>
          ))}
        </p>
      ) : null}
      {view === null ? (
        <p className="text-sm text-muted">
          {it.status === 'running' ? 'The pages are being captured…' : 'This iteration has no capture.'}
        </p>
      ) : (
        <>
          {capture?.error ? (
            <p role="alert" className="text-sm text-st-failed">
              Capture {capture.status}: {capture.error}
            </p>
          ) : null}
          {view.pages.map(({ page, shots }) => (
            <section
              key={page.path}
              aria-label={`Page ${page.path}`}
              className="flex flex-col gap-2 border-t border-line pt-3"
            >
              <h4 className="flex flex-wrap items-baseline gap-2 text-sm font-semibold">
                <code className="break-all font-mono">{page.path}</code>
                {page.title ? <span className="font-normal text-muted">{page.title}</span> : null}
                {page.darkMode ? null : <span className="text-xs font-normal text-muted">(no dark theme)</span>}
              </h4>
              <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-4">
                {shots.map((s) => (
                  <ShotCard key={`${s.shot.viewport}-${s.shot.theme}`} project={project} n={it.n} view={s} />
                ))}
              </ul>
            </section>
          ))}
          {view.unpinned.length > 0 ? (
            <section aria-labelledby="design-unpinned" className="flex flex-col gap-2">
              <h4 id="design-unpinned" className="text-sm font-semibold">
                Findings on screenshots not in this capture ({view.unpinned.length})
              </h4>
              <DesignFindingList
                project={project}
                findings={view.unpinned}
                label="Findings not pinned to a screenshot"
                empty={null}
                showPlace
              />
            </section>
          ) : null}
        </>
      )}
      <section aria-labelledby="design-resolved" className="flex flex-col gap-2">
        <h4 id="design-resolved" className="text-sm font-semibold">
          Resolved by it ({resolved.length})
        </h4>
        <DesignFindingList
          project={project}
          findings={resolved}
          label={`Resolved by iteration ${it.n}`}
          empty="Nothing earlier went away in this iteration."
          showPlace
        />
      </section>
    </section>
  );
}
