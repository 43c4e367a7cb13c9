/**
 * Issue #14: what a session writes (the `session.log` events the WebSocket, the UI and
 * `autocoder logs` show, the JSONL transcript, the session's error) holds no piece of a secret,
 * whatever its form or where a cut falls. Through the real session runner on a real project
 * database, with a scripted runtime printing the secrets.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentRuntime, AgentSpec } from '../../src/agent/runtime.js';
import { ZERO_USAGE } from '../../src/agent/runtime.js';
import { LOG_LINE_LIMIT, runRecordedSession } from '../../src/runner/session-runner.js';
import { combineRedactors, createRedactor, MASK } from '../../src/security/redactor.js';
import { openTempProject, type TempProject } from '../support/tmp.js';

const KEY = 'sk-ant-api03-Pl5Ok8Ij2Uh6Yg9Tf3Rd7Es1Wa4Qz0Xc-Vb_Nm8Lk5Jh2Gf9Ds6Ap3Oi0Uy7Tr4Ew1Qa9Zs6Xd3CfAA';
const PASSWORD = 'db-pass-Hx93!q';

/** Any 8 consecutive characters of a secret (past the key's shared `sk-ant-api03-` prefix) found in `text`. */
function leakedPiece(text: string): string | null {
  for (const secret of [KEY.slice(13), PASSWORD]) {
    for (let i = 0; i + 8 <= secret.length; i++)
      if (text.includes(secret.slice(i, i + 8))) return secret.slice(i, i + 8);
  }
  return null;
}

/** A runtime that plays back `events` (the port the runner talks to; the Claude one is tested end to end elsewhere). */
function scriptedRuntime(events: readonly AgentEvent[]): AgentRuntime {
  return {
    async *run() {
      yield* events;
    },
  };
}

const spec: AgentSpec = {
  role: 'coding',
  prompt: 'implement feature 1',
  systemPrompt: 'you are a coding agent',
  cwd: '/nowhere',
  model: undefined,
  builtinTools: [],
  mcpServerName: 'features',
  mcpTools: [],
  guard: () => ({ allow: true }),
  maxTurns: 1,
  sandbox: { enabled: false, unsandboxedCommands: [] },
  env: {},
};

let project: TempProject;
beforeEach(() => {
  project = openTempProject();
});
afterEach(() => project.cleanup());

describe('issue #14: a session writes no piece of a secret', () => {
  it('a key at position 2,000 of a 3,000-character line reaches neither the events table nor the transcript (masked, then cut)', async () => {
    const line = `${'x'.repeat(2000)}${KEY}${'y'.repeat(3000 - 2000 - KEY.length)}`;
    const wrapped = (KEY.match(/.{1,40}/g) ?? []).join('\n');
    const basic = Buffer.from(`ci:${KEY}`).toString('base64');
    const runtime = scriptedRuntime([
      { type: 'started', model: 'm', tools: [] },
      { type: 'text', text: line },
      {
        type: 'tool_call',
        id: 't1',
        name: 'Bash',
        input: {
          command: `curl -H 'Authorization: Basic ${basic}' http://localhost:3000 -d 'pw=${encodeURIComponent(PASSWORD)}'`,
        },
      },
      {
        type: 'tool_result',
        id: 't1',
        isError: false,
        text: `config:\n${wrapped}\nhex ${Buffer.from(PASSWORD).toString('hex')}\n{"password":${JSON.stringify(PASSWORD)}}`,
      },
      { type: 'retry', attempt: 1, status: 401, error: `invalid x-api-key ${KEY}` },
      {
        type: 'finished',
        outcome: 'error',
        turns: 1,
        usage: ZERO_USAGE,
        costUsd: 0,
        durationMs: 1,
        error: `Claude Code process exited with code 1. stderr: ${KEY.slice(-40)}`,
        retryAt: null,
      },
    ]);
    const redact = combineRedactors(createRedactor([KEY]), createRedactor([PASSWORD], { minLength: 4 }));
    const { store } = project;
    const sessions = store.sessions;
    const summary = await runRecordedSession(
      {
        events: store.events,
        sessions,
        runtime,
        logsDir: store.paths.logs,
        runId: null,
        now: () => Date.now(),
        redact,
      },
      { sessionId: 'ses_redact', slot: 0, featureIds: [], spec },
      new AbortController().signal,
    );

    const events = store.events.since(0, 1000);
    const logged = events.flatMap((e) => (e.type === 'session.log' ? [e.payload] : []));
    expect(logged.map((p) => p.kind)).toEqual(['text', 'tool_call', 'tool_result', 'retry']);
    for (const event of events)
      expect(leakedPiece(JSON.stringify(event)), `${event.type} ${JSON.stringify(event.payload)}`).toBeNull();
    expect(logged[0]?.kind === 'text' && logged[0].text).toBe(
      `${'x'.repeat(2000)}${MASK}${'y'.repeat(LOG_LINE_LIMIT - 2000 - MASK.length)}…`,
    );
    expect(logged[1]?.kind === 'tool_call' && logged[1].input).toContain(`Basic ${basic.slice(0, 2)}`);
    expect(logged[2]?.kind === 'tool_result' && logged[2].text).toBe(
      `config:\n${MASK}\nhex ${MASK}\n{"password":"${MASK}"}`,
    );

    const transcript = readFileSync(`${store.paths.logs}/ses_redact.jsonl`, 'utf8');
    expect(leakedPiece(transcript)).toBeNull();
    const entries = transcript
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; text?: string });
    expect(entries.find((e) => e.type === 'text')?.text).toBe(
      `${'x'.repeat(2000)}${MASK}${'y'.repeat(3000 - 2000 - KEY.length)}`,
    );

    expect(summary.error).toBe(`Claude Code process exited with code 1. stderr: ${MASK}`);
    const row = store.db.prepare('SELECT error FROM sessions WHERE id = ?').get('ses_redact') as { error: string };
    expect(row.error).toBe(summary.error);
  });
});
