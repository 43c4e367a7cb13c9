/**
 * Human input gates end to end below the runner: the real MCP tools (claim, ask), the real
 * project database, the REST API through createApp and the real CLI in a child process.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventMessages } from '../../src/server/event-tail.js';
import type { SqliteProjectStore as ProjectStore } from '../../src/db/stores.js';
import { answerAsSupervisor } from '../../src/projects/human-input.js';
import { HumanInputListSchema, HumanInputResultSchema } from '../../src/shared/human-input.js';
import { apiHarness, type ApiHarness } from '../support/api-app.js';
import { cli } from '../support/cli-process.js';
import { connectTools, type ToolClient } from '../support/mcp-client.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

const SECRET = 'sk_live_Zq8pX2mN4vR7';
const FIELDS = [
  { id: 'stripe_key', label: 'Stripe secret key', type: 'secret', help: 'Dashboard → Developers → API keys' },
  { id: 'currency', label: 'Default currency', type: 'select', options: ['EUR', 'USD'] },
  { id: 'max_items', label: 'Items per order', type: 'number', required: false },
  { id: 'test_mode', label: 'Use test mode', type: 'boolean', required: false },
];

let h: ApiHarness;
let store: ProjectStore;
let agent: ToolClient;
let root: string;

beforeEach(async () => {
  h = apiHarness();
  root = await h.createProject('app');
  store = h.store('app');
  store.features.create({
    category: 'pay',
    name: 'Checkout',
    description: 'pay with Stripe',
    steps: ['pay'],
    priority: 0,
  });
  store.features.create({ category: 'ui', name: 'Cart', description: 'a cart', steps: ['add'], priority: 1 });
  agent = await connectTools(store, 'run_1/ses_a');
});
afterEach(async () => {
  await agent.close();
  store.close();
  h.cleanup();
});

async function askForKeys(): Promise<string> {
  const claimed = await agent.call('feature_claim_next');
  expect(claimed.json().feature.id).toBe(1);
  const asked = await agent.call('feature_request_human_input', {
    feature_id: 1,
    prompt: 'I need the Stripe key and the currency to build checkout.',
    fields: FIELDS,
  });
  expect(asked.isError, asked.text).toBe(false);
  expect(asked.json()).toMatchObject({ feature_id: 1, status: 'needs_input' });
  expect(asked.json().next).toMatch(/Stop now/);
  return asked.json().request_id as string;
}

/** Every file autocoder keeps for the project (database with WAL, logs), as text. */
function projectTrace(): string {
  const dir = join(root, '.autocoder');
  const files: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) visit(full);
      else files.push(full);
    }
  };
  visit(dir);
  return files.map((f) => readFileSync(f).toString('latin1')).join('\n');
}

