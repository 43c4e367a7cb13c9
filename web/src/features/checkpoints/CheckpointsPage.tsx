import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  CHECKPOINT_AGENTS,
  FINDING_SEVERITIES,
  FINDING_STATUSES,
  type Checkpoint,
  type FindingsQuery,
} from '@shared/checkpoints';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { useProject } from '../../shared/project-context';
import { Button } from '../../shared/ui/Button';
import { formatCost } from '../../shared/ui/format';
import { useToast } from '../../shared/ui/toast';
import {
  AGENT_LABEL,
  CHECKPOINT_STATUS_TONE,
  checkpointNumber,
  filtersFrom,
  FINDING_STATUS_LABEL,
  SEVERITY_LABEL,
  shortCommit,
  TRIGGER_LABEL,
} from './checkpoint-view';
import { CheckpointDetail } from './CheckpointDetail';
import { Pill, SeverityCountChips } from '../../shared/ui/chips';
import { FindingDialog } from './FindingDialog';
import { FindingList } from './FindingList';

const card = 'rounded-[var(--radius-card)] border border-line bg-panel shadow-card';

/** "Run checkpoint": starts one on demand; a refusal (one is running, no commit yet…) is shown beside the button. */
function RunCheckpoint({ project }: { project: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const start = useMutation({
    mutationFn: () => endpoints.startCheckpoint(project),
    onSuccess: async () => {
      toast('Checkpoint started: the tools run first, then the reviewers', 'success');
      await qc.invalidateQueries({ queryKey: keys.checkpointsAll(project) });
    },
  });
  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant="primary" onClick={() => start.mutate()} disabled={start.isPending}>
        {start.isPending ? 'Starting…' : 'Run checkpoint'}
      </Button>
      {start.error ? (
        <p
          role="alert"
          className="max-w-md text-right text-xs font-medium text-st-failed"
          data-testid="run-checkpoint-error"
        >
          {errorMessage(start.error)}
        </p>
      ) : null}
    </div>
  );
}

