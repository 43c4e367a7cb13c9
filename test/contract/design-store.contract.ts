/**
 * The design review part of the project store contract (DesignPort in src/db/ports.ts), written against the port only,
 * like project-store.contract.ts: test/contract/sqlite.contract.test.ts runs it against SQLite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, DesignFindingReport, NewDesignIteration, ProjectStore } from '../../src/db/ports.js';
import { axeFinding, designFixFeatureOf } from '../../src/domain/design-review.js';
import { AppError } from '../../src/domain/errors.js';
import type { DesignFinding, PersonaVote } from '../../src/shared/design.js';
import type { StoreFactory, StoreLocation } from './project-store.contract.js';

class ManualClock implements Clock {
  constructor(public current = Date.UTC(2025, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

const POLICY = { leaseMs: 60_000, backoffBaseMs: 1_000, backoffCapMs: 8_000 };

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const PERSONAS = ['visual-designer', 'ux-researcher', 'accessibility-expert', 'brand-strategist'];
const CLEAN = { critical: 0, serious: 0, moderate: 2, minor: 1 };

export function defineDesignStoreContract(name: string, factory: Pick<StoreFactory, 'create'>): void {
  describe(`design store contract: ${name}`, () => {
    let location: StoreLocation;
    let clock: ManualClock;
    let store: ProjectStore;
    const others: ProjectStore[] = [];
    const another = (): ProjectStore => {
      const s = location.open({ clock, policy: POLICY });
      others.push(s);
      return s;
    };

    beforeEach(() => {
      location = factory.create();
      clock = new ManualClock();
      store = location.open({ clock, policy: POLICY });
    });

    afterEach(() => {
      for (const s of others.splice(0)) s.close();
      store.close();
      location.dispose();
    });

    const begin = (over: Partial<NewDesignIteration> = {}) =>
      store.design.start({ runId: null, trigger: 'interval', commit: 'c1', personas: PERSONAS, ...over });
    const report = (over: Partial<DesignFindingReport> = {}): DesignFindingReport =>
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
    const vote = (persona: string, approve: boolean, status: PersonaVote['status'] = 'voted'): PersonaVote => ({
      persona,
      sessionId: `ses_${persona}`,
      status,
      approve: status === 'voted' ? approve : null,
      score: status === 'voted' ? (approve ? 8 : 4) : null,
      rationale: status === 'voted' ? `${persona} says ${approve ? 'yes' : 'no'}` : null,
    });
    const voteAll = (n: number, approve: boolean, personas = PERSONAS) => {
      for (const p of personas) store.design.recordVote(n, vote(p, approve));
    };
    const end = (n: number) => store.design.finish(n, { status: 'finished', costUsd: 0.5, error: null });
    const fixOf = (f: DesignFinding, n: number) =>
      designFixFeatureOf({ ...f, suggestedFix: f.suggestedFix ?? null, expect: f.expect ?? null }, n);
    const pass = (id: number) => store.claims.markPassing(store.claims.claimFeature(id, 'run/ses_a').claim);

    it('numbers iterations 1, 2, 3, one at a time, with their capture folder and start and finish events', () => {
      const cursor = store.events.lastId();
      const first = begin({ runId: 'run_1' });
      expect(first).toEqual({
        n: 1,
        runId: 'run_1',
        trigger: 'interval',
        commit: 'c1',
        status: 'running',
        personas: PERSONAS,
        startedAt: clock.current,
        endedAt: null,
        captureDir: '.autocoder/design/iteration-1',
        votes: [],
        axe: null,
        counts: { critical: 0, major: 0, minor: 0, info: 0 },
        newFindings: 0,
        resolvedFindings: 0,
        fixFeatureIds: [],
        outcome: null,
        reportPath: null,
        costUsd: 0,
        error: null,
      });
      expect(store.design.running()?.n).toBe(1);
      const busy = thrown(() => begin({ commit: 'c2' }));
      expect(busy.code).toBe('CONFLICT');
      expect(busy.message).toContain('design iteration 1 is still running');
      // Another connection is refused too.
      expect(thrown(() => another().design.start({ ...first, commit: 'c3' })).code).toBe('CONFLICT');
      expect(store.design.latestFinished()).toBeUndefined();
      clock.advance(1_000);
      store.design.recordAxe(1, CLEAN);
      voteAll(1, true);
      const done = end(1);
      expect(done.iteration).toMatchObject({ status: 'finished', outcome: 'approved', endedAt: clock.current });
      expect(store.design.latestFinished()?.n).toBe(1);
      expect(begin({ commit: 'c2', trigger: 'manual', personas: ['ux-researcher', 'copy-editor'] })).toMatchObject({
        n: 2,
        trigger: 'manual',
        personas: ['ux-researcher', 'copy-editor'],
        captureDir: '.autocoder/design/iteration-2',
      });
      expect(store.design.list().map((i) => [i.n, i.status])).toEqual([
        [1, 'finished'],
        [2, 'running'],
      ]);
      expect(store.events.since(cursor, 10).map((e) => [e.type, e.runId, e.payload])).toEqual([
        ['design.iteration_started', 'run_1', { n: 1, trigger: 'interval', commit: 'c1', personas: PERSONAS }],
        [
          'design.iteration_finished',
          'run_1',
          {
            n: 1,
            status: 'finished',
            outcome: 'approved',
            counts: { critical: 0, major: 0, minor: 0, info: 0 },
            newFindings: 0,
            resolvedFindings: 0,
            fixFeatureIds: [],
            costUsd: 0.5,
          },
        ],
        [
          'design.iteration_started',
          null,
          { n: 2, trigger: 'manual', commit: 'c2', personas: ['ux-researcher', 'copy-editor'] },
        ],
      ]);
      expect(thrown(() => store.design.get(9)).code).toBe('NOT_FOUND');
    });

    it('refuses iterations without personas, with a persona twice or a malformed name, storing nothing', () => {
      expect(thrown(() => begin({ personas: [] })).code).toBe('INVALID_INPUT');
      expect(thrown(() => begin({ personas: ['ux-researcher', 'ux-researcher'] })).message).toContain('named twice');
      expect(() => begin({ personas: ['Bad Name'] })).toThrow(/lowercase letters/);
      expect(store.design.list()).toEqual([]);
    });

    it('keeps one vote per persona (replaced), the axe counts and the report path; refuses strangers and bad votes', () => {
      const { n } = begin();
      store.design.recordVote(n, vote('ux-researcher', false, 'running'));
      store.design.recordVote(n, vote('visual-designer', true));
      store.design.recordVote(n, vote('ux-researcher', false));
      store.design.recordAxe(n, { critical: 0, serious: 2, moderate: 0, minor: 0 });
      store.design.recordAxe(n, CLEAN);
      store.design.setReportPath(n, '.autocoder/design/iteration-1.md');
      expect(store.design.get(n)).toMatchObject({
        votes: [
          { persona: 'visual-designer', approve: true, score: 8, status: 'voted' },
          { persona: 'ux-researcher', approve: false, score: 4, status: 'voted', rationale: 'ux-researcher says no' },
        ],
        axe: CLEAN,
        reportPath: '.autocoder/design/iteration-1.md',
      });
      const stranger = thrown(() => store.design.recordVote(n, vote('copy-editor', true)));
      expect(stranger.code).toBe('INVALID_INPUT');
      expect(stranger.message).toContain('not one of design iteration 1');
      expect(() => store.design.recordVote(n, { ...vote('brand-strategist', true), score: 11 })).toThrow();
      expect(() =>
        store.design.recordVote(n, { ...vote('brand-strategist', true), rationale: 'x'.repeat(1501) }),
      ).toThrow();
      expect(() => store.design.recordAxe(n, { ...CLEAN, serious: -1 })).toThrow();
      expect(store.design.get(n).votes).toHaveLength(2);
      end(n);
      expect(thrown(() => store.design.recordVote(n, vote('brand-strategist', true))).code).toBe('CONFLICT');
      expect(thrown(() => store.design.recordAxe(n, CLEAN)).code).toBe('CONFLICT');
      expect(thrown(() => store.design.setReportPath(7, 'x')).code).toBe('NOT_FOUND');
    });

    it('finish computes the outcome: approved only with every persona approving and axe clean; none when failed', () => {
      const a = begin();
      store.design.recordAxe(a.n, CLEAN);
      voteAll(a.n, true, PERSONAS.slice(0, 3));
      // The fourth persona's session ended without a vote.
      store.design.recordVote(a.n, vote('brand-strategist', false, 'incomplete'));
      expect(end(a.n).iteration.outcome).toBe('changes_requested');
      const b = begin({ commit: 'c2' });
      voteAll(b.n, true);
      store.design.recordAxe(b.n, { ...CLEAN, serious: 1 });
      expect(end(b.n).iteration.outcome).toBe('changes_requested');
      const c = begin({ commit: 'c3' });
      voteAll(c.n, true);
      expect(end(c.n).iteration.outcome).toBe('changes_requested'); // no axe result
      const d = begin({ commit: 'c4' });
      voteAll(d.n, true);
      store.design.recordAxe(d.n, CLEAN);
      const failed = store.design.finish(d.n, { status: 'failed', costUsd: 0.1, error: 'the app did not start' });
      expect(failed.iteration).toMatchObject({ status: 'failed', outcome: null, error: 'the app did not start' });
      expect(thrown(() => end(d.n)).code).toBe('CONFLICT');
    });

    it('the same problem seen again, by any persona, is one finding: sightings per persona, counts per iteration', () => {
      const one = begin();
      const first = store.design.see(one.n, report());
      expect(first.isNew).toBe(true);
      expect(first.finding).toMatchObject({
        persona: 'visual-designer',
        source: 'agent',
        severity: 'major',
        page: '/notes',
        viewport: 'mobile',
        theme: 'light',
        screenshot: 'notes-mobile-light.png',
        status: 'open',
        firstIteration: 1,
        lastIteration: 1,
        seenCount: 1,
        fixFeatureId: null,
        resolvedIn: null,
        dismissedReason: null,
        fingerprint: '/notes|mobile|spacing|header buttons overlap',
      });
      expect(first.finding.id).toMatch(/^dfn_/);
      expect(first.finding).not.toHaveProperty('evidence');
      expect(first.finding).not.toHaveProperty('expect');
      // Another persona, reworded, in dark mode: the same finding (who reported it first is kept).
      clock.advance(5);
      const twice = store.design.see(
        one.n,
        report({ persona: 'ux-researcher', title: 'header BUTTONS overlap', theme: 'dark', severity: 'critical' }),
      );
      expect(twice).toMatchObject({
        isNew: false,
        finding: {
          id: first.finding.id,
          persona: 'visual-designer',
          seenCount: 1,
          theme: 'dark',
          severity: 'critical',
        },
      });
      // The iteration counts the finding once, at its newest severity.
      expect(store.design.get(one.n)).toMatchObject({
        counts: { critical: 1, major: 0, minor: 0, info: 0 },
        newFindings: 1,
      });
      // Another viewport or page is another finding.
      expect(store.design.see(one.n, report({ viewport: 'desktop' })).isNew).toBe(true);
      expect(store.design.see(one.n, report({ page: '/' })).isNew).toBe(true);
      end(one.n);
      const two = begin({ commit: 'c2' });
      clock.advance(5);
      const again = store.design.see(
        two.n,
        report({
          evidence: 'Buttons at x=300 and x=310',
          expect: [{ expectVisible: { role: 'button', name: 'Save' } }],
        }),
      );
      expect(again).toMatchObject({
        isNew: false,
        finding: { id: first.finding.id, firstIteration: 1, lastIteration: 2, seenCount: 2, severity: 'major' },
      });
      // Evidence and assertions a later report leaves out are kept.
      expect(store.design.see(two.n, report()).finding).toMatchObject({
        evidence: 'Buttons at x=300 and x=310',
        expect: [{ expectVisible: { role: 'button', name: 'Save' } }],
      });
      expect(store.design.sightings(first.finding.id)).toEqual([
        {
          iteration: 1,
          persona: 'visual-designer',
          severity: 'major',
          screenshot: 'notes-mobile-light.png',
          at: clock.current - 10,
        },
        {
          iteration: 1,
          persona: 'ux-researcher',
          severity: 'critical',
          screenshot: 'notes-mobile-light.png',
          at: clock.current - 5,
        },
        {
          iteration: 2,
          persona: 'visual-designer',
          severity: 'major',
          screenshot: 'notes-mobile-light.png',
          at: clock.current,
        },
      ]);
      expect(thrown(() => store.design.sightings('dfn_none')).code).toBe('NOT_FOUND');
      expect(thrown(() => store.design.finding('dfn_none')).code).toBe('NOT_FOUND');
    });

    it('records an axe violation as a tool finding without persona; refuses malformed reports and closed iterations', () => {
      const { n } = begin();
      const violation = {
        id: 'color-contrast',
        impact: 'serious' as const,
        help: 'Elements must meet minimum color contrast ratio thresholds',
        description: 'Ensures the contrast meets WCAG 2 AA',
        helpUrl: 'https://dequeuniversity.com/rules/axe/4.10/color-contrast',
        nodes: [{ target: ['.muted'], html: '<p class="muted">x</p>' }],
      };
      const where = {
        page: '/',
        viewport: 'desktop' as const,
        theme: 'dark' as const,
        screenshot: 'home-desktop-dark.png',
      };
      const seen = store.design.see(n, { ...axeFinding(violation, where), source: 'tool', persona: null });
      expect(seen.finding).toMatchObject({
        source: 'tool',
        persona: null,
        severity: 'major',
        category: 'axe/color-contrast',
        evidence: '- .muted: <p class="muted">x</p>',
      });
      expect(store.design.sightings(seen.finding.id)).toMatchObject([{ persona: null, iteration: n }]);
      const bad = thrown(() => store.design.see(n, report({ page: 'https://evil.example/' })));
      expect(bad.code).toBe('INVALID_INPUT');
      expect(bad.message).toContain('page');
      expect(thrown(() => store.design.see(n, report({ screenshot: '../secrets.png' }))).message).toContain(
        'screenshot',
      );
      expect(
        thrown(() => store.design.see(n, { ...report(), source: 'tool', persona: 'ux-researcher' } as never)).code,
      ).toBe('INVALID_INPUT');
      expect(() => store.design.see(n, report({ persona: 'Not A Persona' } as never))).toThrow();
      // Only the iteration's personas report in it.
      const stranger = thrown(() => store.design.see(n, report({ persona: 'copy-editor' } as never)));
      expect(stranger.code).toBe('INVALID_INPUT');
      expect(stranger.message).toContain('persona copy-editor is not one of design iteration 1');
      expect(store.design.findings()).toHaveLength(1);
      end(n);
      expect(thrown(() => store.design.see(n, report())).code).toBe('CONFLICT');
    });

    it('a finished iteration resolves what it did not see, but only where a persona who saw it voted or axe ran', () => {
      const one = begin();
      const byDesigner = store.design.see(one.n, report()).finding;
      const byBrand = store.design.see(
        one.n,
        report({ persona: 'brand-strategist', category: 'brand', title: 'Logo blurry' }),
      ).finding;
      const axe = store.design.see(one.n, {
        ...report({ category: 'axe/label', title: 'Form elements must have labels' }),
        source: 'tool',
        persona: null,
      }).finding;
      const stays = store.design.see(one.n, report({ category: 'copy', title: 'Jargon in the empty state' })).finding;
      const dismissed = store.design.see(one.n, report({ category: 'colour', title: 'Too much teal' })).finding;
      end(one.n);
      store.design.dismiss(dismissed.id, 'teal is the brand colour');

      // A failed iteration resolves nothing.
      const failed = begin({ commit: 'c2' });
      voteAll(failed.n, true);
      store.design.recordAxe(failed.n, CLEAN);
      expect(store.design.finish(failed.n, { status: 'failed', costUsd: 0, error: 'x' }).resolved).toEqual([]);

      // Iteration 3: the visual designer voted, the brand strategist's session failed, axe did not run.
      const three = begin({ commit: 'c3' });
      store.design.see(three.n, report({ category: 'copy', title: 'Jargon in the empty state' }));
      store.design.recordVote(three.n, vote('visual-designer', false));
      store.design.recordVote(three.n, vote('brand-strategist', false, 'failed'));
      const cursor = store.events.lastId();
      const done = end(three.n);
      expect(done.resolved.map((f) => f.id)).toEqual([byDesigner.id]);
      expect(store.design.finding(byDesigner.id)).toMatchObject({ status: 'resolved', resolvedIn: three.n });
      expect(store.design.finding(byBrand.id)).toMatchObject({ status: 'open', resolvedIn: null });
      expect(store.design.finding(axe.id).status).toBe('open');
      expect(store.design.finding(stays.id)).toMatchObject({ status: 'open', seenCount: 2 });
      expect(store.design.finding(dismissed.id).status).toBe('dismissed');
      expect(done.iteration).toMatchObject({ resolvedFindings: 1, newFindings: 0, counts: { major: 1 } });
      expect(store.events.since(cursor, 10).map((e) => e.type)).toEqual(['design.iteration_finished']);

      // Iteration 4: axe ran (and the brand strategist voted): those are resolved now.
      const four = begin({ commit: 'c4' });
      store.design.see(four.n, report({ category: 'copy', title: 'Jargon in the empty state' }));
      store.design.recordAxe(four.n, CLEAN);
      store.design.recordVote(four.n, vote('brand-strategist', true));
      expect(
        end(four.n)
          .resolved.map((f) => f.id)
          .sort(),
      ).toEqual([byBrand.id, axe.id].sort());
    });

    it('a resolved finding seen again reopens; a dismissed one stays dismissed; a fix that did not fix reopens', () => {
      const one = begin();
      const comesBack = store.design.see(one.n, report()).finding;
      const fixed = store.design.see(one.n, report({ category: 'nav', title: 'No way back' })).finding;
      const dismissed = store.design.see(one.n, report({ category: 'colour', title: 'Too much teal' })).finding;
      const feature = store.design.createFixFeature(one.n, fixed.id, fixOf(fixed, one.n))!;
      end(one.n);
      store.design.dismiss(dismissed.id, 'teal is the brand colour');
      const two = begin({ commit: 'c2' });
      store.design.see(two.n, report({ category: 'nav', title: 'No way back' }));
      store.design.recordVote(two.n, vote('visual-designer', false));
      end(two.n);
      expect(store.design.finding(comesBack.id)).toMatchObject({ status: 'resolved', resolvedIn: two.n });
      pass(feature.id);
      expect(store.design.fixLanded(feature.id)).toMatchObject([{ id: fixed.id, status: 'fix_pending' }]);
      expect(store.design.fixLanded(feature.id)).toEqual([]);

      clock.advance(10);
      const three = begin({ commit: 'c3' });
      expect(store.design.see(three.n, report())).toMatchObject({
        isNew: false,
        finding: { id: comesBack.id, status: 'open', resolvedIn: null, seenCount: 2 },
      });
      expect(store.design.see(three.n, report({ category: 'colour', title: 'Too much teal' })).finding).toMatchObject({
        status: 'dismissed',
        dismissedReason: 'teal is the brand colour',
      });
      const notFixed = store.design.see(three.n, report({ category: 'nav', title: 'No way back' })).finding;
      expect(notFixed).toMatchObject({ id: fixed.id, status: 'open', fixFeatureId: feature.id });
      const next = store.design.createFixFeature(three.n, fixed.id, fixOf(notFixed, three.n));
      expect(next!.id).not.toBe(feature.id);
      expect(next!.name).toBe(`${feature.name} [${fixed.id}]`);
    });

    it('a fix that lands while an iteration runs stays fix_pending when that iteration (older app) sees it', () => {
      const one = begin();
      const f = store.design.see(one.n, report()).finding;
      const feature = store.design.createFixFeature(one.n, f.id, fixOf(f, one.n))!;
      end(one.n);
      const two = begin({ commit: 'c2' });
      clock.advance(50);
      pass(feature.id);
      store.design.fixLanded(feature.id);
      expect(store.design.see(two.n, report()).finding.status).toBe('fix_pending');
      end(two.n);
      const three = begin({ commit: 'c3' });
      store.design.recordVote(three.n, vote('visual-designer', true));
      expect(end(three.n).resolved).toMatchObject([{ id: f.id, status: 'resolved', resolvedIn: three.n }]);
    });

    it('createFixFeature: a `design` feature first in line with its browser check, linked; one at a time; major+ only', () => {
      store.features.create({ category: 'core', name: 'a', description: 'a', steps: ['a'], priority: 3 });
      const { n } = begin();
      const withExpect = store.design.see(
        n,
        report({
          category: 'labels',
          title: 'Search has no label',
          expect: [{ expectVisible: { label: 'Search notes' } }],
        }),
      ).finding;
      const twin = store.design.see(
        n,
        report({ category: 'labels', title: 'Search has no label', page: '/archive' }),
      ).finding;
      const minor = store.design.see(n, report({ severity: 'minor', title: 'Tight padding' })).finding;
      const created = store.design.createFixFeature(n, withExpect.id, fixOf(withExpect, n))!;
      expect(created).toMatchObject({
        category: 'design',
        status: 'pending',
        name: 'Design major: Search has no label on /notes',
      });
      expect(created.acceptance).toEqual([
        {
          kind: 'browser',
          name: '/notes shows the fix of: Search has no label',
          viewport: 'mobile',
          steps: [{ goto: '/notes' }, { expectVisible: { label: 'Search notes' } }],
        },
      ]);
      expect(created.priority).toBeLessThan(3);
      expect(store.features.ready(10)[0]?.id).toBe(created.id);
      expect(store.design.finding(withExpect.id).fixFeatureId).toBe(created.id);
      expect(store.design.get(n).fixFeatureIds).toEqual([created.id]);
      expect(store.design.createFixFeature(n, withExpect.id, fixOf(withExpect, n))).toBeNull();
      // Same title on another page: its own feature (named apart only if the names collide).
      const other = store.design.createFixFeature(n, twin.id, fixOf(twin, n))!;
      expect(other.name).toBe('Design major: Search has no label on /archive');
      expect(other.priority).toBeLessThan(created.priority);
      const refused = thrown(() => store.design.createFixFeature(n, minor.id, fixOf(minor, n)));
      expect(refused.code).toBe('INVALID_INPUT');
      expect(refused.message).toContain('only critical and major');
      expect(thrown(() => store.design.createFixFeature(n, 'dfn_none', fixOf(minor, n))).code).toBe('NOT_FOUND');
    });

    it('createFixFeature writes all or nothing: a feature the backlog refuses, or no such iteration, leaves no feature and no link', () => {
      const { n } = begin();
      const f = store.design.see(n, report()).finding;
      const before = store.features.list().length;
      const bad = { ...fixOf(f, n), acceptance: [{ kind: 'browser', steps: [] }] } as never;
      expect(() => store.design.createFixFeature(n, f.id, bad)).toThrow();
      expect(store.features.list()).toHaveLength(before);
      expect(store.design.finding(f.id).fixFeatureId).toBeNull();
      expect(store.design.get(n).fixFeatureIds).toEqual([]);
      expect(thrown(() => store.design.createFixFeature(99, f.id, fixOf(f, n))).code).toBe('NOT_FOUND');
      expect(store.features.list()).toHaveLength(before);
      expect(store.design.finding(f.id).fixFeatureId).toBeNull();
    });

    it('dismiss: a reason is required and kept, with its event; dismissing twice is a conflict', () => {
      const { n } = begin();
      const f = store.design.see(n, report()).finding;
      expect(thrown(() => store.design.dismiss(f.id, '  ')).code).toBe('INVALID_INPUT');
      expect(store.design.finding(f.id).status).toBe('open');
      const cursor = store.events.lastId();
      clock.advance(3);
      expect(store.design.dismiss(f.id, ' intended: a playful layout ')).toMatchObject({
        status: 'dismissed',
        dismissedReason: 'intended: a playful layout',
        updatedAt: clock.current,
      });
      expect(store.events.since(cursor, 10).map((e) => [e.type, e.payload])).toEqual([
        ['design.finding_dismissed', { findingId: f.id, reason: 'intended: a playful layout' }],
      ]);
      expect(thrown(() => store.design.dismiss(f.id, 'again')).code).toBe('CONFLICT');
      expect(thrown(() => store.design.dismiss('dfn_none', 'x')).code).toBe('NOT_FOUND');
    });

    it('findings(filter): by status, persona, severity, page, viewport, iteration, resolved by; worst first', () => {
      const one = begin();
      const info = store.design.see(one.n, report({ severity: 'info', category: 'n', title: 'Note' })).finding;
      const crit = store.design.see(
        one.n,
        report({ severity: 'critical', category: 'nav', title: 'Dead end' }),
      ).finding;
      const desk = store.design.see(
        one.n,
        report({ persona: 'ux-researcher', viewport: 'desktop', page: '/', category: 'copy', title: 'Vague' }),
      ).finding;
      end(one.n);
      const two = begin({ commit: 'c2' });
      store.design.see(two.n, report({ severity: 'critical', category: 'nav', title: 'Dead end' }));
      store.design.recordVote(two.n, vote('visual-designer', false));
      end(two.n);
      const ids = (filter?: Parameters<ProjectStore['design']['findings']>[0]) =>
        store.design.findings(filter).map((f) => f.id);
      expect(ids()).toEqual([crit.id, desk.id, info.id]);
      expect(ids({ status: 'open' })).toEqual([crit.id, desk.id]);
      expect(ids({ status: 'resolved' })).toEqual([info.id]);
      expect(ids({ persona: 'ux-researcher' })).toEqual([desk.id]);
      expect(ids({ severity: 'critical' })).toEqual([crit.id]);
      expect(ids({ page: '/' })).toEqual([desk.id]);
      expect(ids({ viewport: 'mobile' })).toEqual([crit.id, info.id]);
      expect(ids({ iteration: two.n })).toEqual([crit.id]);
      expect(ids({ resolvedIn: two.n })).toEqual([info.id]);
      expect(ids({ status: 'open', viewport: 'mobile', iteration: one.n })).toEqual([crit.id]);
    });

    it('abortRunning ends an iteration left running as aborted, with no outcome and nothing resolved', () => {
      expect(store.design.abortRunning('nothing runs')).toBe(0);
      const one = begin();
      const f = store.design.see(one.n, report()).finding;
      end(one.n);
      const two = begin({ commit: 'c2' });
      voteAll(two.n, true);
      store.design.recordAxe(two.n, CLEAN);
      expect(store.design.abortRunning('the runner died')).toBe(1);
      expect(store.design.get(two.n)).toMatchObject({ status: 'aborted', outcome: null, error: 'the runner died' });
      expect(store.design.finding(f.id).status).toBe('open');
      expect(store.design.running()).toBeUndefined();
      expect(begin({ commit: 'c3' }).n).toBe(3);
    });
  });
}