describe('feature_request_human_input and ask_user', () => {
  it('moves the claimed feature to needs_input in one step; the other feature is dispatched meanwhile', async () => {
    const id = await askForKeys();
    expect(id).toMatch(/^hir_[0-9a-f]{12}$/);
    const f = store.features.get(1);
    expect(f).toMatchObject({ status: 'needs_input', claimedBy: null, attempts: 0, blockerType: 'credentials' });
    expect(f.blockerNote).toContain('Stripe key');
    const event = store.events.since(0, 1000).find((e) => e.type === 'feature.needs_input');
    expect(event?.payload).toMatchObject({
      requestId: id,
      status: 'needs_input',
      fields: expect.arrayContaining([expect.objectContaining({ id: 'stripe_key', type: 'secret' })]),
    });
    // Live clients hear about it: the WebSocket turns it into a feature_update (and progress).
    const messages = eventMessages(store, [event!]).flatMap((m) => m.messages);
    expect(messages).toContainEqual(
      expect.objectContaining({
        type: 'feature_update',
        featureId: 1,
        eventType: 'feature.needs_input',
        status: 'needs_input',
        name: 'Checkout',
      }),
    );
    expect(messages).toContainEqual(expect.objectContaining({ type: 'progress', needs_input: 1 }));
    // The session no longer holds it, and nothing dispatches it.
    expect((await agent.call('feature_mark_passing', { feature_id: 1 })).isError).toBe(true);
    expect(store.features.ready(10).map((x) => x.id)).toEqual([2]);
    expect(store.claims.claimNext('other')?.feature.id).toBe(2);
    expect(store.claims.claimNext('third')).toBeNull();
  });

  it('refuses a feature the session does not hold and malformed fields, changing nothing', async () => {
    const notHeld = await agent.call('feature_request_human_input', {
      feature_id: 2,
      prompt: 'x',
      fields: [{ id: 'a', label: 'A', type: 'text' }],
    });
    expect(notHeld.isError).toBe(true);
    expect(notHeld.text).toMatch(/do not hold a claim/);
    await agent.call('feature_claim_next');
    for (const fields of [
      [],
      [{ id: 'a', label: 'A', type: 'select' }],
      [{ id: '1x', label: 'A', type: 'text' }],
      [
        { id: 'a', label: 'A', type: 'text' },
        { id: 'a', label: 'B', type: 'text' },
      ],
      [{ id: 'a', label: 'A', type: 'colour' }],
    ]) {
      const bad = await agent.call('feature_request_human_input', { feature_id: 1, prompt: 'need', fields });
      expect(bad.isError, JSON.stringify(fields)).toBe(true);
    }
    const badAsk = await agent.call('ask_user', {
      feature_id: 1,
      questions: [{ question: 'Which?', options: ['only one'] }],
    });
    expect(badAsk.isError).toBe(true);
    expect(store.features.get(1).status).toBe('in_progress');
    expect(store.humanInput.list({ status: 'all' })).toEqual([]);
  });

  it('ask_user asks 2-4 option questions that are answered like select fields', async () => {
    await agent.call('feature_claim_next');
    const asked = await agent.call('ask_user', {
      feature_id: 1,
      questions: [{ question: 'Card or invoice first?', options: ['card', 'invoice'] }],
    });
    expect(asked.isError, asked.text).toBe(false);
    const id = asked.json().request_id as string;
    expect(store.humanInput.get(id)).toMatchObject({
      kind: 'questions',
      fields: [{ id: 'q1', type: 'select', options: ['card', 'invoice'] }],
    });
    expect(store.features.get(1).blockerType).toBe('unclear_spec');
    const wrong = await h.json('POST', '/api/projects/app/features/1/human-input', { answers: { q1: 'cash' } });
    expect(wrong.status).toBe(400);
    const ok = await h.json('POST', '/api/projects/app/features/1/human-input', { answers: { q1: 'invoice' } });
    expect(ok.status).toBe(200);
    expect(store.features.get(1).notes).toContain('q1 = "invoice"');
  });
});