function CheckpointTable({
  project,
  checkpoints,
  selected,
}: {
  project: string;
  checkpoints: Checkpoint[];
  selected: number | null;
}) {
  const newestFirst = [...checkpoints].sort((a, b) => b.n - a.n);
  const th = 'px-3 py-2 font-medium';
  return (
    <section className={card} aria-labelledby="checkpoints-list-title">
      <h3 id="checkpoints-list-title" className="px-4 pt-3 text-base font-semibold">
        Checkpoints ({checkpoints.length})
      </h3>
      <div className="overflow-x-auto" role="region" aria-label="Checkpoint list" tabIndex={0}>
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-muted">
            <tr>
              <th scope="col" className={th}>
                Checkpoint
              </th>
              <th scope="col" className={th}>
                When
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
                Findings
              </th>
              <th scope="col" className={th}>
                New / resolved
              </th>
              <th scope="col" className={`${th} text-right`}>
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((c) => {
              const current = c.n === selected;
              return (
                <tr
                  key={c.n}
                  data-testid={`checkpoint-row-${c.n}`}
                  aria-current={current ? 'true' : undefined}
                  className={`border-t border-line ${current ? 'bg-sunken' : ''}`}
                >
                  <th scope="row" className="whitespace-nowrap px-3 py-2 font-semibold">
                    <Link
                      to={`/projects/${encodeURIComponent(project)}/checkpoints/${c.n}`}
                      className="text-accent underline"
                    >
                      Checkpoint {c.n}
                    </Link>
                  </th>
                  <td className="whitespace-nowrap px-3 py-2">
                    {new Date(c.startedAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">{TRIGGER_LABEL[c.trigger]}</td>
                  <td className="px-3 py-2 font-mono" title={c.commit}>
                    {shortCommit(c.commit)}
                  </td>
                  <td className="px-3 py-2">
                    <Pill tone={CHECKPOINT_STATUS_TONE[c.status]}>{c.status}</Pill>
                  </td>
                  <td className="px-3 py-2">
                    <SeverityCountChips counts={c.counts} />
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                    +{c.newFindings} / −{c.resolvedFindings}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCost(c.costUsd)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FilterSelect<T extends string>({
  label,
  param,
  value,
  options,
  labels,
  onChange,
}: {
  label: string;
  param: string;
  value: T | undefined;
  options: readonly T[];
  labels: Record<T, string>;
  onChange: (param: string, value: string) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(param, e.target.value)}
        className="rounded-lg border border-line bg-panel px-2 py-1.5 text-sm text-ink"
      >
        <option value="">All</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {labels[o]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Every finding of the project, filtered by severity, reviewer kind and status (kept in the URL). */
function FindingsView({ project }: { project: string }) {
  const [params, setParams] = useSearchParams();
  const filters: FindingsQuery = filtersFrom(params);
  const q = useQuery({
    queryKey: keys.findings(project, filters),
    queryFn: () => endpoints.findings(project, filters),
  });
  const setFilter = (param: string, value: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value) next.set(param, value);
      else next.delete(param);
      return next;
    });
  const filtered = Object.keys(filters).length > 0;
  return (
    <section className={`${card} flex flex-col gap-3 p-4`} aria-labelledby="findings-title">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <h3 id="findings-title" className="text-base font-semibold">
          Findings{q.data ? ` (${q.data.findings.length})` : ''}
        </h3>
        <FilterSelect
          label="Severity"
          param="severity"
          value={filters.severity}
          options={FINDING_SEVERITIES}
          labels={SEVERITY_LABEL}
          onChange={setFilter}
        />
        <FilterSelect
          label="Kind"
          param="agent"
          value={filters.agent}
          options={CHECKPOINT_AGENTS}
          labels={AGENT_LABEL}
          onChange={setFilter}
        />
        <FilterSelect
          label="Status"
          param="status"
          value={filters.status}
          options={FINDING_STATUSES}
          labels={FINDING_STATUS_LABEL}
          onChange={setFilter}
        />
        {filtered ? (
          <Button
            variant="ghost"
            onClick={() =>
              setParams((p) => {
                const next = new URLSearchParams(p);
                for (const k of ['severity', 'agent', 'status']) next.delete(k);
                return next;
              })
            }
          >
            Clear filters
          </Button>
        ) : null}
      </div>
      {q.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {errorMessage(q.error)}
        </p>
      ) : !q.data ? (
        <p className="text-sm text-muted" role="status">
          Loading the findings…
        </p>
      ) : (
        <FindingList
          project={project}
          findings={q.data.findings}
          label="Findings"
          empty={filtered ? 'No finding matches these filters.' : 'No findings yet.'}
        />
      )}
    </section>
  );
}

function EmptyState() {
  return (
    <div
      data-testid="checkpoints-empty"
      className="rounded-[var(--radius-card)] border border-dashed border-line bg-panel px-6 py-12 text-center"
    >
      <p className="text-base font-semibold">No checkpoints yet</p>
      <p className="mx-auto mt-2 max-w-2xl text-sm text-muted">
        A checkpoint reviews main at one commit. The project’s own tools run first (type checker, linter, coverage,
        dependency audit, production build); then a code, a security and a performance reviewer read the code and the
        diff since the last checkpoint and report findings. Critical and major findings become fix features, and a
        critical one pauses the run until you answer in the Inbox.
      </p>
      <p className="mx-auto mt-2 max-w-2xl text-sm text-muted">
        Checkpoints run every few passing features (the <code className="font-mono">checkpointInterval</code> setting,
        10 by default), at the end of a run, and whenever you press Run checkpoint.
      </p>
    </div>
  );
}

/** /projects/:name/checkpoints[/:n][?severity&agent&status][&finding=<id>] */
export function CheckpointsPage() {
  const { name } = useProject();
  const { n: nParam } = useParams();
  const selected = checkpointNumber(nParam);
  const list = useQuery({ queryKey: keys.checkpoints(name), queryFn: () => endpoints.checkpoints(name) });
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="text-lg font-semibold">Checkpoints</h2>
          <p className="text-sm text-muted">Quality gates: tool results and reviews of main, and what they found.</p>
        </div>
        <RunCheckpoint project={name} />
      </div>
      {list.error ? (
        <p role="alert" className="text-sm text-st-failed">
          {errorMessage(list.error)}
        </p>
      ) : !list.data ? (
        <p className="text-sm text-muted" role="status">
          Loading the checkpoints…
        </p>
      ) : list.data.checkpoints.length === 0 ? (
        <EmptyState />
      ) : (
        <>
          <CheckpointTable project={name} checkpoints={list.data.checkpoints} selected={selected} />
          {selected !== null ? <CheckpointDetail key={selected} project={name} n={selected} /> : null}
          <FindingsView project={name} />
        </>
      )}
      {nParam !== undefined && selected === null ? (
        <p role="alert" className="text-sm text-st-failed">
          “{nParam}” is not a checkpoint number.
        </p>
      ) : null}
      <FindingDialog project={name} />
    </div>
  );
}
