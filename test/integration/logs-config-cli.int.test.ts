import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { globalRunDefaults } from '../../src/cli/commands/config.js';
import { projectPaths } from '../../src/config/paths.js';
import type { NewEvent } from '../../src/db/ports.js';
import { openProjectStore } from '../../src/db/stores.js';
import { cli, startCli } from '../support/cli-process.js';
import { waitFor } from '../support/wait-for.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let env: NodeJS.ProcessEnv;
let appDir: string;

function append(...events: NewEvent[]): void {
  const store = openProjectStore(projectPaths(appDir), { create: false });
  try {
    store.events.appendAll(events);
  } finally {
    store.close();
  }
}

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-logs-config-'));
  env = { PATH: process.env.PATH, HOME: root, AUTOCODER_HOME: join(root, 'home') };
  appDir = join(root, 'app');
  expect(cli(['new', 'app', '--dir', appDir], env).status).toBe(0);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('autocoder logs', () => {
  beforeEach(() => {
    append(
      {
        type: 'session.started',
        at: AT,
        sessionId: 's1',
        slot: 0,
        featureId: 1,
        payload: { role: 'coding', model: null, featureIds: [1] },
      },
      {
        type: 'session.log',
        at: AT + 1,
        sessionId: 's1',
        slot: 0,
        featureId: 1,
        payload: { kind: 'text', text: 'planning the login form' },
      },
      {
        type: 'session.log',
        at: AT + 2,
        sessionId: 's1',
        slot: 0,
        featureId: 1,
        payload: { kind: 'tool_call', tool: 'Bash', input: 'npm test' },
      },
      {
        type: 'session.log',
        at: AT + 3,
        sessionId: 's2',
        slot: 1,
        featureId: 2,
        payload: { kind: 'tool_result', text: 'boom', isError: true },
      },
      {
        type: 'session.log',
        at: AT + 4,
        sessionId: 's2',
        slot: 1,
        featureId: 2,
        payload: { kind: 'retry', attempt: 2, status: 529, error: 'overloaded' },
      },
    );
  });

  it('prints one line per event with time, type, slot, feature and the log text', () => {
    const res = cli(['logs', 'app'], env);
    expect(res.status).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    const mine = lines.filter((l) => l.includes('session.'));
    expect(mine).toHaveLength(5);
    expect(mine[0]).toBe(
      '2026-01-02T03:04:05.000Z  session.started   slot 0  #1  {"role":"coding","model":null,"featureIds":[1]}',
    );
    expect(mine[1]).toContain('planning the login form');
    expect(mine[2]).toMatch(/slot 0\s+#1\s+→ Bash npm test$/);
    expect(mine[3]).toMatch(/slot 1\s+#2\s+← error: boom$/);
    expect(mine[4]).toContain('retry 2 (529): overloaded');
  });

  it('prints tool calls as one readable line and results folded; --json keeps the raw events', () => {
    const write = JSON.stringify({ file_path: 'src/features/add.js', content: 'line\n'.repeat(12) });
    const log = (at: number, payload: Record<string, unknown>): NewEvent =>
      ({ type: 'session.log', at, sessionId: 's3', slot: 2, featureId: 3, payload }) as NewEvent;
    append(
      log(AT + 10, { kind: 'tool_call', tool: 'Write', input: write }),
      log(AT + 11, { kind: 'tool_call', tool: 'Bash', input: JSON.stringify({ command: 'git commit -m "add"' }) }),
      log(AT + 12, { kind: 'tool_result', isError: false, text: 'PASS add\nPASS sum\n2 tests passed' }),
      log(AT + 13, { kind: 'tool_call', tool: 'mcp__features__feature_mark_passing', input: '{"feature_id":3}' }),
    );
    const res = cli(['logs', 'app', '--session', 's3'], env);
    expect(res.status).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ {2}session\.log {7}slot 2 {2}#3 {2}/, ''))).toEqual([
      '→ Write src/features/add.js (+12 lines)',
      '→ Bash git commit -m "add"',
      '← PASS add (+2 more lines)',
      '→ Marks feature #3 passing',
    ]);
    expect(res.stdout).not.toContain('file_path');
    const raw = cli(['logs', 'app', '--session', 's3', '--json'], env);
    expect(raw.status).toBe(0);
    const payloads = raw.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { payload: Record<string, unknown> }).payload);
    expect(payloads[0]).toEqual({ kind: 'tool_call', tool: 'Write', input: write });
    expect(payloads[2]).toEqual({ kind: 'tool_result', isError: false, text: 'PASS add\nPASS sum\n2 tests passed' });
    expect(payloads[3]).toEqual({
      kind: 'tool_call',
      tool: 'mcp__features__feature_mark_passing',
      input: '{"feature_id":3}',
    });
  });

  it('filters by slot, session and since, and prints JSON lines', () => {
    const bySlot = cli(['logs', 'app', '--slot', '1'], env);
    expect(bySlot.stdout.trimEnd().split('\n')).toHaveLength(2);
    const bySession = cli(['logs', 'app', '--session', 's1', '--json'], env);
    expect(bySession.status).toBe(0);
    const events = bySession.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; type: string; sessionId: string; payload: Record<string, unknown> });
    expect(events.map((e) => e.type)).toEqual(['session.started', 'session.log', 'session.log']);
    expect(events.every((e) => e.sessionId === 's1')).toBe(true);
    expect(events[1]!.payload).toEqual({ kind: 'text', text: 'planning the login form' });
    const since = cli(['logs', 'app', '--session', 's1', '--since', String(events[1]!.id), '--json'], env);
    expect(
      since.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: number }).id),
    ).toEqual([events[2]!.id]);
  });

  it('refuses a bad --slot with exit 2 and an unknown project with exit 3', () => {
    expect(cli(['logs', 'app', '--slot', 'x'], env).status).toBe(2);
    expect(cli(['logs', 'nope'], env).status).toBe(3);
  });

  it('--follow prints events appended later until interrupted', async () => {
    const running = startCli(['logs', 'app', '--follow', '--session', 's3'], env);
    try {
      append({
        type: 'session.log',
        at: AT + 10,
        sessionId: 's3',
        slot: 2,
        featureId: 3,
        payload: { kind: 'text', text: 'first live line' },
      });
      await waitFor(() => running.output().includes('first live line'), 20_000, 'the first followed event');
      append(
        {
          type: 'session.log',
          at: AT + 11,
          sessionId: 'other',
          slot: 0,
          payload: { kind: 'text', text: 'filtered out' },
        },
        {
          type: 'session.log',
          at: AT + 12,
          sessionId: 's3',
          slot: 2,
          featureId: 3,
          payload: { kind: 'text', text: 'second live line' },
        },
      );
      await waitFor(() => running.output().includes('second live line'), 20_000, 'the second followed event');
      expect(running.output()).not.toContain('filtered out');
    } finally {
      running.child.kill('SIGINT');
    }
    const exit = await running.exited;
    expect(exit.code).toBe(0);
  });
});

