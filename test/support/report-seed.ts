import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../../src/config/env.js';
import { projectPaths } from '../../src/config/paths.js';
import type { ProjectStore } from '../../src/db/ports.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import type { AcceptanceCheck, CheckResult, Verification } from '../../src/shared/acceptance.js';
import { seedCheckpoints, type SeededCheckpoints } from './checkpoint-seed.js';

/** A feature name an agent could write that must stay text in every report form. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
export const REPORT_T0 = Date.UTC(2026, 0, 10, 9, 0);
const MIN = 60_000;

const checks: AcceptanceCheck[] = [{ kind: 'command', run: 'npm test', expect: { exitCode: 0 } } as AcceptanceCheck];

/**
 * Registers project `beta` under `<root>/work/beta`, its store written through the ports on a clock that moves in
 * minutes from REPORT_T0, with one of everything the report shows: features verified, never verified and without
 * checks (one named HOSTILE_NAME), a failed then a passed verification, a question the supervisor answered and a
 * person overrode, a secret a person gave, a dispute a person rejected, sessions of three roles and models.
 */
export function seedReportProject(root: string, env: Env): { dir: string } {
  const dir = join(root, 'work', 'beta');
  mkdirSync(dir, { recursive: true });
  const reg = openRegistry(env);
  try {
    reg.registry.add('beta', dir);
  } finally {
    reg.close();
  }
  let now = REPORT_T0;
  const at = (minutes: number) => {
    now = REPORT_T0 + minutes * MIN;
  };
  const store = openProjectStore(projectPaths(dir), { create: true, clock: { now: () => now } });
  try {
    seed(store, dir, at);
  } finally {
    store.close();
  }
  return { dir };
}

/**
 * Adds seedCheckpoints' two checkpoints to the project seedReportProject made, 110 and 111 minutes after REPORT_T0
 * (after run_1 ended): checkpoint 1 belongs to run_1 and has its report written, checkpoint 2 belongs to no run.
 */
export function seedReportCheckpoints(dir: string): SeededCheckpoints {
  let now = REPORT_T0 + 110 * MIN;
  const store = openProjectStore(projectPaths(dir), { clock: { now: () => (now += 30_000) } });
  try {
    const seeded = seedCheckpoints(store, { runId: 'run_1' });
    store.checkpoints.setReportPath(1, '.autocoder/checkpoints/checkpoint-1.md');
    return seeded;
  } finally {
    store.close();
  }
}

