import { mdInert } from '../shared/markdown.js';
import { SEVERITY_ORDER } from '../domain/findings.js';
import type { DesignFinding, DesignIteration, PersonaVote } from '../shared/design.js';

/**
 * A design review iteration's report, `.autocoder/design/iteration-<N>/report.md`: what was photographed, the outcome,
 * each persona's vote, axe's counts, the findings worst first with the screenshot that shows each, the fix features it
 * created and what it resolved. Pure: the same input gives the same text (times in UTC).
 */

export interface DesignReportInput {
  readonly project: string;
  readonly iteration: DesignIteration;
  /** The findings seen in this iteration. */
  readonly findings: readonly DesignFinding[];
  /** The findings this iteration resolved. */
  readonly resolved: readonly DesignFinding[];
  /** The fix features it created, as they are now. */
  readonly fixFeatures: readonly { readonly id: number; readonly name: string; readonly status: string }[];
}

const usd = (v: number): string => `$${v.toFixed(2)}`;
const utc = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const TRIGGERS: Record<DesignIteration['trigger'], string> = {
  interval: 'every N passing features (designReviewEvery)',
  end_of_run: 'the end of a run',
  manual: 'on demand',
};

const VOTE_STATUS: Record<PersonaVote['status'], string> = {
  running: 'still looking',
  voted: 'voted',
  incomplete: 'ended without `design_vote`',
  failed: 'could not run',
};

function voteLine(v: PersonaVote): string {
  const verdict =
    v.status === 'voted'
      ? `${v.approve ? '**approves**' : '**asks for changes**'}, ${v.score}/10`
      : VOTE_STATUS[v.status];
  return `- **${mdInert(v.persona)}** (${verdict}${v.sessionId === null ? '' : `, session ${mdInert(v.sessionId)}`}): ${v.rationale === null ? 'no rationale.' : mdInert(v.rationale)}`;
}

function findingBlock(f: DesignFinding, it: DesignIteration): string {
  const seen =
    f.seenCount === 1 && f.firstIteration === it.n
      ? 'new'
      : `seen ${f.seenCount}× (first in iteration ${f.firstIteration})`;
  const who = f.source === 'tool' ? 'axe-core' : mdInert(f.persona ?? 'a persona');
  const head = `- **${mdInert(f.title)}** — \`${mdInert(f.page)}\` ${f.viewport} ${f.theme} · ${who} / ${mdInert(f.category)} · ${seen} · ${f.status.replace('_', ' ')}${f.fixFeatureId === null ? '' : ` · fix feature #${f.fixFeatureId}`} · \`${f.id}\``;
  const lines = [
    head,
    `  ${mdInert(f.detail)}`,
    `  Screenshot: [${mdInert(f.screenshot)}](screenshots/${encodeURIComponent(f.screenshot)})`,
  ];
  if (f.evidence !== undefined) lines.push(`  Evidence: ${mdInert(f.evidence)}`);
  if (f.suggestedFix !== undefined) lines.push(`  Suggested fix: ${mdInert(f.suggestedFix)}`);
  if (f.status === 'dismissed' && f.dismissedReason !== null) lines.push(`  Dismissed: ${mdInert(f.dismissedReason)}`);
  return lines.join('\n');
}

/** The `report.md` text. */
export function designReportMarkdown(input: DesignReportInput): string {
  const { iteration: it, findings, resolved, fixFeatures } = input;
  const axe =
    it.axe === null
      ? 'did not run'
      : `${it.axe.critical} critical, ${it.axe.serious} serious, ${it.axe.moderate} moderate, ${it.axe.minor} minor`;
  const parts = [
    `# Design review ${it.n} of ${mdInert(input.project)}`,
    [
      `- Commit: \`${it.commit.slice(0, 10)}\``,
      `- Trigger: ${TRIGGERS[it.trigger]}${it.runId === null ? '' : ` (run ${mdInert(it.runId)})`}`,
      `- Status: ${it.status}${it.error === null ? '' : ` — ${mdInert(it.error)}`}`,
      `- Outcome: ${it.outcome === null ? 'none' : it.outcome === 'approved' ? 'approved' : 'changes requested'}`,
      `- Started: ${utc(it.startedAt)}${it.endedAt === null ? '' : `; took ${Math.round((it.endedAt - it.startedAt) / 1000)} s`}`,
      `- Cost: ${usd(it.costUsd)}`,
      `- axe-core violations: ${axe}`,
      `- Findings: ${SEVERITY_ORDER.map((s) => `${it.counts[s]} ${s}`).join(', ')} (${it.newFindings} new, ${it.resolvedFindings} resolved)`,
    ].join('\n'),
    '## Votes',
    it.votes.length === 0 ? 'None.' : it.votes.map(voteLine).join('\n'),
  ];
  if (findings.length === 0) parts.push('## Findings', 'None.');
  else {
    parts.push(`## Findings (${findings.length})`);
    for (const severity of SEVERITY_ORDER) {
      const of = findings.filter((f) => f.severity === severity);
      if (of.length === 0) continue;
      parts.push(
        `### ${severity[0]?.toUpperCase() ?? ''}${severity.slice(1)} (${of.length})`,
        of.map((f) => findingBlock(f, it)).join('\n'),
      );
    }
  }
  parts.push(
    '## Fix features',
    fixFeatures.length === 0
      ? 'None.'
      : fixFeatures.map((f) => `- #${f.id} ${mdInert(f.name)} (${f.status})`).join('\n'),
    '## Resolved',
    resolved.length === 0
      ? 'None.'
      : resolved.map((f) => `- ${mdInert(f.title)} — \`${mdInert(f.page)}\` ${f.viewport} (\`${f.id}\`)`).join('\n'),
  );
  return `${parts.join('\n\n')}\n`;
}
