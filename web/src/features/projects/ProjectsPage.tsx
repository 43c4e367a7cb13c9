import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ProjectRunSummary } from '@shared/api';
import { costText, endingTitle } from '@shared/run-outcome-text';
import { DEMO_MODEL_LABEL, RUN_OUTCOME_TITLE } from '@shared/runs';
import { ApiError } from '../../shared/api/client';
import { endpoints, keys } from '../../shared/api/endpoints';
import { Dialog } from '../../shared/ui/Dialog';
import { Button } from '../../shared/ui/Button';
import { ProgressBar } from '../../shared/ui/ProgressBar';
import { OUTCOME_TONE } from '../../shared/ui/run-outcome';
import { useToast } from '../../shared/ui/toast';
import { NewProjectDialog } from './NewProjectDialog';
import { WorkersPanel } from './WorkersPanel';

/** What the demo project's choice dialog shows: the question, or the confirmation of a fresh copy. */
type DemoChoice = { project: string; confirmFresh: boolean } | null;

/**
 * "Try the demo": creates the demo project and starts its run. When it exists already, asks whether to run it again
 * or to replace it with a fresh copy (after confirming), instead of adding demo-2, demo-3…
 */
function DemoButton({ big = false }: { big?: boolean }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const [choice, setChoice] = useState<DemoChoice>(null);
  const demo = useMutation({
    mutationFn: (reuse: 'again' | 'fresh' | undefined) => endpoints.startDemo(reuse),
    onSuccess: async (r) => {
      setChoice(null);
      await qc.invalidateQueries({ queryKey: keys.projects });
      await qc.invalidateQueries({ queryKey: keys.project(r.project.name) });
      void navigate(`/projects/${encodeURIComponent(r.project.name)}`);
    },
    onError: (err, reuse) => {
      const existing = err instanceof ApiError && err.status === 409 ? err.details?.['project'] : undefined;
      if (reuse === undefined && typeof existing === 'string') setChoice({ project: existing, confirmFresh: false });
      else if (reuse === undefined) toast(`The demo cannot start: ${err.message}`, 'error');
    },
  });
  // An error of a choice made in the dialog shows in the dialog.
  const choiceError = choice && demo.error && demo.variables !== undefined ? demo.error.message : null;
  return (
    <>
      <Button
        variant={big ? 'primary' : 'secondary'}
        onClick={() => demo.mutate(undefined)}
        disabled={demo.isPending}
        title={DEMO_MODEL_LABEL}
      >
        {demo.isPending ? 'Starting the demo…' : '▶ Try the demo'}
      </Button>
      {choice ? (
        <Dialog
          open
          onClose={() => setChoice(null)}
          title={choice.confirmFresh ? `Replace ${choice.project} with a fresh copy?` : 'The demo project exists'}
          footer={
            choice.confirmFresh ? (
              <>
                <Button onClick={() => setChoice({ ...choice, confirmFresh: false })}>Back</Button>
                <Button variant="danger" onClick={() => demo.mutate('fresh')} disabled={demo.isPending}>
                  Replace it
                </Button>
              </>
            ) : (
              <>
                <Button onClick={() => setChoice(null)}>Cancel</Button>
                <Button onClick={() => setChoice({ ...choice, confirmFresh: true })} disabled={demo.isPending}>
                  A fresh copy…
                </Button>
                <Button variant="primary" onClick={() => demo.mutate('again')} disabled={demo.isPending}>
                  Run it again
                </Button>
              </>
            )
          }
        >
          {choice.confirmFresh ? (
            <p className="text-sm">
              The folder of {choice.project}, its backlog, commits and run history are deleted, and a new demo project
              of the same name starts from the beginning.
            </p>
          ) : (
            <p className="text-sm">
              You tried the demo before: <span className="font-medium">{choice.project}</span> is still here. Run it
              again as it is, or start over with a fresh copy in its place.
            </p>
          )}
          {choiceError ? (
            <p role="alert" className="mt-3 rounded-lg bg-st-failed-bg px-3 py-2 text-sm text-st-failed">
              {choiceError}
            </p>
          ) : null}
        </Dialog>
      ) : null}
    </>
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
        <p className="mt-2 text-sm">
          Add an API key or choose a model provider in{' '}
          <Link to="/settings#provider" className="font-medium text-accent underline">
            Settings › Model provider
          </Link>
          , or try the demo first:
        </p>
      ) : null}
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

/**
 * The git remote a shared project (#20) goes through, in words: plain text, never a link (the card is one already,
 * and a remote is often a path or an ssh address no browser opens). It wraps rather than being cut: its end names the
 * repository.
 */
function SharedThrough({ remote }: { remote: string }) {
  return (
    <p className="-mt-2 text-xs text-muted" data-testid="project-remote">
      Shared through <span className="font-mono break-all">{remote}</span>
    </p>
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
              {p.remote ? <SharedThrough remote={p.remote} /> : null}
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
      <WorkersPanel />
      {creating ? <NewProjectDialog onClose={() => setCreating(false)} /> : null}
    </main>
  );
}