describe('the human-input API', () => {
  it('accepts the seed\'s flat { "field": "value" } body beside { "answers" }, validated and stored the same way', async () => {
    await askForKeys();
    const res = await h.json('POST', '/api/projects/app/features/1/human-input', {
      stripe_key: SECRET,
      currency: 'USD',
      test_mode: 'no',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(HumanInputResultSchema.parse(res.body).request).toMatchObject({
      status: 'answered',
      answeredBy: 'human',
      answer: { currency: 'USD', test_mode: false },
      secretKeys: { stripe_key: 'STRIPE_KEY' },
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(readFileSync(join(root, '.env'), 'utf8')).toBe(`STRIPE_KEY=${SECRET}\n`);
    expect(store.features.get(1).status).toBe('pending');
  });

  it('lists open requests, refuses bad answers with nothing changed, answers once, and never returns or stores the secret', async () => {
    const id = await askForKeys();
    const list = await h.json('GET', '/api/projects/app/human-input');
    expect(list.status).toBe(200);
    const parsed = HumanInputListSchema.parse(list.body);
    expect(parsed.requests.map((r) => [r.id, r.featureId, r.featureName, r.status])).toEqual([
      [id, 1, 'Checkout', 'open'],
    ]);

    const A = '/api/projects/app/features/1/human-input';
    const bad: [unknown, number, RegExp][] = [
      [{ answers: { currency: 'EUR' } }, 400, /stripe_key: is required/],
      [{ answers: { stripe_key: SECRET, currency: 'GBP' } }, 400, /currency: must be one of: "EUR", "USD"/],
      [{ answers: { stripe_key: SECRET, currency: 'EUR', max_items: 'many' } }, 400, /max_items: must be a number/],
      [
        { answers: { stripe_key: SECRET, currency: 'EUR', test_mode: 'perhaps' } },
        400,
        /test_mode: must be true or false/,
      ],
      [{ answers: { stripe_key: SECRET, currency: 'EUR', colour: 'red' } }, 400, /colour: unknown field/],
      [{ answers: { stripe_key: `${SECRET}\nX=1`, currency: 'EUR' } }, 400, /stripe_key: must be a single line/],
      [{ answers: { stripe_key: 42, currency: 'EUR' } }, 400, /stripe_key: must be a string/],
      [
        { requestId: 'hir_0123456789ab', answers: { currency: 'EUR' } },
        404,
        /no human-input request "hir_0123456789ab"/,
      ],
      // The seed's flat form is validated like the wrapped one.
      [{ stripe_key: SECRET }, 400, /currency: is required/],
      [{ stripe_key: SECRET, currency: 'GBP' }, 400, /currency: must be one of: "EUR", "USD"/],
      [{ stripe_key: SECRET, currency: 'EUR', colour: 'red' }, 400, /colour: unknown field/],
      // A body that could be read either way is refused, naming both forms.
      [
        { answers: { currency: 'EUR' }, extra: 1 },
        400,
        /mixes the two forms of answers \(unknown field extra beside "answers"\)/,
      ],
      [
        { answers: 'EUR', currency: 'EUR' },
        400,
        /mixes the two forms of answers \(unknown field currency beside "answers"\): send either/,
      ],
      [
        { requestId: id, stripe_key: SECRET, currency: 'EUR' },
        400,
        /a field named "answers" or "requestId" must go inside/,
      ],
    ];
    for (const [body, status, message] of bad) {
      const res = await h.json<{ error: { message: string } }>('POST', A, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message).toMatch(message);
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    expect((await h.json('POST', '/api/projects/app/features/2/human-input', { answers: {} })).status).toBe(409);
    expect((await h.json('POST', '/api/projects/app/features/99/human-input', { answers: {} })).status).toBe(404);
    expect(store.features.get(1).status).toBe('needs_input');
    expect(existsSync(join(root, '.env'))).toBe(false);

    const res = await h.json('POST', A, {
      requestId: id,
      answers: { stripe_key: SECRET, currency: 'EUR', max_items: '12', test_mode: 'yes' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const result = HumanInputResultSchema.parse(res.body);
    expect(result.request).toMatchObject({
      status: 'answered',
      answeredBy: 'human',
      answer: { currency: 'EUR', max_items: 12, test_mode: true },
      secretKeys: { stripe_key: 'STRIPE_KEY' },
    });
    expect(result.feature).toMatchObject({ id: 1, status: 'pending', priority: -1 });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);

    // The secret is in .env (0600, excluded from git) and nowhere autocoder keeps records.
    const env = join(root, '.env');
    expect(readFileSync(env, 'utf8')).toBe(`STRIPE_KEY=${SECRET}\n`);
    expect(statSync(env).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, '.git', 'info', 'exclude'), 'utf8').split('\n')).toContain('.env');
    const f = store.features.get(1);
    expect(f.notes).toContain('currency = "EUR"');
    expect(f.notes).toContain('secret stripe_key saved in .env as STRIPE_KEY');
    expect(store.features.ready(1)[0]?.id).toBe(1); // first in line
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(projectTrace()).not.toContain(SECRET);
    expect(JSON.stringify(store.events.since(0, 1000))).not.toContain(SECRET);
    expect(store.events.since(0, 1000).map((e) => e.type)).toContain('feature.input_answered');

    // Answering twice: 409, nothing changed.
    const again = await h.json<{ error: { message: string } }>('POST', A, {
      requestId: id,
      answers: { stripe_key: 'sk_other_value', currency: 'USD' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already answered/);
    const noId = await h.json<{ error: { message: string } }>('POST', A, {
      answers: { stripe_key: 'sk_other_value', currency: 'USD' },
    });
    expect(noId.status).toBe(409);
    expect(readFileSync(env, 'utf8')).toBe(`STRIPE_KEY=${SECRET}\n`);
    expect((await h.json('GET', '/api/projects/app/human-input')).body).toEqual({ requests: [] });
    const all = HumanInputListSchema.parse((await h.json('GET', '/api/projects/app/human-input?status=all')).body);
    expect(all.requests).toHaveLength(1);
    expect((await h.json('GET', '/api/projects/app/human-input?status=closed')).status).toBe(400);
  });

  it('replaces an existing key in .env and keeps the other lines', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(root, '.env'), 'PORT=3000\nSTRIPE_KEY=old\n# comment\n');
    const id = await askForKeys();
    const res = await h.json('POST', '/api/projects/app/features/1/human-input', {
      requestId: id,
      answers: { stripe_key: SECRET, currency: 'USD' },
    });
    expect(res.status).toBe(200);
    expect(readFileSync(join(root, '.env'), 'utf8')).toBe(`PORT=3000\nSTRIPE_KEY=${SECRET}\n# comment\n`);
  });

  it('refuses to write a secret into a .env that git tracks (it would be committed), changing nothing', async () => {
    const { writeFileSync } = await import('node:fs');
    const { gitOk } = await import('../../src/git/git.js');
    writeFileSync(join(root, '.env'), 'PORT=3000\n');
    gitOk(root, ['add', '.env']);
    gitOk(root, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'env']);
    await askForKeys();
    const res = await h.json<{ error: { message: string } }>('POST', '/api/projects/app/features/1/human-input', {
      answers: { stripe_key: SECRET, currency: 'USD' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/is tracked by git/);
    expect(readFileSync(join(root, '.env'), 'utf8')).toBe('PORT=3000\n');
    expect(store.features.get(1).status).toBe('needs_input');
  });

  it('cancels: the feature goes back to pending with a note; cancelling twice is a conflict', async () => {
    const id = await askForKeys();
    const C = `/api/projects/app/human-input/${id}/cancel`;
    const res = await h.json('POST', C, { reason: 'use PayPal instead' });
    expect(res.status).toBe(200);
    expect(HumanInputResultSchema.parse(res.body)).toMatchObject({
      request: { status: 'cancelled', reason: 'use PayPal instead' },
      feature: { status: 'pending' },
    });
    expect(store.features.get(1).notes).toMatch(/cancelled by a human: use PayPal instead/);
    expect((await h.json('POST', C, {})).status).toBe(409);
    expect((await h.json('POST', '/api/projects/app/human-input/hir_ffffffffffff/cancel', {})).status).toBe(404);
    expect((await h.json('POST', '/api/projects/app/human-input/nope/cancel', {})).status).toBe(404);
  });
});

describe('autocoder inbox and answer', () => {
  it('lists, refuses bad input with clear exit codes, answers with --field, and never prints the secret', async () => {
    const id = await askForKeys();
    const env = { AUTOCODER_HOME: h.home, HOME: h.user, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const inbox = cli(['inbox', 'app'], env);
    expect(inbox.status).toBe(0);
    expect(inbox.stdout).toContain(id);
    expect(inbox.stdout).toContain('stripe_key (secret → .env STRIPE_KEY, required): Stripe secret key');
    expect(JSON.parse(cli(['inbox', 'app', '--json'], env).stdout)).toMatchObject({
      requests: [{ id, featureId: 1, status: 'open' }],
    });

    const cases: [string[], number, RegExp][] = [
      [
        ['answer', 'app', 'hir_000000000000', '--field', 'currency=EUR'],
        3,
        /no human-input request "hir_000000000000"/,
      ],
      [['answer', 'app', id, '--field', 'currency=EUR'], 2, /stripe_key: is required/],
      [
        [
          'answer',
          'app',
          id,
          '--field',
          `stripe_key=${SECRET}`,
          '--field',
          'currency=EUR',
          '--field',
          'max_items=lots',
        ],
        2,
        /max_items: must be a number/,
      ],
      [['answer', 'app', id, '--field', 'currency'], 2, /--field expects id=value/],
      [['answer', 'app', id], 2, /give the answers with --field/],
      [['answer', 'app', id, '--cancel', '--field', 'currency=EUR'], 2, /--cancel takes no --field/],
    ];
    for (const [args, status, message] of cases) {
      const r = cli(args, env);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(status);
      expect(r.stderr).toMatch(message);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    expect(store.features.get(1).status).toBe('needs_input');

    const ok = cli(['answer', 'app', id, '--field', `stripe_key=${SECRET}`, '--field', 'currency=USD'], env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Answered ${id}: feature #1 Checkout is pending (first in line).`);
    expect(ok.stdout).toContain('Secret stripe_key saved in');
    expect(ok.stdout).not.toContain(SECRET);
    expect(readFileSync(join(root, '.env'), 'utf8')).toBe(`STRIPE_KEY=${SECRET}\n`);
    const twice = cli(['answer', 'app', id, '--field', 'stripe_key=another1', '--field', 'currency=USD'], env);
    expect(twice.status).toBe(4);
    expect(twice.stderr).toMatch(/already answered/);
    expect(cli(['inbox', 'app'], env).stdout).toBe('No open human-input requests.\n');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(projectTrace()).not.toContain(SECRET);
  });

  it('--cancel with --reason', async () => {
    const id = await askForKeys();
    const env = { AUTOCODER_HOME: h.home, HOME: h.user, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const r = cli(['answer', 'app', id, '--cancel', '--reason', 'not needed'], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Cancelled ${id}: feature #1 Checkout is pending`);
    expect(store.features.get(1).notes).toContain('not needed');
  });
});

describe('supervisor answers and human overrides', () => {
  it('the supervisor never sets a secret: a marked placeholder goes to .env, its values and reasons are recorded; bad answers change nothing', async () => {
    const id = await askForKeys();
    const env = join(root, '.env');
    // A select value outside the options is refused; nothing is written.
    expect(() => answerAsSupervisor(store, id, { currency: 'GBP' }, {})).toThrow(/currency: must be one of/);
    expect(existsSync(env)).toBe(false);
    expect(store.humanInput.get(id).status).toBe('open');

    const done = answerAsSupervisor(
      store,
      id,
      { currency: 'EUR', stripe_key: 'sk_model_made_this_up' },
      { currency: 'the spec sells in Europe', ghost: 'ignored' },
    );
    expect(done.feature).toMatchObject({ id: 1, status: 'pending' });
    expect(done.request).toMatchObject({
      status: 'answered',
      answeredBy: 'supervisor',
      answer: { currency: 'EUR' },
      reasons: { currency: 'the spec sells in Europe' },
      placeholderKeys: ['STRIPE_KEY'],
      secretKeys: { stripe_key: 'STRIPE_KEY' },
    });
    const text = readFileSync(env, 'utf8');
    expect(text).toMatch(
      /^# autocoder: DEVELOPMENT PLACEHOLDER, not a real credential: written by the supervisor for hir_\w+ \(feature #1\).*\nSTRIPE_KEY=dev-placeholder-stripe-key-[0-9a-f]{8}\n$/,
    );
    expect(text).not.toContain('sk_model_made_this_up');
    expect(store.features.get(1).notes).toContain(
      'secret stripe_key: a DEVELOPMENT PLACEHOLDER (not a real credential) saved in .env as STRIPE_KEY',
    );
    expect(store.features.get(1).notes).toContain('currency = "EUR" (reason: the spec sells in Europe)');
    // Answering it again as a human is refused with the way to override.
    const again = await h.json<{ error: { message: string } }>('POST', '/api/projects/app/features/1/human-input', {
      requestId: id,
      answers: { stripe_key: SECRET, currency: 'USD' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already answered by the supervisor .*override/);
  });

  it('an override is refused while the feature is in progress, for a human answer, and twice; otherwise it re-opens the feature with the real secret', async () => {
    const id = await askForKeys();
    answerAsSupervisor(store, id, { currency: 'EUR' }, { currency: 'Europe' });
    const answers = { stripe_key: SECRET, currency: 'USD' };
    // The feature is being worked on again: refused, nothing changed.
    const claimed = await agent.call('feature_claim_next');
    expect(claimed.json().feature.id).toBe(1);
    const busy = await h.json<{ error: { message: string } }>('POST', `/api/projects/app/human-input/${id}/override`, {
      answers,
    });
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toMatch(/being worked on right now/);
    expect(readFileSync(join(root, '.env'), 'utf8')).not.toContain(SECRET);
    expect(store.humanInput.get(id).overriddenBy).toBeNull();
    await agent.call('feature_mark_passing', { feature_id: 1, evidence: 'built against the placeholder' });
    expect(store.features.get(1).status).toBe('passing');

    const res = await h.json('POST', `/api/projects/app/human-input/${id}/override`, { answers });
    expect(res.status).toBe(200);
    const result = HumanInputResultSchema.parse(res.body);
    expect(result).toMatchObject({
      request: { answeredBy: 'human', overrides: id, answer: { currency: 'USD' }, placeholderKeys: [] },
      feature: { id: 1, status: 'pending' },
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(store.features.get(1)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(store.features.get(1).notes).toContain(`a human overrode the supervisor's answer to ${id}`);
    expect(store.humanInput.get(id).overriddenBy).toBe(result.request.id);
    expect(readFileSync(join(root, '.env'), 'utf8')).toBe(`STRIPE_KEY=${SECRET}\n`);

    // The human's own answer is not the supervisor's; the supervisor's is overridden already.
    expect(
      (await h.json('POST', `/api/projects/app/human-input/${result.request.id}/override`, { answers })).status,
    ).toBe(409);
    expect((await h.json('POST', `/api/projects/app/human-input/${id}/override`, { answers })).status).toBe(409);
    expect(
      (await h.json('POST', `/api/projects/app/human-input/${id}/override`, { answers: answers, extra: 1 })).status,
    ).toBe(400);
    expect(projectTrace()).not.toContain(SECRET);
  });

  it('supervisor_answer is served only to supervisor sessions', async () => {
    const tools = await agent.client.listTools();
    expect(tools.tools.map((t) => t.name)).not.toContain('supervisor_answer');
  });
});
