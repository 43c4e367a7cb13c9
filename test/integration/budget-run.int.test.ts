/**
 * Budgets in a whole run (SQLite, git, worktrees, the landing gate) with the scripted runtime, which ends a session
 * past its `maxBudgetUsd` as Claude Code does: a run with a max cost below the backlog's cost stops by itself, and a
 * feature over its own budget goes to the Inbox instead of another attempt.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerHumanInput } from '../../src/projects/human-input.js';
import { BUDGET_AMOUNT_FIELD, BUDGET_DECISION_FIELD, RAISE, SKIP } from '../../src/runner/budget.js';
import { LOOPING_OUTCOME, NO_PROGRESS_TURN_LIMIT } from '../../src/domain/loops.js';
import {
  initializerSession,
  isCoding,
  landingCodingSession,
  reply,
  roleScript,
  SAMPLE_FEATURES,
  type Script,
} from '../support/fake-anthropic/index.js';
import type { ReplyBuilder } from '../../src/model-server/reply.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

vi.setConfig({ testTimeout: 60_000 });

let project: ScriptedProject | undefined;

let hooks: WebhookReceiver | undefined;

afterEach(async () => {
  project?.cleanup();
  project = undefined;
  await hooks?.close();
  hooks = undefined;
});

/** Input tokens of each coding turn: 30,000 at $3/M plus 80 output at $15/M = $0.0912 a turn, 4 turns a landing. */
const EXPENSIVE = 30_000;
const TURN_USD = (EXPENSIVE * 3 + 80 * 15) / 1_000_000;

/** The initializer plans the 4-feature sample; coding sessions land their feature, each turn costing TURN_USD. */
function expensiveScript(): Script {
  const landing = landingCodingSession();
  const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
  return (conv) =>
    isCoding(conv) ? (landing(conv) as ReplyBuilder).tokens({ input_tokens: EXPENSIVE }) : initializer(conv);
}

const runEventTypes = (p: ScriptedProject) =>
  p.inspect((store) =>
    store.events
      .since(0, 10_000)
      .map((e) => e.type)
      .filter((t) => t.startsWith('run.')),
  );

