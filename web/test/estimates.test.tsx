// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { refreshDurationEstimates } from '../../src/runner/duration-estimates.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { FeatureDrawer } from '../src/features/board/FeatureDrawer';
import { formatDuration } from '../src/shared/ui/format';
import { renderWithApp } from './render';

// A real server with a project database, rendered into jsdom.
vi.setConfig({ testTimeout: 30_000 });

describe("the feature drawer shows the runner's duration estimate", () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('none before a run estimated it; then the estimate and the path the claim order uses', async () => {
    const { dir } = seedProject(ui, 'shop', { count: 3 });
    const render = () =>
      renderWithApp(<FeatureDrawer featureId={1} onClose={() => undefined} />, {
        apiBase: ui.url,
        token: ui.token,
        project: 'shop',
      });
    render();
    expect(within(await screen.findByTestId('feature-drawer')).queryByText(/^est\./)).toBeNull();
    cleanup();

    const store = openProjectStore(projectPaths(dir));
    let expected: string;
    try {
      refreshDurationEstimates(store);
      const f = store.features.get(1);
      expect(f.pathMs).toBeGreaterThan(f.estimateMs);
      expected = `est. ${formatDuration(f.estimateMs)} · path ${formatDuration(f.pathMs)}`;
    } finally {
      store.close();
    }
    render();
    const drawer = await screen.findByTestId('feature-drawer');
    expect(within(drawer).getByText(expected).getAttribute('title')).toMatch(/finished sessions/);
  });
});
