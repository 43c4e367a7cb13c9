// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  captureTokenFromLocation,
  isTokenRejected,
  markTokenRejected,
  serverToken,
  setServerToken,
  subscribeTokenState,
} from './token';

const TOKEN = '0123456789abcdef'.repeat(4);

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  history.replaceState(null, '', '/');
  setServerToken(null);
});
afterEach(() => setServerToken(null));

describe('the server token in the page', () => {
  it('takes #token= from the address, keeps it for the tab (sessionStorage, not localStorage) and removes it from the address bar', () => {
    history.replaceState({ idx: 3 }, '', `/projects/demo/board?feature=2#token=${TOKEN}`);
    expect(captureTokenFromLocation()).toBe(true);
    expect(serverToken()).toBe(TOKEN);
    expect(sessionStorage.getItem('autocoder.token')).toBe(TOKEN);
    expect(localStorage.length).toBe(0);
    expect(window.location.href).toBe('http://localhost:3000/projects/demo/board?feature=2');
    expect(window.location.href).not.toContain(TOKEN);
    // The router's history entry stays what it was.
    expect(history.state).toEqual({ idx: 3 });
  });

  it('keeps other fragment parameters and drops a malformed token without keeping it', () => {
    history.replaceState(null, '', '/#token=not-a-token&tab=log');
    expect(captureTokenFromLocation()).toBe(false);
    expect(serverToken()).toBeNull();
    expect(window.location.hash).toBe('#tab=log');
  });

  it('leaves the address alone when there is no token in it', () => {
    history.replaceState(null, '', '/projects#section');
    expect(captureTokenFromLocation()).toBe(false);
    expect(window.location.hash).toBe('#section');
  });

  it('forgets a token an older version left in localStorage (shared by every tab, never expiring)', () => {
    localStorage.setItem('autocoder.token', TOKEN);
    captureTokenFromLocation();
    expect(localStorage.getItem('autocoder.token')).toBeNull();
    expect(serverToken()).toBeNull();
  });

  it('a 401 marks the token rejected and tells the app; a new token clears it', () => {
    let calls = 0;
    const unsubscribe = subscribeTokenState(() => calls++);
    expect(isTokenRejected()).toBe(false);
    markTokenRejected();
    markTokenRejected();
    expect(isTokenRejected()).toBe(true);
    expect(calls).toBe(1);
    setServerToken(TOKEN);
    expect(isTokenRejected()).toBe(false);
    expect(serverToken()).toBe(TOKEN);
    unsubscribe();
  });
});
