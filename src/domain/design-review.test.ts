import { describe, expect, it } from 'vitest';
import {
  axeCounts,
  axeFinding,
  designFingerprint,
  designFixFeatureOf,
  iterationOutcome,
  normalisedPage,
  shouldIterateAgain,
  voteConflict,
  type AxeViolation,
  type DesignFixSource,
} from './design-review.js';

const cramped = { page: '/notes', viewport: 'mobile' as const, category: 'spacing', title: 'Header buttons overlap' };

describe('design finding fingerprints', () => {
  it('the same problem on the same page and viewport, reworded, has the same fingerprint', () => {
    const a = designFingerprint(cramped);
    expect(a).toBe('/notes|mobile|spacing|header buttons overlap');
    expect(designFingerprint({ ...cramped, title: "Header 'buttons' OVERLAP" })).toBe(a);
    expect(designFingerprint({ ...cramped, category: ' Spacing ' })).toBe(a);
    expect(designFingerprint({ ...cramped, page: '/notes/' })).toBe(a);
    expect(designFingerprint({ ...cramped, page: '/notes#top' })).toBe(a);
  });

  it('another page, viewport, category or title is another finding; the query string is part of the page', () => {
    const a = designFingerprint(cramped);
    expect(designFingerprint({ ...cramped, page: '/' })).not.toBe(a);
    expect(designFingerprint({ ...cramped, viewport: 'desktop' })).not.toBe(a);
    expect(designFingerprint({ ...cramped, category: 'layout' })).not.toBe(a);
    expect(designFingerprint({ ...cramped, title: 'Header buttons too small' })).not.toBe(a);
    expect(designFingerprint({ ...cramped, page: '/notes?tab=archived' })).not.toBe(a);
  });

  it('is persona- and theme-independent: the inputs carry neither, so two personas share one finding', () => {
    // The identity type has no persona and no theme: passing whole reports that differ only there gives one key.
    const byDesigner = { ...cramped, persona: 'visual-designer', theme: 'light' };
    const byResearcher = { ...cramped, persona: 'ux-researcher', theme: 'dark' };
    expect(designFingerprint(byDesigner)).toBe(designFingerprint(byResearcher));
  });

  it('normalises pages: trailing slashes and fragments go, the root stays "/"', () => {
    expect(normalisedPage('/')).toBe('/');
    expect(normalisedPage('/#x')).toBe('/');
    expect(normalisedPage('/a/b//')).toBe('/a/b');
    expect(normalisedPage('/a/?q=1#f')).toBe('/a?q=1');
    expect(normalisedPage('/a?')).toBe('/a');
  });
});

describe('iterationOutcome', () => {
  const yes = { status: 'voted' as const, approve: true };
  const no = { status: 'voted' as const, approve: false };
  const clean = { critical: 0, serious: 0, moderate: 4, minor: 9 };

  it('approved only when every persona voted approve and axe found nothing serious or critical', () => {
    expect(iterationOutcome([yes, yes, yes], clean)).toBe('approved');
    expect(iterationOutcome([yes, no, yes], clean)).toBe('changes_requested');
    expect(iterationOutcome([yes, yes], { ...clean, serious: 1 })).toBe('changes_requested');
    expect(iterationOutcome([yes, yes], { ...clean, critical: 1 })).toBe('changes_requested');
  });

  it('a persona without a vote (incomplete, failed, still running) did not approve; no personas approve nothing', () => {
    expect(iterationOutcome([yes, { status: 'incomplete', approve: null }], clean)).toBe('changes_requested');
    expect(iterationOutcome([yes, { status: 'failed', approve: null }], clean)).toBe('changes_requested');
    expect(iterationOutcome([yes, { status: 'running', approve: null }], clean)).toBe('changes_requested');
    expect(iterationOutcome([], clean)).toBe('changes_requested');
  });

  it('without an axe result the violations are not shown gone: changes requested', () => {
    expect(iterationOutcome([yes], null)).toBe('changes_requested');
  });
});

describe('shouldIterateAgain', () => {
  it('iterates while changes are requested and iterations remain; never after approval or a failure', () => {
    expect(shouldIterateAgain('changes_requested', 1, 3)).toBe(true);
    expect(shouldIterateAgain('changes_requested', 2, 3)).toBe(true);
    expect(shouldIterateAgain('changes_requested', 3, 3)).toBe(false);
    expect(shouldIterateAgain('changes_requested', 4, 3)).toBe(false);
    expect(shouldIterateAgain('approved', 1, 3)).toBe(false);
    expect(shouldIterateAgain(null, 1, 3)).toBe(false);
    expect(shouldIterateAgain('changes_requested', 1, 1)).toBe(false);
  });
});

describe('voteConflict', () => {
  it('refuses an approval over the persona’s own critical or major findings, naming them', () => {
    const own = [
      { severity: 'major' as const, title: 'Low contrast buttons' },
      { severity: 'minor' as const, title: 'Tight padding' },
    ];
    expect(voteConflict(true, own)).toBe(
      'you reported 1 critical or major finding ("Low contrast buttons"); approve only when nothing critical or major remains, or vote approve: false',
    );
    expect(voteConflict(false, own)).toBeNull();
    expect(voteConflict(true, [own[1]!])).toBeNull();
    expect(voteConflict(true, [])).toBeNull();
    expect(voteConflict(true, [...own, { severity: 'critical', title: 'No way back' }])).toContain(
      '2 critical or major findings',
    );
  });
});

