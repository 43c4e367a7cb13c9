// @vitest-environment jsdom
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesignFinding } from '@shared/design';
import { projectPaths } from '../../src/config/paths.js';
import type { DesignFindingReport, ProjectStore } from '../../src/db/ports.js';
import { openProjectStore } from '../../src/db/stores.js';
import { takeDesignRequest } from '../../src/projects/run-control.js';
import { DesignPage } from '../src/features/design/DesignPage';
import { seedDesign, type SeedIteration } from '../../test/support/design-seed.js';
import { capture, page, shot } from '../../test/support/design-fixtures.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

// Each test starts the real server on 127.0.0.1 with a project whose store and design folder hold real iterations
// (seeded through the store as a runner leaves them), and renders the page in jsdom against the real API routes.
vi.setConfig({ testTimeout: 30_000 });

/** A 1×1 PNG; each file gets its name appended after IEND (ignored by decoders) so the test can tell them apart. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const pngOf = (key: string) => Buffer.concat([PNG, Buffer.from(key)]);
const dataUrlOf = (key: string) => `data:image/png;base64,${pngOf(key).toString('base64')}`;

const pages = () => [
  page('/', [shot('/', 'desktop', 'light'), shot('/', 'desktop', 'dark'), shot('/', 'mobile', 'light')]),
  page(
    '/settings',
    [
      shot('/settings', 'desktop', 'light', {
        consoleErrors: ['TypeError: x is undefined'],
        failedRequests: [{ method: 'GET', url: '/api/me', status: 500, error: null }],
      }),
      shot('/settings', 'mobile', 'light', {
        axe: [
          {
            id: 'color-contrast',
            impact: 'serious',
            help: 'Elements must meet minimum color contrast ratio thresholds',
            helpUrl: 'https://dequeuniversity.com/rules/axe/4.10/color-contrast',
            nodes: 3,
            targets: ['.muted'],
            summary: 'contrast 2.9:1',
          },
        ],
      }),
    ],
    { darkMode: false },
  ),
];

const PERSONAS = ['visual-designer', 'accessibility-expert', 'copy-editor'];
const spacing: DesignFindingReport = {
  source: 'agent',
  persona: 'visual-designer',
  severity: 'major',
  category: 'spacing',
  title: 'Cramped header',
  detail: 'The header buttons touch each other.',
  page: '/',
  viewport: 'desktop',
  theme: 'light',
  screenshot: 'home-desktop-light.png',
};
const contrast: DesignFindingReport = {
  source: 'tool',
  persona: null,
  severity: 'critical',
  category: 'axe/color-contrast',
  title: 'Low contrast on settings',
  detail: 'Three elements have a contrast of 2.9:1.',
  page: '/settings',
  viewport: 'mobile',
  theme: 'light',
  screenshot: 'settings-mobile-light.png',
};
const vote = (persona: string, approve: boolean, score: number, rationale: string) => ({
  persona,
  approve,
  score,
  rationale,
});

/**
 * Iteration 1: a persona's spacing finding and axe's contrast finding, the accessibility expert against, $1.25.
 * Iteration 2: nothing seen again, every persona approves with 9, one moderate axe violation left, $0.50.
 */
const iterations = (): SeedIteration[] => [
  {
    personas: PERSONAS,
    findings: { spacing, contrast },
    axe: { critical: 1, serious: 2, moderate: 3, minor: 0 },
    votes: [vote('visual-designer', true, 8, 'Clean.'), vote('accessibility-expert', false, 5, 'Contrast.')],
    costUsd: 1.25,
    capture: capture(pages()),
    report: '# Design review 1\n\nChanges requested: 2 findings.\n',
  },
  {
    personas: PERSONAS,
    axe: { critical: 0, serious: 0, moderate: 1, minor: 0 },
    votes: PERSONAS.map((p) => vote(p, true, 9, 'Good now.')),
    costUsd: 0.5,
    capture: capture(pages()),
  },
];

let ui: UiServer | null = null;
let launched: { name: string; personas: readonly string[] | undefined }[] = [];
let root = '';
let seeded: Record<string, DesignFinding> = {};

