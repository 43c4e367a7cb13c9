/**
 * Findings, pure: when two reports are the same problem (the fingerprint), what a checkpoint counts, and the fix
 * feature a serious finding becomes.
 */

export type Severity = 'critical' | 'major' | 'minor' | 'info';

/** Worst first. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'major', 'minor', 'info'];

/** Findings of these severities become fix features. */
export const FIXABLE: ReadonlySet<Severity> = new Set<Severity>(['critical', 'major']);

export interface FindingIdentity {
  readonly agent: string;
  readonly category: string;
  readonly title: string;
  readonly file?: string | undefined;
}

/** A title reduced to what stays when the same problem is described again: case, numbers, quotes and spacing go. */
export function normalisedTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[`'"“”‘’]/g, '')
    .replace(/\d+(?:\.\d+)?/g, '#')
    .replace(/[^\p{L}\p{N}#]+/gu, ' ')
    .trim();
}

/**
 * The same problem found again has the same fingerprint: the reviewer kind, the category, the file (not the line:
 * lines move as code is edited around them) and the normalised title. A different file is a different finding.
 */
export function findingFingerprint(f: FindingIdentity): string {
  const file = (f.file ?? '').trim().replace(/^\.\//, '');
  return [f.agent, f.category.trim().toLowerCase(), file, normalisedTitle(f.title)].join('|');
}

/** Counts by severity. */
export function severityCounts(findings: readonly { readonly severity: Severity }[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, major: 0, minor: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export interface FixFeatureSource {
  readonly id: string;
  readonly agent: string;
  readonly severity: Severity;
  readonly category: string;
  readonly title: string;
  readonly detail: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly suggestedFix: string | null;
}

/** The backlog item a critical or major finding becomes: category `fix`, ahead of the rest, steps from the finding. */
export function fixFeatureOf(
  finding: FixFeatureSource,
  checkpoint: number,
): {
  readonly category: 'fix';
  readonly name: string;
  readonly description: string;
  readonly steps: string[];
} {
  const where = finding.file === null ? null : `${finding.file}${finding.line === null ? '' : `:${finding.line}`}`;
  const steps = [
    ...(where === null ? [] : [`Open ${where}`]),
    finding.suggestedFix === null ? `Fix: ${finding.title}` : `Fix: ${finding.suggestedFix}`,
    `Confirm the ${finding.agent} problem "${finding.title}" is gone (checkpoint ${checkpoint} found it)`,
  ];
  return {
    category: 'fix',
    name: `Fix ${finding.severity}: ${finding.title}`.slice(0, 200),
    description:
      `Checkpoint ${checkpoint} (${finding.agent} review, ${finding.category}) found: ${finding.detail}${where === null ? '' : `\nWhere: ${where}`}\nFinding ${finding.id}.`.slice(
        0,
        4000,
      ),
    steps,
  };
}

export interface ToolFixSource {
  /** The tool's kind (typecheck, lint, audit, build, coverage) and the command it ran (empty when none). */
  readonly kind: string;
  readonly command: string;
  readonly findings: readonly {
    readonly severity: Severity;
    readonly title: string;
    readonly file: string | null;
    readonly line: number | null;
  }[];
}

/** How many findings a tool fix feature lists in its description (the rest are counted). */
const TOOL_FIX_LISTED = 20;

/**
 * One fix feature for a tool's serious findings (a type checker can report hundreds: one feature each would bury
 * the backlog). Its acceptance check is the tool's own command, which must exit 0 — derived from the finding.
 */
export function toolFixFeatureOf(
  source: ToolFixSource,
  checkpoint: number,
): {
  readonly category: 'fix';
  readonly name: string;
  readonly description: string;
  readonly steps: string[];
  readonly acceptance: { kind: 'command'; name: string; run: string; expect: { exitCode: number } }[];
} {
  const n = source.findings.length;
  const listed = source.findings
    .slice(0, TOOL_FIX_LISTED)
    .map(
      (f) =>
        `- ${f.severity}: ${f.title}${f.file === null ? '' : ` (${f.file}${f.line === null ? '' : `:${f.line}`})`}`,
    );
  const more = n > TOOL_FIX_LISTED ? [`- … and ${n - TOOL_FIX_LISTED} more`] : [];
  const command = source.command.trim();
  return {
    category: 'fix',
    name: `Fix the ${source.kind} problems found at checkpoint ${checkpoint}`.slice(0, 200),
    description: [
      `Checkpoint ${checkpoint}: ${source.kind} reported ${n} critical or major problem${n === 1 ? '' : 's'}:`,
      ...listed,
      ...more,
    ]
      .join('\n')
      .slice(0, 4000),
    steps: [
      command === '' ? `Run the project's ${source.kind}` : `Run \`${command}\``,
      'Fix every problem it reports (listed above)',
      'Run it again: it reports none',
    ],
    // The audit asks the package registry: a check that needs the network could not pass on a machine without it.
    acceptance:
      command === '' || source.kind === 'audit'
        ? []
        : [
            {
              kind: 'command',
              name: `${source.kind} reports no problem`.slice(0, 120),
              run: command,
              expect: { exitCode: 0 },
            },
          ],
  };
}
