/**
 * The landing gate with the scripted runtime on a real project (SQLite, git, worktrees, the
 * verification engine running the checks for real): a feature lands only when the runner has
 * verified the exact commit that lands with its frozen acceptance checks (and those of the passing
 * features it depends on); a failed verification lands nothing and tells the same session every
 * failing check; the third hands the feature back; landings are serialized by the merge queue.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { git, gitOk } from '../../src/git/git.js';
import type { AcceptanceCheck, Verification } from '../../src/shared/acceptance.js';
import {
  FEATURE_TOOL,
  landingCodingSession,
  reply,
  roleScript,
  type Conversation,
} from '../support/fake-anthropic/index.js';
import {
  checkedFeatures,
  exportPath,
  fileCheck,
  gateCoder,
  MARK_PASSING,
  seedBacklog,
  tamperAttempts,
  tamperingCoder,
} from '../support/gate-backlog.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { freePort } from '../support/free-port.js';

/** A server that accepts connections on `port` and answers nothing useful. */
function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((_, res) => res.end('someone else'));
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

vi.setConfig({ testTimeout: 90_000 });

let project: ScriptedProject | undefined;

afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const verificationsOf = (p: ScriptedProject, featureId: number): Verification[] =>
  p.inspect((store) => store.verifications.list(featureId));

const marks: { isError: boolean; text: string }[] = [];
/** Records each `feature_mark_passing` result a session's next turn sees. */
const recording = (step: (conv: Conversation) => ReturnType<ReturnType<typeof gateCoder>>) => (conv: Conversation) => {
  const last = conv.lastToolResults[0];
  if (last?.name === MARK_PASSING) marks.push({ isError: last.isError, text: last.text });
  return step(conv);
};

afterEach(() => {
  marks.length = 0;
});

