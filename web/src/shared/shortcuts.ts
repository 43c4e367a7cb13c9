import { useEffect } from 'react';

export interface Shortcut {
  readonly keys: string;
  readonly description: string;
}

/**
 * A project's tabs in the order they are shown (and tabbed through). Their number keys are their positions, so the
 * shortcuts follow the tab order: a new tab gets the next number where it is inserted, and none can drift.
 */
export const PROJECT_TABS = [
  { to: '', label: 'Mission control', description: 'Mission control' },
  { to: 'board', label: 'Board', description: 'Board' },
  { to: 'graph', label: 'Graph', description: 'Dependency graph' },
  { to: 'inbox', label: 'Inbox', description: 'Inbox (questions agents asked you)' },
  { to: 'metrics', label: 'Metrics', description: 'Metrics (progress, cost, ROI)' },
  { to: 'checkpoints', label: 'Checkpoints', description: 'Checkpoints (reviews and their findings)' },
  { to: 'design', label: 'Design', description: 'Design (screenshots, personas’ findings and votes)' },
  { to: 'settings', label: 'Settings', description: 'Project settings' },
].map((t, i) => ({ ...t, key: String(i + 1) }));

/** Every shortcut, for the help overlay (the handlers live where they act). */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', description: 'Show or hide this help' },
  { keys: 'g then p', description: 'Go to projects' },
  ...PROJECT_TABS.map((t) => ({ keys: t.key, description: t.description })),
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
