import {
  DesignFindingSchema,
  DesignIterationSchema,
  type DesignFinding,
  type DesignIteration,
} from '../../src/shared/design.js';
import {
  DesignCaptureSchema,
  type CapturedPage,
  type DesignCapture,
  type Shot,
} from '../../src/shared/design-capture.js';

/** Design records for the Design page's tests, each parsed with its wire schema so a fixture cannot drift from it. */

export function iteration(n: number, over: Partial<DesignIteration> = {}): DesignIteration {
  return DesignIterationSchema.parse({
    n,
    runId: 'run_1',
    trigger: 'interval',
    commit: `${n}`.repeat(40).slice(0, 40),
    status: 'finished',
    personas: ['visual-designer', 'accessibility-expert'],
    startedAt: 1_700_000_000_000 + n * 60_000,
    endedAt: 1_700_000_030_000 + n * 60_000,
    captureDir: `.autocoder/design/iteration-${n}`,
    votes: [
      { persona: 'visual-designer', sessionId: 's1', status: 'voted', approve: true, score: 8, rationale: 'Clean.' },
      {
        persona: 'accessibility-expert',
        sessionId: 's2',
        status: 'voted',
        approve: false,
        score: 5,
        rationale: 'Contrast.',
      },
    ],
    axe: { critical: 1, serious: 2, moderate: 3, minor: 0 },
    counts: { critical: 0, major: 1, minor: 1, info: 0 },
    newFindings: 2,
    resolvedFindings: 0,
    fixFeatureIds: [],
    outcome: 'changes_requested',
    reportPath: `.autocoder/design/iteration-${n}.md`,
    costUsd: 1.25,
    error: null,
    ...over,
  });
}

export function shot(path: string, viewport: Shot['viewport'], theme: Shot['theme'], over: Partial<Shot> = {}): Shot {
  const slug = path === '/' ? 'home' : path.slice(1).replace(/\W+/g, '-');
  return {
    viewport,
    theme,
    file: `screenshots/${slug}-${viewport}-${theme}.png`,
    width: viewport === 'desktop' ? 1280 : 390,
    height: viewport === 'desktop' ? 800 : 844,
    status: 200,
    finalPath: path,
    axe: [],
    consoleErrors: [],
    failedRequests: [],
    durationMs: 900,
    error: null,
    ...over,
  };
}

export function page(path: string, shots: Shot[], over: Partial<CapturedPage> = {}): CapturedPage {
  return {
    path,
    title: `Title of ${path}`,
    via: path === '/' ? 'root' : 'link',
    from: null,
    darkMode: true,
    shots,
    ...over,
  };
}

export function capture(pages: CapturedPage[]): DesignCapture {
  return DesignCaptureSchema.parse({
    version: 1,
    commit: 'a'.repeat(40),
    startedAt: 1,
    endedAt: 2,
    status: 'captured',
    error: null,
    pages,
  });
}

let ids = 0;
export function finding(over: Partial<DesignFinding> = {}): DesignFinding {
  ids += 1;
  return DesignFindingSchema.parse({
    id: `dfn_${ids}`,
    fingerprint: `fp${ids}`,
    severity: 'major',
    category: 'contrast',
    title: `Finding ${ids}`,
    detail: 'The text is hard to read.',
    page: '/',
    viewport: 'desktop',
    theme: 'light',
    screenshot: 'home-desktop-light.png',
    persona: 'visual-designer',
    source: 'agent',
    status: 'open',
    firstIteration: 1,
    lastIteration: 1,
    seenCount: 1,
    fixFeatureId: null,
    resolvedIn: null,
    dismissedReason: null,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  });
}
