/**
 * Regression without a model, with the scripted runtime on a real project: the runner's
 * regression passes (every `regressionEvery` landings and at the end of a run) and
 * `autocoder verify` run the frozen checks of the passing features on main; a feature whose
 * checks fail goes back to pending with the failing evidence as a note.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BulkFeature } from '../../src/db/ports.js';
import { gitOk } from '../../src/git/git.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { assignedFeature, roleScript, type Step } from '../support/fake-anthropic/index.js';
import { checkedFeatures, gateCoder, MARK_PASSING, seedBacklog } from '../support/gate-backlog.js';
import { makeTempDir } from '../support/tmp.js';
import { cliInProcess } from '../support/cli-in-process.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';

vi.setConfig({ testTimeout: 90_000 });

let project: ScriptedProject | undefined;

afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const honest = gateCoder((id) => `feature ${id} implemented`);

describe('regression passes in a run', () => {
  it('after every regressionEvery landings and at the end: a feature another one broke goes back to pending, is fixed, and the run ends with all passing', async () => {
    let broke = false;
    // Feature 3's first session also deletes feature 1's file: its own checks pass, so it lands; feature 1 is broken.
    const coder = gateCoder((id) => `feature ${id} implemented`, {
      also: (id) => (id === 3 && !broke ? ((broke = true), 'git rm -q features/feature-1.txt') : null),
    });
    const p = (project = scriptedProject(roleScript({ coding: coder })));
    seedBacklog(p, checkedFeatures(4));
    expect(await p.run({ concurrency: 1, yolo: true, regressionEvery: 2 })).toMatchObject({
      reason: 'All 4 features pass.',
    });
    const passes = p.reports.filter((l) => l.startsWith('Regression pass'));
    expect(passes[0]).toMatch(/^Regression pass after 2 landings on main \([0-9a-f]{8}\): 2 passed, 0 regressed/);
    expect(passes.some((l) => /1 regressed \(#1: pending again\)/.test(l))).toBe(true);
    expect(passes.at(-1)).toMatch(
      /^Regression pass at the end of the run on main \([0-9a-f]{8}\): 4 passed, 0 regressed/,
    );
    expect(p.reports).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Regression: feature #1 Feature 1 fails its checks on main \([0-9a-f]{8}\); it is pending again\.$/,
        ),
      ]),
    );
    p.inspect((store) => {
      const f1 = store.features.get(1);
      expect(f1.status).toBe('passing');
      expect(f1.notes).toMatch(
        /regression: verification ver_\w+ on [0-9a-f]{8} failed 1\/1: check 1 \(command "feature 1 file"\)/,
      );
      const regressions = store.verifications.list(1).filter((v) => v.trigger === 'regression');
      expect(regressions.map((v) => v.status)).toContain('failed');
      expect(regressions[0]?.status).toBe('passed');
      // Feature 1 landed twice, each time through a passing landing verification.
      expect(store.verifications.list(1).filter((v) => v.trigger === 'landing' && v.status === 'passed')).toHaveLength(
        2,
      );
      expect(store.verifications.verifiedCount()).toBe(4);
    });
    expect(p.runtime.sessions.filter((s) => s.spec.role === 'coding')).toHaveLength(5);
  });

  it('runs a pass’s verifications side by side, as many at once as the run has slots: two checks that each wait for the other both pass', async () => {
    const meeting = makeTempDir('ac-regression-meet-');
    try {
      const rv = meeting.dir;
      // Once `go` exists, each check waits (up to 5 s) for the other to have started: alone, neither passes. The script
      // is on main (a check runs nothing from outside the project), naming the meeting folder itself.
      const meetScript = [
        "import { existsSync, writeFileSync } from 'node:fs';",
        `const dir = ${JSON.stringify(rv)};`,
        'const [id, other] = process.argv.slice(2);',
        'if (existsSync(`${dir}/go`)) {',
        '  writeFileSync(`${dir}/at-${id}`, "");',
        '  const until = Date.now() + 5000;',
        '  while (!existsSync(`${dir}/at-${other}`)) {',
        '    if (Date.now() > until) { console.log(`feature ${other} never came`); process.exit(1); }',
        '    await new Promise((r) => setTimeout(r, 20));',
        '  }',
        '}',
      ].join('\n');
      const meet = (id: number, other: number): AcceptanceCheck => ({
        kind: 'command',
        name: `feature ${id} file, beside feature ${other}`,
        run: `node meet.mjs ${id} ${other} && cat features/feature-${id}.txt`,
        expect: { stdoutIncludes: `feature ${id} implemented` },
      });
      // Feature 3 needs 1 and 2, so it lands last; once it has, only the pass at the end of the run is left.
      const coder: Step = (conv) => {
        const last = conv.lastToolResults[0];
        if (assignedFeature(conv) === 3 && last?.name === MARK_PASSING && !last.isError)
          writeFileSync(join(rv, 'go'), '');
        return honest(conv);
      };
      const p = (project = scriptedProject(roleScript({ coding: coder })));
      const [one, two, three] = checkedFeatures(3);
      writeFileSync(join(p.dir, 'meet.mjs'), `${meetScript}\n`);
      seedBacklog(p, [
        { ...(one as BulkFeature), acceptance: [meet(1, 2)] },
        { ...(two as BulkFeature), acceptance: [meet(2, 1)] },
        { ...(three as BulkFeature), dependsOnIndices: [0, 1] },
      ]);
      expect(await p.run({ concurrency: 2, yolo: true, regressionEvery: 10 })).toMatchObject({
        reason: 'All 3 features pass.',
      });
      expect(p.reports.filter((l) => l.startsWith('Regression pass'))).toEqual([
        expect.stringMatching(/^Regression pass at the end of the run on main \([0-9a-f]{8}\): 3 passed, 0 regressed/),
      ]);
      expect(existsSync(join(rv, 'at-1')) && existsSync(join(rv, 'at-2'))).toBe(true);
      p.inspect((store) => {
        for (const id of [1, 2])
          expect(store.verifications.list(id).map((v) => [v.trigger, v.status])).toEqual([
            ['regression', 'passed'],
            ['landing', 'passed'],
          ]);
      });
    } finally {
      meeting.cleanup();
    }
  });

  it('regressionEvery 0: no regression pass at all', async () => {
    const p = (project = scriptedProject(roleScript({ coding: honest })));
    seedBacklog(p, checkedFeatures(2));
    expect(await p.run({ concurrency: 1, yolo: true, regressionEvery: 0 })).toMatchObject({
      reason: 'All 2 features pass.',
    });
    expect(p.reports.filter((l) => l.startsWith('Regression pass'))).toEqual([]);
    p.inspect((store) => expect(store.verifications.list(1).map((v) => v.trigger)).toEqual(['landing']));
  });
});

describe('autocoder verify', () => {
  it('finds a regression committed to main: exit 1, the feature back to pending with the evidence; one feature alone; a feature that is not passing is refused', async () => {
    const p = (project = scriptedProject(roleScript({ coding: honest })));
    seedBacklog(p, [
      ...checkedFeatures(2),
      { category: 'core', name: 'Unchecked', description: 'no checks', steps: ['look'] },
    ]);
    await p.run({ concurrency: 1, yolo: true, regressionEvery: 0 });

    const clean = await cliInProcess(['verify', 'notes'], p.env);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^#1 Feature 1: passed \(1\/1 checks, ver_\w+\)$/m);
    expect(clean.stdout).toContain('#3 Unchecked: not verified (it has no acceptance checks)');
    expect(clean.stdout).toMatch(
      /main at [0-9a-f]{8}: 2 passed, 0 regressed, 0 could not be verified, 1 without checks\.\n$/,
    );

    // Someone breaks feature 2 on main directly.
    gitOk(p.dir, ['rm', '-q', 'features/feature-2.txt']);
    gitOk(p.dir, ['-c', 'user.name=T', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'oops']);
    const head = gitOk(p.dir, ['rev-parse', 'main']).trim();
    const found = await cliInProcess(['verify', 'notes', '--json'], p.env);
    expect(found.status).toBe(1);
    const json = JSON.parse(found.stdout) as {
      commit: string;
      clean: boolean;
      features: { id: number; result: string; failures: { check: string; failure: string }[]; evidenceDir: string }[];
    };
    expect(json).toMatchObject({ commit: head, clean: false });
    expect(json.features.map((f) => [f.id, f.result])).toEqual([
      [1, 'passed'],
      [2, 'regressed'],
    ]);
    expect(json.features[1]?.failures[0]?.check).toBe('check 1 (command "feature 2 file")');
    p.inspect((store) => {
      const f2 = store.features.get(2);
      expect(f2).toMatchObject({ status: 'pending', verificationId: null });
      expect(f2.notes).toContain(`regression: verification ${store.verifications.list(2)[0]?.id}`);
      expect(store.verifications.list(2)[0]).toMatchObject({ trigger: 'regression', status: 'failed', commit: head });
    });

    const one = await cliInProcess(['verify', 'notes', '--feature', '1'], p.env);
    expect(one.status).toBe(0);
    expect(one.stdout).not.toContain('#2');
    const notPassing = await cliInProcess(['verify', 'notes', '--feature', '2'], p.env);
    expect(notPassing.status).toBe(4);
    expect(notPassing.stderr).toContain('feature #2 is pending, not passing');
  });
});