function withStore<T>(fn: (store: ProjectStore) => T): T {
  const store = openProjectStore(projectPaths(root), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** The server, project alpha (with a project persona, copy-editor) and its design iterations; the page rendered. */
async function open(seed: SeedIteration[], path = '/projects/alpha/design') {
  launched = [];
  ui = await startUiServer({
    launchDesignReview: (project, personas) => {
      launched.push({ name: project.name, personas });
      return { pid: 4242 };
    },
  });
  root = seedProject(ui, 'alpha', { count: 2, passing: 1 }).dir;
  mkdirSync(join(root, '.autocoder', 'personas'), { recursive: true });
  writeFileSync(join(root, '.autocoder', 'personas', 'copy-editor.md'), '# Copy editor\n\nReads every label.\n');
  seeded = withStore((store) => seedDesign(store, seed, (n, file) => pngOf(`${n}/${file}`)));
  return renderWithApp(<DesignPage />, {
    apiBase: ui.url,
    token: ui.token,
    project: 'alpha',
    path,
    routes: ['/projects/:name/design', '/projects/:name/design/:n'],
  });
}

afterEach(async () => {
  cleanup();
  await ui?.close();
  ui = null;
});

describe('the Design page', () => {
  it('explains a design review when there is none yet, and starts one with every persona by default', async () => {
    const user = userEvent.setup();
    await open([]);
    const empty = await screen.findByTestId('design-empty');
    expect(empty.textContent).toContain('photographs its pages on desktop and mobile');
    // The server's list: the built-in personas, then the project's own file under its heading's name.
    const boxes = await within(empty).findAllByRole('checkbox');
    expect(boxes.map((b) => b.parentElement?.textContent)).toEqual([
      'Visual Designer',
      'UX Researcher',
      'Accessibility Expert',
      'Brand Strategist',
      'Copy editor',
    ]);
    expect(boxes.every((b) => (b as HTMLInputElement).checked)).toBe(true);
    await user.click(within(empty).getByRole('button', { name: 'Run design review' }));
    expect((await screen.findByTestId('run-design-started')).textContent).toContain('started (process 4242)');
    // All ticked: the request names none, so the launcher is given none and the review takes the project's set.
    expect(launched).toEqual([{ name: 'alpha', personas: undefined }]);
  });

  it('lists the iterations newest first with outcome, serious+critical axe count, votes with scores and cost', async () => {
    await open(iterations());
    const row2 = await screen.findByTestId('design-row-2');
    const row1 = screen.getByTestId('design-row-1');
    const rows = within(screen.getByRole('region', { name: 'Design iterations' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows).toEqual([row2, row1]);
    expect(row2.textContent).toContain('approved');
    expect(row1.textContent).toContain('changes requested');
    const cells = (r: HTMLElement) =>
      within(r)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells(row1)[4]).toBe('3');
    expect(cells(row2)[4]).toBe('0');
    expect(cells(row1)[5]).toContain('Visual Designer ✓ 8');
    expect(cells(row1)[5]).toContain('Accessibility Expert ✗ 5 requests changes with score 5 of 10');
    expect(cells(row1)[6]).toBe('$1.25');
    expect(within(row1).getByRole('link', { name: 'Iteration 1' }).getAttribute('href')).toBe(
      '/projects/alpha/design/1',
    );
  });

  it('gives the chart its numbers as a table: blocking and all axe violations, mean score per iteration', async () => {
    await open(iterations());
    const table = await screen.findByRole('table', { name: 'Accessibility and persona score per iteration' });
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.textContent),
    ).toEqual(['#1366.5', '#2019']);
    expect(screen.getByRole('figure', { name: 'Accessibility and persona score per iteration' }).textContent).toContain(
      'Iteration 2: 0 serious or critical axe violations, mean persona score 9 of 10.',
    );
  });

  it('shows an iteration page by page: screenshots from the files endpoint, findings and axe under their shot', async () => {
    await open(iterations(), '/projects/alpha/design/1');
    const view = await screen.findByTestId('design-iteration');
    const settings = within(view).getByRole('region', { name: 'Page /settings' });
    // A thumbnail per shot, named by page, viewport and theme, loaded as a data: URL from the iteration's files.
    const img = await within(settings).findByRole('img', {
      name: 'Screenshot of /settings, mobile, light (iteration 1)',
    });
    // The exact bytes written to the iteration folder, served by the files route.
    expect(img.getAttribute('src')).toBe(dataUrlOf('1/screenshots/settings-mobile-light.png'));
    expect(img.getAttribute('loading')).toBe('lazy');
    expect(within(settings).getByText('(no dark theme)')).toBeTruthy();

    const mobile = within(settings).getByTestId('shot-/settings, mobile, light');
    const pinned = within(mobile).getByRole('list', { name: 'Findings on /settings, mobile, light' });
    expect(pinned.textContent).toContain('Low contrast on settings');
    expect(pinned.textContent).toContain('Critical');
    expect(pinned.textContent).toContain('axe-core');
    expect(within(mobile).getByText('1 serious/critical axe violation')).toBeTruthy();
    const axe = within(mobile).getByRole('list', { name: 'axe violations on /settings, mobile, light' });
    expect(axe.textContent).toContain('serious color-contrast');
    expect(axe.textContent).toContain('3 elements');

    const home = within(view).getByTestId('shot-/, desktop, light');
    expect(within(home).getByRole('list', { name: 'Findings on /, desktop, light' }).textContent).toContain(
      'Cramped header',
    );
    expect(within(home).getByRole('list').textContent).toContain('Visual Designer');
    expect(within(view).getByTestId('shot-/, desktop, dark').textContent).not.toContain('Cramped header');

    // Console errors and failed requests are folded away in <details>.
    const desktop = within(settings).getByTestId('shot-/settings, desktop, light');
    const folded = desktop.querySelectorAll('details');
    expect([...folded].map((d) => d.querySelector('summary')?.textContent)).toEqual([
      'Console errors (1)',
      'Failed requests (1)',
    ]);
    expect([...folded].every((d) => !d.open)).toBe(true);
    expect(folded[1]!.textContent).toContain('GET /api/me → 500');
    expect(within(view).getByRole('list', { name: 'Votes of iteration 1' }).textContent).toContain('Contrast.');
  });

  it('enlarges a screenshot in a dialog named after it, which Escape (the dialog’s cancel) closes', async () => {
    const user = userEvent.setup();
    await open(iterations(), '/projects/alpha/design/1');
    const view = await screen.findByTestId('design-iteration');
    await user.click(
      within(view).getByRole('button', { name: 'Enlarge: Screenshot of /, mobile, light (iteration 1)' }),
    );
    const dialog = await screen.findByRole('dialog', { name: '/, mobile, light · iteration 1' });
    const big = await within(dialog).findByRole('img', { name: 'Screenshot of /, mobile, light (iteration 1)' });
    expect(big.getAttribute('src')).toBe(dataUrlOf('1/screenshots/home-mobile-light.png'));
    act(() => {
      dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('dismisses a finding with a required reason, then shows it dismissed with the reason', async () => {
    const user = userEvent.setup();
    await open(iterations().slice(0, 1), '/projects/alpha/design/1'); // still open: iteration 2 would resolve it
    const id = seeded['spacing']!.id;
    const card = await screen.findByTestId(`design-finding-${id}`);
    await user.click(within(card).getByRole('button', { name: 'Dismiss “Cramped header”…' }));
    await user.click(within(card).getByRole('button', { name: 'Dismiss finding' }));
    expect(within(card).getByRole('alert').textContent).toContain('Say why this is not a problem');
    expect(withStore((store) => store.design.finding(id).status)).not.toBe('dismissed');
    await user.type(within(card).getByLabelText('Why is this not a problem?'), 'The header is dense on purpose.');
    await user.click(within(card).getByRole('button', { name: 'Dismiss finding' }));
    await waitFor(() =>
      expect(within(screen.getByTestId(`design-finding-${id}`)).getByTestId('dismissed-reason').textContent).toBe(
        'Dismissed: The header is dense on purpose.',
      ),
    );
    expect(withStore((store) => store.design.finding(id))).toMatchObject({
      status: 'dismissed',
      dismissedReason: 'The header is dense on purpose.',
    });
    expect(within(screen.getByTestId(`design-finding-${id}`)).queryByRole('button', { name: /Dismiss/ })).toBeNull();
  });

  it('queues a review with the personas picked (a project’s own included) to the active run; none picked: asks', async () => {
    const user = userEvent.setup();
    await open(iterations());
    // A run of this project is active (this process stands in for its runner): the request is queued to it.
    withStore((store) =>
      store.runs.start({ id: 'run_9', pid: process.pid, host: hostname(), incarnation: 'i1', settings: {} }),
    );
    await screen.findByTestId('design-row-1');
    const box = (name: string) => screen.getByRole('checkbox', { name });
    await user.click(box('UX Researcher'));
    await user.click(box('Brand Strategist'));
    await user.click(screen.getByRole('button', { name: 'Run design review' }));
    expect((await screen.findByTestId('run-design-started')).textContent).toContain('queued');
    expect(takeDesignRequest(projectPaths(root))).toEqual({
      personas: ['visual-designer', 'accessibility-expert', 'copy-editor'],
    });
    expect(launched).toEqual([]);

    // Nothing ticked: said here, nothing sent.
    for (const name of ['Visual Designer', 'Accessibility Expert', 'Copy editor']) await user.click(box(name));
    await user.click(screen.getByRole('button', { name: 'Run design review' }));
    expect(screen.getByRole('alert').textContent).toBe('Pick at least one persona.');
    expect(takeDesignRequest(projectPaths(root))).toBeNull();
  });

  it('shows the server’s message when it refuses to start a review (a persona file removed meanwhile)', async () => {
    const user = userEvent.setup();
    await open(iterations());
    await screen.findByTestId('design-row-1');
    rmSync(join(root, '.autocoder', 'personas', 'copy-editor.md'));
    await user.click(screen.getByRole('checkbox', { name: 'Visual Designer' }));
    await user.click(screen.getByRole('button', { name: 'Run design review' }));
    expect((await screen.findByTestId('run-design-error')).textContent).toBe(
      'personas: unknown persona copy-editor; the personas are: visual-designer, ux-researcher, accessibility-expert, ' +
        'brand-strategist (add one as .autocoder/personas/<id>.md)',
    );
    expect(launched).toEqual([]);
  });

  it('says a broken persona file stops reviews from starting, and still shows the iterations', async () => {
    await open(iterations());
    writeFileSync(join(root, '.autocoder', 'personas', 'copy-editor.md'), 'no heading here\n');
    cleanup();
    renderWithApp(<DesignPage />, {
      apiBase: ui!.url,
      token: ui!.token,
      project: 'alpha',
      path: '/projects/alpha/design',
      routes: ['/projects/:name/design', '/projects/:name/design/:n'],
    });
    expect((await screen.findByTestId('design-personas-error')).textContent).toContain(
      'copy-editor.md: a persona file starts with a "# Heading" line',
    );
    expect(screen.getByTestId('design-row-2')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Run design review' })).toBeNull();
  });

  it('opens the iteration’s report.md from its folder when asked', async () => {
    const user = userEvent.setup();
    await open(iterations(), '/projects/alpha/design/1');
    const report = await screen.findByTestId('design-report');
    expect(report.textContent).toContain('.autocoder/design/iteration-1/report.md');
    expect(within(report).queryByText(/Changes requested/)).toBeNull();
    await user.click(within(report).getByText('Report'));
    expect((await within(report).findByText(/Changes requested: 2 findings\./)).tagName).toBe('PRE');
  });

  it('compares a page at a viewport and theme in two iterations side by side, saying when a shot is missing', async () => {
    const user = userEvent.setup();
    await open(iterations());
    const section = await screen.findByRole('region', { name: 'Before and after' });
    const before = within(section).getByTestId('compare-before');
    const after = within(section).getByTestId('compare-after');
    expect(
      (await within(before).findByRole('img', { name: 'Screenshot of /, desktop, light (iteration 1)' })).getAttribute(
        'src',
      ),
    ).toBe(dataUrlOf('1/screenshots/home-desktop-light.png'));
    expect(
      (await within(after).findByRole('img', { name: 'Screenshot of /, desktop, light (iteration 2)' })).getAttribute(
        'src',
      ),
    ).toBe(dataUrlOf('2/screenshots/home-desktop-light.png'));

    await user.selectOptions(within(section).getByLabelText('Page'), '/settings');
    await user.selectOptions(within(section).getByLabelText('Viewport'), 'mobile');
    expect(
      (
        await within(after).findByRole('img', { name: 'Screenshot of /settings, mobile, light (iteration 2)' })
      ).getAttribute('src'),
    ).toBe(dataUrlOf('2/screenshots/settings-mobile-light.png'));
    await user.selectOptions(within(section).getByLabelText('Theme'), 'dark');
    expect(within(before).getByText('Iteration 1 has no screenshot of /settings, mobile, dark.')).toBeTruthy();
    await user.selectOptions(within(section).getByLabelText('Before'), '2');
    expect(within(before).getByRole('heading').textContent).toBe('Before: iteration 2');
  });
});
