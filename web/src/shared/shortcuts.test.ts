import { describe, expect, it } from 'vitest';
import { PROJECT_TABS, SHORTCUTS } from './shortcuts';

describe('the number shortcuts', () => {
  it('are the project tabs’ positions, in the order the tabs are shown', () => {
    expect(PROJECT_TABS.map((t) => t.key)).toEqual(PROJECT_TABS.map((_, i) => String(i + 1)));
    expect(PROJECT_TABS.map((t) => t.label)).toEqual([
      'Mission control',
      'Board',
      'Graph',
      'Inbox',
      'Metrics',
      'Checkpoints',
      'Design',
      'Settings',
    ]);
  });

  it('are listed in the help in tab order, each with its tab’s description', () => {
    const numbered = SHORTCUTS.filter((s) => /^\d$/.test(s.keys));
    expect(numbered).toEqual(PROJECT_TABS.map((t) => ({ keys: t.key, description: t.description })));
    // One key, one action.
    expect(new Set(SHORTCUTS.map((s) => s.keys)).size).toBe(SHORTCUTS.length);
  });
});
