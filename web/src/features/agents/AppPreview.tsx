import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PreviewState } from '@shared/preview';
import { endpoints, keys } from '../../shared/api/endpoints';
import { useProject } from '../../shared/project-context';
import { Button } from '../../shared/ui/Button';

/** How often the state is asked again: often while a preview runs (it may crash, or be stopped from a terminal). */
const refetchMs = (state: PreviewState | undefined) => (state && state.status !== 'stopped' ? 2_000 : 10_000);

/**
 * "Open the app": starts the built app from main (its `./init.sh` on a preview port, in the agents' sandbox), links to
 * it while it runs and stops it again. Shown once main has an init.sh; a run need not be active.
 */
export function AppPreview() {
  const { name } = useProject();
  const client = useQueryClient();
  const state = useQuery({
    queryKey: keys.preview(name),
    queryFn: () => endpoints.preview(name),
    refetchInterval: (q) => refetchMs(q.state.data),
  });
  const settle = (next: PreviewState) => client.setQueryData(keys.preview(name), next);
  const start = useMutation({ mutationFn: () => endpoints.startPreview(name), onSuccess: settle });
  const stop = useMutation({ mutationFn: () => endpoints.stopPreview(name), onSuccess: settle });
  const preview = state.data;
  if (!preview || (!preview.available && preview.status === 'stopped')) return null;
  const starting = start.isPending || preview.status === 'starting';
  const running = preview.status === 'running' && !starting;
  const error = start.error?.message ?? stop.error?.message ?? (running ? null : preview.lastError);
  return (
    <section
      aria-labelledby="app-preview-title"
      data-testid="app-preview"
      data-state={running ? 'running' : starting ? 'starting' : 'stopped'}
      className="flex flex-col gap-2 rounded-2xl border border-line bg-panel p-4 shadow-card"
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="app-preview-title" className="text-sm font-semibold">
          The app
        </h2>
        <p role="status" aria-live="polite" className="min-w-0 flex-1 basis-64 text-sm text-muted">
          {running && preview.url ? (
            <>
              Runs from main
              {preview.commit ? <> at {preview.commit.slice(0, 8)}</> : null} at{' '}
              <a
                href={preview.url}
                target="_blank"
                rel="noreferrer"
                data-testid="app-preview-url"
                className="font-mono font-semibold [overflow-wrap:anywhere] text-accent underline underline-offset-2"
              >
                {preview.url}
              </a>
              {preview.by === 'cli' ? ' (started with autocoder preview)' : ''}
            </>
          ) : starting ? (
            'Starting the app from main: installing its dependencies and running ./init.sh…'
          ) : (
            'Start the app built so far from main, in the same sandbox as the agents.'
          )}
        </p>
        {running ? (
          <Button variant="danger" onClick={() => stop.mutate()} disabled={stop.isPending}>
            {stop.isPending ? 'Stopping…' : '■ Stop the app'}
          </Button>
        ) : (
          <Button variant="primary" onClick={() => start.mutate()} disabled={starting}>
            {starting ? 'Starting…' : 'Open the app'}
          </Button>
        )}
      </div>
      {error ? (
        <p
          role="alert"
          data-testid="app-preview-error"
          className="rounded-lg bg-st-failed-bg px-3 py-2 font-mono text-xs whitespace-pre-wrap text-st-failed"
        >
          {error}
        </p>
      ) : null}
    </section>
  );
}
