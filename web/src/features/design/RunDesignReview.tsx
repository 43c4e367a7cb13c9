import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { DesignReviewResponse } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';
import { Button } from '../../shared/ui/Button';
import { personaLabel } from './design-view';

/** What the server did with the request, in words. */
export function startedText(r: DesignReviewResponse): string {
  if ('queued' in r) return 'Design review queued: the active run starts it after the feature it is landing.';
  return `Design review started${` (process ${r.pid})`}: the app is captured first, then the personas look.`;
}

/**
 * "Run design review" with a checkbox per persona (all ticked). With all of them ticked the request names none, so
 * the server takes the project's usual set (custom personas the page has not seen included).
 */
export function RunDesignReview({ project, personas }: { project: string; personas: readonly string[] }) {
  const qc = useQueryClient();
  const id = useId();
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(personas));
  const [none, setNone] = useState(false);
  const start = useMutation({
    mutationFn: () =>
      endpoints.startDesignReview(
        project,
        picked.size === personas.length && personas.every((p) => picked.has(p))
          ? {}
          : { personas: personas.filter((p) => picked.has(p)) },
      ),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: keys.designAll(project) });
    },
  });
  const toggle = (p: string) => {
    setNone(false);
    setPicked((s) => {
      const next = new Set(s);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (picked.size === 0) {
      setNone(true);
      return;
    }
    start.mutate();
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-labelledby={`${id}-t`} noValidate>
      <fieldset className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <legend id={`${id}-t`} className="mb-1 text-sm font-medium">
          Personas for the next design review
        </legend>
        {personas.map((p) => (
          <label key={p} className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" checked={picked.has(p)} onChange={() => toggle(p)} className="accent-accent" />
            {personaLabel(p)}
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
