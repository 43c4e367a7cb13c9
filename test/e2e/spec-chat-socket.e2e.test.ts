/**
 * `WS /ws/projects/:name/spec`: the guided spec chat over a WebSocket of the real server on
 * 127.0.0.1, with the real Claude Code binary against the scripted model.
 */
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { readOwner } from '../../src/agent/session-dirs.js';
import { specChatStarter } from '../../src/cli/commands/spec.js';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import { createProject } from '../../src/projects/projects.js';
import { startServer, type RunningServer } from '../../src/server/http-server.js';
import { SpecChatServerMessageSchema, type SpecChatServerMessage } from '../../src/shared/spec-chat.js';
import { validateAppSpec } from '../../src/spec/validate-app-spec.js';
import { DEMO_INTERVIEW_TOPICS } from '../../src/demo/demo-spec-interview.js';
import { agentTestEnv } from '../support/agent-env.js';
import { waitFor } from '../support/wait-for.js';
import {
  isSpecChat,
  reply,
  SPEC_INTERVIEW_QUESTIONS,
  specInterviewSession,
  startScriptedModelServer,
  userTexts,
  type Conversation,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';

// Drives the real Claude Code binary against a scripted model: one test can take over a minute on a loaded 2-core
// machine.
vi.setConfig({ testTimeout: 120_000 });

let root: string;
let model: ScriptedModelServer | undefined;
let server: RunningServer | undefined;
const sockets: WebSocket[] = [];
const seen: Conversation[] = [];

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'ac-e2e-specws-')));
  seen.length = 0;
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.close();
  server = undefined;
  await model?.close();
  model = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function setup(): Promise<{ env: NodeJS.ProcessEnv; dir: string }> {
  const interview = specInterviewSession({ featureCount: 20 });
  model = await startScriptedModelServer((conv) => {
    seen.push(conv);
    return isSpecChat(conv) ? interview(conv) : reply().text('not a spec chat');
  });
  const env = agentTestEnv(root, model.url);
  const dir = join(root, 'recipes');
  const reg = openRegistry(env);
  try {
    createProject(reg.registry, { name: 'recipes', dir, cwd: root, env });
  } finally {
    reg.close();
  }
  server = await startServer({
    env,
    cwd: root,
    host: '127.0.0.1',
    port: 0,
    launchRunner: () => ({ pid: -1 }),
    specChat: specChatStarter(env),
  });
  return { env, dir };
}

interface ChatSocket {
  readonly ws: WebSocket;
  readonly received: SpecChatServerMessage[];
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Waits for the first message (from index `from`) that matches. */
  next(match: (m: SpecChatServerMessage) => boolean, what: string, from?: number): Promise<SpecChatServerMessage>;
}

/** Opens the chat socket with the server token (plus `headers`), as the UI does. */
function open(path: string, headers: Record<string, string> = {}): Promise<ChatSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server!.port}${path}`, {
    headers: { Authorization: `Bearer ${server!.token}`, ...headers },
  });
  sockets.push(ws);
  const received: SpecChatServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    received.push(SpecChatServerMessageSchema.parse(JSON.parse(String(data))));
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const socket: ChatSocket = {
    ws,
    received,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (match, what, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = received.slice(from).find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received)}`));
        }, 60_000);
        if (!check()) waiters.add(check);
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`upgrade refused with HTTP ${res.statusCode}`), { statusCode: res.statusCode })),
    );
    ws.on('error', reject);
  });
}

const refusedWith = (p: Promise<unknown>) =>
  p.then(
    () => -1,
    (err: { statusCode?: number }) => err.statusCode ?? -2,
  );

/** Claude Code processes this test process started (the SDK spawns the binary as a direct child). */
function claudeChildren(): string[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are no children
  }
  return out.split('\n').filter((l) => /claude/.test(l));
}

const ANSWERS = ['Share family recipes with photos', 'Home cooks; no admin', 'Keep the defaults'];

