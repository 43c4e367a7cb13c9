// @vitest-environment jsdom
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { TranscriptDialog } from '../src/features/board/TranscriptDialog';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

vi.setConfig({ testTimeout: 30_000 });

const AT = Date.UTC(2026, 0, 1, 12);
const CONTENT = 'export const add = (a, b) => a + b;\n'.repeat(12);

/** A session transcript as the runner writes it (one JSON object a line). */
const ENTRIES = [
  { at: AT, type: 'prompt', role: 'coding', prompt: 'You are the coding agent. Call feature_get_by_id first.' },
  { at: AT + 1, type: 'started', model: 'claude-sonnet-4-5', tools: ['Bash', 'Write'] },
  { at: AT + 2, type: 'text', text: 'I will write the add module.' },
  {
    at: AT + 3,
    type: 'tool_call',
    id: 't1',
    name: 'Write',
    input: { file_path: 'src/features/add.js', content: CONTENT },
  },
  {
    at: AT + 4,
    type: 'tool_result',
    id: 't1',
    isError: false,
    text: 'File created successfully at src/features/add.js',
  },
  { at: AT + 5, type: 'tool_call', id: 't2', name: 'Bash', input: { command: 'npm test' } },
  { at: AT + 6, type: 'tool_result', id: 't2', isError: false, text: 'PASS add\nPASS sum\n2 passed' },
  { at: AT + 7, type: 'tool_call', id: 't3', name: 'mcp__features__feature_mark_passing', input: { feature_id: 1 } },
  {
    at: AT + 8,
    type: 'tool_result',
    id: 't3',
    isError: true,
    text: 'Error: nothing committed. Commit, then call feature_mark_passing again.',
  },
  { at: AT + 9, type: 'finished', outcome: 'success', turns: 5, costUsd: 0.0421, durationMs: 31_000, error: null },
];

describe('the transcript view', () => {
  let ui: UiServer;
  beforeEach(async () => {
    ui = await startUiServer();
    const dir = seedProject(ui, 'talk', { count: 2 }).dir;
    const store = openProjectStore(projectPaths(dir));
    try {
      store.runs.start({ id: 'run_t', pid: process.pid, host: hostname(), incarnation: 'x', settings: {} });
      const path = join(store.paths.logs, 'ses_t.jsonl');
      mkdirSync(store.paths.logs, { recursive: true });
      writeFileSync(path, `${ENTRIES.map((e) => JSON.stringify(e)).join('\n')}\n`);
      store.sessions.start({
        id: 'ses_t',
        runId: 'run_t',
        slot: 0,
        role: 'coding',
        featureIds: [1],
        model: null,
        transcriptPath: path,
      });
    } finally {
      store.close();
    }
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  it('reads as a conversation: messages, one-line tool calls, results folded, the end; no JSON dump', async () => {
    renderWithApp(<TranscriptDialog sessionId="ses_t" onClose={() => undefined} />, {
      apiBase: ui.url,
      token: ui.token,
      project: 'talk',
    });
    const conversation = await screen.findByRole('list', { name: 'Conversation' });
    await within(conversation).findByText('I will write the add module.');
    const kinds = [...conversation.children].map((li) => li.getAttribute('data-kind'));
    expect(kinds).toEqual(['prompt', 'started', 'message', 'tool', 'tool', 'tool', 'finished']);
    const write = within(conversation).getByRole('button', { name: /Write src\/features\/add\.js \(\+12 lines\)/ });
    expect(within(conversation).getByRole('button', { name: /Bash npm test/ })).toBeTruthy();
    expect(within(conversation).getByRole('button', { name: /PASS add \(\+2 more lines\)/ })).toBeTruthy();
    expect(within(conversation).getByRole('button', { name: /Marks feature #1 passing/ })).toBeTruthy();
    expect(within(conversation).getByText('Session finished · 5 turns · 31 s · $0.0421')).toBeTruthy();
    // Folded: no raw JSON, no file content, no text written for the model until someone opens it.
    const page = document.body.textContent ?? '';
    expect(page).not.toMatch(/"type"|file_path|export const add|feature_mark_passing|feature_get_by_id|mcp__/);

    fireEvent.click(write);
    expect(within(conversation).getByText(/export const add = \(a, b\) => a \+ b;/)).toBeTruthy();
    const result = within(conversation).getByRole('button', { name: /refused/ });
    fireEvent.click(result);
    expect(within(conversation).getByText(/Commit, then call feature_mark_passing again\./)).toBeTruthy();
    fireEvent.click(within(conversation).getByRole('button', { name: /The coding agent’s instructions/ }));
    expect(within(conversation).getByText(/You are the coding agent\./)).toBeTruthy();
  });
});
