import type { DesignFinding, DesignIteration } from '@shared/design';
import { BLOCKING_IMPACTS, type CapturedPage, type DesignCapture, type Shot } from '@shared/design-capture';

/** Pure helpers of the Design page: labels, shots by page, findings pinned to shots, before/after, chart rows. */

const BUILT_IN_LABEL: Record<string, string> = {
  'visual-designer': 'Visual Designer',
  'ux-researcher': 'UX Researcher',
  'accessibility-expert': 'Accessibility Expert',
  'brand-strategist': 'Brand Strategist',
};

/** A persona's name for people: a built-in's title, a custom one's file name in words (copy-editor: Copy editor). */
export function personaLabel(persona: string): string {
  const known = BUILT_IN_LABEL[persona];
  if (known) return known;
  const words = persona.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const OUTCOME_LABEL: Record<NonNullable<DesignIteration['outcome']>, string> = {
  approved: 'approved',
  changes_requested: 'changes requested',
};
export const OUTCOME_TONE: Record<NonNullable<DesignIteration['outcome']>, string> = {
  approved: 'text-st-passing bg-st-passing-bg',
  changes_requested: 'text-st-input bg-st-input-bg',
};
export const ITERATION_STATUS_TONE: Record<DesignIteration['status'], string> = {
  running: 'text-st-progress bg-st-progress-bg',
  finished: 'text-st-passing bg-st-passing-bg',
  failed: 'text-st-failed bg-st-failed-bg',
  aborted: 'text-st-pending bg-st-pending-bg',
};
export const DESIGN_TRIGGER_LABEL: Record<DesignIteration['trigger'], string> = {
  interval: 'Every N landings',
  end_of_run: 'End of run',
  manual: 'On demand',
};

/** `/projects/x/design/<n>`'s n, or null when it is not a positive whole number. */
export function iterationNumber(param: string | undefined): number | null {
  if (param === undefined || !/^[1-9]\d*$/.test(param)) return null;
  return Number(param);
}

/** The serious and critical axe violations of an iteration (what keeps the loop going); null before its capture. */
export function blockingAxe(it: DesignIteration): number | null {
  return it.axe === null ? null : it.axe.serious + it.axe.critical;
}

/** The mean score of the personas that voted, to one decimal; null when none has voted yet. */
export function meanScore(it: DesignIteration): number | null {
  const scores = it.votes.flatMap((v) => (v.score === null ? [] : [v.score]));
  if (scores.length === 0) return null;
  return Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
}

export interface DesignChartRow {
  /** "#1", "#2" … (the x axis). */
  readonly label: string;
  readonly n: number;
  /** Serious + critical axe violations (null before the capture). */
  readonly blocking: number | null;
  /** Every axe violation, any impact (null before the capture). */
  readonly total: number | null;
  readonly meanScore: number | null;
}

/** One row per iteration, oldest first: what the chart draws and its table says. */
export function designChartRows(iterations: readonly DesignIteration[]): DesignChartRow[] {
  return [...iterations]
    .sort((a, b) => a.n - b.n)
    .map((it) => ({
      label: `#${it.n}`,
      n: it.n,
      blocking: blockingAxe(it),
      total: it.axe === null ? null : it.axe.critical + it.axe.serious + it.axe.moderate + it.axe.minor,
      meanScore: meanScore(it),
    }));
}

/** A shot's file name inside `screenshots/` (what a finding's `screenshot` names), or null when it has no file. */
export function shotFileName(shot: Shot): string | null {
  if (shot.file === null) return null;
  const slash = shot.file.lastIndexOf('/');
  return slash === -1 ? shot.file : shot.file.slice(slash + 1);
}

/** How a shot is named for people and screen readers: "/settings, mobile, dark". */
export function shotLabel(path: string, shot: Pick<Shot, 'viewport' | 'theme'>): string {
  return `${path}, ${shot.viewport}, ${shot.theme}`;
}

const VIEWPORT_ORDER = { desktop: 0, mobile: 1 } as const;
const THEME_ORDER = { light: 0, dark: 1 } as const;

/** A page's shots in reading order: desktop before mobile, light before dark. */
export function orderedShots(page: CapturedPage): Shot[] {
  return [...page.shots].sort(
    (a, b) => VIEWPORT_ORDER[a.viewport] - VIEWPORT_ORDER[b.viewport] || THEME_ORDER[a.theme] - THEME_ORDER[b.theme],
  );
}

export interface ShotView {
  readonly shot: Shot;
  readonly label: string;
  /** Its findings, worst first. */
  readonly findings: DesignFinding[];
  /** Its axe violations, worst first. */
  readonly axe: Shot['axe'];
  readonly blocking: number;
}
export interface PageView {
  readonly page: CapturedPage;
  readonly shots: ShotView[];
}
export interface CaptureView {
  readonly pages: PageView[];
  /** Findings no shot of the capture matches (a screenshot not in the capture): listed apart, never lost. */
  readonly unpinned: DesignFinding[];
}

const SEVERITY_ORDER = { critical: 0, major: 1, minor: 2, info: 3 } as const;
const IMPACT_ORDER = { critical: 0, serious: 1, moderate: 2, minor: 3 } as const;
const bySeverity = (a: DesignFinding, b: DesignFinding) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];