describe('autocoder config', () => {
  it('sets, gets, lists and unsets known keys, parsing values by type', () => {
    expect(cli(['config', 'set', 'defaultConcurrency', '3'], env).status).toBe(0);
    expect(cli(['config', 'set', 'yolo', 'true'], env).status).toBe(0);
    expect(cli(['config', 'set', 'defaultSandbox', 'off'], env).status).toBe(0);
    expect(cli(['config', 'set', 'defaultModel', 'claude-opus-4-5'], env).status).toBe(0);
    expect(cli(['config', 'get', 'yolo'], env).stdout).toBe('true\n');
    expect(cli(['config', 'get', 'defaultModel'], env).stdout).toBe('claude-opus-4-5\n');
    expect(JSON.parse(cli(['config', 'list', '--json'], env).stdout)).toEqual({
      settings: { defaultModel: 'claude-opus-4-5', defaultConcurrency: 3, defaultSandbox: 'off', yolo: true },
      secrets: { authToken: false, apiKey: false },
    });
    const text = cli(['config', 'list'], env).stdout;
    expect(text).toMatch(/defaultConcurrency\s+3\s+\[integer 1-5\]/);

    expect(cli(['config', 'unset', 'yolo'], env).status).toBe(0);
    expect(JSON.parse(cli(['config', 'get', 'yolo', '--json'], env).stdout)).toEqual({ key: 'yolo', value: null });
    expect(cli(['config', 'get', 'yolo'], env).stdout).toBe('');
    expect(cli(['config', 'unset', 'yolo'], env).stdout).toContain('was not set');
  }, 90_000);

  it('refuses unknown keys and bad values with exit 2, naming what is valid', () => {
    const unknown = cli(['config', 'set', 'colour', 'blue'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('defaultModel');
    expect(unknown.stderr).toContain('defaultSandbox (auto|on|off)');
    expect(cli(['config', 'get', 'colour'], env).status).toBe(2);
    expect(cli(['config', 'unset', 'colour'], env).status).toBe(2);

    const range = cli(['config', 'set', 'defaultConcurrency', '9'], env);
    expect(range.status).toBe(2);
    expect(range.stderr).toContain('integer 1-5');
    expect(cli(['config', 'set', 'defaultConcurrency', 'two'], env).status).toBe(2);
    const bool = cli(['config', 'set', 'yolo', 'yes'], env);
    expect(bool.status).toBe(2);
    expect(bool.stderr).toContain('true|false');
    const choice = cli(['config', 'set', 'defaultSandbox', 'maybe'], env);
    expect(choice.status).toBe(2);
    expect(choice.stderr).toContain('auto|on|off');
    expect(JSON.parse(cli(['config', 'list', '--json'], env).stdout)).toEqual({
      settings: {},
      secrets: { authToken: false, apiKey: false },
    });
  }, 90_000);
});

describe('autocoder completion', () => {
  it('refuses an unknown shell with exit 2', () => {
    const res = cli(['completion', 'tcsh'], env);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('bash, zsh, fish');
  });
});

describe('run defaults from config', () => {
  it('globalRunDefaults reads what `config set` stored', () => {
    expect(cli(['config', 'set', 'defaultModel', 'reg-model'], env).status).toBe(0);
    expect(cli(['config', 'set', 'yolo', 'true'], env).status).toBe(0);
    expect(globalRunDefaults({ AUTOCODER_HOME: env.AUTOCODER_HOME })).toEqual({ model: 'reg-model', yolo: true });
  }, 60_000);
});
