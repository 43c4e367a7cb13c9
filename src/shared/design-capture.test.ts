import { describe, expect, it } from 'vitest';
import { blockingViolations, DesignCaptureSchema, type AxeViolation, type Shot } from './design-capture.js';

const violation = (id: string, impact: AxeViolation['impact']): AxeViolation => ({
  id,
  impact,
  help: id,
  helpUrl: `https://dequeuniversity.com/rules/axe/4.14/${id}`,
  nodes: 2,
  targets: ['main > p'],
  summary: null,
});
const shot = (viewport: Shot['viewport'], theme: Shot['theme'], axe: AxeViolation[]): Shot => ({
  viewport,
  theme,
  file: `screenshots/x-${viewport}-${theme}.png`,
  width: 1280,
  height: 800,
  status: 200,
  finalPath: '/',
  axe,
  consoleErrors: [],
  failedRequests: [],
  durationMs: 400,
  error: null,
});

describe('blockingViolations', () => {
  it('lists the serious and critical violations with where they were seen, and nothing milder', () => {
    const capture = DesignCaptureSchema.parse({
      version: 1,
      commit: 'abc',
      startedAt: 1,
      endedAt: 2,
      status: 'captured',
      error: null,
      pages: [
        {
          path: '/',
          title: 'Home',
          via: 'root',
          from: null,
          darkMode: true,
          shots: [
            shot('desktop', 'light', [violation('image-alt', 'critical'), violation('region', 'moderate')]),
            shot('mobile', 'dark', [violation('color-contrast', 'serious'), violation('x', null)]),
          ],
        },
        { path: '/a', title: 'A', via: 'link', from: '/', darkMode: false, shots: [shot('desktop', 'light', [])] },
      ],
    });
    expect(blockingViolations(capture)).toEqual([
      { path: '/', viewport: 'desktop', theme: 'light', id: 'image-alt', impact: 'critical', nodes: 2 },
      { path: '/', viewport: 'mobile', theme: 'dark', id: 'color-contrast', impact: 'serious', nodes: 2 },
    ]);
  });

  it('the manifest schema refuses a page that is not a path and an unknown impact', () => {
    const base = { version: 1, commit: 'abc', startedAt: 1, endedAt: 2, status: 'captured', error: null };
    const page = { path: 'about', title: '', via: 'link', from: '/', darkMode: false, shots: [] };
    expect(DesignCaptureSchema.safeParse({ ...base, pages: [page] }).success).toBe(false);
    const bad = {
      ...page,
      path: '/about',
      shots: [{ ...shot('desktop', 'light', []), axe: [{ ...violation('x', 'minor'), impact: 'huge' }] }],
    };
    expect(DesignCaptureSchema.safeParse({ ...base, pages: [bad] }).success).toBe(false);
    expect(DesignCaptureSchema.safeParse({ ...base, pages: [{ ...bad, shots: [] }] }).success).toBe(true);
  });
});
