// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesignIterationDetailResponse as DesignDetailResponse } from '@shared/design';
import { DesignPage } from '../src/features/design/DesignPage';
import { startDesignContractServer, type DesignContractServer } from '../../test/support/design-contract-server.js';
import { capture, finding, iteration, page, shot } from '../../test/support/design-fixtures.js';
import { renderWithApp } from './render';

// Each test starts a real HTTP server on 127.0.0.1 answering the Design API's contract, and renders the page in jsdom.
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

const spacing = finding({ id: 'dfn_spacing', title: 'Cramped header', screenshot: 'home-desktop-light.png' });
const contrast = finding({
  id: 'dfn_contrast',
  title: 'Low contrast on settings',
  severity: 'critical',
  persona: null,
  source: 'tool',
  category: 'axe/color-contrast',
  page: '/settings',
  viewport: 'mobile',
  screenshot: 'settings-mobile-light.png',
});

function records(): DesignDetailResponse[] {
  const one = iteration(1, { personas: ['visual-designer', 'accessibility-expert', 'copy-editor'] });
  const two = iteration(2, {
    outcome: 'approved',
    axe: { critical: 0, serious: 0, moderate: 1, minor: 0 },
    votes: one.votes.map((v) => ({ ...v, approve: true, score: 9 })),
    costUsd: 0.5,
  });
  return [
    { iteration: one, capture: capture(pages()), captureError: null, findings: [spacing, contrast], resolved: [] },
    {
      iteration: two,
      capture: capture(pages()),
      captureError: null,
      findings: [],
      resolved: [{ ...spacing, status: 'resolved', resolvedIn: 2 }],
    },
  ];
}

function filesOf(details: DesignDetailResponse[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const d of details)
    for (const p of d.capture?.pages ?? [])
      for (const s of p.shots) if (s.file) files.set(`${d.iteration.n}/${s.file}`, pngOf(`${d.iteration.n}/${s.file}`));
  return files;
}

let api: DesignContractServer | null = null;
async function open(details: DesignDetailResponse[], path = '/projects/alpha/design') {
  api = await startDesignContractServer({
    project: 'alpha',
    details,
    files: filesOf(details),
    personas: ['visual-designer', 'ux-researcher', 'accessibility-expert', 'brand-strategist', 'copy-editor'],
  });
  return renderWithApp(<DesignPage />, {
    apiBase: api.url,
    token: 'tok',
    project: 'alpha',
    path,
    routes: ['/projects/:name/design', '/projects/:name/design/:n'],
  });
}
const posts = () => api!.requests.filter((r) => r.method === 'POST');

afterEach(async () => {
  cleanup();
  await api?.close();
  api = null;
});

describe('the Design page', () => {
  it('explains a design review when there is none yet, and starts one with every persona by default', async () => {
    const user = userEvent.setup();
    await open([]);
    const empty = await screen.findByTestId('design-empty');
    expect(empty.textContent).toContain('photographs its pages on desktop and mobile');
    const boxes = within(empty).getAllByRole('checkbox');
    expect(boxes.map((b) => b.parentElement?.textContent)).toEqual([
      'Visual Designer',
      'UX Researcher',
      'Accessibility Expert',
      'Brand Strategist',
    ]);
    expect(boxes.every((b) => (b as HTMLInputElement).checked)).toBe(true);
    await user.click(within(empty).getByRole('button', { name: 'Run design review' }));
    expect((await screen.findByTestId('run-design-started')).textContent).toContain('started (process 4242)');
    // All ticked: the request names none, so the server takes the project's usual set.
    expect(posts()).toEqual([{ method: 'POST', path: '/api/projects/alpha/design/reviews', body: {} }]);
  });

  it('lists the iterations newest first with outcome, serious+critical axe count, votes with scores and cost', async () => {
    await open(records());
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
    await open(records());
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
    await open(records(), '/projects/alpha/design/1');
    const view = await screen.findByTestId('design-iteration');
    const settings = within(view).getByRole('region', { name: 'Page /settings' });
    // A thumbnail per shot, named by page, viewport and theme, loaded as a data: URL from the iteration's files.
    const img = await within(settings).findByRole('img', {
      name: 'Screenshot of /settings, mobile, light (iteration 1)',
    });
    expect(img.getAttribute('src')).toBe(dataUrlOf('1/screenshots/settings-mobile-light.png'));
    expect(img.getAttribute('loading')).toBe('lazy');
    expect(api!.requests.map((r) => r.path)).toContain(
      '/api/projects/alpha/design/1/files/screenshots/settings-mobile-light.png',
    );
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
    await open(records(), '/projects/alpha/design/1');
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
    await open(records(), '/projects/alpha/design/1');
    const card = await screen.findByTestId('design-finding-dfn_spacing');
    await user.click(within(card).getByRole('button', { name: 'Dismiss “Cramped header”…' }));
    await user.click(within(card).getByRole('button', { name: 'Dismiss finding' }));
    expect(within(card).getByRole('alert').textContent).toContain('Say why this is not a problem');
    expect(posts()).toEqual([]);
    await user.type(within(card).getByLabelText('Why is this not a problem?'), 'The header is dense on purpose.');
    await user.click(within(card).getByRole('button', { name: 'Dismiss finding' }));
    await waitFor(() =>
      expect(within(screen.getByTestId('design-finding-dfn_spacing')).getByTestId('dismissed-reason').textContent).toBe(
        'Dismissed: The header is dense on purpose.',
      ),
    );
    expect(posts()).toEqual([
      {
        method: 'POST',
        path: '/api/projects/alpha/design/findings/dfn_spacing/dismiss',
        body: { reason: 'The header is dense on purpose.' },
      },
    ]);
    expect(
      within(screen.getByTestId('design-finding-dfn_spacing')).queryByRole('button', { name: /Dismiss/ }),
    ).toBeNull();
  });

  it('starts a review with the personas picked (a project’s own included) and says it was queued; none picked: asks', async () => {
    const user = userEvent.setup();
    await open(records());
    await screen.findByTestId('design-row-1');
    const box = (name: string) => screen.getByRole('checkbox', { name });
    expect(box('Copy editor')).toBeTruthy();
    await user.click(box('UX Researcher'));
    await user.click(box('Brand Strategist'));
    api!.startResponse = { queued: true, runId: 'run_9', personas: ['ux-researcher'] };
    await user.click(screen.getByRole('button', { name: 'Run design review' }));
    expect((await screen.findByTestId('run-design-started')).textContent).toContain('queued');
    expect(posts().at(-1)!.body).toEqual({ personas: ['visual-designer', 'accessibility-expert', 'copy-editor'] });

    // Nothing ticked: said here, nothing sent.
    for (const name of ['Visual Designer', 'Accessibility Expert', 'Copy editor']) await user.click(box(name));
    await user.click(screen.getByRole('button', { name: 'Run design review' }));
    expect(screen.getByRole('alert').textContent).toBe('Pick at least one persona.');
    expect(posts()).toHaveLength(1);
  });

  it('shows the server’s message when it refuses to start a review', async () => {
    const user = userEvent.setup();
    const details = records();
    details[0]!.iteration.personas.push('retired-persona');
    await open(details);
    await screen.findByTestId('design-row-1');
    await user.click(screen.getByRole('checkbox', { name: 'Visual Designer' }));
    await user.click(screen.getByRole('button', { name: 'Run design review' }));
    expect((await screen.findByTestId('run-design-error')).textContent).toBe('unknown persona: retired-persona');
  });

  it('compares a page at a viewport and theme in two iterations side by side, saying when a shot is missing', async () => {
    const user = userEvent.setup();
    await open(records());
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
