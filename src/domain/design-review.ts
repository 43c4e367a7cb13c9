/**
 * Design review rules, pure: when two design findings are the same problem, when an iteration is approved, whether
 * to iterate again, what an axe violation and a serious finding become.
 */
import { FIXABLE, normalisedTitle, type Severity } from './findings.js';

// The wire types live in shared/design.ts (zod); the domain imports nothing, so it names the few it needs.
export type Viewport = 'desktop' | 'mobile';
export type Theme = 'light' | 'dark';
export type AxeImpact = 'critical' | 'serious' | 'moderate' | 'minor';
export type AxeCounts = Record<AxeImpact, number>;
export type DesignOutcome = 'approved' | 'changes_requested';

export interface DesignFindingIdentity {
  readonly page: string;
  readonly viewport: Viewport;
  readonly category: string;
  readonly title: string;
}

/** `/notes/` and `/notes#top` are the page `/notes`: a trailing slash and a fragment do not make another page. */
export function normalisedPage(page: string): string {
  const path = page.trim().replace(/#.*$/, '');
  const [pathname = '', query] = path.split('?', 2);
  const trimmed = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return `${trimmed === '' ? '/' : trimmed}${query === undefined || query === '' ? '' : `?${query}`}`;
}

/**
 * The same design problem found again has the same fingerprint: the page, the viewport, the category and the
 * normalised title. Not the persona: two personas who see the same cramped header on the same page are reporting one
 * problem, and it must become one fix feature, not two (the finding keeps who reported it first; each sighting keeps
 * who saw it). Not the theme either: a layout problem shows in light and dark alike, and a problem of one theme says
 * so in its title ("… in dark mode"). The viewport is kept: the mobile layout is other code than the desktop one.
 */
export function designFingerprint(f: DesignFindingIdentity): string {
  return [normalisedPage(f.page), f.viewport, f.category.trim().toLowerCase(), normalisedTitle(f.title)].join('|');
}

/** What the approval needs of axe: none of these impacts remains. */
export const BLOCKING_AXE_IMPACTS: readonly AxeImpact[] = ['critical', 'serious'];

/**
 * An iteration is approved only when every persona of it voted and approved, and axe ran and found no serious or
 * critical violation. A persona whose session ended without a vote, or failed, did not approve; no personas at all
 * approve nothing; no axe result (the capture could not run it) cannot show the violations are gone.
 */
export function iterationOutcome(
  votes: readonly {
    readonly status: 'running' | 'voted' | 'incomplete' | 'failed';
    readonly approve: boolean | null;
  }[],
  axe: AxeCounts | null,
): DesignOutcome {
  const everyoneApproves = votes.length > 0 && votes.every((v) => v.status === 'voted' && v.approve === true);
  const axeClean = axe !== null && BLOCKING_AXE_IMPACTS.every((impact) => axe[impact] === 0);
  return everyoneApproves && axeClean ? 'approved' : 'changes_requested';
}

/**
 * Whether to run another iteration after iteration `n` (1-based, counted within the review): only when changes were
 * requested and the budget of `designIterations` is not spent. A failed iteration (no outcome) does not loop.
 */
export function shouldIterateAgain(outcome: DesignOutcome | null, n: number, designIterations: number): boolean {
  return outcome === 'changes_requested' && n < designIterations;
}

/**
 * A vote that contradicts the persona's own findings: approving while it reported a critical or major finding in
 * this iteration. Returns why (the tool refuses the vote with it), or null when the vote is consistent.
 */
export function voteConflict(
  approve: boolean,
  ownFindings: readonly { readonly severity: Severity; readonly title: string }[],
): string | null {
  if (!approve) return null;
  const serious = ownFindings.filter((f) => FIXABLE.has(f.severity));
  if (serious.length === 0) return null;
  const titles = serious
    .slice(0, 3)
    .map((f) => `"${f.title}"`)
    .join(', ');
  return `you reported ${serious.length} critical or major finding${serious.length === 1 ? '' : 's'} (${titles}); approve only when nothing critical or major remains, or vote approve: false`;
}

// ── axe violations ──────────────────────────────────────────────────────────

/** The part of an axe-core violation we read (structural: the capture's own type may carry more). */
export interface AxeViolation {
  readonly id: string;
  readonly impact: AxeImpact | null | undefined;
  readonly help: string;
  readonly description: string;
  readonly helpUrl?: string | undefined;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly html?: string | undefined }[];
}

/** Where an axe run looked. */
export interface AxePage {
  readonly page: string;
  readonly viewport: Viewport;
  readonly theme: Theme;
  readonly screenshot: string;
}

/** axe's impact as a finding's severity: critical and serious block the approval, so they become fix features. */
export const AXE_SEVERITY: Readonly<Record<AxeImpact, Severity>> = {
  critical: 'critical',
  serious: 'major',
  moderate: 'minor',
  minor: 'info',
};

/** Violations by impact (one per rule and page, however many elements it names); no impact counts as minor. */
export function axeCounts(violations: readonly Pick<AxeViolation, 'impact'>[]): AxeCounts {
  const counts: AxeCounts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of violations) counts[v.impact ?? 'minor'] += 1;
  return counts;
}

/** How many elements a finding's evidence names (the rest are counted). */
const AXE_NODES_LISTED = 5;