describe('WS /ws/projects/:name/spec', () => {
  it('refuses unknown projects and foreign origins, answers bad messages with a clear error, then completes a chat and writes the spec', async () => {
    const { dir } = await setup();
    expect(await refusedWith(open('/ws/projects/nope/spec'))).toBe(404);
    expect(await refusedWith(open('/ws/projects/recipes/spec', { Origin: 'http://evil.example' }))).toBe(403);

    const chat = await open('/ws/projects/recipes/spec');
    const errorAfter = async (message: unknown, text: string) => {
      const from = chat.received.length;
      chat.send(message);
      const err = await chat.next((m) => m.type === 'error', `an error for ${JSON.stringify(message)}`, from);
      expect(err).toMatchObject({ type: 'error', message: expect.stringContaining(text) });
    };
    await errorAfter('not json', 'messages must be JSON');
    await errorAfter({ type: 'shout', text: 'hi' }, 'invalid message');
    await errorAfter({ type: 'user', text: '   ' }, 'text must not be empty');
    await errorAfter({ type: 'user', text: 'hello' }, 'send {"type":"start"} first');

    chat.send({ type: 'start' });
    for (const [i, question] of SPEC_INTERVIEW_QUESTIONS.entries()) {
      await chat.next((m) => m.type === 'assistant_message' && m.text === question, `question ${i + 1}`);
      await chat.next(
        (m) => m.type === 'waiting',
        'waiting',
        chat.received.findIndex((m) => m.type === 'assistant_message' && m.text === question),
      );
      if (i === 0) await errorAfter({ type: 'start' }, 'already started');
      chat.send({ type: 'user', text: ANSWERS[i] });
    }
    const written = await chat.next((m) => m.type === 'spec_written', 'spec_written');
    const spec = projectPaths(dir).spec;
    expect(written).toEqual({
      type: 'spec_written',
      path: spec,
      projectName: 'recipes',
      featureCount: 20,
      backupPath: null,
    });
    expect(await chat.next((m) => m.type === 'ended', 'ended')).toEqual({
      type: 'ended',
      reason: 'spec_written',
      error: null,
    });
    expect((await chat.closed).code).toBe(1000);

    const types = chat.received.map((m) => m.type);
    expect(types).toContain('assistant_delta');
    expect(types).toContain('spec_problems');
    expect(chat.received.filter((m) => m.type === 'user_message').map((m) => (m as { text: string }).text)).toEqual(
      ANSWERS,
    );
    expect(userTexts(seen.filter(isSpecChat).at(-1) as Conversation).slice(1)).toEqual(ANSWERS);
    expect(validateAppSpec(readFileSync(spec, 'utf8'))).toMatchObject({ ok: true, featureCount: 20 });
    // Live clients of the project hear about the new spec.
    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      expect(store.db.prepare("SELECT count(*) FROM events WHERE type = 'spec.updated'").pluck().get()).toBe(1);
    } finally {
      store.close();
    }
  });

  it('interviews with the demo model (scripted, no AI) without any credentials', async () => {
    const { dir } = await setup();
    await server!.close();
    // No provider variables at all: the demo model is served by the chat itself.
    const bare = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      AUTOCODER_HOME: join(root, 'autocoder-home'),
      AUTOCODER_DEMO_PACE_MS: '0',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    server = await startServer({
      env: bare,
      cwd: root,
      host: '127.0.0.1',
      port: 0,
      launchRunner: () => ({ pid: -1 }),
      specChat: specChatStarter(bare),
    });
    const chat = await open('/ws/projects/recipes/spec');
    chat.send({ type: 'start', model: 'demo' });
    const answers = [
      'A recipe box for a family',
      'Parents and kids',
      'ok',
      'recipes have ingredients and steps',
      'add a recipe, search recipes, <b>print</b> a recipe',
      'The family uses it for a week',
    ];
    for (const [i, topic] of DEMO_INTERVIEW_TOPICS.entries()) {
      await chat.next((m) => m.type === 'assistant_message' && m.text.endsWith(topic.question), `question ${i + 1}`);
      await chat.next(
        (m) => m.type === 'waiting',
        'waiting',
        chat.received.findIndex((m) => m.type === 'assistant_message' && m.text.endsWith(topic.question)),
      );
      chat.send({ type: 'user', text: answers[i] });
    }
    expect(await chat.next((m) => m.type === 'ended', 'ended')).toEqual({
      type: 'ended',
      reason: 'spec_written',
      error: null,
    });
    expect(chat.received.find((m) => m.type === 'assistant_message')).toMatchObject({
      text: expect.stringContaining('This is the demo model: a script, not an AI.'),
    });
    const written = readFileSync(projectPaths(dir).spec, 'utf8');
    expect(validateAppSpec(written)).toMatchObject({ ok: true, projectName: 'recipes', featureCount: 12 });
    expect(written).toContain('- ‹b›print‹/b› a recipe');
    expect(written).toContain('Node.js with Express');
    // The scripted model of the test was never asked: the demo model answered.
    expect(model!.requests).toEqual([]);
  });

  it('ends the session when the socket closes mid-interview', async () => {
    await setup();
    const chat = await open('/ws/projects/recipes/spec');
    chat.send({ type: 'start' });
    await chat.next((m) => m.type === 'waiting', 'the first question');
    expect(claudeChildren().length).toBe(1);
    chat.ws.close();
    await chat.closed;
    // The Claude Code process of the chat is stopped.
    await waitFor(() => claudeChildren().length === 0, 30_000, 'the Claude Code child to exit');
    // A new connection gets a fresh chat that starts from the first question.
    const again = await open('/ws/projects/recipes/spec');
    again.send({ type: 'start' });
    await again.next(
      (m) => m.type === 'assistant_message' && m.text === SPEC_INTERVIEW_QUESTIONS[0],
      'the first question again',
    );
    expect(server!.wsClients()).toBe(1);
  });

  it("closing the server ends a chat in progress, stops its Claude Code and removes the chat's temporary folder", async () => {
    const { dir } = await setup();
    const chat = await open('/ws/projects/recipes/spec');
    chat.send({ type: 'start' });
    await chat.next((m) => m.type === 'waiting', 'the first question');
    // This chat's folder: the system temp folder is shared, so it is found by the project its marker names.
    const folders = () =>
      readdirSync(tmpdir()).filter((n) => n.startsWith('ac-spec-') && readOwner(join(tmpdir(), n))?.project === dir);
    expect(folders()).toHaveLength(1);
    await server!.close();
    server = undefined;
    expect(folders()).toEqual([]);
    expect(claudeChildren()).toEqual([]);
  });
});
