import { SEVERITY_ORDER } from '../domain/findings.js';
export { mdInert } from '../shared/markdown.js';
import { mdInert } from '../shared/markdown.js';
import type { Checkpoint, CheckpointReview, Finding, ToolFact } from '../shared/checkpoints.js';

/**
 * The checkpoint report, `.autocoder/checkpoints/checkpoint-<N>.md`: what was reviewed (commit, range), what it cost,
 * what the project's tools said, what each reviewer concluded, the findings worst first with where they are, the fix
 * features it created and what it resolved. Pure: the same input gives the same text (times in UTC).
 */

export interface CheckpointReportInput {
  readonly project: string;
  readonly checkpoint: Checkpoint;
  /** The findings seen in this checkpoint. */
  readonly findings: readonly Finding[];
  /** The findings this checkpoint resolved (absent from it, though its kind was reviewed). */
  readonly resolved: readonly Finding[];
  /** The fix features it created, as they are now. */
  readonly fixFeatures: readonly { readonly id: number; readonly name: string; readonly status: string }[];
}

const usd = (v: number): string => `$${v.toFixed(2)}`;
const utc = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const sha = (commit: string): string => `\`${commit.slice(0, 10)}\``;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const TRIGGERS: Record<Checkpoint['trigger'], string> = {
  interval: 'every N passing features (checkpointInterval)',
  end_of_run: 'the end of a run',
  manual: 'on demand',
};

/** `src/a.ts:12`, `src/a.ts`, or null (a finding about the whole project). */
export function findingPlace(f: {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}): string | null {
  if (f.file === undefined) return null;
  return f.line === undefined ? f.file : `${f.file}:${f.line}`;
}

function factLine(f: ToolFact): string {
  const how =
    f.status === 'skipped'
      ? 'skipped'
      : `${f.status}${f.exitCode === null ? '' : `, exit ${f.exitCode}`}, ${duration(f.durationMs)}`;
  const figures = Object.entries(f.figures)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${mdInert(k)} ${v}`)
    .join(', ');
  return `- **${f.kind}** (${how}): ${mdInert(f.summary) || 'no summary'}${figures === '' ? '' : `; ${figures}`}${f.command === '' ? '' : ` — ${mdInert(f.command)}`}`;
}

const REVIEW_STATUS: Record<CheckpointReview['status'], string> = {
  running: 'still running',
  finished: 'finished',
  incomplete: 'ended without `review_finish`',
  failed: 'could not run',
};

function reviewLine(r: CheckpointReview): string {
  return `- **${r.agent}** (${REVIEW_STATUS[r.status]}, ${plural(r.findings, 'finding')}${r.sessionId === null ? '' : `, session ${mdInert(r.sessionId)}`}): ${r.summary === null ? 'no summary.' : mdInert(r.summary)}`;
}

function findingBlock(f: Finding, n: number): string {
  const place = findingPlace(f);
  const seen =
    f.seenCount === 1 && f.firstCheckpoint === n
      ? 'new'
      : `seen ${f.seenCount}× (first at checkpoint ${f.firstCheckpoint})`;
  const head = `- **${mdInert(f.title)}**${place === null ? '' : ` — ${mdInert(place)}`} · ${f.agent} / ${mdInert(f.category)} · ${seen} · ${f.status.replace('_', ' ')}${f.source === 'tool' ? ' · from a tool' : ''}${f.fixFeatureId === null ? '' : ` · fix feature #${f.fixFeatureId}`} · \`${f.id}\``;
  const lines = [head, `  ${mdInert(f.detail)}`];
  if (f.evidence !== undefined) lines.push(`  Evidence: ${mdInert(f.evidence)}`);
  if (f.suggestedFix !== undefined) lines.push(`  Suggested fix: ${mdInert(f.suggestedFix)}`);
  if (f.status === 'dismissed' && f.dismissedReason !== null) lines.push(`  Dismissed: ${mdInert(f.dismissedReason)}`);
  return lines.join('\n');
}

function findingsSection(c: Checkpoint, findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ['## Findings', 'None.'];
  const parts = [`## Findings (${findings.length})`];
  for (const severity of SEVERITY_ORDER) {
    const of = findings.filter((f) => f.severity === severity);
    if (of.length === 0) continue;
    const title = `${severity[0]?.toUpperCase() ?? ''}${severity.slice(1)}`;
    parts.push(`### ${title} (${of.length})`, of.map((f) => findingBlock(f, c.n)).join('\n'));
  }
  return parts;
}

/** The `checkpoint-<N>.md` text. */
export function checkpointReportMarkdown(input: CheckpointReportInput): string {
  const { checkpoint: c, findings, resolved, fixFeatures } = input;
  const counts = SEVERITY_ORDER.map((s) => `${c.counts[s]} ${s}`).join(', ');
  const range =
    c.previousCommit === null
      ? `${sha(c.commit)} (the first checkpoint: the whole code base)`
      : `${sha(c.commit)} (changes since ${sha(c.previousCommit)})`;
  const summary = [
    `- Project: ${mdInert(input.project)}`,
    `- Commit: ${range}`,
    `- Trigger: ${TRIGGERS[c.trigger]}${c.runId === null ? '' : ` (run ${mdInert(c.runId)})`}`,
    `- Status: ${c.status}${c.error === null ? '' : ` — ${mdInert(c.error)}`}`,
    `- Started: ${utc(c.startedAt)}; duration: ${c.endedAt === null ? 'still running' : duration(c.endedAt - c.startedAt)}`,
    `- Cost: ${usd(c.costUsd)}`,
    `- Passing features: ${c.passing}`,
    `- Reviewers: ${c.agents.join(', ')}`,
    `- Findings: ${counts} (${c.newFindings} new, ${c.resolvedFindings} resolved)`,
  ];
  const parts = [
    `# Checkpoint ${c.n}`,
    summary.join('\n'),
    '## Tool results',
    c.facts.length === 0 ? 'No tool results recorded.' : c.facts.map(factLine).join('\n'),
    '## Reviews',
    c.reviews.length === 0
      ? 'No reviewer sessions recorded.'
      : [...c.reviews]
          .sort((a, b) => c.agents.indexOf(a.agent) - c.agents.indexOf(b.agent))
          .map(reviewLine)
          .join('\n'),
    ...findingsSection(c, findings),
    '## Fix features created',
    fixFeatures.length === 0
      ? 'None.'
      : fixFeatures.map((f) => `- #${f.id} ${mdInert(f.name)} (${f.status.replace('_', ' ')})`).join('\n'),
    c.previousCommit === null ? '## Resolved' : '## Resolved since the last checkpoint',
    resolved.length === 0
      ? 'Nothing was resolved.'
      : resolved
          .map((f) => {
            const place = findingPlace(f);
            return `- ${f.severity}: ${mdInert(f.title)}${place === null ? '' : ` — ${mdInert(place)}`} · ${f.agent} · first seen at checkpoint ${f.firstCheckpoint}, last at ${f.lastCheckpoint}${f.fixFeatureId === null ? '' : ` · fix feature #${f.fixFeatureId}`} · \`${f.id}\``;
          })
          .join('\n'),
  ];
  return `${parts.join('\n\n')}\n`;
}