/** A design finding as reported (shared/design.ts NewDesignFinding, without the persona's optional assertions). */
export interface DesignFindingReport extends AxePage {
  readonly severity: Severity;
  readonly category: string;
  readonly title: string;
  readonly detail: string;
  readonly evidence?: string;
  readonly suggestedFix?: string;
}

/** One axe violation as a design finding (source `tool`): category `axe/<rule>`, its help as the title. */
export function axeFinding(violation: AxeViolation, where: AxePage): DesignFindingReport {
  const n = violation.nodes.length;
  const listed = violation.nodes
    .slice(0, AXE_NODES_LISTED)
    .map((node) => `- ${node.target.map(String).join(' ')}${node.html ? `: ${node.html.slice(0, 300)}` : ''}`);
  const evidence = [...listed, ...(n > AXE_NODES_LISTED ? [`- … and ${n - AXE_NODES_LISTED} more`] : [])].join('\n');
  return {
    severity: AXE_SEVERITY[violation.impact ?? 'minor'],
    category: `axe/${violation.id}`.slice(0, 80),
    title: violation.help.slice(0, 200) || violation.id,
    detail:
      `axe-core rule ${violation.id} (${violation.impact ?? 'no impact given'}): ${violation.description} — ${n} element${n === 1 ? '' : 's'} on ${where.page} (${where.viewport}, ${where.theme}).`.slice(
        0,
        4000,
      ),
    page: where.page,
    viewport: where.viewport,
    theme: where.theme,
    screenshot: where.screenshot,
    ...(evidence === '' ? {} : { evidence: evidence.slice(0, 4000) }),
    ...(violation.helpUrl ? { suggestedFix: `Follow ${violation.helpUrl}`.slice(0, 4000) } : {}),
  };
}

// ── fix features ─────────────────────────────────────────────────────────────

/** `Expect`: the persona's assertion steps (shared/design.ts ExpectStep), passed through untouched. */
export interface DesignFixSource<Expect extends object> {
  readonly id: string;
  readonly persona: string | null;
  readonly source: 'agent' | 'tool';
  readonly severity: Severity;
  readonly category: string;
  readonly title: string;
  readonly detail: string;
  readonly page: string;
  readonly viewport: Viewport;
  readonly theme: Theme;
  readonly screenshot: string;
  readonly suggestedFix: string | null;
  readonly expect: readonly Expect[] | null;
}

/**
 * The backlog item a critical or major design finding becomes: category `design`, steps from the finding, and one
 * browser check on its page at the finding's viewport. An axe finding's check runs its rule there
 * (`expectNoAxeViolation`), a persona's the assertions it gave: either fails while the problem is there. A persona's
 * finding without assertions only proves the page still loads; the next design iteration confirms its fix.
 */
export function designFixFeatureOf<Expect extends object>(
  finding: DesignFixSource<Expect>,
  iteration: number,
): {
  readonly category: 'design';
  readonly name: string;
  readonly description: string;
  readonly steps: string[];
  readonly acceptance: {
    kind: 'browser';
    name: string;
    viewport: Viewport;
    steps: ({ goto: string } | { expectNoAxeViolation: string } | Expect)[];
  }[];
} {
  const who = finding.source === 'tool' ? 'axe-core' : (finding.persona ?? 'a persona');
  const where = `${finding.page} (${finding.viewport}, ${finding.theme})`;
  const screenshot = `.autocoder/design/iteration-${iteration}/${finding.screenshot}`;
  const expect = finding.expect ?? [];
  // An axe finding's check runs its rule on the page; a persona's, the assertions it gave; both at the finding's width.
  const rule = finding.source === 'tool' ? /^axe\/([a-z0-9-]{1,80})$/.exec(finding.category)?.[1] : undefined;
  const steps: ({ goto: string } | { expectNoAxeViolation: string } | Expect)[] = [
    { goto: finding.page },
    ...(rule === undefined ? [] : [{ expectNoAxeViolation: rule }]),
    ...expect,
  ];
  return {
    category: 'design',
    name: `Design ${finding.severity}: ${finding.title} on ${finding.page}`.slice(0, 200),
    description:
      `Design review iteration ${iteration} (${who}, ${finding.category}) found on ${where}: ${finding.detail}\nScreenshot: ${screenshot}\nFinding ${finding.id}.`.slice(
        0,
        4000,
      ),
    steps: [
      `Open ${finding.page} at ${finding.viewport} width in the ${finding.theme} theme (see ${screenshot})`,
      finding.suggestedFix === null ? `Fix: ${finding.title}` : `Fix: ${finding.suggestedFix}`,
      ...(finding.source === 'tool'
        ? [`Run axe-core on ${finding.page}: rule ${finding.category.replace(/^axe\//, '')} reports no violation`]
        : []),
      `Confirm "${finding.title}" is gone at ${finding.viewport} width (the next design iteration checks it again)`,
    ],
    acceptance: [
      {
        kind: 'browser',
        name: (rule !== undefined
          ? `${finding.page} has no ${rule} violation at ${finding.viewport} width`
          : expect.length > 0
            ? `${finding.page} shows the fix of: ${finding.title}`
            : `${finding.page} still loads`
        ).slice(0, 200),
        viewport: finding.viewport,
        steps,
      },
    ],
  };
}
