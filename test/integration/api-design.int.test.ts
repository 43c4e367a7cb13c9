import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesignFindingReport, ProjectStore } from '../../src/db/ports.js';
import { takeDesignRequest } from '../../src/projects/run-control.js';
import {
  DesignFindingSchema,
  DesignFindingsResponseSchema,
  DesignIterationDetailResponseSchema,
  DesignIterationListResponseSchema,
  DesignReviewResponseSchema,
  type DesignFinding,
} from '../../src/shared/design.js';
import type { DesignCapture } from '../../src/shared/design-capture.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';

let h: ApiHarness;
let root: string;
let seeded: { overlap: DesignFinding; heading: DesignFinding; contrast: DesignFinding };

const D = '/api/projects/alpha/design';
const PERSONAS = ['visual-designer', 'ux-researcher'];
const PERSONAS_ALL = ['visual-designer', 'ux-researcher', 'accessibility-expert', 'brand-strategist'];
/** A PNG signature and some bytes: what is served must be exactly what is on disk. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('design-shot')]);

const CAPTURE: DesignCapture = {
  version: 1,
  commit: 'c'.repeat(40),
  startedAt: 1_000,
  endedAt: 2_000,
  status: 'captured',
  error: null,
  pages: [
    {
      path: '/notes',
      title: 'Notes',
      via: 'root',
      from: null,
      darkMode: false,
      shots: [
        {
          viewport: 'mobile',
          theme: 'light',
          file: 'screenshots/notes-mobile-light.png',
          width: 390,
          height: 844,
          status: 200,
          finalPath: '/notes',
          axe: [],
          consoleErrors: ['TypeError: x is undefined'],
          failedRequests: [],
          durationMs: 120,
          error: null,
        },
      ],
    },
  ],
};

function withStore<T>(name: string, fn: (store: ProjectStore) => T): T {
  const store = h.store(name);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const report = (over: Partial<DesignFindingReport>): DesignFindingReport =>
  ({
    source: 'agent',
    persona: 'visual-designer',
    severity: 'major',
    category: 'spacing',
    title: 'Header buttons overlap',
    detail: 'At 390 px the Save and Share buttons overlap the title.',
    page: '/notes',
    viewport: 'mobile',
    theme: 'light',
    screenshot: 'notes-mobile-light.png',
    ...over,
  }) as DesignFindingReport;

const voted = (persona: string, approve: boolean) => ({
  persona,
  sessionId: `ses_${persona}`,
  status: 'voted' as const,
  approve,
  score: approve ? 8 : 4,
  rationale: `${persona} says ${approve ? 'yes' : 'no'}`,
});

/**
 * Iteration 1 sees three findings; iteration 2 (both personas voted, axe ran) sees only the overlap again, so it
 * resolves the other two. Iteration 1's folder holds a capture, a screenshot, report.md and app.log; iteration 2's
 * manifest is broken.
 */
