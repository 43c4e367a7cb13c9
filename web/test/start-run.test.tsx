// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunStartRequest } from '../../src/shared/runs.js';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { StartRunDialog } from '../src/features/agents/StartRunDialog';
import { renderWithApp } from './render';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

describe('the start-run dialog against the real server', () => {
  let ui: UiServer;
  let launched: { project: string; request: RunStartRequest }[];
  beforeEach(async () => {
    launched = [];
    // The server's launcher is replaced: the test sees what the start request asked for.
    ui = await startUiServer({
      launchRunner: (project, request) => {
        launched.push({ project: project.name, request });
        return { pid: -1 };
      },
      // A real model run needs credentials: without them the dialog offers the demo model instead of Start.
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-not-real-0123456789' },
    });
    seedProject(ui, 'shop', { count: 2 });
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('the Supervisor option is off by default, labelled with its hint, and sends supervisor: true when ticked', async () => {
    const user = userEvent.setup();
    let started = 0;
    let closed = 0;
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => started++} onClose={() => closed++} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });

    const box = screen.getByRole('checkbox', { name: 'Supervisor answers agents’ questions' });
    expect((box as HTMLInputElement).checked).toBe(false);
    const hint = document.getElementById(box.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toMatch(/development placeholders/);
    expect(hint?.textContent).toMatch(/reasoned choices/);
    expect(hint?.textContent).toMatch(/override/);

    await user.click(box);
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(closed).toBe(1));
    expect(started).toBe(1);
    expect(launched).toEqual([
      { project: 'shop', request: { concurrency: 1, yolo: false, testingRatio: 0, supervisor: true } },
    ]);
  });

  it('the verifier and the regression pass are sent when chosen; a bad number is refused at its field', async () => {
    const user = userEvent.setup();
    let closed = 0;
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => undefined} onClose={() => closed++} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    const box = screen.getByRole('checkbox', { name: 'Independent verifier reviews each landing' });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(document.getElementById(box.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/read-only/);
    const every = screen.getByRole('textbox', { name: /Regression pass every N landings/ });

    // 1001 is above the limit: the server's 400 names the field, the dialog shows it there, nothing starts.
    await user.type(every, '1001');
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(every.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(`${every.id}-err`);
    expect(error?.getAttribute('role')).toBe('alert');
    expect(error?.textContent).toMatch(/1000/);
    expect(launched).toEqual([]);

    await user.clear(every);
    await user.type(every, '2');
    await user.click(box);
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(closed).toBe(1));
    expect(launched).toEqual([
      {
        project: 'shop',
        request: { concurrency: 1, yolo: false, testingRatio: 0, verifier: true, regressionEvery: 2 },
      },
    ]);
  });

  it('a design review every N passing features is sent when given; a number over 1000 is refused at its field', async () => {
    const user = userEvent.setup();
    let closed = 0;
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => undefined} onClose={() => closed++} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    const every = screen.getByRole('textbox', { name: /Design review every N passing features/ });
    await user.type(every, '1001');
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(every.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(`${every.id}-err`)?.textContent).toMatch(/1000/);
    expect(launched).toEqual([]);
    await user.clear(every);
    await user.type(every, '3');
    await user.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(closed).toBe(1));
    expect(launched).toEqual([
      { project: 'shop', request: { concurrency: 1, yolo: false, testingRatio: 0, designReviewEvery: 3 } },
    ]);
  });

  it('without the option the request carries no supervisor flag', async () => {
    const user = userEvent.setup();
    let closed = 0;
    renderWithApp(<StartRunDialog defaults={null} onStarted={() => undefined} onClose={() => closed++} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'shop',
    });
    // Start waits for the setup check (credentials) to come back.
    const startButton = screen.getByRole('button', { name: 'Start' });
    await waitFor(() => expect(startButton).toHaveProperty('disabled', false));
    await user.click(startButton);
    await waitFor(() => expect(closed).toBe(1));
    expect(launched).toHaveLength(1);
    expect(launched[0]?.request).toEqual({ concurrency: 1, yolo: false, testingRatio: 0 });
  });
});
