/**
 * `autocoder spec <project>`: the guided spec chat in the terminal, run in-process with injected
 * stdin/stdout, driving the real Claude Code binary against the scripted model.
 */
import { existsSync, readFileSync, realpathSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { CliContext } from '../../src/cli/context.js';
import { projectPaths } from '../../src/config/paths.js';
import { validateAppSpec } from '../../src/spec/validate-app-spec.js';
import { DEMO_INTERVIEW_TOPICS } from '../../src/demo/demo-spec-interview.js';
import { agentTestEnv } from '../support/agent-env.js';
import { CLI } from '../support/cli-process.js';
import { hasPty, runOnPtyAsync, type PtyStep } from '../support/pty.js';
import {
  isSpecChat,
  reply,
  SPEC_INTERVIEW_QUESTIONS,
  specInterviewSession,
  startScriptedModelServer,
  SUBMIT_SPEC_TOOL,
  userTexts,
  type Conversation,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { waitFor } from '../support/wait-for.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let model: ScriptedModelServer | undefined;
const seen: Conversation[] = [];

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ac-e2e-spec-')));
  seen.length = 0;
});
afterEach(async () => {
  await model?.close();
  model = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function startModel(): Promise<ScriptedModelServer> {
  const interview = specInterviewSession({ featureCount: 12 });
  model = await startScriptedModelServer((conv) => {
    seen.push(conv);
    return isSpecChat(conv) ? interview(conv) : reply().text('not a spec chat');
  });
  return model;
}

interface Terminal {
  readonly ctx: CliContext;
  readonly stdin: PassThrough;
  readonly out: () => string;
  readonly err: () => string;
}

function terminal(env: NodeJS.ProcessEnv): Terminal {
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  return {
    ctx: {
      env,
      cwd: root,
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      prompt: { input: stdin, output: new PassThrough() },
    },
    stdin,
    out: () => out,
    err: () => err,
  };
}

const ANSWERS = [
  'A shared shopping list for households, synced live',
  'Families; one admin per household invites the others',
  'Keep the defaults',
];

describe('autocoder spec (terminal chat)', () => {
  it('interviews one topic at a time, passes the answers on, and writes a validated spec after fixing the draft', async () => {
    const server = await startModel();
    const env = agentTestEnv(root, server.url);
    const dir = join(root, 'groceries');
    const setup = terminal(env);
    expect(await runCli(['new', 'groceries', '--dir', dir], setup.ctx)).toBe(0);
    const spec = projectPaths(dir).spec;
    writeFileSync(spec, '<project_specification>old</project_specification>\n');

    const t = terminal(env);
    const exit = runCli(['spec', 'groceries'], t.ctx);
    for (const [i, question] of SPEC_INTERVIEW_QUESTIONS.entries()) {
      // The question streams in, then the prompt: only then does the person answer.
      await waitFor(
        () => t.out().includes(`${question}\n\n> `),
        60_000,
        `question ${i + 1} in ${JSON.stringify(t.out())}`,
      );
      // One topic per message: the next question is not there yet.
      const next = SPEC_INTERVIEW_QUESTIONS[i + 1];
      if (next) expect(t.out()).not.toContain(next);
      t.stdin.write(`${ANSWERS[i]}\n`);
    }
    expect(await exit).toBe(0);

    const out = t.out();
    expect(out).toContain('I propose 12 features.');
    expect(out).toMatch(
      /the draft has 1 problem, which Claude is fixing: line \d+: missing required section <success_criteria>/,
    );
    expect(out).toContain(`Spec written to ${spec} (about 12 features).`);
    expect(out).toContain(`The previous spec is kept in ${spec}.bak.`);
    expect(out).toContain('Next: npx autocoder run groceries');
    expect(t.err()).toBe('');

    // The answers reached the model, each as its own user message after the kickoff.
    const last = seen.filter(isSpecChat).at(-1) as Conversation;
    expect(userTexts(last)).toEqual([
      expect.stringContaining('Let\'s write a new app spec for the project "groceries"'),
      ...ANSWERS,
    ]);
    // The session had the submit tool up front and no file or shell tools.
    expect(last.toolNames).toContain(SUBMIT_SPEC_TOOL);
    expect(last.toolNames.filter((n) => ['Bash', 'Write', 'Edit', 'Read'].includes(n))).toEqual([]);
    expect(last.system).toContain('Interview them ONE topic per message');

    const written = readFileSync(spec, 'utf8');
    const check = validateAppSpec(written);
    expect(check).toMatchObject({ ok: true, projectName: 'groceries', featureCount: 12 });
    expect(written).toContain(`<overview>${ANSWERS[0]}</overview>`);
    expect(written).toContain(`<technology_stack>${ANSWERS[2]}</technology_stack>`);
    expect(readFileSync(`${spec}.bak`, 'utf8')).toBe('<project_specification>old</project_specification>\n');
  });

  it('ends without a spec on end of input (Ctrl+D) and says so', async () => {
    const server = await startModel();
    const env = agentTestEnv(root, server.url);
    const dir = join(root, 'later');
    expect(await runCli(['new', 'later', '--dir', dir], terminal(env).ctx)).toBe(0);
    const t = terminal(env);
    const exit = runCli(['spec', 'later'], t.ctx);
    await waitFor(() => t.out().includes(`${SPEC_INTERVIEW_QUESTIONS[0]}\n\n> `), 60_000, 'the first question');
    t.stdin.end();
    expect(await exit).toBe(1);
    expect(t.err()).toContain('No spec was written.');
    expect(existsSync(projectPaths(dir).spec)).toBe(false);
  });

  it.skipIf(!hasPty)(
    'works on a real terminal: the real CLI on a pseudo-terminal, answers typed, spec written',
    async () => {
      const server = await startModel();
      const env = agentTestEnv(root, server.url);
      const dir = join(root, 'tty-app');
      expect(await runCli(['new', 'tty-app', '--dir', dir], terminal(env).ctx)).toBe(0);
      const steps = SPEC_INTERVIEW_QUESTIONS.map((q, i): PtyStep => [`${q}\r\n\r\n> `, `${ANSWERS[i]}\r`]);
      // Not the blocking runOnPty: the scripted model answers from this process's event loop.
      const { screen: shown, code } = await runOnPtyAsync([process.execPath, CLI, 'spec', 'tty-app'], steps, {
        env: { ...env, TERM: 'dumb' },
        limitSeconds: 100,
      });
      expect(shown).toContain(`> ${ANSWERS[0]}`); // the terminal echoes what was typed after the prompt
      expect(shown).toContain(`Spec written to ${projectPaths(dir).spec} (about 12 features).`);
      expect(code).toBe(0);
      expect(validateAppSpec(readFileSync(projectPaths(dir).spec, 'utf8'))).toMatchObject({
        ok: true,
        projectName: 'tty-app',
      });
    },
  );

  it("uses the project's default model: a demo project interviews with the demo model, no credentials", async () => {
    // No provider variables: only the demo model can answer.
    const env = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      AUTOCODER_HOME: join(root, 'autocoder-home'),
      AUTOCODER_PROJECTS_DIR: join(root, 'projects'),
      AUTOCODER_DEMO_PACE_MS: '0',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    expect(await runCli(['demo', '--no-start'], terminal(env).ctx)).toBe(0);
    const spec = projectPaths(join(root, 'projects', 'demo')).spec;
    const before = readFileSync(spec, 'utf8');
    const t = terminal(env);
    const exit = runCli(['spec', 'demo'], t.ctx);
    const answers = [
      'A tiny todo list',
      'Just me',
      'ok',
      'todos with a title and a done flag',
      'add a todo, mark it done, delete it',
      'I use it for a day',
    ];
    for (const [i, topic] of DEMO_INTERVIEW_TOPICS.entries()) {
      await waitFor(
        () => t.out().includes(`${topic.question}\n\n> `),
        60_000,
        `demo question ${i + 1} in ${JSON.stringify(t.out())}`,
      );
      t.stdin.write(`${answers[i]}\n`);
    }
    expect(await exit).toBe(0);
    expect(t.out()).toContain('with the demo model: scripted, no AI.');
    expect(t.out()).toContain(`Spec written to ${spec} (about 12 features).`);
    expect(readFileSync(`${spec}.bak`, 'utf8')).toBe(before);
    const written = readFileSync(spec, 'utf8');
    expect(validateAppSpec(written)).toMatchObject({ ok: true, projectName: 'demo', featureCount: 12 });
    expect(written).toContain('- mark it done');
  });

  it('refuses an unknown project before starting a session', async () => {
    const server = await startModel();
    const t = terminal(agentTestEnv(root, server.url));
    expect(await runCli(['spec', 'nope'], t.ctx)).toBe(3);
    expect(t.err()).toContain('no project named "nope" is registered');
    expect(server.requests).toEqual([]);
  });
});