function seed(store: ProjectStore) {
  const one = store.design.start({ runId: null, trigger: 'interval', commit: 'a'.repeat(40), personas: PERSONAS });
  const overlap = store.design.see(one.n, report({})).finding;
  const heading = store.design.see(
    one.n,
    report({
      persona: 'ux-researcher',
      severity: 'minor',
      category: 'navigation',
      title: 'No way back from a note',
      page: '/',
      viewport: 'desktop',
      screenshot: 'home-desktop-light.png',
    }),
  ).finding;
  const contrast = store.design.see(
    one.n,
    report({
      source: 'tool',
      persona: null,
      severity: 'critical',
      category: 'axe/color-contrast',
      title: 'Text has too little contrast',
    }),
  ).finding;
  store.design.recordAxe(one.n, { critical: 1, serious: 0, moderate: 0, minor: 0 });
  for (const p of PERSONAS) store.design.recordVote(one.n, voted(p, false));
  store.design.finish(one.n, { status: 'finished', costUsd: 0.3, error: null });
  const two = store.design.start({ runId: null, trigger: 'manual', commit: 'b'.repeat(40), personas: PERSONAS });
  store.design.see(two.n, report({}));
  store.design.recordAxe(two.n, { critical: 0, serious: 0, moderate: 1, minor: 0 });
  for (const p of PERSONAS) store.design.recordVote(two.n, voted(p, true));
  store.design.finish(two.n, { status: 'finished', costUsd: 0.2, error: null });

  const dir1 = join(store.paths.root, '.autocoder/design/iteration-1');
  mkdirSync(join(dir1, 'screenshots'), { recursive: true });
  writeFileSync(join(dir1, 'capture.json'), JSON.stringify(CAPTURE));
  writeFileSync(join(dir1, 'screenshots/notes-mobile-light.png'), PNG);
  writeFileSync(join(dir1, 'report.md'), '# Design review 1\n');
  writeFileSync(join(dir1, 'app.log'), 'listening on 5200\n');
  const dir2 = join(store.paths.root, '.autocoder/design/iteration-2');
  mkdirSync(dir2, { recursive: true });
  writeFileSync(join(dir2, 'capture.json'), JSON.stringify({ version: 2, pages: 'none' }));
  return { overlap, heading, contrast };
}

beforeEach(async () => {
  h = apiHarness();
  root = await h.createProject('alpha');
  await h.createProject('empty');
  seeded = withStore('alpha', seed);
});
afterEach(() => h.cleanup());

const ids = (findings: readonly { id: string }[]) => findings.map((f) => f.id);
type ErrorBody = { error: { code: string; message: string; details?: { field?: string; unknown?: string[] } } };

describe('GET /api/projects/:name/design', () => {
  it('lists the iterations oldest first with their votes, axe counts, findings counts and outcome', async () => {
    const res = await h.json('GET', D);
    expect(res.status).toBe(200);
    const { iterations } = DesignIterationListResponseSchema.parse(res.body);
    expect(iterations.map((i) => [i.n, i.trigger, i.status, i.outcome])).toEqual([
      [1, 'interval', 'finished', 'changes_requested'],
      [2, 'manual', 'finished', 'approved'],
    ]);
    expect(iterations[0]).toMatchObject({
      counts: { critical: 1, major: 1, minor: 1, info: 0 },
      newFindings: 3,
      axe: { critical: 1, serious: 0, moderate: 0, minor: 0 },
      captureDir: '.autocoder/design/iteration-1',
    });
    expect(iterations[1]).toMatchObject({ newFindings: 0, resolvedFindings: 2 });
    expect(iterations[1]!.votes.map((v) => [v.persona, v.approve])).toEqual([
      ['visual-designer', true],
      ['ux-researcher', true],
    ]);
  });

  it('lists the personas a review can ask for: the built-in ones by name, then the project’s own files', async () => {
    mkdirSync(join(root, '.autocoder/personas'), { recursive: true });
    writeFileSync(join(root, '.autocoder/personas/copy-editor.md'), '# Copy Editor\n\nReads every label.\n');
    writeFileSync(join(root, '.autocoder/personas/ux-researcher.md'), '# Usability Tester\n\nTries every flow.\n');
    const list = DesignIterationListResponseSchema.parse((await h.json('GET', D)).body);
    expect(list.personas).toEqual([
      { id: 'visual-designer', name: 'Visual Designer', builtin: true },
      { id: 'ux-researcher', name: 'Usability Tester', builtin: true },
      { id: 'accessibility-expert', name: 'Accessibility Expert', builtin: true },
      { id: 'brand-strategist', name: 'Brand Strategist', builtin: true },
      { id: 'copy-editor', name: 'Copy Editor', builtin: false },
    ]);
    expect(list.personasError).toBeNull();
  });

  it('a broken persona file empties the personas with the reason, and the iterations are still listed', async () => {
    mkdirSync(join(root, '.autocoder/personas'), { recursive: true });
    writeFileSync(join(root, '.autocoder/personas/copy-editor.md'), '');
    const res = await h.json('GET', D);
    expect(res.status).toBe(200);
    const list = DesignIterationListResponseSchema.parse(res.body);
    expect(list.iterations).toHaveLength(2);
    expect(list.personas).toEqual([]);
    expect(list.personasError).toMatch(/copy-editor\.md: the persona file is empty$/);
  });

  it('an empty project has none; an unknown project is a 404, a malformed name a 400', async () => {
    const empty = DesignIterationListResponseSchema.parse((await h.json('GET', '/api/projects/empty/design')).body);
    expect(empty.iterations).toEqual([]);
    expect(empty.personas.map((p) => p.id)).toEqual(PERSONAS_ALL);
    expect((await h.json('GET', '/api/projects/nobody/design')).status).toBe(404);
    expect((await h.json('GET', '/api/projects/Bad%20Name/design')).status).toBe(400);
  });
});