describe('budgets in a run', () => {
  it('a run with --max-cost below the backlog stops by itself: fewer features pass, the cost stays within the budget, the reason and the result say so', async () => {
    const p = (project = scriptedProject(expensiveScript()));
    const receiver = (hooks = await startWebhookReceiver());
    const result = await p.run(
      { yolo: true, maxCostUsd: 0.9 },
      { webhooks: [{ url: `${receiver.url}/json`, events: ['run.budget_warning'], format: 'json' }] },
    );

    const { passing, total, cost, sessions } = p.inspect((store) => ({
      passing: store.features.stats().passing,
      total: store.features.stats().total,
      cost: store.sessions.costOfRun(result.runId),
      sessions: store.sessions.list({ runId: result.runId }),
    }));
    expect(total).toBe(4);
    // $0.0144 for the initializer, $0.3648 a landing: two land ($0.744), a third would need its median ($0.3648).
    expect(passing).toBe(2);
    expect(cost).toBeLessThanOrEqual(0.9);
    expect(result).toMatchObject({ status: 'stopped', budgetExhausted: true, outcome: 'budget' });
    // Stored with the run (#21): the outcome, the backlog it ended with and what it cost.
    expect(p.inspect((store) => store.runs.get(result.runId))).toMatchObject({
      outcome: 'budget',
      featuresPassing: 2,
      featuresTotal: 4,
      costUsd: cost,
    });
    expect(result.reason).toMatch(
      /^Budget reached: \$0\.7\d+ of the \$0\.9\d+ run budget \(--max-cost \/ budget\.runUsd\) is used/,
    );
    // The initializer too was held to what was left (all of it), and each coding session to what was left then.
    expect(p.runtime.sessions.find((s) => s.spec.role === 'initializer')?.spec.maxBudgetUsd).toBe(0.9);
    const coding = p.runtime.sessions.filter((s) => s.spec.role === 'coding');
    expect(coding).toHaveLength(2);
    const [init, code1] = [sessions.find((s) => s.role === 'initializer'), sessions.find((s) => s.role === 'coding')];
    expect(coding[0]?.spec.maxBudgetUsd).toBeCloseTo(0.9 - (init?.costUsd ?? NaN), 6);
    expect(coding[1]?.spec.maxBudgetUsd).toBeCloseTo(0.9 - (init?.costUsd ?? NaN) - (code1?.costUsd ?? NaN), 6);
    // 80 %: the warning; then the stop, both once.
    const types = runEventTypes(p);
    expect(types.filter((t) => t === 'run.budget_warning')).toHaveLength(1);
    expect(types.filter((t) => t === 'run.budget_exhausted')).toHaveLength(1);
    expect(p.reports).toContainEqual(expect.stringMatching(/^Budget warning: \$0\.7\d+ of the \$0\.9\d+ run budget/));
    // The webhook heard the warning, with the numbers.
    expect(receiver.hits.map((h) => h.body)).toEqual([
      expect.objectContaining({
        event: 'run.budget_warning',
        runId: result.runId,
        scope: 'run',
        limitUsd: 0.9,
        usedUsd: expect.closeTo(0.7584, 6) as number,
      }),
    ]);
    // Every reservation was settled when its session ended.
    expect(p.inspect((store) => store.budget.use({ runId: result.runId }).reservedUsd)).toBe(0);
  });

  it('a daily budget with less left than a session costs starts no initializer; the result says why', async () => {
    const p = (project = scriptedProject(expensiveScript()));
    const result = await p.run({ yolo: true, dailyBudgetUsd: 0.01 });
    expect(result).toMatchObject({
      status: 'stopped',
      budgetExhausted: true,
      reason:
        'Budget reached before the initializer session: only $0.0100 is left of the $0.0100 daily budget, less than such a session costs.',
    });
    expect(p.runtime.sessions).toHaveLength(0);
    expect(p.inspect((store) => store.features.stats().total)).toBe(0);
  });

  it('a session past its reservation ends as max_budget and the run stops within the budget plus one turn', async () => {
    const p = (project = scriptedProject(expensiveScript()));
    // Enough for the first coding session to start (the floor), not to land: it crosses its limit on its 2nd turn.
    const result = await p.run({ yolo: true, maxCostUsd: 0.15 });
    const { cost, outcomes, passing } = p.inspect((store) => ({
      cost: store.sessions.costOfRun(result.runId),
      outcomes: store.sessions.list({ runId: result.runId }).map((s) => [s.role, s.outcome]),
      passing: store.features.stats().passing,
    }));
    expect(outcomes).toContainEqual(['coding', 'max_budget']);
    expect(passing).toBe(0);
    expect(cost).toBeLessThanOrEqual(0.15 + TURN_USD);
    expect(result).toMatchObject({ status: 'stopped', budgetExhausted: true });
  });

  it('a feature over its own budget goes to the Inbox ("raise the budget for #1, or skip it") instead of another attempt; a raise lets it go on', async () => {
    // The first coding session writes but never lands (ends after its first turn); each costs $0.0912.
    let sessionsOfOne = 0;
    const landing = landingCodingSession();
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    const script: Script = (conv) => {
      if (!isCoding(conv)) return initializer(conv);
      if (conv.turn === 0) sessionsOfOne += 1;
      if (sessionsOfOne === 1) return reply().text('I could not finish.').tokens({ input_tokens: EXPENSIVE });
      return (landing(conv) as ReplyBuilder).tokens({ input_tokens: EXPENSIVE });
    };
    const p = (project = scriptedProject(script));
    const first = await p.run({ yolo: true, maxFeatureCostUsd: 0.05, waitForInput: false });
    const { request, feature } = p.inspect((store) => ({
      request: store.humanInput.list({ status: 'open' })[0],
      feature: store.features.get(1),
    }));
    // One paid attempt, then the Inbox: no second session for #1.
    expect(p.runtime.sessions.filter((s) => s.spec.role === 'coding')).toHaveLength(1);
    expect(feature.status).toBe('needs_input');
    expect(request?.prompt).toBe(
      'Feature #1 "Create a note" has used $0.0912 of its $0.0500 budget: raise the budget for #1, or skip it.',
    );
    expect(first.reason).toMatch(/Nothing can proceed/);

    p.inspect((store) =>
      answerHumanInput(store, request?.id ?? '', { [BUDGET_DECISION_FIELD]: RAISE, [BUDGET_AMOUNT_FIELD]: 1 }),
    );
    await p.run({ yolo: true, maxFeatureCostUsd: 0.05, waitForInput: false });
    expect(p.inspect((store) => store.features.get(1).status)).toBe('passing');
  });
});

describe('skipping a feature over its budget', () => {
  it('"skip the feature": it goes to the back of the queue and fails once its attempts are used, with no session', async () => {
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    const script: Script = (conv) =>
      isCoding(conv) ? reply().text('I could not finish.').tokens({ input_tokens: EXPENSIVE }) : initializer(conv);
    const p = (project = scriptedProject(script));
    await p.run({ yolo: true, maxFeatureCostUsd: 0.05, waitForInput: false });
    const request = p.inspect((store) => store.humanInput.list({ status: 'open' })[0]);
    p.inspect((store) => answerHumanInput(store, request?.id ?? '', { [BUDGET_DECISION_FIELD]: SKIP }));
    const sessionsBefore = p.runtime.sessions.length;
    const second = await p.run({ yolo: true, maxFeatureCostUsd: 0.05, waitForInput: false });
    expect(p.runtime.sessions.length).toBe(sessionsBefore);
    const f1 = p.inspect((store) => store.features.get(1));
    expect(f1.status).toBe('failed');
    expect(f1.notes).toContain('a person chose to skip it: it used its own budget');
    expect(second.reason).toMatch(/Nothing can proceed/);
  });
});

