import { useMutation } from '@tanstack/react-query';
import type { ReportFormat } from '@shared/report';
import { saveBlob } from '../../shared/api/download';
import { endpoints } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';

const FORMATS: readonly { format: ReportFormat; label: string; ext: string }[] = [
  { format: 'html', label: 'HTML', ext: 'html' },
  { format: 'md', label: 'Markdown', ext: 'md' },
  { format: 'json', label: 'JSON', ext: 'json' },
];

/**
 * The project's report (`autocoder report`) as a file to keep or share: the metrics with their assumptions, the
 * backlog with its verification status, the human interventions. Of one run when one is selected.
 */
export function DownloadReport({ project, run }: { project: string; run: string | null }) {
  const download = useMutation({
    mutationFn: async ({ format, ext }: { format: ReportFormat; ext: string }) =>
      saveBlob(await endpoints.reportFile(project, format, run), `${project}-report.${ext}`),
  });
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label="Download the report">
      <span className="text-muted">Report:</span>
      {FORMATS.map((f) => (
        <Button key={f.format} disabled={download.isPending} onClick={() => download.mutate(f)}>
          {f.label}
        </Button>
      ))}
      {download.error ? (
        <span role="alert" className="text-st-failed">
          The report could not be downloaded: {download.error.message}
        </span>
      ) : null}
    </div>
  );
}
