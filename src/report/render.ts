import type { Report, ReportFormat } from '../shared/report.js';
import { reportHtml } from './html-page.js';
import { reportMarkdown } from './markdown.js';

export interface RenderedReport {
  readonly body: string;
  readonly contentType: string;
  /** The file name a download or `--out` suggests: `<project>-report.<ext>`. */
  readonly filename: string;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** The report in one format: its text, content type and file name (pure). */
export function renderReport(report: Report, format: ReportFormat): RenderedReport {
  const body =
    format === 'md'
      ? reportMarkdown(report)
      : format === 'html'
        ? reportHtml(report)
        : `${JSON.stringify(report, null, 2)}\n`;
  return { body, contentType: CONTENT_TYPES[format], filename: `${report.project}-report.${format}` };
}
