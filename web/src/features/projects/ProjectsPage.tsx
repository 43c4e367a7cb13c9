import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ProjectRunSummary } from '@shared/api';
import { costText, endingTitle } from '@shared/run-outcome-text';
import { DEMO_MODEL_LABEL, RUN_OUTCOME_TITLE } from '@shared/runs';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { ProgressBar } from '../../shared/ui/ProgressBar';
import { OUTCOME_TONE } from '../../shared/ui/run-outcome';
import { useToast } from '../../shared/ui/toast';
import { NewProjectDialog } from './NewProjectDialog';

function DemoButton({ big = false }: { big?: boolean }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const demo = useMutation({
    mutationFn: () => endpoints.startDemo(),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: keys.projects });
      void navigate(`/projects/${encodeURIComponent(r.project.name)}`);
    },
    onError: (err) => toast(`The demo cannot start: ${err.message}`, 'error'),
  });
  return (
    <Button
      variant={big ? 'primary' : 'secondary'}
      onClick={() => demo.mutate()}
      disabled={demo.isPending}
      title={DEMO_MODEL_LABEL}
    >
      {demo.isPending ? 'Starting the demo…' : '▶ Try the demo'}
    </Button>
  );
}

function SetupBanner() {
  const setup = useQuery({ queryKey: keys.setup, queryFn: endpoints.setup, staleTime: 60_000 });
  if (!setup.data || setup.data.ok) return null;
  const failing = setup.data.checks.filter((c) => !c.ok);
  const noCredentials = failing.some((c) => c.id === 'credentials');
  return (
    <section aria-labelledby="setup-title" className="rounded-2xl border border-st-input bg-st-input-bg p-4">
      <h2 id="setup-title" className="font-semibold text-st-input">
        This machine needs {failing.length === 1 ? 'one thing' : `${failing.length} things`} before real agents can run
      </h2>
      <ul className="mt-2 space-y-1 text-sm">
        {failing.map((c) => (
          <li key={c.id}>
            <span className="font-medium">{c.detail}</span>
            {c.fix ? <span className="text-muted"> — {c.fix}</span> : null}
          </li>
        ))}
      </ul>
      {noCredentials ? (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <DemoButton big />
          <span className="text-sm text-muted">
            Watch mission control build a small app with real Claude Code sessions, real files and commits —{' '}
            {DEMO_MODEL_LABEL}.
          </span>
        </div>
      ) : null}
    </section>
  );
}

const ACTIVE_TEXT: Partial<Record<ProjectRunSummary['status'], string>> = {
  starting: 'Starting…',
  running: 'Running',
  draining: 'Draining',
  paused: 'Paused',
  stopping: 'Stopping…',
};

/** "3 min ago", "2 h ago", "just now" (the card's last activity). */
function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute');
  if (s < 86_400) return rtf.format(-Math.round(s / 3600), 'hour');
  return rtf.format(-Math.round(s / 86_400), 'day');
}

/** The card's run line: running now, or how the last run ended; what the project cost and when it last did anything. */
function RunLine({ run }: { run: ProjectRunSummary }) {
  const active = ACTIVE_TEXT[run.status];
  const ending = run.lastOutcome;
  const tone = OUTCOME_TONE[active ? 'finished' : (ending?.outcome ?? 'ended')];
  const state = active ?? (run.status === 'crashed' ? RUN_OUTCOME_TITLE.crashed : ending ? endingTitle(ending) : null);
  return (
    <div className="mt-2 flex flex-col gap-0.5 text-xs" data-testid="project-run">
      <p className={`font-semibold ${state === null ? 'text-muted' : tone.text}`} data-testid="project-run-state">
        {state === null ? 'Never run' : active ? `● ${state}` : `Last run: ${state}`}
      </p>
      <p className="text-muted">
        Cost {costText(run.costUsd)}
        {run.lastActivityAt === null ? null : (
          <>
            {' · last activity '}
            <time
              dateTime={new Date(run.lastActivityAt).toISOString()}
              title={new Date(run.lastActivityAt).toLocaleString()}
            >
              {ago(run.lastActivityAt, Date.now())}
            </time>
          </>
        )}
      </p>
    </div>
  );
}

/** The projects on this machine with their progress; create, import, or try the demo. */
export function ProjectsPage() {
  const [creating, setCreating] = useState(false);
  const projects = useQuery({ queryKey: keys.projects, queryFn: endpoints.projects, refetchInterval: 10_000 });
  const list = projects.data?.projects ?? [];
  return (
    <main className="mx-auto flex w-full max-w-6xl flex-col gap-6 px-4 py-8">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="flex-1 text-2xl font-semibold">Projects</h1>
        <DemoButton />
        <Button variant="primary" onClick={() => setCreating(true)}>
          + New project
        </Button>
      </div>
      <SetupBanner />
      {projects.error ? (
        <p role="alert" className="text-st-failed">
          {projects.error.message}
        </p>
      ) : null}
      {projects.data && list.length === 0 ? (
        <div className="rounded-2xl border border-dashed border-line p-10 text-center">
          <p className="text-lg font-medium">No projects yet</p>
          <p className="mt-1 text-muted">Create one from an app spec, import a folder, or try the demo.</p>
        </div>
      ) : null}
      <ul className="grid grid-cols-1 gap-4 md:grid-cols-2 lg:grid-cols-3" aria-label="Projects">
        {list.map((p) => (
          <li key={p.name}>
            <Link
              to={`/projects/${encodeURIComponent(p.name)}`}
              className="flex h-full flex-col gap-3 rounded-2xl border border-line bg-panel p-4 shadow-card transition hover:border-accent hover:shadow-lift"
              data-testid={`project-${p.name}`}
            >
              <div>
                <h2 className="text-lg font-semibold">{p.name}</h2>
                <p className="truncate font-mono text-xs text-muted" title={p.path}>
                  {p.path}
                </p>
              </div>
              {!p.exists ? <p className="text-sm text-st-failed">The folder is missing.</p> : null}
              {p.exists && !p.hasSpec ? (
                <p className="text-sm text-st-input">No app spec yet — add one in Settings.</p>
              ) : null}
              <div className="mt-auto">
                {p.stats ? <ProgressBar progress={p.stats} compact /> : null}
                <p className="mt-1 text-xs text-muted">
                  {p.stats ? `${p.stats.passing}/${p.stats.total} features passing` : 'No backlog yet'}
                </p>
                {p.run ? <RunLine run={p.run} /> : null}
              </div>
            </Link>
          </li>
        ))}
      </ul>
      {creating ? <NewProjectDialog onClose={() => setCreating(false)} /> : null}
    </main>
  );
}
