import { useCallback, useEffect, useRef } from 'react';

/**
 * Gives the focus back when the feature drawer closes: to the feature's card when the page shows it (the board; the
 * card may have moved lanes meanwhile), else to whatever had the focus when the drawer was opened (a graph node, an
 * agent's card). Without it the focus falls to the top of the page and a keyboard user starts over.
 * `remember` is called as the drawer opens.
 */
export function useFocusReturn(openId: number | null): () => void {
  const opener = useRef<HTMLElement | null>(null);
  const shown = useRef<number | null>(null);
  useEffect(() => {
    if (openId !== null) {
      shown.current = openId;
      return;
    }
    const closed = shown.current;
    shown.current = null;
    if (closed === null) return;
    const card = document.querySelector<HTMLElement>(`[data-card-focus="${closed}"]`);
    const target = card ?? (opener.current?.isConnected ? opener.current : null);
    opener.current = null;
    target?.focus();
  }, [openId]);
  return useCallback(() => {
    const el = document.activeElement;
    opener.current = el instanceof HTMLElement && el !== document.body ? el : null;
  }, []);
}
