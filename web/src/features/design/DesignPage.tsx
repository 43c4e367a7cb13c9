import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { DesignIteration, DesignIterationListResponse } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { useProject } from '../../shared/project-context';
import { formatCost } from '../../shared/ui/format';
import { Pill } from '../../shared/ui/chips';
import { shortCommit } from '../../shared/ui/findings';
import { BeforeAfter } from './BeforeAfter';
import { DesignChart } from './DesignChart';
import { blockingAxe, DESIGN_TRIGGER_LABEL, ITERATION_STATUS_TONE, iterationNumber, personaLabel } from './design-view';
import { IterationView, OutcomeBadge } from './IterationView';
import { RunDesignReview } from './RunDesignReview';

const card = 'rounded-[var(--radius-card)] border border-line bg-panel shadow-card';

/** Each persona's vote in one line: "Visual Designer ✓ 8". */
function VoteChips({ iteration }: { iteration: DesignIteration }) {
  if (iteration.votes.length === 0) return <span className="text-xs text-muted">none yet</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {iteration.votes.map((v) => (
        <Pill
          key={v.persona}
          tone={
            v.approve === null
              ? 'text-st-pending bg-st-pending-bg'
              : v.approve
                ? 'text-st-passing bg-st-passing-bg'
                : 'text-st-input bg-st-input-bg'
          }
        >
          {personaLabel(v.persona)} {v.approve === null ? `(${v.status})` : v.approve ? '✓' : '✗'}
          {v.score !== null ? ` ${v.score}` : ''}
          <span className="sr-only">
            {v.approve === null ? '' : v.approve ? ' approves' : ' requests changes'}
            {v.score !== null ? ` with score ${v.score} of 10` : ''}
          </span>
        </Pill>
      ))}
    </span>
  );
}

function IterationTable({
  project,
  iterations,
  selected,
}: {
  project: string;
  iterations: readonly DesignIteration[];
  selected: number | null;
}) {
  const newestFirst = [...iterations].sort((a, b) => b.n - a.n);
  const th = 'px-3 py-2 font-medium';
  return (
    <section className={card} aria-labelledby="design-list-title">
      <h3 id="design-list-title" className="px-4 pt-3 text-base font-semibold">
        Iterations ({iterations.length})
      </h3>
      {/* relative: the votes' sr-only text is placed inside the scroller, not past the page's right edge. */}
      <div className="relative overflow-x-auto" role="region" aria-label="Design iterations" tabIndex={0}>
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-muted">
            <tr>
              <th scope="col" className={th}>
                Iteration
              </th>
              <th scope="col" className={th}>
                Trigger
              </th>
              <th scope="col" className={th}>
                Commit
              </th>
              <th scope="col" className={th}>
                Status
              </th>
              <th scope="col" className={th}>
                Outcome
              </th>
              <th scope="col" className={th}>
                Serious + critical axe
              </th>
              <th scope="col" className={th}>
                Votes (score)
              </th>
              <th scope="col" className={`${th} text-right`}>
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((it) => {
              const current = it.n === selected;
              const blocking = blockingAxe(it);
              return (
                <tr
                  key={it.n}
                  data-testid={`design-row-${it.n}`}
                  aria-current={current ? 'true' : undefined}
                  className={`border-t border-line ${current ? 'bg-sunken' : ''}`}
                >
                  <th scope="row" className="whitespace-nowrap px-3 py-2 font-semibold">
                    <Link
                      to={`/projects/${encodeURIComponent(project)}/design/${it.n}`}
                      className="text-accent underline"
                    >
                      Iteration {it.n}
                    </Link>
                  </th>
                  <td className="whitespace-nowrap px-3 py-2">{DESIGN_TRIGGER_LABEL[it.trigger]}</td>
                  <td className="px-3 py-2 font-mono" title={it.commit}>
                    {shortCommit(it.commit)}
                  </td>
                  <td className="px-3 py-2">
                    <Pill tone={ITERATION_STATUS_TONE[it.status]}>{it.status}</Pill>
                  </td>
                  <td className="px-3 py-2">
                    <OutcomeBadge outcome={it.outcome} />
                  </td>
                  <td className="px-3 py-2 tabular-nums">{blocking ?? '—'}</td>
                  <td className="px-3 py-2">
                    <VoteChips iteration={it} />
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCost(it.costUsd)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function EmptyState({ project, list }: { project: string; list: DesignIterationListResponse }) {
  return (
    <div
      data-testid="design-empty"
      className="flex flex-col items-center gap-3 rounded-[var(--radius-card)] border border-dashed border-line bg-panel px-6 py-12 text-center"
    >
      <p className="text-base font-semibold">No design review yet</p>
      <p className="mx-auto max-w-2xl text-sm text-muted">
        A design review starts the app at main’s tip and photographs its pages on desktop and mobile, in light and dark
        themes, with axe-core’s accessibility results, console errors and failed requests. Then personas (a visual
        designer, a UX researcher, an accessibility expert, a brand strategist and any of the project’s own) look at the
        screenshots, report findings and vote. Major findings become design fix features, and the review repeats until
        every persona approves and no serious or critical axe violation remains.
      </p>
      <RunDesignReview project={project} available={list.personas} error={list.personasError} />
    </div>
  );
}

/** /projects/:name/design[/:n] */
export function DesignPage() {
  const { name } = useProject();
  const { n: nParam } = useParams();
  const selected = iterationNumber(nParam);
  const list = useQuery({ queryKey: keys.designIterations(name), queryFn: () => endpoints.designIterations(name) });
  const iterations = list.data?.iterations ?? [];
  return (
    <div className="flex flex-col gap-4">
      <div className="min-w-0">
        <h2 className="text-lg font-semibold">Design</h2>
        <p className="text-sm text-muted">
          Design reviews: screenshots of the app, what the personas found, their votes.
        </p>
      </div>
      {list.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {errorMessage(list.error)}
        </p>
      ) : !list.data ? (
        <p className="text-sm text-muted" role="status">
          Loading the design reviews…
        </p>
      ) : iterations.length === 0 ? (
        <EmptyState project={name} list={list.data} />
      ) : (
        <>
          <div className={`${card} p-4`}>
            <RunDesignReview project={name} available={list.data.personas} error={list.data.personasError} />
          </div>
          <IterationTable project={name} iterations={iterations} selected={selected} />
          <DesignChart iterations={iterations} />
          {selected !== null ? <IterationView key={selected} project={name} n={selected} /> : null}
          <BeforeAfter project={name} iterations={iterations} />
        </>
      )}
      {nParam !== undefined && selected === null ? (
        <p role="alert" className="text-sm text-st-failed">
          “{nParam}” is not an iteration number.
        </p>
      ) : null}
    </div>
  );
}
