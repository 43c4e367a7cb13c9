import type { UsageRow } from '../shared/metrics.js';
import type { Report } from '../shared/report.js';
import { usd, utc } from './format.js';
import {
  answersText,
  CHECKPOINT_COLUMNS,
  checkpointRow,
  FINDING_HEAD,
  findingKind,
  findingSeen,
  findingStatus,
  findingWhere,
  lastVerificationText,
  metricRows,
  NO_OPEN_FINDINGS,
  NONE_YET_CHECKPOINTS,
  NONE_YET_DESIGN,
  questionOutcome,
  scopeLine,
  statusText,
  verificationText,
} from './sections.js';

/**
 * Text from agents (feature names, notes, answers) made inert in Markdown: one line, and every character Markdown
 * or embedded HTML could act on backslash-escaped (CommonMark renders `\<` as `<`), so a name like
 * `<img src=x onerror=…>` reads as text and never becomes a tag, a link or a table column.
 */
export function mdText(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|&#~!]/g, (c) => `\\${c}`);
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const usageTable = (title: string, key: string, rows: readonly UsageRow[]) =>
  rows.length === 0
    ? `### ${title}\n\nNone.`
    : `### ${title}\n\n${table(
        [key, 'Sessions', 'Cost'],
        rows.map((r) => [mdText(r.key), String(r.sessions), usd(r.costUsd)]),
      )}`;

/** The checkpoints and the findings still open (their titles, files and categories are agent text: escaped). */
function checkpointsSection(r: Report): string {
  if (r.checkpoints.length === 0) return NONE_YET_CHECKPOINTS;
  const checkpoints = table(
    CHECKPOINT_COLUMNS.map(([, head]) => head),
    r.checkpoints.map((c) => {
      const row = checkpointRow(c);
      // Fix features are `#<id>` made here from numbers; the rest is escaped like any text.
      return CHECKPOINT_COLUMNS.map(([key]) => (key === 'fixFeatures' ? row[key] : mdText(row[key])));
    }),
  );
  const findings =
    r.openFindings.length === 0
      ? NO_OPEN_FINDINGS
      : table(
          FINDING_HEAD,
          r.openFindings.map((f) => [
            f.severity,
            mdText(f.title),
            mdText(findingWhere(f)),
            mdText(findingKind(f)),
            findingSeen(f),
            findingStatus(f),
          ]),
        );
  return `${checkpoints}\n\n### Open findings\n\n${findings}`;
}

/** The report as Markdown (pure: the same report gives the same text). */
export function reportMarkdown(r: Report): string {
  const m = r.metrics;
  const { questions, overrides, disputes } = r.interventions;
  const parts = [
    `# Report: ${mdText(r.project)}`,
    scopeLine(r),
    '## Metrics',
    table(
      ['Metric', 'Value', 'Notes'],
      metricRows(m).map((row) => [row.metric, mdText(row.value), mdText(row.note)]),
    ),
    usageTable('Cost by role', 'Role', m.cost.byRole),
    usageTable('Cost by model', 'Model', m.cost.byModel),
    usageTable('Wasted spend by reason', 'Reason', m.cost.wasted.byReason),
    '## Backlog',
    r.backlog.length === 0
      ? 'No features yet.'
      : table(
          ['#', 'Feature', 'Category', 'Status', 'Verification', 'Last verification', 'Attempts', 'Cost'],
          r.backlog.map((f) => [
            String(f.id),
            mdText(f.name),
            mdText(f.category),
            statusText(f.status),
            mdText(verificationText(f)),
            mdText(lastVerificationText(f)),
            String(f.attempts),
            usd(f.costUsd),
          ]),
        ),
    '## Human interventions',
    '### Questions',
    questions.length === 0
      ? 'None.'
      : table(
          ['Asked', 'Feature', 'Question', 'Answers', 'Outcome'],
          questions.map((q) => [
            utc(q.askedAt),
            `#${q.featureId} ${mdText(q.featureName ?? '')}`.trim(),
            mdText(q.prompt),
            mdText(answersText(q.answers, q.secretKeys)),
            mdText(questionOutcome(q)),
          ]),
        ),
    '### Overrides of the supervisor',
    overrides.length === 0
      ? 'None.'
      : table(
          ['When', 'Feature', 'Question', 'Supervisor answered', 'A human answered instead'],
          overrides.map((o) => [
            utc(o.at),
            `#${o.featureId} ${mdText(o.featureName ?? '')}`.trim(),
            mdText(o.prompt),
            mdText(answersText(o.supervisorAnswers)),
            mdText(answersText(o.humanAnswers)),
          ]),
        ),
    '### Disputes of acceptance checks',
    disputes.length === 0
      ? 'None.'
      : table(
          ['Raised', 'Feature', 'Why the agent disputed', 'Decision', 'Decided by', 'Reason given'],
          disputes.map((d) => [
            utc(d.createdAt),
            `#${d.featureId} ${mdText(d.featureName ?? '')}`.trim(),
            mdText(d.reason),
            d.status,
            d.decidedBy === null ? '—' : `${d.decidedBy}, ${utc(d.decidedAt)}`,
            d.decisionReason ? mdText(d.decisionReason) : '—',
          ]),
        ),
    '## Checkpoints',
    checkpointsSection(r),
    '## Design iterations',
    NONE_YET_DESIGN,
  ];
  return `${parts.join('\n\n')}\n`;
}
