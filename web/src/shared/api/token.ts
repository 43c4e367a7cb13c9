/**
 * The server token, needed only when the server is bound beyond loopback. It arrives once in
 * the URL fragment (`#token=…`, printed by `autocoder serve`), is kept in localStorage and
 * removed from the address bar so it is not shared with a copied link.
 */
const KEY = 'autocoder.token';

export function captureTokenFromLocation(): boolean {
  const match = /(?:^#|&)token=([0-9a-f]{16,128})/i.exec(window.location.hash);
  if (!match?.[1]) return false;
  localStorage.setItem(KEY, match[1]);
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return true;
}

export function serverToken(): string | null {
  return localStorage.getItem(KEY);
}

export function setServerToken(token: string | null): void {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
}