describe('axe violations', () => {
  const contrast: AxeViolation = {
    id: 'color-contrast',
    impact: 'serious',
    help: 'Elements must meet minimum color contrast ratio thresholds',
    description: 'Ensures the contrast between foreground and background colors meets WCAG 2 AA',
    helpUrl: 'https://dequeuniversity.com/rules/axe/4.10/color-contrast',
    nodes: Array.from({ length: 7 }, (_, i) => ({
      target: [`.btn-${i}`],
      html: `<button class="btn-${i}">Go</button>`,
    })),
  };
  const where = {
    page: '/settings',
    viewport: 'mobile' as const,
    theme: 'dark' as const,
    screenshot: 'settings-mobile-dark.png',
  };

  it('counts violations by impact (one per rule), no impact as minor', () => {
    expect(
      axeCounts([
        { impact: 'serious' },
        { impact: 'serious' },
        { impact: 'critical' },
        { impact: null },
        { impact: 'moderate' },
      ]),
    ).toEqual({ critical: 1, serious: 2, moderate: 1, minor: 1 });
    expect(axeCounts([])).toEqual({ critical: 0, serious: 0, moderate: 0, minor: 0 });
  });

  // The store's contract test records one (its schema accepts it): test/contract/design-store.contract.ts.
  it('a violation becomes a finding: axe/<rule>, severity from its impact, elements as evidence', () => {
    const f = axeFinding(contrast, where);
    expect(f).toMatchObject({
      severity: 'major',
      category: 'axe/color-contrast',
      title: 'Elements must meet minimum color contrast ratio thresholds',
      page: '/settings',
      viewport: 'mobile',
      theme: 'dark',
      screenshot: 'settings-mobile-dark.png',
      suggestedFix: 'Follow https://dequeuniversity.com/rules/axe/4.10/color-contrast',
    });
    expect(f.detail).toContain('color-contrast (serious)');
    expect(f.detail).toContain('7 elements on /settings (mobile, dark)');
    expect(f.evidence?.split('\n')).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => `- .btn-${i}: <button class="btn-${i}">Go</button>`),
      '- … and 2 more',
    ]);
    expect(axeFinding({ ...contrast, impact: 'critical' }, where).severity).toBe('critical');
    expect(axeFinding({ ...contrast, impact: 'moderate' }, where).severity).toBe('minor');
    expect(axeFinding({ ...contrast, impact: undefined }, where).severity).toBe('info');
    const bare = axeFinding({ ...contrast, helpUrl: undefined, nodes: [] }, where);
    expect(bare).not.toHaveProperty('suggestedFix');
    expect(bare).not.toHaveProperty('evidence');
  });
});

describe('designFixFeatureOf', () => {
  const finding: DesignFixSource<{ expectVisible: { label: string } }> = {
    id: 'dfn_1',
    persona: 'ux-researcher',
    source: 'agent',
    severity: 'major',
    category: 'labels',
    title: 'Search field has no visible label',
    detail: 'Only a placeholder names the field; it disappears on typing.',
    page: '/notes',
    viewport: 'mobile',
    theme: 'light',
    screenshot: 'notes-mobile-light.png',
    suggestedFix: 'Add a visible "Search notes" label',
    expect: [{ expectVisible: { label: 'Search notes' } }],
  };

  it('a persona finding with assertions: a design feature whose browser check opens the page and asserts them', () => {
    const f = designFixFeatureOf(finding, 2);
    expect(f).toMatchObject({
      category: 'design',
      name: 'Design major: Search field has no visible label on /notes',
      steps: [
        'Open /notes at mobile width in the light theme (see .autocoder/design/iteration-2/notes-mobile-light.png)',
        'Fix: Add a visible "Search notes" label',
        'Confirm "Search field has no visible label" is gone at mobile width (the next design iteration checks it again)',
      ],
      acceptance: [
        {
          kind: 'browser',
          name: '/notes shows the fix of: Search field has no visible label',
          viewport: 'mobile',
          steps: [{ goto: '/notes' }, { expectVisible: { label: 'Search notes' } }],
        },
      ],
    });
    expect(f.description).toContain('iteration 2 (ux-researcher, labels) found on /notes (mobile, light)');
    expect(f.description).toContain('Finding dfn_1.');
  });

  it("an axe finding: its check runs the rule on the page at the finding's width, which must report nothing", () => {
    const f = designFixFeatureOf(
      { ...finding, source: 'tool', persona: null, category: 'axe/label', suggestedFix: null, expect: null },
      1,
    );
    expect(f.steps).toEqual([
      'Open /notes at mobile width in the light theme (see .autocoder/design/iteration-1/notes-mobile-light.png)',
      'Fix: Search field has no visible label',
      'Run axe-core on /notes: rule label reports no violation',
      'Confirm "Search field has no visible label" is gone at mobile width (the next design iteration checks it again)',
    ]);
    expect(f.acceptance).toEqual([
      {
        kind: 'browser',
        name: '/notes has no label violation at mobile width',
        viewport: 'mobile',
        steps: [{ goto: '/notes' }, { expectNoAxeViolation: 'label' }],
      },
    ]);
    expect(f.description).toContain('(axe-core, axe/label)');
  });

  it('long titles are cut to the feature name limit', () => {
    expect(designFixFeatureOf({ ...finding, title: 'x'.repeat(300) }, 1).name).toHaveLength(200);
  });
});
