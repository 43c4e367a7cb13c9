// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { hostname } from 'node:os';
import { useMemo } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import type { ProjectStore } from '../../src/db/ports.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { MissionControl } from '../src/features/agents/MissionControl';
import { RunControls } from '../src/features/agents/RunControls';
import { ProjectsPage } from '../src/features/projects/ProjectsPage';
import { ProjectContext } from '../src/shared/project-context';
import { nodeSocket } from './node-socket';
import { useProjectStream } from '../src/shared/ws/useProjectStream';
import { renderWithApp } from './render';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 60_000 });

/** The run controls and mission control on the project's live stream, as the project page composes them. */
function LiveProject({ project, ui }: { project: string; ui: UiServer }) {
  const createSocket = useMemo(() => nodeSocket(ui.url), [ui.url]);
  const stream = useProjectStream(project, { createSocket, origin: ui.url.replace(/^http/, 'ws') });
  const value = useMemo(
    () => ({ name: project, stream, recentlyPassed: new Set<number>(), openFeature: () => undefined }),
    [project, stream],
  );
  return (
    <ProjectContext.Provider value={value}>
      <RunControls />
      <MissionControl />
    </ProjectContext.Provider>
  );
}

describe('the run state and its outcome against the real server', () => {
  let ui: UiServer;
  let dir: string;
  let launched: string[];
  beforeEach(async () => {
    launched = [];
    // The launcher is replaced: the test plays the runner, recording the run as `autocoder run` does.
    ui = await startUiServer({
      launchRunner: (project) => {
        launched.push(project.name);
        return { pid: -1 };
      },
      // A real model run needs credentials: without them the dialog offers the demo model instead of Start.
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789' },
    });
    dir = seedProject(ui, 'shop', { count: 3 }).dir;
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  const withStore = <T,>(fn: (store: ProjectStore) => T): T => {
    const store = openProjectStore(projectPaths(dir));
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  const badge = () => screen.getByTestId('run-state');

  it('a run started from the Start dialog shows Starting…, then Running as soon as the runner records itself, then how it ended', async () => {
    const user = userEvent.setup();
    renderWithApp(<LiveProject project="shop" ui={ui} />, { apiBase: ui.url, token: ui.token });
    await screen.findByRole('region', { name: 'Mission control' });
    expect(badge().dataset['state']).toBe('stopped');
    expect(screen.queryByTestId('run-outcome')).toBeNull();

    await user.click(screen.getByRole('button', { name: '▶ Start agents' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(badge().dataset['state']).toBe('starting'));
    expect(launched).toEqual(['shop']);
    expect(badge().textContent).toBe('Starting…');

    // The runner records itself `running` (never `starting`): the badge follows the server from here on.
    withStore((store) =>
      store.runs.start({
        id: 'run_1',
        pid: process.pid,
        host: hostname(),
        incarnation: 'i',
        settings: { concurrency: 1 },
      }),
    );
    await waitFor(() => expect(badge().dataset['state']).toBe('running'));
    expect(badge().textContent).toBe('Running');

    withStore((store) => {
      store.sessions.start({
        id: 's1',
        runId: 'run_1',
        slot: 0,
        role: 'coding',
        featureIds: [],
        model: null,
        transcriptPath: '/t',
      });
      store.sessions.end('s1', {
        status: 'succeeded',
        outcome: 'success',
        usage: { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0.42 },
        error: null,
      });
      store.runs.end('run_1', 'finished', 'All 3 features pass.', {
        outcome: 'finished',
        counts: { passing: 3, total: 3 },
      });
    });
    await waitFor(() => expect(badge().dataset['state']).toBe('stopped'));
    // The badge says how it ended, not just "Stopped".
    expect(badge().dataset['outcome']).toBe('finished');
    expect(badge().textContent).toBe('Finished');
    const banner = await screen.findByTestId('run-outcome');
    expect(banner.dataset['outcome']).toBe('finished');
    expect(within(banner).getByRole('heading').textContent).toBe('Last run: Finished: every feature passes');
    expect(banner.textContent).toContain('All 3 features pass.');
    expect(within(banner).getByTestId('run-outcome-facts').textContent).toMatch(
      /^\d+s · 3\/3 features passing · \$0\.42 · ended /,
    );
    expect(within(banner).getByTestId('run-outcome-next').textContent).toBe(
      'Open the built app with autocoder preview shop: it starts the app from main on a preview port.',
    );
    expect(within(banner).getByText('autocoder preview shop').tagName).toBe('CODE');
  });

  it('the outcome comes from the server, so a fresh page shows it: an initializer that created nothing says so and what to do', async () => {
    withStore((store) => {
      store.runs.start({ id: 'run_1', pid: process.pid, host: hostname(), incarnation: 'i', settings: {} });
      store.runs.end('run_1', 'failed', 'The initializer session ended (success) without creating any features.', {
        outcome: 'no_features',
        counts: { passing: 0, total: 0 },
      });
    });
    renderWithApp(<LiveProject project="shop" ui={ui} />, { apiBase: ui.url, token: ui.token });
    const banner = await screen.findByTestId('run-outcome');
    expect(banner.dataset['outcome']).toBe('no_features');
    expect(within(banner).getByRole('heading').textContent).toBe('Last run: The initializer created no features');
    expect(within(banner).getByTestId('run-outcome-next').textContent).toMatch(
      /Check the app spec in Settings and read the initializer’s log under All activity/,
    );
    expect(badge().dataset['state']).toBe('stopped');
    expect(badge().textContent).toBe('No features');
  });

  it('the project card shows the run state, then the last outcome, the cost and the last activity', async () => {
    withStore((store) =>
      store.runs.start({ id: 'run_1', pid: process.pid, host: hostname(), incarnation: 'i', settings: {} }),
    );
    const view = renderWithApp(<ProjectsPage />, { apiBase: ui.url, token: ui.token });
    const card = await screen.findByTestId('project-shop');
    await waitFor(() => expect(within(card).getByTestId('project-run-state').textContent).toBe('● Running'));

    withStore((store) => {
      store.runs.end('run_1', 'finished', 'Stopped.', {
        stopped: true,
        outcome: 'stopped',
        counts: { passing: 1, total: 3 },
      });
    });
    await view.client.invalidateQueries();
    await waitFor(() => expect(within(card).getByTestId('project-run-state').textContent).toBe('Last run: Stopped'));
    expect(within(card).getByTestId('project-run').textContent).toMatch(/Cost \$0\.00 · last activity just now/);
  });
});