describe('the landing gate', () => {
  it('lands each feature through a passing verification of the exact commit; a dependency\'s checks run too; a feature without checks lands "not verified"', async () => {
    const p = (project = scriptedProject(roleScript({ coding: landingCodingSession() })));
    seedBacklog(p, [
      ...checkedFeatures(1),
      { ...checkedFeatures(1, 2)[0]!, dependsOnIndices: [0] },
      { category: 'core', name: 'Feature 3', description: 'no checks', steps: ['look'] },
    ]);
    expect(await p.run({ concurrency: 1, yolo: true })).toMatchObject({ reason: 'All 3 features pass.' });
    p.inspect((store) => {
      const [f1, f2, f3] = [1, 2, 3].map((id) => store.features.get(id));
      for (const f of [f1!, f2!]) {
        expect(f.status).toBe('passing');
        const v = store.verifications.get(f.verificationId as string);
        expect(v).toMatchObject({ featureId: f.id, trigger: 'landing', status: 'passed' });
        // The commit verified is the commit main moved to for this feature.
        const landed = f.evidence.at(-1) as { commit: string; verificationId: string };
        expect(landed).toMatchObject({ commit: v.commit, verificationId: v.id });
        expect(git(p.dir, ['merge-base', '--is-ancestor', v.commit, 'main']).status).toBe(0);
        const result = JSON.parse(readFileSync(join(p.dir, v.evidenceDir, 'result.json'), 'utf8')) as Verification;
        expect(result).toMatchObject({ id: v.id, status: 'passed' });
      }
      // Feature 2 depends on 1: its landing ran 1's check as well, on 2's commit.
      const v2 = store.verifications.get(f2!.verificationId as string);
      expect(v2.checks.map((c) => [c.featureId, c.index, c.passed])).toEqual([
        [2, 0, true],
        [1, 0, true],
      ]);
      expect(f3).toMatchObject({ status: 'passing', verificationId: null });
      expect(store.verifications.list(3)).toEqual([]);
      expect(store.verifications.verifiedCount()).toBe(2);
    });
    // The export agents read was written from the database before the verifications.
    const exported = JSON.parse(readFileSync(join(p.dir, '.autocoder/acceptance/feature-2.json'), 'utf8')) as {
      acceptance: unknown[];
    };
    expect(exported.acceptance).toEqual([fileCheck(2)]);
  });

  it("verifies on a free port of its own: programs on every port of the slot's block (another run here) change nothing", async () => {
    const p = (project = scriptedProject(roleScript({ coding: landingCodingSession() })));
    // The project's app, started by ./init.sh on $PORT for the http check.
    writeFileSync(
      join(p.dir, 'server.js'),
      "require('node:http').createServer((q, r) => r.end('notes app')).listen(Number(process.env.PORT), '127.0.0.1');\n",
    );
    writeFileSync(join(p.dir, 'init.sh'), '#!/usr/bin/env bash\nnohup node server.js > /dev/null 2>&1 &\n', {
      mode: 0o755,
    });
    const httpCheck = { kind: 'http', method: 'GET', path: '/', expect: { status: 200, bodyIncludes: 'notes app' } };
    seedBacklog(p, [{ ...checkedFeatures(1)[0]!, acceptance: [fileCheck(1), httpCheck] as AcceptanceCheck[] }]);
    // Another program holds every port of slot 0's block, as a second run on this machine would.
    const basePort = await freePort();
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => listenOn(basePort + i)));
    try {
      expect(await p.run({ concurrency: 1, yolo: true, basePort })).toMatchObject({ reason: 'All 1 features pass.' });
    } finally {
      await Promise.all(others.map((s) => new Promise((resolve) => s.close(resolve))));
    }
    const [v] = verificationsOf(p, 1);
    expect(v?.status).toBe('passed');
    expect(v?.checks.map((c) => [c.kind, c.passed])).toEqual([
      ['command', true],
      ['http', true],
    ]);
  });

  it('a failed verification lands nothing and names the failing check with its output; the same session fixes it and lands', async () => {
    const p = (project = scriptedProject(
      roleScript({
        coding: recording(
          gateCoder((id, refused) => (refused === 0 ? `feature ${id} TODO` : `feature ${id} implemented`)),
        ),
      }),
    ));
    seedBacklog(p, checkedFeatures(1));
    const mainBefore = gitOk(p.dir, ['rev-parse', 'main']).trim();
    expect(await p.run({ concurrency: 1, yolo: true, regressionEvery: 0 })).toMatchObject({
      reason: 'All 1 features pass.',
    });
    expect(marks).toHaveLength(2);
    const [refused, landed] = marks;
    expect(refused?.isError).toBe(true);
    expect(refused?.text).toContain('1 of 1 failed');
    expect(refused?.text).toContain('check 1 (command "feature 1 file")');
    expect(refused?.text).toContain('feature 1 TODO');
    expect(refused?.text).toContain('failed verifications in this session: 1 of 3');
    expect(landed?.isError).toBe(false);
    const [second, first] = verificationsOf(p, 1);
    expect(first).toMatchObject({ status: 'failed', trigger: 'landing' });
    expect(second).toMatchObject({ status: 'passed' });
    // The evidence is named where the session can read it: its own worktree.
    const inWorktree = join(p.dir, '.autocoder', 'worktrees', 'slot-0', first!.evidenceDir, 'result.json');
    expect(refused?.text).toContain(inWorktree);
    expect(JSON.parse(readFileSync(inWorktree, 'utf8'))).toMatchObject({ id: first!.id, status: 'failed' });
    // Main never pointed at the failing commit: it moved once, straight to the fixed one.
    expect(gitOk(p.dir, ['show', `${first!.commit}:features/feature-1.txt`])).toContain('TODO');
    expect(gitOk(p.dir, ['reflog', 'show', '--format=%H', 'main']).trim().split('\n')).toEqual([
      second!.commit,
      mainBefore,
    ]);
    p.inspect((store) => expect(store.features.get(1)).toMatchObject({ attempts: 1, verificationId: second!.id }));
    expect(p.runtime.sessions.filter((s) => s.spec.role === 'coding')).toHaveLength(1);
  });

  it('three failed verifications in one session hand the feature back (the attempt counts); a coder that never does the work never lands, and failing the same way twice goes to the Inbox', async () => {
    const p = (project = scriptedProject(
      roleScript({ coding: recording(gateCoder((id, n) => `feature ${id} todo ${n}`)) }),
    ));
    seedBacklog(p, checkedFeatures(1));
    const mainBefore = gitOk(p.dir, ['rev-parse', 'main']).trim();
    const result = await p.run({ concurrency: 1, yolo: true, waitForInput: false });
    expect(result.reason).toMatch(/^Nothing can proceed/);
    p.inspect((store) => {
      const f = store.features.get(1);
      // Two attempts failed alike: no third one; a person decides (asking refunds the claim that found it).
      expect(f).toMatchObject({ status: 'needs_input', attempts: 2, verificationId: null });
      expect(f.notes).toContain('3 verifications failed in one session; the last: verification ver_');
      expect(store.humanInput.list({ status: 'open' })[0]?.prompt).toMatch(
        /^Feature #1 "[^"]+" failed the same way twice in a row/,
      );
    });
    // Two sessions, three refusals each; the third of each told the session to stop.
    expect(p.runtime.sessions.filter((s) => s.spec.role === 'coding')).toHaveLength(2);
    expect(marks.map((m) => m.isError)).toEqual(Array<boolean>(6).fill(true));
    expect(marks.filter((m) => m.text.includes('Stop now'))).toHaveLength(2);
    expect(verificationsOf(p, 1).map((v) => v.status)).toEqual(Array<string>(6).fill('failed'));
    expect(gitOk(p.dir, ['rev-parse', 'main']).trim()).toBe(mainBefore);
  });

  it('landings at concurrency 3 are serialized: no two verifications overlap, and each verified commit is what main moved to', async () => {
    const p = (project = scriptedProject(roleScript({ coding: recording(landingCodingSession()) })));
    seedBacklog(p, checkedFeatures(6));
    expect(await p.run({ concurrency: 3, yolo: true })).toMatchObject({ reason: 'All 6 features pass.' });
    const landings = p.inspect((store) =>
      store.features.list().map((f) => ({ f, v: store.verifications.get(f.verificationId as string) })),
    );
    const spans = landings.map(({ v }) => [v.startedAt, v.endedAt as number] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // Main moved only by fast-forwards to verified commits: its first-parent history holds each of them.
    const history = gitOk(p.dir, ['rev-list', '--first-parent', 'main']).trim().split('\n');
    for (const { f, v } of landings) {
      expect(history).toContain(v.commit);
      expect((f.evidence.at(-1) as { commit: string }).commit).toBe(v.commit);
    }
    // Sessions finished at once: those behind what had landed first were rebased by the runner (and verified on the
    // rebased commit, above); no session was told to rebase, none was refused.
    expect(marks.filter((m) => m.isError)).toEqual([]);
    const rebased = p.inspect(
      (store) =>
        store.db
          .prepare(`SELECT count(*) FROM events WHERE type = 'feature.passed' AND payload LIKE '%"rebased":true%'`)
          .pluck()
          .get() as number,
    );
    expect(rebased).toBeGreaterThan(0);
    expect(existsSync(join(p.dir, '.autocoder', 'worktrees', 'verify-0'))).toBe(true);
  });
});

