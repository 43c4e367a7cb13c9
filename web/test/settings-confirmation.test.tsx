// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRegistry } from '../../src/compose.js';
import { ProjectSettingsSchema, SettingsChangesResponseSchema } from '../../src/shared/api.js';
import { ProjectSettingsPage } from '../src/features/settings/ProjectSettingsPage';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

/**
 * Issue #14, item 1: the settings form asks before sending a change that widens what agents
 * may do, naming exactly what widens and why; nothing reaches the server until the user agrees.
 */
describe('settings that widen what agents may do, against the real server', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
    seedProject(ui, 'shop', { count: 1 });
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  const stored = async () =>
    ProjectSettingsSchema.parse(
      await (await fetch(`${ui.url}/api/projects/shop/settings`, { headers: ui.auth })).json(),
    );
  const recorded = async () =>
    SettingsChangesResponseSchema.parse(
      await (await fetch(`${ui.url}/api/settings/changes`, { headers: ui.auth })).json(),
    ).changes;

  it('names each widening change and why in a dialog; Cancel sends nothing, Apply saves them with confirm', async () => {
    const user = userEvent.setup();
    renderWithApp(<ProjectSettingsPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const form = within((await screen.findByRole('button', { name: 'Save settings' })).closest('form')!);
    await user.selectOptions(form.getByLabelText('OS sandbox'), 'off');
    await user.type(form.getByLabelText('Extra commands agents may run'), 'cargo');
    await user.click(form.getByRole('button', { name: 'Save settings' }));

    const dialog = await screen.findByRole('dialog', { name: 'Let agents do more?' });
    const items = within(within(dialog).getByRole('list', { name: 'Changes to confirm' })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^Extra commands agents may run: none → cargo.*agents may run cargo in this project/),
      expect.stringMatching(/^OS sandbox: unset → "off".*without the OS sandbox/),
    ]);

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await stored()).toEqual({ extraCommands: [] });
    expect(await recorded()).toEqual([]);

    await user.click(form.getByRole('button', { name: 'Save settings' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Apply these changes' }));
    await waitFor(async () =>
      expect(await stored()).toMatchObject({ extraCommands: ['cargo'], defaultSandbox: 'off' }),
    );
    expect((await recorded()).map((c) => [c.project, c.key, c.new])).toEqual([
      ['shop', 'defaultSandbox', 'off'],
      ['shop', 'extraCommands', ['cargo']],
    ]);
  });

  it('saves a change that widens nothing without asking', async () => {
    const user = userEvent.setup();
    renderWithApp(<ProjectSettingsPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const form = within((await screen.findByRole('button', { name: 'Save settings' })).closest('form')!);
    await user.selectOptions(form.getByLabelText('OS sandbox'), 'on');
    await user.click(form.getByRole('button', { name: 'Save settings' }));
    await waitFor(async () => expect(await stored()).toMatchObject({ defaultSandbox: 'on' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it("asks with the server's list when the server saw a widening the page did not (changed elsewhere meanwhile)", async () => {
    const user = userEvent.setup();
    // The page loads with YOLO on; then someone turns it off behind its back.
    const reg = openRegistry(ui.env);
    try {
      reg.registry.setProjectSetting('shop', 'ui.yolo', 'true');
    } finally {
      reg.close();
    }
    renderWithApp(<ProjectSettingsPage />, { apiBase: ui.url, token: ui.token, project: 'shop' });
    const form = within((await screen.findByRole('button', { name: 'Save settings' })).closest('form')!);
    expect(await form.findByRole('checkbox', { name: /YOLO by default/, checked: true })).toBeTruthy();
    const reg2 = openRegistry(ui.env);
    try {
      reg2.registry.setProjectSetting('shop', 'ui.yolo', 'false');
    } finally {
      reg2.close();
    }
    await user.click(form.getByRole('button', { name: 'Save settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Let agents do more?' });
    expect(dialog.textContent).toContain('YOLO: false → true');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Apply this change' }));
    await waitFor(async () => expect(await stored()).toMatchObject({ yolo: true }));
  });
});
