// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { AppPreview } from '../src/features/agents/AppPreview';
import { commitPreviewApp } from '../../test/support/preview-app.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

// The real server on 127.0.0.1 starts a real app from the project's main (in the jail); jsdom renders the panel.
vi.setConfig({ testTimeout: 60_000 });

let ui: UiServer | null = null;
afterEach(async () => {
  cleanup();
  await ui?.close();
  ui = null;
});

it('Open the app starts the app from main and links to it; Stop the app stops it', async () => {
  ui = await startUiServer();
  const { dir } = seedProject(ui, 'alpha', { count: 2 });
  commitPreviewApp(dir, { title: 'Alpha preview' });
  renderWithApp(<AppPreview />, { apiBase: ui.url, token: ui.token, project: 'alpha' });

  const open = await screen.findByRole('button', { name: 'Open the app' });
  expect(screen.getByTestId('app-preview').dataset['state']).toBe('stopped');
  await userEvent.click(open);
  const link = await screen.findByTestId('app-preview-url');
  const url = link.getAttribute('href') ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(link.getAttribute('target')).toBe('_blank');
  expect(screen.getByRole('status').textContent).toMatch(/^Runs from main at [0-9a-f]{8} at http/);
  expect(await (await fetch(url)).text()).toContain('<h1>Alpha preview</h1>');

  await userEvent.click(screen.getByRole('button', { name: '■ Stop the app' }));
  await screen.findByRole('button', { name: 'Open the app' });
  expect(screen.queryByTestId('app-preview-url')).toBeNull();
  await expect(fetch(url)).rejects.toThrow();
});

it('shows why the app did not start, with the end of its output', async () => {
  ui = await startUiServer();
  const { dir } = seedProject(ui, 'beta', { count: 1 });
  commitPreviewApp(dir, { title: 'Beta' });
  const { writeFileSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  writeFileSync(`${dir}/init.sh`, '#!/usr/bin/env bash\necho "port is taken by the database" >&2\nexit 2\n');
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '--quiet', '-am', 'break'], {
    cwd: dir,
  });
  renderWithApp(<AppPreview />, { apiBase: ui.url, token: ui.token, project: 'beta' });
  await userEvent.click(await screen.findByRole('button', { name: 'Open the app' }));
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('./init.sh exited with code 2');
  expect(alert.textContent).toContain('port is taken by the database');
  await waitFor(() => expect(screen.getByRole('button', { name: 'Open the app' })).toBeTruthy());
});
