// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore, openRegistry } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { FeatureFormDialog } from '../src/features/board/FeatureFormDialog';
import { NewProjectDialog } from '../src/features/projects/NewProjectDialog';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

describe('forms against the real server', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('the feature form shows field errors before sending, then creates the feature', async () => {
    const { dir } = seedProject(ui, 'shop', { count: 2 });
    const user = userEvent.setup();
    let closed = false;
    renderWithApp(<FeatureFormDialog onClose={() => (closed = true)} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });

    await user.click(screen.getByRole('button', { name: 'Add feature' }));
    expect(await screen.findAllByText('required')).toHaveLength(2); // name and category
    expect(screen.getByLabelText('Name')).toHaveProperty('ariaInvalid', 'true');

    await user.type(screen.getByLabelText('Name'), 'Dark mode toggle');
    await user.type(screen.getByLabelText('Category'), 'style');
    await user.type(screen.getByLabelText(/Test steps/), 'Click the toggle{enter}See the dark theme');
    await user.type(screen.getByLabelText(/Priority/), 'soon');
    await user.click(screen.getByRole('button', { name: 'Add feature' }));
    expect(await screen.findByText(/a whole number/)).toBeTruthy();

    await user.clear(screen.getByLabelText(/Priority/));
    await user.type(screen.getByLabelText(/Priority/), '-5');
    await user.click(screen.getByRole('button', { name: 'Add feature' }));
    await waitFor(() => expect(closed).toBe(true));

    const store = openProjectStore(projectPaths(dir));
    try {
      const created = store.features.list().find((f) => f.name === 'Dark mode toggle');
      expect(created).toMatchObject({
        category: 'style',
        priority: -5,
        steps: ['Click the toggle', 'See the dark theme'],
      });
    } finally {
      store.close();
    }
  });

  it('the feature form shows the server refusal beside the field (a duplicate name)', async () => {
    seedProject(ui, 'shop', { count: 1 });
    const user = userEvent.setup();
    renderWithApp(<FeatureFormDialog onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    // The seeded feature #1 is "List notes 1" in category "functional".
    await user.type(screen.getByLabelText('Name'), 'List notes 1');
    await user.type(screen.getByLabelText('Category'), 'functional');
    await user.click(screen.getByRole('button', { name: 'Add feature' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/already|exists|unique/i);
  });

  it('new project: a bad name is caught in the browser, spec problems come back by line, a good one is created', async () => {
    const user = userEvent.setup();
    const { router } = renderWithApp(<NewProjectDialog onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
    });

    await user.type(screen.getByLabelText('Name'), 'My App');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    expect((await screen.findByText(/lowercase letters/, { selector: '[role=alert]' })).textContent).toBeTruthy();

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'my-app');
    await user.type(screen.getByLabelText(/App spec/), 'just some words, not a spec');
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    const problems = await screen.findByText(/The app spec has \d+ problem/);
    expect(problems.parentElement?.textContent).toMatch(/line \d+:/);
    // Nothing was registered.
    const r1 = openRegistry(ui.env);
    try {
      expect(r1.registry.list().map((p) => p.name)).not.toContain('my-app');
    } finally {
      r1.close();
    }

    await user.clear(screen.getByLabelText(/App spec/));
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/my-app'));
    const r2 = openRegistry(ui.env);
    try {
      expect(r2.registry.list().map((p) => p.name)).toContain('my-app');
    } finally {
      r2.close();
    }
  });

  it('import: a folder that does not exist is refused with the server message beside the folder field', async () => {
    const user = userEvent.setup();
    renderWithApp(<NewProjectDialog onClose={() => undefined} />, { apiBase: ui.url, token: ui.token });
    await user.click(screen.getByRole('tab', { name: /Import/ }));
    await user.type(screen.getByLabelText('Name'), 'old');
    await user.type(screen.getByLabelText('Folder'), `${ui.tmp.dir}/nowhere`);
    await user.click(screen.getByRole('button', { name: 'Import folder' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/nowhere|exist/);
  });
});