function seed(store: ProjectStore, dir: string, at: (minutes: number) => void): void {
  const login = store.features.create({
    category: 'auth',
    name: 'Login form',
    description: 'd',
    steps: [],
    acceptance: checks,
  });
  const hostile = store.features.create({
    category: 'ui',
    name: HOSTILE_NAME,
    description: 'd',
    steps: [],
    acceptance: checks,
  });
  const csv = store.features.create({ category: 'data', name: 'Export CSV', description: 'd', steps: [] });
  const pay = store.features.create({
    category: 'billing',
    name: 'Payments',
    description: 'd',
    steps: [],
    acceptance: checks,
  });
  store.runs.start({ id: 'run_1', pid: 1, host: 'h', incarnation: 'i1', settings: { regressionEvery: 5 } });
  const usage = (costUsd: number) => ({
    turns: 3,
    inputTokens: 1000,
    outputTokens: 200,
    cacheReadTokens: 50,
    cacheCreationTokens: 10,
    costUsd,
  });
  const begin = (session: string, featureId: number, role = 'coding', model = 'opus') => {
    store.sessions.start({
      id: session,
      runId: 'run_1',
      slot: 0,
      role,
      featureIds: [featureId],
      model,
      transcriptPath: join(dir, `${session}.jsonl`),
    });
    return store.claims.claimFeature(featureId, `run_1/${session}`).claim;
  };
  const end = (session: string, costUsd: number, ok = true) =>
    store.sessions.end(session, {
      status: ok ? 'succeeded' : 'failed',
      outcome: ok ? 'success' : 'error',
      usage: usage(costUsd),
      error: ok ? null : 'checks failed',
    });
  const result = (featureId: number, passed: boolean): CheckResult => ({
    featureId,
    index: 0,
    kind: 'command',
    name: 'unit tests',
    passed,
    durationMs: 900,
    output: passed ? 'ok' : 'FAIL',
    failure: passed ? null : 'exit code 1',
    evidence: [],
  });
  const verify = (id: string, featureId: number, commit: string, passed: boolean, from: number, to: number) => {
    at(from);
    const v: Verification = {
      id,
      featureId,
      commit,
      trigger: 'landing',
      status: 'running',
      sessionId: null,
      startedAt: 0,
      endedAt: null,
      evidenceDir: `.autocoder/evidence/feature-${featureId}/${id}`,
      checks: [],
      error: null,
    };
    const started = { ...v, startedAt: REPORT_T0 + from * MIN };
    store.verifications.start(started);
    at(to);
    store.verifications.finish({
      ...started,
      status: passed ? 'passed' : 'failed',
      endedAt: REPORT_T0 + to * MIN,
      checks: [result(featureId, passed)],
    });
  };

  at(1);
  const c1 = begin('ses_1', login.id);
  verify('ver_1', login.id, 'a1b2c3d4e5f60718', true, 10, 12);
  store.claims.markPassing(c1, undefined, { verificationId: 'ver_1' });
  end('ses_1', 0.8);

  at(13);
  const c2 = begin('ses_2', hostile.id);
  verify('ver_2', hostile.id, 'b2c3d4e5f6071829', false, 22, 25);
  store.claims.markFailing(c2, 'the title check fails');
  end('ses_2', 0.6, false);

  at(26);
  const c3 = begin('ses_3', pay.id, 'coding', 'sonnet');
  at(27);
  const asked = store.humanInput.request(c3, {
    kind: 'questions',
    prompt: 'Which currency should prices use?',
    fields: [{ id: 'currency', label: 'Currency', type: 'text', required: true }],
  });
  end('ses_3', 0.2);
  at(30);
  store.humanInput.answer(asked.request.id, {
    values: { currency: 'USD' },
    secretKeys: {},
    by: 'supervisor',
    reasons: { currency: 'the spec prices everything in dollars' },
  });
  at(40);
  store.humanInput.override(asked.request.id, { values: { currency: 'EUR' }, secretKeys: {} });

  at(41);
  const c4 = begin('ses_4', hostile.id);
  at(45);
  const disputed = store.disputes.open(c4, {
    reason: 'The check runs the wrong script',
    proposed: [{ kind: 'command', run: 'npm run test:ui', expect: { exitCode: 0 } } as AcceptanceCheck],
  });
  end('ses_4', 0.3);
  at(50);
  store.disputes.decide(disputed.dispute.id, { accept: false, by: 'human', reason: 'npm test is the right script' });

  at(51);
  const c5 = begin('ses_5', hostile.id, 'coding', 'sonnet');
  verify('ver_3', hostile.id, 'c3d4e5f607182930', true, 58, 60);
  store.claims.markPassing(c5, undefined, { verificationId: 'ver_3' });
  end('ses_5', 0.5);

  at(61);
  const c6 = begin('ses_6', pay.id);
  at(63);
  const secret = store.humanInput.request(c6, {
    kind: 'fields',
    prompt: 'The payment provider key',
    fields: [{ id: 'stripe_key', label: 'Stripe key', type: 'secret', required: true }],
  });
  end('ses_6', 0.25);
  at(70);
  store.humanInput.answer(secret.request.id, { values: {}, secretKeys: { stripe_key: 'STRIPE_KEY' }, by: 'human' });

  at(71);
  store.sessions.start({
    id: 'ses_7',
    runId: 'run_1',
    slot: 1,
    role: 'testing',
    featureIds: [login.id],
    model: 'haiku',
    transcriptPath: join(dir, 'ses_7.jsonl'),
  });
  at(74);
  end('ses_7', 0.1);

  at(75);
  const c8 = begin('ses_8', csv.id, 'coding', 'sonnet');
  at(95);
  store.claims.markPassing(c8);
  end('ses_8', 0.4);
  at(100);
  store.runs.end('run_1', 'finished', 'done');
}
