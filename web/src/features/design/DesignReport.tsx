import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { DesignIteration } from '@shared/design';
import { endpoints, keys } from '../../shared/api/endpoints';
import { errorMessage } from '../../shared/api/client';

/** The report's file inside the iteration folder (`report.md`), from its project-relative path. */
export function reportFile(it: Pick<DesignIteration, 'reportPath' | 'captureDir'>): string | null {
  if (it.reportPath === null) return null;
  const prefix = `${it.captureDir.replace(/\/+$/, '')}/`;
  return it.reportPath.startsWith(prefix) ? it.reportPath.slice(prefix.length) : null;
}

/**
 * The iteration's report.md, folded away: its text is fetched only when a person opens it (the same file the CLI and
 * webhooks point at), and shown as written (markdown source, which reads well as plain text).
 */
export function DesignReport({ project, iteration }: { project: string; iteration: DesignIteration }) {
  const [open, setOpen] = useState(false);
  const file = reportFile(iteration);
  const text = useQuery({
    queryKey: [...keys.designFile(project, iteration.n, file ?? ''), 'text'],
    queryFn: async () => (await endpoints.designFile(project, iteration.n, file!)).text(),
    enabled: open && file !== null,
    staleTime: Infinity,
  });
  if (iteration.reportPath === null) return null;
  return (
    <details
      className="rounded-lg border border-line"
      data-testid="design-report"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary className="cursor-pointer px-3 py-2 text-sm font-semibold">
        Report <code className="break-all font-mono font-normal text-muted">{iteration.reportPath}</code>
      </summary>
      <div className="border-t border-line px-3 py-2">
        {file === null ? (
          <p className="text-sm text-muted">The report lies outside this iteration’s folder and is not served.</p>
        ) : text.error ? (
          <p role="alert" className="text-sm text-st-failed">
            The report cannot be loaded: {errorMessage(text.error)}
          </p>
        ) : text.data === undefined ? (
          <p className="text-sm text-muted">Loading the report…</p>
        ) : (
          <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words font-mono text-xs leading-relaxed">
            {text.data}
          </pre>
        )}
      </div>
    </details>
  );
}
