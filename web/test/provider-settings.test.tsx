// @vitest-environment jsdom
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderSettings } from '../src/features/settings/ProviderSettings';
import { startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

const TOKEN = 'tok-web-settings-0123456789';

describe('provider settings against the real server', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('saves provider, base URL, token and role models; the token shows only as set', async () => {
    const user = userEvent.setup();
    const { container } = renderWithApp(<ProviderSettings />, { apiBase: ui.url, token: ui.token });
    await user.selectOptions(await screen.findByLabelText('Provider'), 'compatible');
    expect(screen.getByLabelText('Auth token')).toHaveProperty('type', 'password');
    expect(screen.getByText(/Currently not set/)).toBeTruthy();
    await user.type(screen.getByLabelText('Base URL'), 'not a url');
    await user.type(screen.getByLabelText('Auth token'), TOKEN);
    await user.type(screen.getByLabelText('Coding model'), 'glm-4.6');
    await user.click(screen.getByRole('button', { name: 'Save provider and models' }));
    expect(await screen.findByText(/http:\/\/ or https:\/\/ URL/)).toBeTruthy();

    await user.clear(screen.getByLabelText('Base URL'));
    await user.type(screen.getByLabelText('Base URL'), 'http://127.0.0.1:4000');
    await user.click(screen.getByRole('button', { name: 'Save provider and models' }));
    // A base URL is where sessions send the credentials and the code: the page asks first.
    const dialog = await screen.findByRole('dialog', { name: 'Let agents do more?' });
    expect(dialog.textContent).toContain('Model base URL: unset → "http://127.0.0.1:4000"');
    await user.click(screen.getByRole('button', { name: 'Apply this change' }));
    await waitFor(() => expect(screen.getByText(/Currently set\./)).toBeTruthy());
    expect((screen.getByLabelText('Auth token') as HTMLInputElement).value).toBe('');
    expect(container.innerHTML).not.toContain(TOKEN);
    expect((screen.getByLabelText('Coding model') as HTMLInputElement).value).toBe('glm-4.6');

    const res = await fetch(`${ui.url}/api/settings`, { headers: { accept: 'application/json', ...ui.auth } });
    const text = await res.text();
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toMatchObject({
      provider: 'compatible',
      baseUrl: 'http://127.0.0.1:4000',
      'model.coding': 'glm-4.6',
      secrets: { authToken: true, apiKey: false },
    });
    expect(statSync(join(ui.env.AUTOCODER_HOME as string, 'secrets.env')).mode & 0o777).toBe(0o600);

    await user.click(screen.getByLabelText('Remove'));
    await user.click(screen.getByRole('button', { name: 'Save provider and models' }));
    await waitFor(() => expect(screen.getByText(/Currently not set/)).toBeTruthy());
  });
});
