import { describe, expect, it } from 'vitest';
import {
  KEY_REFUSED,
  LOGIN_EXPIRED,
  NO_CREDIT,
  NOT_LOGGED_IN,
  namesClaudeCommand,
  translateClaudeError,
  translateClaudeMessage,
} from './claude-messages.js';

describe('translateClaudeMessage', () => {
  it.each([
    ['Not logged in · Please run /login', NOT_LOGGED_IN],
    ['Invalid API key · Please run /login', KEY_REFUSED],
    ['Invalid API key · Fix external API key', KEY_REFUSED],
    ['OAuth token revoked · Please run /login', KEY_REFUSED],
    [
      'API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}} · Please run /login',
      KEY_REFUSED,
    ],
    ['OAuth token has expired. Please obtain a new token or refresh your existing token.', LOGIN_EXPIRED],
    ['Credit balance is too low', NO_CREDIT],
  ])('turns Claude Code’s %j into autocoder’s guidance', (raw, expected) => {
    const text = translateClaudeMessage(raw);
    expect(text).toBe(expected);
    expect(namesClaudeCommand(text)).toBe(false);
    expect(text).not.toContain('/login');
  });

  it('the credentials guidance names autocoder’s Settings, the CLI command and the demo model', () => {
    expect(NOT_LOGGED_IN).toContain('Settings');
    expect(NOT_LOGGED_IN).toContain('autocoder config set apiKey');
    expect(NOT_LOGGED_IN).toContain('demo model');
  });

  it('replaces any other named command by where the same is done in autocoder', () => {
    const text = translateClaudeMessage('Model not available. Run /model to pick another one, or /config.');
    expect(text).toBe(
      'Model not available. Use the Model field of the Start dialog or autocoder’s Settings (`--model` in the CLI) to pick another one, or autocoder’s Settings (web UI: Settings; CLI: `autocoder config`).',
    );
    expect(namesClaudeCommand(text)).toBe(false);
  });

  it('leaves an app’s routes and other text alone', () => {
    for (const text of [
      'GET /login returned 500',
      'open http://localhost:3000/login and sign in',
      'src/config/model.ts: type error',
      'Claude Code ended without a result',
    ]) {
      expect(namesClaudeCommand(text)).toBe(false);
      expect(translateClaudeMessage(text)).toBe(text);
    }
  });

  it('translateClaudeError keeps null and undefined', () => {
    expect(translateClaudeError(null)).toBeNull();
    expect(translateClaudeError(undefined)).toBeUndefined();
    expect(translateClaudeError('Not logged in · Please run /login')).toBe(NOT_LOGGED_IN);
  });
});