describe('loops in a run', () => {
  it('a feature failing the same way twice goes to the Inbox with the evidence instead of a third attempt; an answer lets it go on', async () => {
    let attempts = 0;
    const landing = landingCodingSession();
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    const script: Script = (conv) => {
      if (!isCoding(conv)) return initializer(conv);
      if (conv.turn === 0) attempts += 1;
      // The first two attempts at #1 end without landing (the same failure); after the answer, it lands.
      if (attempts <= 2) return reply().text('I could not make it pass.');
      return landing(conv);
    };
    const p = (project = scriptedProject(script));
    const first = await p.run({ yolo: true, waitForInput: false });
    expect(attempts).toBe(2);
    const { request, feature } = p.inspect((store) => ({
      request: store.humanInput.list({ status: 'open' })[0],
      feature: store.features.get(1),
    }));
    expect(feature.status).toBe('needs_input');
    expect(request?.prompt).toBe(
      'Feature #1 "Create a note" failed the same way twice in a row, so it is not tried again until you answer.\n' +
        'Attempt before last: the session ended without marking the feature passing\n' +
        'Last attempt: the session ended without marking the feature passing',
    );
    expect(first.reason).toMatch(/Nothing can proceed/);
    expect(p.reports).toContainEqual(expect.stringMatching(/^Feature #1 failed the same way twice in a row/));

    p.inspect((store) => answerHumanInput(store, request?.id ?? '', { guidance: 'Write the file, then commit.' }));
    await p.run({ yolo: true, waitForInput: false });
    // Two refused attempts at #1, its third after the answer, then one session each for #2, #3 and #4.
    expect(attempts).toBe(6);
    expect(p.inspect((store) => store.features.get(1).status)).toBe('passing');
    // The guidance reached the next session through the feature's notes.
    const third = p.runtime.sessions.filter((x) => x.spec.role === 'coding')[2];
    expect(third?.spec.prompt).toContain('Write the file, then commit.');
  });

  it('the same tool call 5 times in a row ends the session as looping, recorded as such', async () => {
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    let turns = 0;
    const script: Script = (conv) => {
      if (!isCoding(conv)) return initializer(conv);
      turns += 1;
      return reply().tool('Bash', { command: 'ls' });
    };
    const p = (project = scriptedProject(script));
    await p.run({ yolo: true, maxIterations: 1 });
    // Ended right after the 5th identical call: no sixth turn was paid for.
    expect(turns).toBe(5);
    const coding = p.inspect((store) => store.sessions.list().filter((x) => x.role === 'coding'));
    expect(coding.map((x) => [x.outcome, x.status, x.error])).toEqual([
      [LOOPING_OUTCOME, 'failed', 'the same Bash call with the same arguments 5 times in a row'],
    ]);
    expect(p.inspect((store) => store.features.get(1).notes)).toContain(
      'the session ended with looping: the same Bash call with the same arguments 5 times in a row',
    );
  });

  it(`${NO_PROGRESS_TURN_LIMIT} turns without a new tool result end the session as looping, recorded as such`, async () => {
    const initializer = roleScript({ initializer: initializerSession(SAMPLE_FEATURES) });
    let turns = 0;
    const script: Script = (conv) => {
      if (!isCoding(conv)) return initializer(conv);
      turns += 1;
      // Two commands in turn: never the same call twice in a row, and nothing new after the first two turns.
      return reply().tool('Bash', { command: turns % 2 ? 'ls' : 'pwd' });
    };
    const p = (project = scriptedProject(script));
    await p.run({ yolo: true, maxIterations: 1 });
    // Two turns that were new, then the idle ones; no further turn was paid for.
    expect(turns).toBe(2 + NO_PROGRESS_TURN_LIMIT);
    const coding = p.inspect((store) => store.sessions.list().filter((x) => x.role === 'coding'));
    expect(coding.map((x) => [x.outcome, x.status, x.error])).toEqual([
      [
        LOOPING_OUTCOME,
        'failed',
        `${NO_PROGRESS_TURN_LIMIT} turns in a row without a file change or a new tool result`,
      ],
    ]);
  });
});