/** The feature a verifier session reviews, read from its prompt. */
const reviewed = (conv: Conversation): number | null =>
  Number(/Independent verifier for "[^"]+": feature #(\d+)/.exec(conv.prompt)?.[1] ?? NaN) || null;

/**
 * A verifier session: reads the diff the prompt names, then gives `decide(featureId, reviews so far)` through
 * verifier_verdict.
 */
function verifierScript(decide: (id: number, n: number) => { verdict: 'pass' | 'reject'; reasons: string[] }) {
  const seen = new Map<number, number>();
  return (conv: Conversation) => {
    const id = reviewed(conv) as number;
    if (conv.turn === 0) {
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const diff = /`([^`]+diff\.patch)`/.exec(conv.prompt)?.[1] ?? '';
      return reply().text(`Reviewing feature ${id}.`).tool('Read', { file_path: diff });
    }
    if (conv.turn === 1) return reply().tool(FEATURE_TOOL('verifier_verdict'), decide(id, (seen.get(id) ?? 1) - 1));
    return reply().text('Verdict given.');
  };
}

describe('the optional independent verifier', () => {
  it('reviews each feature whose checks passed before main moves, read-only, with its own model; its session is recorded and costed', async () => {
    const verifier = verifierScript(() => ({ verdict: 'pass', reasons: [] }));
    const p = (project = scriptedProject(
      roleScript({ coding: landingCodingSession(), other: (c) => (reviewed(c) ? verifier(c) : reply().text('-')) }),
    ));
    seedBacklog(p, checkedFeatures(2));
    const result = await p.run({ concurrency: 1, yolo: true, verifier: true, models: { verifier: 'claude-opus-4-1' } });
    expect(result).toMatchObject({ reason: 'All 2 features pass.' });
    const reviews = p.runtime.sessions.filter((s) => s.spec.role === 'verifier');
    expect(reviews).toHaveLength(2);
    for (const r of reviews) {
      expect(r.spec).toMatchObject({ model: 'claude-opus-4-1', builtinTools: ['Read', 'Glob', 'Grep'], cwd: p.dir });
      expect(r.spec.mcpTools.map((t) => t.name).sort()).toEqual(['feature_get_by_id', 'verifier_verdict']);
    }
    p.inspect((store) => {
      const sessions = store.sessions.list().filter((s) => s.role === 'verifier');
      expect(sessions.map((s) => s.featureIds)).toEqual([[1], [2]]);
      expect(sessions.every((s) => s.costUsd > 0 && s.status === 'succeeded')).toBe(true);
      const v1 = store.verifications.get(store.features.get(1).verificationId as string);
      const verdict = JSON.parse(readFileSync(join(p.dir, v1.evidenceDir, 'verdict.json'), 'utf8')) as unknown;
      expect(verdict).toMatchObject({ verdict: 'pass', given: true });
      // The diff it read is the change that landed.
      expect(readFileSync(join(p.dir, v1.evidenceDir, 'diff.patch'), 'utf8')).toContain('+feature 1 implemented');
    });
    expect(p.reports).toContain('Slot 0 (verifier): passed feature #1.');
  });

  it('a reject goes back to the coder as the tool error with the reasons (it counts like a failed verification); the fix lands', async () => {
    const verifier = verifierScript((_id, n) =>
      n === 0
        ? { verdict: 'reject', reasons: ['features/feature-1.txt says "stub": write the real thing'] }
        : { verdict: 'pass', reasons: ['now it is real'] },
    );
    const coder = recording(
      gateCoder((id, refused) => (refused === 0 ? `feature ${id} implemented stub` : `feature ${id} implemented`)),
    );
    const p = (project = scriptedProject(
      roleScript({ coding: coder, other: (c) => (reviewed(c) ? verifier(c) : reply().text('-')) }),
    ));
    seedBacklog(p, checkedFeatures(1));
    expect(await p.run({ concurrency: 1, yolo: true, verifier: true, regressionEvery: 0 })).toMatchObject({
      reason: 'All 1 features pass.',
    });
    expect(marks.map((m) => m.isError)).toEqual([true, false]);
    expect(marks[0]?.text).toContain(
      'the independent verifier rejected the change:\n1. features/feature-1.txt says "stub": write the real thing',
    );
    expect(marks[0]?.text).toContain('failed verifications in this session: 1 of 3');
    const [second, first] = verificationsOf(p, 1);
    // Both commits passed the checks; only the second got past the verifier and landed.
    expect([first?.status, second?.status]).toEqual(['passed', 'passed']);
    expect(gitOk(p.dir, ['rev-parse', 'main']).trim()).toBe(second?.commit);
    expect(JSON.parse(readFileSync(join(p.dir, first!.evidenceDir, 'verdict.json'), 'utf8'))).toMatchObject({
      verdict: 'reject',
    });
    p.inspect((store) => expect(store.features.get(1)).toMatchObject({ attempts: 1, verificationId: second?.id }));
  });
});

describe('the verifier and budgets', () => {
  it('is held to a reservation beside its coding session (whose hold is not in its way); settled when it ends', async () => {
    const verifier = verifierScript(() => ({ verdict: 'pass', reasons: [] }));
    const p = (project = scriptedProject(
      roleScript({ coding: landingCodingSession(), other: (c) => (reviewed(c) ? verifier(c) : reply().text('-')) }),
    ));
    seedBacklog(p, checkedFeatures(1));
    const result = await p.run({ concurrency: 1, yolo: true, verifier: true, maxCostUsd: 5 });
    expect(result).toMatchObject({ reason: 'All 1 features pass.' });
    const [coding] = p.runtime.sessions.filter((s) => s.spec.role === 'coding');
    const [review] = p.runtime.sessions.filter((s) => s.spec.role === 'verifier');
    // One slot: the coding session holds all that is left; the verifier inside it may use as much, not more.
    expect(coding?.spec.maxBudgetUsd).toBe(5);
    expect(review?.spec.maxBudgetUsd).toBe(5);
    p.inspect((store) => {
      expect(store.budget.use({ runId: result.runId }).reservedUsd).toBe(0);
      const verifierCost = store.sessions.list({ runId: result.runId }).find((s) => s.role === 'verifier')?.costUsd;
      expect(verifierCost).toBeGreaterThan(0);
    });
  });

  it('with less left than a review costs, no verifier runs and nothing lands unreviewed', async () => {
    const verifier = verifierScript(() => ({ verdict: 'pass', reasons: [] }));
    const p = (project = scriptedProject(
      roleScript({
        coding: recording(gateCoder((id) => `feature ${id} implemented`)),
        other: (c) => (reviewed(c) ? verifier(c) : reply().text('-')),
      }),
    ));
    seedBacklog(p, checkedFeatures(1));
    // Reviews have cost $1 each so far (an earlier run): $0.50 left is less than a review costs.
    p.inspect((store) => {
      store.runs.start({ id: 'run_old', pid: 1, host: 'box', incarnation: 'old', settings: {} });
      store.sessions.start({
        id: 'ses_old',
        runId: 'run_old',
        slot: 0,
        role: 'verifier',
        featureIds: [],
        model: null,
        transcriptPath: join(p.dir, 'old.jsonl'),
      });
      store.sessions.end('ses_old', {
        status: 'succeeded',
        outcome: 'success',
        usage: { turns: 1, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 1 },
        error: null,
      });
      store.runs.end('run_old', 'finished', 'done');
    });
    const main = gitOk(p.dir, ['rev-parse', 'main']).trim();
    await p.run({ concurrency: 1, yolo: true, verifier: true, maxCostUsd: 0.5, maxIterations: 1 });
    expect(p.runtime.sessions.filter((s) => s.spec.role === 'verifier')).toHaveLength(0);
    expect(marks[0]).toMatchObject({ isError: true });
    expect(marks[0]?.text).toContain(
      'the independent verifier rejected the change:\n1. no review was possible: only $0.5000 is left of the $0.5000 run budget, less than such a session costs; the change does not land yet',
    );
    expect(gitOk(p.dir, ['rev-parse', 'main']).trim()).toBe(main);
    p.inspect((store) => expect(store.features.get(1).status).not.toBe('passing'));
  });
});

describe('frozen checks in the session', () => {
  it("the session's worktree has the read-only export of its checks; every attempt to change it is refused and the stored hash stays", async () => {
    const p = (project = scriptedProject(roleScript({ coding: tamperingCoder() })));
    seedBacklog(p, checkedFeatures(1));
    const hash = p.inspect((store) => store.features.get(1).acceptanceHash);
    const results: { name: string; isError: boolean; text: string }[] = [];
    const watching = p.runtime.waitForTurn((c) => {
      results.push(...c.lastToolResults);
      return false;
    }, 60_000);
    watching.catch(() => undefined);
    expect(await p.run({ concurrency: 1, yolo: true, maxIterations: 1 })).toMatchObject({
      reason: 'Reached --max-iterations 1; 0/1 features pass.',
    });
    const [read, ...rest] = results;
    expect(read).toMatchObject({ name: 'Read', isError: false });
    expect(read?.text).toContain('feature 1 implemented');
    const attempts = rest.slice(0, tamperAttempts(1).length);
    expect(attempts.map((r) => r.isError)).toEqual(Array<boolean>(8).fill(true));
    for (const r of attempts) expect(r.text).toMatch(/protected folder|runs arbitrary code/);
    const worktreeExport = join(p.dir, '.autocoder', 'worktrees', 'slot-0', exportPath(1));
    expect(statSync(worktreeExport).mode & 0o777).toBe(0o444);
    expect(JSON.parse(readFileSync(worktreeExport, 'utf8'))).toMatchObject({
      acceptanceHash: hash,
      acceptance: [fileCheck(1)],
    });
    // The coder then claimed it was done: the gate ran the frozen checks and refused.
    const mark = rest.find((r) => r.name === MARK_PASSING);
    expect(mark?.isError).toBe(true);
    expect(mark?.text).toContain('check 1 (command "feature 1 file")');
    p.inspect((store) => expect(store.features.get(1)).toMatchObject({ status: 'pending', acceptanceHash: hash }));
  });
});

describe('verification webhooks', () => {
  it('each verification of a landing is posted as verification.finished with its verdict', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const p = (project = scriptedProject(
        roleScript({ coding: gateCoder((id, refused) => `feature ${id} ${refused === 0 ? 'TODO' : 'implemented'}`) }),
      ));
      seedBacklog(p, checkedFeatures(1));
      await p.run(
        { concurrency: 1, yolo: true, regressionEvery: 0 },
        { webhooks: [{ url: `${receiver.url}/v`, events: ['verification.finished'], format: 'json' }] },
      );
      const [failed, passed] = verificationsOf(p, 1).reverse();
      expect(receiver.hits.map((h) => h.body)).toEqual([
        expect.objectContaining({
          event: 'verification.finished',
          project: 'notes',
          featureId: 1,
          featureName: 'Feature 1',
          verificationId: failed?.id,
          trigger: 'landing',
          verdict: 'failed',
          commit: failed?.commit,
          checks: 1,
          passed: 0,
        }),
        expect.objectContaining({ verificationId: passed?.id, verdict: 'passed', checks: 1, passed: 1 }),
      ]);
    } finally {
      await receiver.close();
    }
  });
});

describe('a runner that died between moving main and recording the pass', () => {
  it('the next run records the pass without a session, linked to the verification that let it land', async () => {
    const p = (project = scriptedProject(roleScript({ coding: gateCoder((id) => `feature ${id} implemented`) })));
    seedBacklog(p, checkedFeatures(1));
    // What the dead runner did: verified the branch's commit, recorded the landing, moved main; then it died.
    const commit = (() => {
      gitOk(p.dir, ['switch', '-q', '-c', 'autocoder/feature-1']);
      mkdirSync(join(p.dir, 'features'));
      writeFileSync(join(p.dir, 'features', 'feature-1.txt'), 'feature 1 implemented\n');
      gitOk(p.dir, ['add', '-A']);
      gitOk(p.dir, ['-c', 'user.name=T', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'Feature #1']);
      const sha = gitOk(p.dir, ['rev-parse', 'HEAD']).trim();
      gitOk(p.dir, ['switch', '-q', 'main']);
      gitOk(p.dir, ['merge', '-q', '--ff-only', sha]);
      return sha;
    })();
    p.inspect((store) => {
      const claimed = store.claims.claimNext('run_dead/ses_1');
      if (!claimed) throw new Error('nothing to claim');
      const v: Verification = {
        id: 'ver_dead01',
        featureId: 1,
        commit,
        trigger: 'landing',
        status: 'running',
        sessionId: 'ses_1',
        startedAt: 1,
        endedAt: null,
        evidenceDir: '.autocoder/evidence/feature-1/ver_dead01',
        checks: [],
        error: null,
      };
      store.verifications.start(v);
      store.verifications.finish({ ...v, status: 'passed', endedAt: 2 });
      store.claims.recordLanding(claimed.claim, commit);
      store.claims.releaseOwnedBy('run_dead/', 'the runner died');
    });
    await p.run({ concurrency: 1, yolo: true, regressionEvery: 0 });
    expect(p.reports).toContain(
      'Slot 0: feature #1 had landed on main before the runner stopped; recorded as passing.',
    );
    p.inspect((store) =>
      expect(store.features.get(1)).toMatchObject({ status: 'passing', verificationId: 'ver_dead01' }),
    );
    expect(p.runtime.sessions).toEqual([]);
  });
});
