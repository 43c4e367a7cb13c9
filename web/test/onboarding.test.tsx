// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { DEMO_MODEL, type RunStartRequest } from '../../src/shared/runs.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { StartRunDialog } from '../src/features/agents/StartRunDialog';
import { NewProjectDialog } from '../src/features/projects/NewProjectDialog';
import { ProjectsPage } from '../src/features/projects/ProjectsPage';
import { GlobalSettingsPage } from '../src/features/settings/GlobalSettingsPage';
import { renderWithApp } from './render';

// Each test starts a real server (no provider variables, an empty HOME) and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

let ui: UiServer;
let launched: { project: string; request: RunStartRequest }[];
const start = async (env?: Record<string, string>) => {
  launched = [];
  ui = await startUiServer({
    launchRunner: (project, request) => {
      launched.push({ project: project.name, request });
      return { pid: -1 };
    },
    ...(env ? { env } : {}),
  });
};
afterEach(async () => {
  cleanup();
  await ui.close();
});

const registered = () => {
  const r = openRegistry(ui.env);
  try {
    return r.registry.list().map((p) => p.name);
  } finally {
    r.close();
  }
};

describe('the Start dialog checks the setup first', () => {
  it('without credentials it says what is missing, links to the provider settings, and runs the demo model instead', async () => {
    await start();
    seedProject(ui, 'shop', { count: 2 });
    const user = userEvent.setup();
    let started = 0;
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => started++} onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    const panel = await screen.findByTestId('missing-credentials');
    expect(panel.textContent).toContain('No model credentials found');
    expect(panel.textContent).not.toContain('/login');
    expect(
      within(panel)
        .getByRole('link', { name: /Settings › Model provider/ })
        .getAttribute('href'),
    ).toBe('/settings#provider');
    const startButton = screen.getByRole('button', { name: 'Start' });
    expect(startButton).toHaveProperty('disabled', true);
    // Submitting the form (Enter in a field) starts nothing either.
    await user.type(screen.getByLabelText('Stop after this many sessions'), '3{enter}');
    expect(launched).toEqual([]);

    await user.click(within(panel).getByRole('button', { name: 'Run with the demo model' }));
    await waitFor(() => expect(started).toBe(1));
    expect(launched).toEqual([{ project: 'shop', request: { model: DEMO_MODEL, yolo: true, concurrency: 1 } }]);
  });

  it('typing the demo model as the model lifts the block and Start sends it', async () => {
    await start();
    seedProject(ui, 'shop', { count: 2 });
    const user = userEvent.setup();
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => undefined} onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    await screen.findByTestId('missing-credentials');
    await user.type(screen.getByLabelText('Model'), DEMO_MODEL);
    await waitFor(() => expect(screen.queryByTestId('missing-credentials')).toBeNull());
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(launched).toHaveLength(1));
    expect(launched[0]?.request.model).toBe(DEMO_MODEL);
  });

  it('with credentials there is no block and Start sends the run', async () => {
    await start({ ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789' });
    seedProject(ui, 'shop', { count: 2 });
    const user = userEvent.setup();
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => undefined} onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    const startButton = screen.getByRole('button', { name: 'Start' });
    await waitFor(() => expect(startButton).toHaveProperty('disabled', false));
    expect(screen.queryByTestId('missing-credentials')).toBeNull();
    await user.click(startButton);
    await waitFor(() => expect(launched).toHaveLength(1));
    expect(launched[0]?.request.model).toBeUndefined();
  });
});