describe('GET /api/projects/:name/design/:n', () => {
  it('returns the iteration, its capture manifest, the findings seen in it (worst first) and those it resolved', async () => {
    const one = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/1`)).body);
    expect(one.iteration.n).toBe(1);
    expect(one.capture).toEqual(CAPTURE);
    expect(one.captureError).toBeNull();
    expect(ids(one.findings)).toEqual(ids([seeded.contrast, seeded.overlap, seeded.heading]));
    expect(one.resolved).toEqual([]);
    const two = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/2`)).body);
    expect(ids(two.findings)).toEqual([seeded.overlap.id]);
    expect(ids(two.resolved).sort()).toEqual(ids([seeded.contrast, seeded.heading]).sort());
    expect(two.resolved.every((f) => f.status === 'resolved' && f.resolvedIn === 2)).toBe(true);
  });

  it('a manifest not yet written is null; one that is not a manifest is null with the reason', async () => {
    const two = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/2`)).body);
    expect(two.capture).toBeNull();
    expect(two.captureError).toContain('capture.json is not a capture manifest');
    writeFileSync(join(root, '.autocoder/design/iteration-2/capture.json'), '{"version":');
    const broken = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/2`)).body);
    expect(broken.captureError).toContain('not readable JSON');
    withStore('alpha', (store) =>
      store.design.start({ runId: null, trigger: 'manual', commit: 'c'.repeat(40), personas: PERSONAS }),
    );
    const three = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/3`)).body);
    expect(three).toMatchObject({ capture: null, captureError: null, findings: [], resolved: [] });
    expect(three.iteration.status).toBe('running');
  });

  it('a manifest that is a symlink out of the folder is not read', async () => {
    writeFileSync(join(root, 'outside.json'), JSON.stringify(CAPTURE));
    const dir = join(root, '.autocoder/design/iteration-2');
    rmSync(join(dir, 'capture.json'));
    symlinkSync(join(root, 'outside.json'), join(dir, 'capture.json'));
    const two = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/2`)).body);
    expect(two).toMatchObject({ capture: null, captureError: null });
  });

  it('404 for an iteration that does not exist, 400 naming n for one that cannot', async () => {
    const missing = await h.json<ErrorBody>('GET', `${D}/3`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('3');
    for (const bad of ['0', 'abc', '-1', '1.5', '99999999999']) {
      const res = await h.json<ErrorBody>('GET', `${D}/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details?.field, bad).toBe('n');
      expect(res.body.error.message, bad).toContain('n: ');
    }
    expect((await h.json('GET', '/api/projects/nobody/design/1')).status).toBe(404);
  });
});

describe('GET /api/projects/:name/design/:n/files/:path', () => {
  it('serves the files of the iteration folder with their content types', async () => {
    const png = await h.request('GET', `${D}/1/files/screenshots/notes-mobile-light.png`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await png.arrayBuffer()).equals(PNG)).toBe(true);
    const md = await h.request('GET', `${D}/1/files/report.md`);
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await md.text()).toBe('# Design review 1\n');
    const json = await h.request('GET', `${D}/1/files/capture.json`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual(CAPTURE);
    const log = await h.request('GET', `${D}/1/files/app.log`);
    expect(log.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await log.text()).toBe('listening on 5200\n');
  });

  it('serves nothing outside the folder: traversal, encoded traversal, symlinks out, another iteration, unknown files', async () => {
    const dir = join(root, '.autocoder/design/iteration-1');
    writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
    writeFileSync(join(root, '.autocoder/design/iteration-2/secret.log'), 'TOP-SECRET-CONTENT');
    symlinkSync(join(root, 'secret.txt'), join(dir, 'link.log'));
    symlinkSync(join(root, '.autocoder'), join(dir, 'data'));
    symlinkSync(join(root, '.autocoder/design/iteration-2'), join(dir, 'sibling'));
    const refused = [
      `${D}/1/files/../../../../secret.txt`,
      `${D}/1/files/..%2f..%2f..%2f..%2fsecret.txt`,
      `${D}/1/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt`,
      `${D}/1/files/..%2fiteration-2%2fsecret.log`,
      `${D}/1/files/%2Fetc%2Fpasswd`,
      `${D}/1/files/link.log`,
      `${D}/1/files/data/autocoder.db`,
      `${D}/1/files/sibling/secret.log`,
      `${D}/1/files/screenshots`,
      `${D}/1/files/nothing.png`,
      `${D}/9/files/report.md`,
    ];
    for (const path of refused) {
      const res = await h.request('GET', path);
      expect([404, 400], path).toContain(res.status);
      expect(await res.text(), path).not.toContain('TOP-SECRET-CONTENT');
    }
    expect((await h.request('GET', `${D}/x/files/report.md`)).status).toBe(400);
    // The same file through its own iteration is served: the refusals above are about the folder, not the file.
    expect(await (await h.request('GET', `${D}/2/files/secret.log`)).text()).toBe('TOP-SECRET-CONTENT');
  });

  it('an iteration whose folder is a symlink leading out of .autocoder/design serves nothing', async () => {
    const dir = join(root, '.autocoder/design/iteration-1');
    const elsewhere = join(root, 'elsewhere');
    renameSync(dir, elsewhere);
    symlinkSync(elsewhere, dir);
    expect((await h.request('GET', `${D}/1/files/report.md`)).status).toBe(404);
    const detail = DesignIterationDetailResponseSchema.parse((await h.json('GET', `${D}/1`)).body);
    expect(detail.capture).toBeNull();
  });
});

describe('GET /api/projects/:name/design/findings', () => {
  it('lists every design finding worst first, and filters by status, persona, severity, page and viewport', async () => {
    const all = DesignFindingsResponseSchema.parse((await h.json('GET', `${D}/findings`)).body).findings;
    expect(ids(all)).toEqual(ids([seeded.contrast, seeded.overlap, seeded.heading]));
    const get = async (q: string) =>
      ids(DesignFindingsResponseSchema.parse((await h.json('GET', `${D}/findings?${q}`)).body).findings);
    expect(await get('status=open')).toEqual([seeded.overlap.id]);
    expect(await get('status=resolved')).toEqual(ids([seeded.contrast, seeded.heading]));
    expect(await get('persona=ux-researcher')).toEqual([seeded.heading.id]);
    expect(await get('severity=critical')).toEqual([seeded.contrast.id]);
    expect(await get('page=%2Fnotes')).toEqual(ids([seeded.contrast, seeded.overlap]));
    expect(await get('viewport=desktop')).toEqual([seeded.heading.id]);
    expect(await get('viewport=mobile&severity=major&status=open&persona=visual-designer')).toEqual([
      seeded.overlap.id,
    ]);
    expect(await get('status=dismissed')).toEqual([]);
    expect((await h.json('GET', '/api/projects/empty/design/findings')).body).toEqual({ findings: [] });
  });

  it('400 naming the field for a bad value or an unknown parameter', async () => {
    for (const [q, field] of [
      ['status=closed', 'status'],
      ['persona=Visual%20Designer', 'persona'],
      ['severity=high', 'severity'],
      ['page=notes', 'page'],
      ['viewport=tablet', 'viewport'],
      ['agent=code', 'agent'],
    ] as const) {
      const res = await h.json<ErrorBody>('GET', `${D}/findings?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.details?.field, q).toBe(field);
      expect(res.body.error.message, q).toContain(field);
    }
  });
});

