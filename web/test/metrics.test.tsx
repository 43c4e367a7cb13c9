// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { seedMetricsProject } from '../../test/support/metrics-seed.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { MetricsPage } from '../src/features/metrics/MetricsPage';
import { renderWithApp } from './render';

// Each test starts a real server whose project store was written through the ports, and renders the page into jsdom.
vi.setConfig({ testTimeout: 30_000 });

const figure = (testId: string) => screen.getByTestId(testId);
/** The feature names of the cost table, top to bottom. */
const tableOrder = () =>
  within(screen.getByRole('region', { name: 'Cost per feature' }))
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getByRole('rowheader').textContent);

describe('the Metrics page against the real server', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
    // alpha: run_1 lands Login ($0.75) and fails Signup ($0.50), run_2 tests Login ($0.125); hourly rate 150 (project).
    seedMetricsProject(ui.tmp.dir, ui.env);
    const store = openProjectStore(projectPaths(join(ui.tmp.dir, 'work', 'alpha')), { create: false });
    try {
      store.features.create({ category: 'c', name: 'Audit', description: '', steps: [] });
    } finally {
      store.close();
    }
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('shows the headline figures of the whole project, the ROI with its assumptions and sources', async () => {
    renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha' });
    await waitFor(() => expect(figure('fig-cost').textContent).toContain('$1.38'));
    expect(figure('fig-passing').textContent).toContain('1 / 3');
    expect(figure('fig-cost').textContent).toContain('3 sessions');
    expect(figure('fig-cost-per-feature').textContent).toContain('$1.38');
    expect(figure('fig-first-pass').textContent).toContain('100%');
    expect(figure('fig-wasted').textContent).toContain('$0.50');
    expect(figure('fig-wasted').textContent).toContain('36% of the cost');
    const roi = figure('fig-roi');
    expect(roi.textContent).toContain('218.2×');
    expect(roi.textContent).toContain('value $300.00 − cost $1.38 = net $298.63');
    const assumptions = within(roi).getByTestId('roi-assumptions').textContent;
    expect(assumptions).toContain('1 landed feature × 2 developer hours each (default metrics.hoursPerFeature)');
    expect(assumptions).toContain('$150.00 an hour (project setting metrics.hourlyRateUsd)');
  });

  it('gives every chart its numbers as text: a summary and a table screen readers can read', async () => {
    renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha' });
    const byModel = await screen.findByRole('table', { name: 'Cost by model' });
    const rows = within(byModel)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.textContent);
    expect(rows).toEqual(['opus$1.252', 'haiku$0.131']);
    const wasted = screen.getByRole('figure', { name: 'Wasted spend by reason' });
    expect(wasted.getAttribute('aria-describedby')).toBeTruthy();
    expect(within(wasted).getByText(/\$0\.50 wasted in 1 session/)).toBeTruthy();
    const burnUp = screen.getByRole('table', { name: 'Burn-up' });
    const last = within(burnUp).getAllByRole('row').at(-1)!;
    expect(
      within(last)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['3', '1']);
    expect(screen.getByRole('table', { name: 'Feature duration' })).toBeTruthy();
    const cost = screen.getByRole('table', { name: 'Cost over time by role' });
    expect(
      within(cost)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Time', 'Total', 'coding', 'testing']);
    expect(within(cost).getAllByRole('row').at(-1)!.textContent).toContain('$1.38');
  });

  it('sorts the cost table by any column with buttons, and says the order with aria-sort', async () => {
    const user = userEvent.setup();
    renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha' });
    await screen.findByRole('region', { name: 'Cost per feature' });
    const header = (name: string) =>
      within(screen.getByRole('region', { name: 'Cost per feature' })).getByRole('columnheader', {
        name: new RegExp(`^${name}`),
      });
    // Most expensive first by default.
    expect(tableOrder()).toEqual(['Login', 'Signup', 'Audit']);
    expect(header('Cost').getAttribute('aria-sort')).toBe('descending');
    expect(header('Feature').getAttribute('aria-sort')).toBe('none');

    await user.click(within(header('Cost')).getByRole('button'));
    expect(tableOrder()).toEqual(['Audit', 'Signup', 'Login']);
    expect(header('Cost').getAttribute('aria-sort')).toBe('ascending');

    // By keyboard: focus the Feature button and press Enter, then Space to flip.
    within(header('Feature')).getByRole('button').focus();
    await user.keyboard('{Enter}');
    expect(tableOrder()).toEqual(['Audit', 'Login', 'Signup']);
    expect(header('Feature').getAttribute('aria-sort')).toBe('ascending');
    expect(header('Cost').getAttribute('aria-sort')).toBe('none');
    await user.keyboard(' ');
    expect(tableOrder()).toEqual(['Signup', 'Login', 'Audit']);
    expect(header('Feature').getAttribute('aria-sort')).toBe('descending');
  });

  it('lists the runs in a selector that restricts the figures to one run and keeps it in ?run=', async () => {
    const user = userEvent.setup();
    const { router } = renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha' });
    const select = await screen.findByRole('combobox', { name: 'Run' });
    const options = within(select)
      .getAllByRole('option')
      .map((o) => o.getAttribute('value'));
    expect(options).toEqual(['', 'run_2', 'run_1']);
    await waitFor(() => expect(figure('fig-cost').textContent).toContain('$1.38'));

    await user.selectOptions(select, 'run_1');
    await waitFor(() => expect(figure('fig-cost').textContent).toContain('$1.25'));
    expect(router.state.location.search).toBe('?run=run_1');
    expect(figure('fig-cost').textContent).toContain('2 sessions');

    await user.selectOptions(select, 'run_2');
    await waitFor(() => expect(figure('fig-cost').textContent).toContain('$0.13'));
    expect(figure('fig-passing').textContent).toContain('0 landings');

    await user.selectOptions(select, '');
    await waitFor(() => expect(figure('fig-cost').textContent).toContain('$1.38'));
    expect(router.state.location.search).toBe('');
  });

  it('downloads the report as a file, of the whole project or of the selected run', async () => {
    const user = userEvent.setup();
    // jsdom has no blob URLs and no downloads: record what the page hands to the browser instead.
    const saved: { blob: Blob; name: string }[] = [];
    let pending: Blob | null = null;
    const { createObjectURL, revokeObjectURL } = URL;
    URL.createObjectURL = (blob: Blob) => {
      pending = blob;
      return 'blob:report';
    };
    URL.revokeObjectURL = () => undefined;
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (pending) saved.push({ blob: pending, name: this.download });
    });
    try {
      renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha' });
      const group = await screen.findByRole('group', { name: 'Download the report' });
      await user.click(within(group).getByRole('button', { name: 'HTML' }));
      await waitFor(() => expect(saved).toHaveLength(1));
      expect(saved[0]?.name).toBe('alpha-report.html');
      const page = await saved[0]!.blob.text();
      expect(page).toMatch(/^<!doctype html>/i);
      expect(page).toContain('Report: alpha');

      await user.selectOptions(await screen.findByRole('combobox', { name: 'Run' }), 'run_1');
      await user.click(within(group).getByRole('button', { name: 'Markdown' }));
      await waitFor(() => expect(saved).toHaveLength(2));
      expect(saved[1]?.name).toBe('alpha-report.md');
      expect(await saved[1]!.blob.text()).toContain('· run run_1');
    } finally {
      click.mockRestore();
      Object.assign(URL, { createObjectURL, revokeObjectURL });
    }
  });

  it('opens on the run in the link, and says so when the run does not exist', async () => {
    renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha', path: '/?run=run_1' });
    await waitFor(() => expect(figure('fig-cost').textContent).toContain('$1.25'));
    expect((screen.getByRole('combobox', { name: 'Run' }) as HTMLSelectElement).value).toBe('run_1');
    cleanup();
    renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'alpha', path: '/?run=run_9' });
    expect((await screen.findByRole('alert')).textContent).toContain('no run "run_9"');
  });
});

describe('an empty project', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
    seedProject(ui, 'blank', { count: 0 });
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('shows a clear empty state and no charts', async () => {
    renderWithApp(<MetricsPage />, { apiBase: ui.url, token: ui.token, project: 'blank' });
    expect((await screen.findByTestId('metrics-empty')).textContent).toContain('No metrics yet');
    expect(screen.queryByRole('figure')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByRole('combobox', { name: 'Run' })).toBeNull();
  });
});
