// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/app/App';
import { setApiBase } from '../src/shared/api/client';
import { setServerToken } from '../src/shared/api/token';
import { startUiServer, type UiServer } from '../../test/support/ui-fixture.js';

// Each test starts a real server with a project database and renders into jsdom.
vi.setConfig({ testTimeout: 30_000 });

/** The fallback when the page has no token (or a stale one): a loopback server needs it too. */
describe('the token prompt, against the real server', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
    setApiBase(ui.url);
  });
  afterEach(async () => {
    cleanup();
    setServerToken(null);
    await ui.close();
  });

  it('without the token the app shows the prompt (saying where the token is), and takes only a well-formed token', async () => {
    const user = userEvent.setup();
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'This server needs its token' })).toBeTruthy();
    expect(document.body.textContent).toContain('autocoder serve');
    expect(document.body.textContent).toContain('$AUTOCODER_HOME/server-token');
    const submit = screen.getByRole('button', { name: 'Use this token' });
    await user.type(screen.getByLabelText('Server token'), 'not-a-token');
    expect(submit).toHaveProperty('disabled', true);
    await user.clear(screen.getByLabelText('Server token'));
    await user.type(screen.getByLabelText('Server token'), ui.token);
    expect(submit).toHaveProperty('disabled', false);
  });

  it('with the right token the app shows the projects', async () => {
    setServerToken(ui.token);
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Projects' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'This server needs its token' })).toBeNull();
  });
});