describe('Try the demo reuses the demo project', () => {
  it('the second time asks: Run it again keeps one demo project; A fresh copy replaces it after confirming', async () => {
    await start();
    const user = userEvent.setup();
    const { router } = renderWithApp(<ProjectsPage />, { apiBase: ui.url, token: ui.token });
    await user.click((await screen.findAllByRole('button', { name: /Try the demo/ }))[0]!);
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/demo'));

    await router.navigate('/');
    await user.click((await screen.findAllByRole('button', { name: /Try the demo/ }))[0]!);
    const dialog = await screen.findByRole('dialog', { name: 'The demo project exists' });
    await user.click(within(dialog).getByRole('button', { name: 'Run it again' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/demo'));
    expect(registered()).toEqual(['demo']);
    expect(launched.map((l) => l.project)).toEqual(['demo', 'demo']);

    await router.navigate('/');
    await user.click((await screen.findAllByRole('button', { name: /Try the demo/ }))[0]!);
    await user.click(
      within(await screen.findByRole('dialog', { name: 'The demo project exists' })).getByRole('button', {
        name: 'A fresh copy…',
      }),
    );
    const confirm = await screen.findByRole('dialog', { name: 'Replace demo with a fresh copy?' });
    expect(confirm.textContent).toContain('deleted');
    expect(launched).toHaveLength(2);
    await user.click(within(confirm).getByRole('button', { name: 'Replace it' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/demo'));
    expect(registered()).toEqual(['demo']);
    expect(launched).toHaveLength(3);
  });
});

describe('the New project dialog', () => {
  it('checks the spec as it is typed, shows the name’s and the spec’s problems together, and inserts the template', async () => {
    await start();
    const user = userEvent.setup();
    const { router } = renderWithApp(<NewProjectDialog onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
    });
    await user.type(screen.getByLabelText('Name'), 'My App');
    // As typed, before any Create.
    expect(await screen.findByText(/lowercase letters/, { selector: '[role=alert]' })).toBeTruthy();
    await user.type(screen.getByLabelText(/App spec/), 'just some words, not a spec');
    const problems = await screen.findByText(/The app spec has \d+ problem/);
    expect(problems.parentElement?.textContent).toMatch(/line \d+:/);
    // Both at once, also after Create, and nothing is registered.
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    await waitFor(() => expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(/The app spec has \d+ problem/)).toBeTruthy();
    expect(screen.getByText(/lowercase letters/, { selector: '[role=alert]' })).toBeTruthy();
    expect(registered()).toEqual([]);

    const insert = screen.getByRole('button', { name: 'Insert template' });
    expect(insert).toHaveProperty('disabled', true);
    await user.clear(screen.getByLabelText(/App spec/));
    await waitFor(() => expect(insert).toHaveProperty('disabled', false));
    await user.click(insert);
    await waitFor(() =>
      expect((screen.getByLabelText(/App spec/) as HTMLTextAreaElement).value).toContain('<project_specification>'),
    );
    expect(await screen.findByText(/^Valid spec/)).toBeTruthy();
    expect(screen.queryByText(/The app spec has \d+ problem/)).toBeNull();
    const template = (screen.getByLabelText(/App spec/) as HTMLTextAreaElement).value;

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'my-app');
    expect(screen.queryByText(/lowercase letters/, { selector: '[role=alert]' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create project' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/my-app'));
    expect(registered()).toEqual(['my-app']);
    expect(readFileSync(projectPaths(`${ui.tmp.dir}/projects/my-app`).spec, 'utf8')).toBe(template);
  });
});

describe('the global Settings page', () => {
  it('holds the provider and the models for all projects: the general model saved there is what a project’s Start checks', async () => {
    await start();
    seedProject(ui, 'shop', { count: 1 });
    const user = userEvent.setup();
    renderWithApp(<GlobalSettingsPage />, { apiBase: ui.url, token: ui.token });
    expect(await screen.findByRole('heading', { name: 'Model provider and models' })).toBeTruthy();
    await user.type(await screen.findByLabelText('General model (all projects)'), DEMO_MODEL);
    expect(screen.getByLabelText('Anthropic API key')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save provider and models' }));
    await waitFor(async () => {
      const saved = (await (await fetch(`${ui.url}/api/settings`, { headers: ui.auth })).json()) as {
        defaultModel?: string;
      };
      expect(saved.defaultModel).toBe(DEMO_MODEL);
    });
    const setup = (await (await fetch(`${ui.url}/api/projects/shop/setup`, { headers: ui.auth })).json()) as {
      ready: boolean;
      model: string | null;
    };
    expect(setup).toMatchObject({ ready: true, model: DEMO_MODEL });
  });
});
