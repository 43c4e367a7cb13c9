import { describe, expect, it } from 'vitest';
import { needsToken } from './guards.js';
import { bearerToken, tokenMatches, uiLink } from './server-token.js';

const TOKEN = '0123456789abcdef'.repeat(4);

describe('tokenMatches (the one comparison of HTTP and WebSocket)', () => {
  it('accepts exactly the token', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
  });

  it('refuses a wrong token of the same length, a prefix, a longer one, an empty one and none', () => {
    expect(tokenMatches(TOKEN.replace(/f$/, 'e'), TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, 63), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}0`, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(null, TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
  });
});

describe('bearerToken', () => {
  it('reads "Bearer <token>" (any case, extra blanks) and nothing else', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer   ${TOKEN} `)).toBe(TOKEN);
    expect(bearerToken(TOKEN)).toBeNull();
    expect(bearerToken(`Basic ${TOKEN}`)).toBeNull();
    expect(bearerToken('Bearer ')).toBeNull();
    expect(bearerToken(`Bearer ${TOKEN} extra`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('needsToken', () => {
  it('leaves only GET /api/health and the static UI open', () => {
    expect(needsToken('GET', '/api/health')).toBe(false);
    expect(needsToken('HEAD', '/api/health')).toBe(false);
    expect(needsToken('GET', '/')).toBe(false);
    expect(needsToken('GET', '/projects/alpha/board')).toBe(false);
    expect(needsToken('POST', '/api/health')).toBe(true);
    expect(needsToken('GET', '/api/projects')).toBe(true);
    expect(needsToken('GET', '/api')).toBe(true);
    expect(needsToken('GET', '/ws/projects/alpha')).toBe(true);
    expect(needsToken('PUT', '/anything')).toBe(true);
  });
});

describe('uiLink', () => {
  it('puts the token in the fragment (never sent to the server, dropped by the page)', () => {
    expect(uiLink('http://127.0.0.1:8888', TOKEN)).toBe(`http://127.0.0.1:8888/#token=${TOKEN}`);
    expect(uiLink('http://127.0.0.1:8888/', TOKEN, '/projects/demo')).toBe(
      `http://127.0.0.1:8888/projects/demo#token=${TOKEN}`,
    );
  });
});
