/**
 * The server token, which every API request and WebSocket needs (loopback included: agents
 * run on this machine). It arrives in the URL fragment (`#token=…`, in the link `autocoder
 * serve` prints at every start; a fragment is never sent to a server), is kept in
 * sessionStorage — for this tab only, gone when the tab closes — and removed from the address
 * bar, so it is not in the history or a copied link.
 */
const KEY = 'autocoder.token';
const TOKEN = /^[0-9a-f]{32,128}$/i;

/** Whether `value` looks like a server token (what the prompt accepts). */
export function isServerToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * Takes `#token=…` from the address, keeps it for the tab and drops it from the address bar
 * (other fragment parameters stay). Returns whether a token was taken.
 */
export function captureTokenFromLocation(): boolean {
  // Older versions kept the token in localStorage, shared by every tab and never expiring.
  localStorage.removeItem(KEY);
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token === null) return false;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  if (!isServerToken(token)) return false;
  sessionStorage.setItem(KEY, token);
  tokenRejected = false;
  return true;
}

export function serverToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setServerToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  tokenRejected = false;
  notify();
}

// The server answered 401: the app shows the token prompt instead of the page.
let tokenRejected = false;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

/** Called by the API client on a 401. */
export function markTokenRejected(): void {
  if (tokenRejected) return;
  tokenRejected = true;
  notify();
}

export function isTokenRejected(): boolean {
  return tokenRejected;
}

/** For useSyncExternalStore. */
export function subscribeTokenState(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
