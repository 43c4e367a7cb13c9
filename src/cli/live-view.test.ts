import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths } from '../config/paths.js';
import type { ProjectStore } from '../db/ports.js';
import { openProjectStore } from '../db/stores.js';
import { LiveView } from './live-view.js';

let dir: string;
let store: ProjectStore;
const NOW = 1_800_000_000_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-live-'));
  let clock = NOW - 60_000;
  store = openProjectStore(projectPaths(dir), { clock: { now: () => clock } });
  store.features.createBulk([
    { category: 'notes', name: 'Create a note', description: 'd', steps: ['s'] },
    { category: 'notes', name: 'List notes', description: 'd', steps: ['s'] },
  ]);
  store.runs.start({ id: 'run_1', pid: 1, host: 'h', incarnation: 'i', settings: {} });
  clock = NOW - 12_000;
  store.sessions.start({
    id: 'ses_1',
    runId: 'run_1',
    slot: 0,
    role: 'coding',
    featureIds: [2],
    model: 'm',
    transcriptPath: 't',
  });
  store.events.append({
    type: 'session.log',
    at: NOW,
    sessionId: 'ses_1',
    featureId: 2,
    slot: 0,
    payload: { kind: 'tool_call', tool: 'Bash', input: 'npm\n  test' },
  });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function terminal(isTTY: boolean, columns = 200) {
  const writes: string[] = [];
  return { out: { isTTY, columns, write: (t: string) => writes.push(t) }, writes };
}

describe('LiveView', () => {
  it('shows each running session with its feature, elapsed time and last action, then progress and cost', () => {
    const { out } = terminal(true);
    const lines = new LiveView(
      out,
      store,
      () => 'run_1',
      () => NOW,
    ).lines();
    expect(lines[0]).toMatch(/^ {2}slot 0 {2}coding +#2 List notes {2}12s {2}→ Bash npm test$/);
    expect(lines[1]).toBe('  0/2 passing (0%) · 0 in progress · 0 failed · 0 need input · $0.0000 · running');
  });

  it('redraws in place in a terminal and prints report lines above the block', () => {
    const { out, writes } = terminal(true);
    const view = new LiveView(
      out,
      store,
      () => 'run_1',
      () => NOW,
    );
    view.render();
    expect(writes.join('')).toContain('\u001b[2K  slot 0');
    writes.length = 0;
    view.report('Feature #1 is now passing.');
    const text = writes.join('');
    expect(text.startsWith('\u001b[2A')).toBe(true); // back over the 2-line block
    expect(text.indexOf('Feature #1 is now passing.\n')).toBeLessThan(text.lastIndexOf('slot 0'));
    writes.length = 0;
    view.clear();
    expect(writes.join('')).toBe('\u001b[2A\u001b[2K\n\u001b[2K\n\u001b[2A');
  });

  it('cuts lines to the terminal width', () => {
    const { out, writes } = terminal(true, 30);
    new LiveView(
      out,
      store,
      () => 'run_1',
      () => NOW,
    ).render();
    for (const line of writes
      .join('')
      .split('\n')
      .filter((l) => l.length > 0))
      expect(line.replace('\u001b[2K', '').length).toBeLessThanOrEqual(29);
  });

  it('prints plain lines and no live block when not in a terminal', () => {
    const { out, writes } = terminal(false);
    const view = new LiveView(
      out,
      store,
      () => 'run_1',
      () => NOW,
    );
    view.render();
    view.report('All 2 features pass.');
    view.clear();
    expect(writes).toEqual(['All 2 features pass.\n']);
  });
});
