import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToolGuard } from './tool-guard.js';

let project: string;
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'ac-guard-'));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

const JAIL = '/tmp/ac-0123456789ab/init-jail';

describe('the guard with an init.sh jail', () => {
  it('lets ./init.sh run as rewritten into the jail, keeping the rest of the call', () => {
    const guard = createToolGuard(project, { initJail: JAIL });
    expect(guard('Bash', { command: './init.sh --fresh', timeout: 60_000 }, { cwd: project })).toEqual({ allow: true, input: { command: `${JAIL} ./init.sh --fresh`, timeout: 60_000 } });
  });

  it('allows other commands unchanged, ./init.sh chained with others included', () => {
    const guard = createToolGuard(project, { initJail: JAIL });
    expect(guard('Bash', { command: 'ls' }, { cwd: project })).toEqual({ allow: true });
    expect(guard('Bash', { command: './init.sh && ls' }, { cwd: project })).toEqual({ allow: true });
  });

  it('refuses what the policy refuses before any rewrite, and the agent calling the jail script itself', () => {
    const guard = createToolGuard(project, { initJail: JAIL });
    expect(guard('Bash', { command: './init.sh > /etc/passwd' }, { cwd: project })).toMatchObject({ allow: false });
    expect(guard('Bash', { command: `${JAIL} ./init.sh` }, { cwd: project })).toMatchObject({ allow: false, reason: expect.stringMatching(/running programs by path/) });
    expect(guard('Bash', { command: `${JAIL} node peek.js` }, { cwd: project })).toMatchObject({ allow: false });
  });

  it('rewrites nothing without a jail', () => {
    expect(createToolGuard(project)('Bash', { command: './init.sh' }, { cwd: project })).toEqual({ allow: true });
  });
});
