import { useEffect } from 'react';

export interface Shortcut {
  readonly keys: string;
  readonly description: string;
}

/** Every shortcut, for the help overlay (the handlers live where they act). */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', description: 'Show or hide this help' },
  { keys: 'g then p', description: 'Go to projects' },
  { keys: '1', description: 'Mission control' },
  { keys: '2', description: 'Board' },
  { keys: '3', description: 'Dependency graph' },
  { keys: '4', description: 'Project settings' },
  { keys: '5', description: 'Inbox (questions agents asked you)' },
  { keys: '6', description: 'Metrics (progress, cost, ROI)' },
  { keys: '7', description: 'Checkpoints (reviews and their findings)' },
  { keys: '8', description: 'Design (screenshots, personas’ findings and votes)' },
  { keys: 'n', description: 'New feature (on the board)' },
  { keys: 's', description: 'Start the agents' },
  { keys: 'p', description: 'Pause (drain) or resume' },
  { keys: 't', description: 'Toggle light / dark theme' },
  { keys: 'Esc', description: 'Close a dialog or drawer' },
];

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
    target.closest('dialog') !== null
  );
}

/** Single-key shortcuts, ignored while typing or inside a dialog. */
export function useShortcuts(handlers: Record<string, () => void>, enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    let pendingG = false;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || typingInto(e.target)) return;
      const key = pendingG ? `g ${e.key}` : e.key;
      pendingG = e.key === 'g' && !pendingG;
      const handler = handlers[key];
      if (handler) {
        e.preventDefault();
        handler();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handlers, enabled]);
}
