import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteProjectStore } from '../../src/db/stores.js';
import { createDesignTools } from '../../src/mcp/design-tools.js';
import type { DesignVoteInput } from '../../src/shared/design.js';
import { connectToolList, type Json } from '../support/mcp-client.js';
import { FakeClock, openTempProject, TEST_POLICY, type TempProject } from '../support/tmp.js';

const CAPTURE = ['home-desktop-light.png', 'home-mobile-light.png', 'notes-mobile-dark.png'];

const finding = (over: Record<string, unknown> = {}) => ({
  severity: 'major',
  category: 'spacing',
  title: 'Header buttons overlap',
  detail: 'At 390 px the Save and Share buttons overlap the title.',
  page: '/',
  viewport: 'mobile',
  theme: 'light',
  screenshot: 'home-mobile-light.png',
  ...over,
});

describe('design persona tools through a real MCP client', () => {
  let project: TempProject;
  let store: SqliteProjectStore;
  let n: number;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(() => {
    project = openTempProject({ clock: new FakeClock(), policy: TEST_POLICY });
    store = project.store;
    n = store.design.start({
      runId: null,
      trigger: 'manual',
      commit: 'c1',
      personas: ['visual-designer', 'ux-researcher'],
    }).n;
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    project.cleanup();
  });

  /** A persona's session: its tools wired to the store as the runner will wire them. */
  const session = async (persona: string) => {
    const votes: DesignVoteInput[] = [];
    const tools = createDesignTools({
      persona,
      screenshots: CAPTURE,
      addFinding: (report) => store.design.see(n, report),
      vote: (v) => {
        votes.push(v);
        store.design.recordVote(n, { persona, sessionId: `ses_${persona}`, status: 'voted', ...v });
      },
    });
    const c = await connectToolList(tools, persona);
    closers.push(c.close);
    const ok = async (name: string, args: Record<string, unknown>): Promise<Json> => {
      const r = await c.call(name, args);
      if (r.isError) throw new Error(`${name} failed: ${r.text}`);
      return r.json();
    };
    return { ...c, ok, votes };
  };

  it('lists exactly review_add_finding and design_vote, with persona nowhere in their input', async () => {
    const c = await session('visual-designer');
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['design_vote', 'review_add_finding']);
    const add = tools.find((t) => t.name === 'review_add_finding')!;
    expect(Object.keys(add.inputSchema.properties ?? {}).sort()).toEqual(
      [
        'category',
        'detail',
        'evidence',
        'expect',
        'page',
        'screenshot',
        'severity',
        'suggestedFix',
        'theme',
        'title',
        'viewport',
      ].sort(),
    );
  });

  it('records a finding with the session’s persona; a persona given by the model is refused', async () => {
    const c = await session('ux-researcher');
    const got = await c.ok('review_add_finding', finding({ evidence: 'Buttons at x=300 and x=310' }));
    expect(got).toMatchObject({ new: true, next: 'Recorded. Go on, or call design_vote.' });
    expect(store.design.finding(got.finding as string)).toMatchObject({
      persona: 'ux-researcher',
      source: 'agent',
      page: '/',
      viewport: 'mobile',
      screenshot: 'home-mobile-light.png',
      evidence: 'Buttons at x=300 and x=310',
    });
    const spoofed = await c.call('review_add_finding', finding({ persona: 'brand-strategist', title: 'Other' }));
    expect(spoofed.isError).toBe(true);
    expect(spoofed.text).toContain('persona');
    expect(store.design.findings()).toHaveLength(1);
    // Another persona reporting the same problem: the same finding, not a new one.
    const other = await session('visual-designer');
    const same = await other.ok('review_add_finding', finding({ title: 'header buttons OVERLAP' }));
    expect(same).toMatchObject({ finding: got.finding, new: false });
    expect(store.design.sightings(got.finding as string).map((s) => s.persona)).toEqual([
      'ux-researcher',
      'visual-designer',
    ]);
  });

  it('refuses a screenshot that is not in the capture, naming the ones that are, and bad fields; stores nothing', async () => {
    const c = await session('visual-designer');
    const missing = await c.call('review_add_finding', finding({ screenshot: 'settings-mobile-light.png' }));
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain(
      'screenshot "settings-mobile-light.png" is not in this iteration\'s capture; name one of: home-desktop-light.png, home-mobile-light.png, notes-mobile-dark.png',
    );
    const path = await c.call('review_add_finding', finding({ screenshot: '../../etc/passwd' }));
    expect(path.isError).toBe(true);
    expect(path.text).toContain('screenshot');
    const host = await c.call('review_add_finding', finding({ page: 'https://example.com/' }));
    expect(host.text).toContain('page: must be a path on the app');
    const viewport = await c.call('review_add_finding', finding({ viewport: 'tablet' }));
    expect(viewport.isError).toBe(true);
    const expectStep = await c.call('review_add_finding', finding({ expect: [{ click: { text: 'Save' } }] }));
    expect(expectStep.isError).toBe(true);
    expect(store.design.findings()).toEqual([]);
  });

  it('takes assertions for the fix feature check', async () => {
    const c = await session('ux-researcher');
    const got = await c.ok(
      'review_add_finding',
      finding({ category: 'labels', title: 'Search has no label', expect: [{ expectVisible: { label: 'Search' } }] }),
    );
    expect(store.design.finding(got.finding as string).expect).toEqual([{ expectVisible: { label: 'Search' } }]);
  });

  it('design_vote records the vote; a second call replaces it; findings after the vote are refused', async () => {
    const c = await session('visual-designer');
    await c.ok('review_add_finding', finding({ severity: 'minor', title: 'Tight padding' }));
    const first = await c.ok('design_vote', { approve: true, score: 8, rationale: 'Clean and consistent.' });
    expect(first).toEqual({ recorded: true, replaced: false, next: 'Your vote is recorded. Stop now.' });
    const late = await c.call('review_add_finding', finding({ title: 'Something else' }));
    expect(late.isError).toBe(true);
    expect(late.text).toContain('your vote is cast');
    const second = await c.ok('design_vote', {
      approve: false,
      score: 5,
      rationale: 'On reflection the header is cramped.',
    });
    expect(second.replaced).toBe(true);
    expect(store.design.get(n).votes).toEqual([
      {
        persona: 'visual-designer',
        sessionId: 'ses_visual-designer',
        status: 'voted',
        approve: false,
        score: 5,
        rationale: 'On reflection the header is cramped.',
      },
    ]);
    expect(store.design.findings().map((f) => f.title)).toEqual(['Tight padding']);
  });

  it('refuses an approval over the persona’s own major finding, and bad scores and rationales', async () => {
    const c = await session('ux-researcher');
    await c.ok('review_add_finding', finding());
    const approve = await c.call('design_vote', { approve: true, score: 7, rationale: 'Fine.' });
    expect(approve.isError).toBe(true);
    expect(approve.text).toContain('you reported 1 critical or major finding ("Header buttons overlap")');
    expect(store.design.get(n).votes).toEqual([]);
    for (const bad of [
      { approve: false, score: 0, rationale: 'x' },
      { approve: false, score: 11, rationale: 'x' },
      { approve: false, score: 5.5, rationale: 'x' },
      { approve: false, score: 5, rationale: '   ' },
      { approve: false, score: 5, rationale: 'x'.repeat(1501) },
      { approve: false, score: 5 },
    ]) {
      const r = await c.call('design_vote', bad);
      expect(r.isError, JSON.stringify(bad).slice(0, 80)).toBe(true);
    }
    expect(store.design.get(n).votes).toEqual([]);
    expect(
      await c.ok('design_vote', { approve: false, score: 4, rationale: 'The header overlaps on mobile.' }),
    ).toMatchObject({
      recorded: true,
    });
  });

  it('a finding a person dismissed does not hold the persona’s approval back', async () => {
    const first = await session('ux-researcher');
    const got = await first.ok('review_add_finding', finding());
    store.design.dismiss(got.finding as string, 'the overlap is the intended stacked style');
    const c = await session('visual-designer');
    const again = await c.ok('review_add_finding', finding());
    expect(again.note).toBe('A person dismissed this problem before; it stays dismissed.');
    expect(await c.ok('design_vote', { approve: true, score: 9, rationale: 'Good.' })).toMatchObject({
      recorded: true,
    });
  });
});
