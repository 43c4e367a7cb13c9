import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { DesignPersonaInfo, DesignReviewResponse } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { Button } from '../../shared/ui/Button';

/** What the server did with the request, in words. */
export function startedText(r: DesignReviewResponse): string {
  if ('queued' in r) return 'Design review queued: the active run starts it after the feature it is landing.';
  return `Design review started${` (process ${r.pid})`}: the app is captured first, then the personas look.`;
}

/**
 * "Run design review" with a checkbox per persona the project has now (the server's list: the built-in ones and the
 * project's `.autocoder/personas/*.md`), all ticked. With all of them ticked the request names none, so the server
 * takes the project's set as it is when the review starts. A broken persona file is shown instead: no review can
 * start until it is fixed.
 */
export function RunDesignReview({
  project,
  available,
  error,
}: {
  project: string;
  available: readonly DesignPersonaInfo[];
  error: string | null;
}) {
  const qc = useQueryClient();
  const id = useId();
  // What is switched off, not what is on: a persona file added while the page is open comes in ticked.
  const [off, setOff] = useState<ReadonlySet<string>>(() => new Set());
  const [none, setNone] = useState(false);
  const picked = available.filter((p) => !off.has(p.id)).map((p) => p.id);
  const start = useMutation({
    mutationFn: () =>
      endpoints.startDesignReview(project, picked.length === available.length ? {} : { personas: picked }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: keys.designAll(project) });
    },
  });
  const toggle = (p: string) => {
    setNone(false);
    setOff((s) => {
      const next = new Set(s);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (picked.length === 0) {
      setNone(true);
      return;
    }
    start.mutate();
  };
  if (error !== null)
    return (
      <p role="alert" className="text-sm text-st-failed" data-testid="design-personas-error">
        No design review can start until the personas are fixed: {error}
      </p>
    );
  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-labelledby={`${id}-t`} noValidate>
      <fieldset className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <legend id={`${id}-t`} className="mb-1 text-sm font-medium">
          Personas for the next design review
        </legend>
        {available.map((p) => (
          <label key={p.id} className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" checked={!off.has(p.id)} onChange={() => toggle(p.id)} className="accent-accent" />
            {p.name}
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Run design review'}
        </Button>
        {none ? (
          <p role="alert" className="text-xs font-medium text-st-failed">
            Pick at least one persona.
          </p>
        ) : start.error ? (
          <p role="alert" className="text-xs font-medium text-st-failed" data-testid="run-design-error">
            {errorMessage(start.error)}
          </p>
        ) : start.data ? (
          <p role="status" className="text-xs font-medium text-st-passing" data-testid="run-design-started">
            {startedText(start.data)}
          </p>
        ) : null}
      </div>
    </form>
  );
}