describe('POST /api/projects/:name/design/findings/:id/dismiss', () => {
  const path = () => `${D}/findings/${seeded.overlap.id}/dismiss`;

  it('dismisses with the reason (kept) and the list says so; a second dismissal is a 409', async () => {
    const res = await h.json('POST', path(), { reason: '  The overlap is the intended stacked header. ' });
    expect(res.status).toBe(200);
    expect(DesignFindingSchema.parse(res.body)).toMatchObject({
      id: seeded.overlap.id,
      status: 'dismissed',
      dismissedReason: 'The overlap is the intended stacked header.',
    });
    const dismissed = DesignFindingsResponseSchema.parse((await h.json('GET', `${D}/findings?status=dismissed`)).body);
    expect(ids(dismissed.findings)).toEqual([seeded.overlap.id]);
    const again = await h.json<ErrorBody>('POST', path(), { reason: 'once more' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('dismissed already');
  });

  it('400 naming the field without a reason, with a blank one or an unknown field; 404 for an unknown finding', async () => {
    for (const [body, field] of [
      [{}, 'reason'],
      [{ reason: '   ' }, 'reason'],
      [{ reason: 'x'.repeat(1001) }, 'reason'],
      [{ reason: 'ok', status: 'open' }, 'status'],
    ] as const) {
      const res = await h.json<ErrorBody>('POST', path(), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.field).toBe(field);
    }
    expect((await h.json('POST', `${D}/findings/dfn_00/dismiss`, { reason: 'x' })).status).toBe(404);
    // A checkpoint finding's id is not a design finding's.
    expect((await h.json('POST', `${D}/findings/fnd_0123/dismiss`, { reason: 'x' })).status).toBe(404);
    expect(
      (await h.json('POST', `/api/projects/empty/design/findings/${seeded.overlap.id}/dismiss`, { reason: 'x' }))
        .status,
    ).toBe(404);
    const open = DesignFindingsResponseSchema.parse((await h.json('GET', `${D}/findings?status=open`)).body);
    expect(ids(open.findings)).toEqual([seeded.overlap.id]);
  });
});

describe('POST /api/projects/:name/design/reviews', () => {
  const E = '/api/projects/empty/design/reviews';
  const ALL = ['visual-designer', 'ux-researcher', 'accessibility-expert', 'brand-strategist'];

  it('with no run active: starts a detached `autocoder design-review` with the personas asked for (202, its pid)', async () => {
    const res = await h.json('POST', E, { personas: ['ux-researcher', 'visual-designer', 'ux-researcher'] });
    expect(res.status).toBe(202);
    expect(DesignReviewResponseSchema.parse(res.body)).toEqual({
      started: true,
      pid: 5151,
      personas: ['ux-researcher', 'visual-designer'],
    });
    expect(h.designLaunches.map(([project, personas]) => [project.name, personas])).toEqual([
      ['empty', ['ux-researcher', 'visual-designer']],
    ]);
    // No body, or no personas: all of the project's (the launcher passes none, the CLI takes all).
    const all = await h.json('POST', E, {});
    expect(all.status).toBe(202);
    expect(all.body).toEqual({ started: true, pid: 5151, personas: ALL });
    expect((await h.request('POST', E, undefined, { 'content-length': '0' })).status).toBe(202);
    expect(h.designLaunches.slice(1).map(([, personas]) => personas)).toEqual([undefined, undefined]);
    expect(h.launches).toEqual([]);
    expect(h.checkpointLaunches).toEqual([]);
  });

  it("a project's own persona (.autocoder/personas/<id>.md) may be asked for", async () => {
    const emptyRoot = withStore('empty', (s) => s.paths);
    mkdirSync(emptyRoot.personas, { recursive: true });
    writeFileSync(join(emptyRoot.personas, 'copy-editor.md'), '# Copy Editor\n\nReads every label and message.\n');
    const res = await h.json('POST', E, { personas: ['copy-editor'] });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ started: true, pid: 5151, personas: ['copy-editor'] });
    expect(h.designLaunches.at(-1)?.[1]).toEqual(['copy-editor']);
    expect((await h.json('POST', E, {})).body).toMatchObject({ personas: [...ALL, 'copy-editor'] });
  });

  it('with a run active: asks it (the request file names the personas, or none for all); nothing is launched', async () => {
    h.fakeActiveRun('empty');
    const res = await h.json('POST', E, { personas: ['accessibility-expert'] });
    expect(res.status).toBe(202);
    expect(DesignReviewResponseSchema.parse(res.body)).toEqual({
      queued: true,
      runId: 'run-1',
      personas: ['accessibility-expert'],
    });
    const paths = withStore('empty', (s) => s.paths);
    expect(takeDesignRequest(paths)).toEqual({ personas: ['accessibility-expert'] });
    // Taken: the file is gone.
    expect(takeDesignRequest(paths)).toBeNull();
    expect((await h.json('POST', E, {})).body).toEqual({ queued: true, runId: 'run-1', personas: ALL });
    expect(takeDesignRequest(paths)).toEqual({ personas: null });
    expect(h.designLaunches).toEqual([]);
  });

  it('400 naming every unknown persona and the field; nothing asked, nothing launched', async () => {
    const res = await h.json<ErrorBody>('POST', E, { personas: ['visual-designer', 'copy-editor', 'art-director'] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toMatchObject({ field: 'personas', unknown: ['copy-editor', 'art-director'] });
    expect(res.body.error.message).toContain('copy-editor, art-director');
    expect(res.body.error.message).toContain('visual-designer, ux-researcher');
    h.fakeActiveRun('empty');
    expect((await h.json('POST', E, { personas: ['art-director'] })).status).toBe(400);
    expect(takeDesignRequest(withStore('empty', (s) => s.paths))).toBeNull();
    expect(h.designLaunches).toEqual([]);
  });

  it('400 naming the field for a malformed body; 404 for an unknown project', async () => {
    for (const [body, field] of [
      [{ personas: [] }, 'personas'],
      [{ personas: ['Visual Designer'] }, 'personas[0]'],
      [{ personas: 'visual-designer' }, 'personas'],
      [{ personas: Array.from({ length: 9 }, (_, i) => `p${i}`) }, 'personas'],
      [{ model: 'x' }, 'model'],
    ] as const) {
      const res = await h.json<ErrorBody>('POST', E, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.field, JSON.stringify(body)).toBe(field);
    }
    expect((await h.json('POST', '/api/projects/nobody/design/reviews', {})).status).toBe(404);
    expect(h.designLaunches).toEqual([]);
  });

  it('409 while an iteration runs with no run active (one at a time); a run active is still asked', async () => {
    withStore('empty', (store) =>
      store.design.start({ runId: null, trigger: 'manual', commit: 'a'.repeat(40), personas: PERSONAS }),
    );
    const busy = await h.json<ErrorBody>('POST', E, {});
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain('design iteration 1 is still running');
    expect(h.designLaunches).toEqual([]);
    h.fakeActiveRun('empty');
    expect((await h.json('POST', E, {})).status).toBe(202);
  });
});
