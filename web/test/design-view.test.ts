import { describe, expect, it } from 'vitest';
import { capture, finding, iteration, page, shot } from '../../test/support/design-fixtures.js';
import {
  captureView,
  comparablePages,
  defaultComparison,
  designChartRows,
  iterationNumber,
  meanScore,
  personaLabel,
  shotAt,
  shotFileName,
} from '../src/features/design/design-view';

const home = page('/', [
  shot('/', 'mobile', 'dark'),
  shot('/', 'desktop', 'dark'),
  shot('/', 'mobile', 'light'),
  shot('/', 'desktop', 'light', {
    axe: [
      { id: 'region', impact: 'moderate', help: 'h', helpUrl: 'u', nodes: 1, targets: [], summary: null },
      { id: 'color-contrast', impact: 'serious', help: 'h', helpUrl: 'u', nodes: 3, targets: [], summary: null },
      { id: 'image-alt', impact: 'critical', help: 'h', helpUrl: 'u', nodes: 1, targets: [], summary: null },
    ],
  }),
]);
const settings = page('/settings', [shot('/settings', 'desktop', 'light'), shot('/settings', 'mobile', 'light')], {
  darkMode: false,
});

describe('design view helpers', () => {
  it('orders each page’s shots desktop before mobile, light before dark, named by page, viewport and theme', () => {
    const view = captureView(capture([home, settings]), []);
    expect(view.pages.map((p) => p.page.path)).toEqual(['/', '/settings']);
    expect(view.pages[0]!.shots.map((s) => s.label)).toEqual([
      '/, desktop, light',
      '/, desktop, dark',
      '/, mobile, light',
      '/, mobile, dark',
    ]);
    expect(view.pages[1]!.shots.map((s) => s.label)).toEqual(['/settings, desktop, light', '/settings, mobile, light']);
  });

  it('sorts a shot’s axe violations worst first and counts the serious and critical ones', () => {
    const first = captureView(capture([home]), []).pages[0]!.shots[0]!;
    expect(first.axe.map((v) => v.id)).toEqual(['image-alt', 'color-contrast', 'region']);
    expect(first.blocking).toBe(2);
    expect(captureView(capture([home]), []).pages[0]!.shots[1]!.blocking).toBe(0);
  });

  it('pins a finding to the shot its screenshot names, else to its page, viewport and theme, else lists it apart', () => {
    const byName = finding({
      screenshot: 'settings-mobile-light.png',
      page: '/',
      viewport: 'desktop',
      severity: 'minor',
    });
    const worse = finding({ screenshot: 'settings-mobile-light.png', severity: 'critical' });
    const byPlace = finding({ screenshot: 'retaken.png', page: '/', viewport: 'mobile', theme: 'dark' });
    const lost = finding({ screenshot: 'gone.png', page: '/gone', viewport: 'desktop', theme: 'light' });
    const view = captureView(capture([home, settings]), [byName, worse, byPlace, lost]);
    const at = (path: string, label: string) =>
      view.pages
        .find((p) => p.page.path === path)!
        .shots.find((s) => s.label === label)!
        .findings.map((f) => f.id);
    expect(at('/settings', '/settings, mobile, light')).toEqual([worse.id, byName.id]);
    expect(at('/', '/, mobile, dark')).toEqual([byPlace.id]);
    expect(at('/', '/, desktop, light')).toEqual([]);
    expect(view.unpinned.map((f) => f.id)).toEqual([lost.id]);
  });

  it('names a shot’s file as findings do (the bare name in screenshots/)', () => {
    expect(shotFileName(shot('/', 'desktop', 'light'))).toBe('home-desktop-light.png');
    expect(shotFileName(shot('/', 'desktop', 'light', { file: 'x.png' }))).toBe('x.png');
    expect(shotFileName(shot('/', 'desktop', 'light', { file: null }))).toBeNull();
  });

  it('compares the two latest captured iterations on the latest capture’s first page, desktop and light', () => {
    const its = [
      iteration(1),
      iteration(2),
      iteration(3, { status: 'running', axe: null, outcome: null }),
      iteration(4),
    ];
    expect(defaultComparison(its, capture([settings, home]))).toEqual({
      page: '/settings',
      viewport: 'desktop',
      theme: 'light',
      before: 2,
      after: 4,
    });
    expect(defaultComparison([iteration(1), iteration(2, { axe: null })], capture([home]))).toBeNull();
    expect(comparablePages([capture([home]), null, capture([settings, home])])).toEqual(['/', '/settings']);
  });

  it('finds the shot of a page at a viewport and theme, and none where it was not taken', () => {
    const c = capture([home, settings]);
    expect(shotAt(c, '/settings', 'mobile', 'light')?.file).toBe('screenshots/settings-mobile-light.png');
    expect(shotAt(c, '/settings', 'mobile', 'dark')).toBeNull();
    expect(shotAt(c, '/nope', 'desktop', 'light')).toBeNull();
    expect(
      shotAt(capture([page('/', [shot('/', 'desktop', 'light', { file: null })])]), '/', 'desktop', 'light'),
    ).toBeNull();
    expect(shotAt(null, '/', 'desktop', 'light')).toBeNull();
  });

  it('gives the chart one row per iteration, oldest first: blocking and all axe violations, mean score', () => {
    const rows = designChartRows([
      iteration(2, { axe: { critical: 0, serious: 1, moderate: 0, minor: 4 } }),
      iteration(1),
      iteration(3, { status: 'running', axe: null, votes: [], outcome: null }),
    ]);
    expect(rows).toEqual([
      { label: '#1', n: 1, blocking: 3, total: 6, meanScore: 6.5 },
      { label: '#2', n: 2, blocking: 1, total: 5, meanScore: 6.5 },
      { label: '#3', n: 3, blocking: null, total: null, meanScore: null },
    ]);
  });

  it('averages only the scores given, to one decimal', () => {
    const vote = (score: number | null) => ({
      persona: 'ux-researcher',
      sessionId: null,
      status: score === null ? ('incomplete' as const) : ('voted' as const),
      approve: score === null ? null : true,
      score,
      rationale: null,
    });
    expect(meanScore(iteration(1, { votes: [vote(7), vote(8), vote(8), vote(null)] }))).toBe(7.7);
    expect(meanScore(iteration(1, { votes: [vote(null)] }))).toBeNull();
  });

  it('names a persona for people: a built-in by its title, a project’s own by its id in words', () => {
    expect(personaLabel('ux-researcher')).toBe('UX Researcher');
    expect(personaLabel('copy-editor')).toBe('Copy editor');
  });

  it('takes only positive whole iteration numbers from the path', () => {
    expect(iterationNumber('2')).toBe(2);
    for (const bad of [undefined, '0', '-1', '1.5', 'x', '01']) expect(iterationNumber(bad)).toBeNull();
  });
});