/**
 * The capture page by page, each shot with the findings pinned to it: a finding belongs to the shot whose file it
 * names; failing that (a shot retaken under another name), to the shot of its page, viewport and theme.
 */
export function captureView(capture: DesignCapture, findings: readonly DesignFinding[]): CaptureView {
  const byFile = new Map<string, Shot>();
  const byPlace = new Map<string, Shot>();
  const place = (path: string, viewport: string, theme: string) => `${viewport}\u0000${theme}\u0000${path}`;
  for (const page of capture.pages)
    for (const shot of page.shots) {
      const name = shotFileName(shot);
      if (name !== null) byFile.set(name, shot);
      byPlace.set(place(page.path, shot.viewport, shot.theme), shot);
    }
  const pinned = new Map<Shot, DesignFinding[]>();
  const unpinned: DesignFinding[] = [];
  for (const f of findings) {
    const shot = byFile.get(f.screenshot) ?? byPlace.get(place(f.page, f.viewport, f.theme));
    if (!shot) unpinned.push(f);
    else pinned.set(shot, [...(pinned.get(shot) ?? []), f]);
  }
  return {
    pages: capture.pages.map((page) => ({
      page,
      shots: orderedShots(page).map((shot) => ({
        shot,
        label: shotLabel(page.path, shot),
        findings: [...(pinned.get(shot) ?? [])].sort(bySeverity),
        axe: [...shot.axe].sort((a, b) => IMPACT_ORDER[a.impact ?? 'minor'] - IMPACT_ORDER[b.impact ?? 'minor']),
        blocking: shot.axe.filter((v) => v.impact !== null && BLOCKING_IMPACTS.has(v.impact)).length,
      })),
    })),
    unpinned: [...unpinned].sort(bySeverity),
  };
}

/** What the before/after view compares: one page at one viewport and theme, in two iterations. */
export interface Comparison {
  readonly page: string;
  readonly viewport: Shot['viewport'];
  readonly theme: Shot['theme'];
  readonly before: number;
  readonly after: number;
}

/** Iterations whose capture can be compared: those that got past the capture (not running, not failed before it). */
export function comparableIterations(iterations: readonly DesignIteration[]): number[] {
  return iterations
    .filter((it) => it.axe !== null)
    .map((it) => it.n)
    .sort((a, b) => a - b);
}

/**
 * The comparison to show first, or null when fewer than two iterations have a capture: the two latest, the first
 * page of the latest capture (its home page, usually), desktop and light.
 */
export function defaultComparison(
  iterations: readonly DesignIteration[],
  latest: DesignCapture | null,
): Comparison | null {
  const ns = comparableIterations(iterations);
  if (ns.length < 2) return null;
  return {
    page: latest?.pages[0]?.path ?? '/',
    viewport: 'desktop',
    theme: 'light',
    before: ns[ns.length - 2]!,
    after: ns[ns.length - 1]!,
  };
}

/** The paths a comparison can pick: those of either capture, in the order first seen. */
export function comparablePages(captures: readonly (DesignCapture | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const c of captures) for (const p of c?.pages ?? []) if (!out.includes(p.path)) out.push(p.path);
  return out;
}

/** The shot of `page` at `viewport` and `theme` in a capture, or null (not captured, no dark theme, no file). */
export function shotAt(
  capture: DesignCapture | null | undefined,
  page: string,
  viewport: Shot['viewport'],
  theme: Shot['theme'],
): Shot | null {
  const found = capture?.pages
    .find((p) => p.path === page)
    ?.shots.find((s) => s.viewport === viewport && s.theme === theme);
  return found && found.file !== null ? found : null;
}
