/**
 * `autocoder disputes`, `autocoder dispute` and `status --json`'s "verified", as a person runs
 * them: the real CLI in a child process on a real project.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { runAutocoder, type ChildCliResult as CliResult } from '../support/cli-child-run.js';
import { cliSandbox } from '../support/tmp.js';

const SLOW = 90_000;
const CHECKS: AcceptanceCheck[] = [{ kind: 'command', run: 'npm test', expect: { stdoutIncludes: 'pass' } }];
const PROPOSED: AcceptanceCheck[] = [{ kind: 'command', run: 'npm run check' }];

let sandbox: string;
let work: string;
let env: Record<string, string>;

beforeEach(() => {
  ({ sandbox, work, env } = cliSandbox('autocoder-disputes-'));
});
afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

const cli = (...args: string[]): Promise<CliResult> => runAutocoder(args, { cwd: work, env });
function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit code; stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
}

function withStore<T>(fn: (store: ReturnType<typeof openProjectStore>) => T): T {
  const store = openProjectStore(projectPaths(join(work, 'shop')), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** Two features with checks; a coding session disputes #1's and #2's. */
function seedDisputes(): { first: string; second: string } {
  return withStore((store) => {
    store.features.createBulk([
      { category: 'c', name: 'Todos', description: 'd', steps: ['s'], acceptance: CHECKS },
      { category: 'c', name: 'Filter', description: 'd', steps: ['s'], acceptance: CHECKS },
    ]);
    const open = (id: number) =>
      store.disputes.open(store.claims.claimFeature(id, 'run/ses_1').claim, {
        reason: 'the script is called check',
        proposed: PROPOSED,
      }).dispute.id;
    return { first: open(1), second: open(2) };
  });
}

describe('autocoder disputes / dispute', () => {
  it(
    'lists open disputes, accepts one (new hash, export rewritten), rejects one with a reason',
    { timeout: SLOW },
    async () => {
      expectExit(await cli('new', 'shop'), 0);
      const { first, second } = seedDisputes();
      const hash = withStore((s) => s.features.get(1).acceptanceHash);

      const listed = await cli('disputes', 'shop', '--json');
      expectExit(listed, 0);
      const disputes = (JSON.parse(listed.stdout) as { disputes: { id: string; status: string; proposed: unknown }[] })
        .disputes;
      expect(disputes.map((d) => [d.id, d.status])).toEqual([
        [first, 'open'],
        [second, 'open'],
      ]);
      const text = await cli('disputes', 'shop');
      expectExit(text, 0);
      expect(text.stdout).toContain(`${first}  feature #1 Todos  open`);
      expect(text.stdout).toContain('- command: npm test expect {"stdoutIncludes":"pass"}');
      expect(text.stdout).toContain('+ command: npm run check');
      expect(text.stdout).toContain('autocoder dispute shop <dispute-id>');

      // Bad combinations change nothing (exit 2).
      expectExit(await cli('dispute', 'shop', first), 2);
      expectExit(await cli('dispute', 'shop', first, '--accept', '--reject'), 2);
      const noReason = await cli('dispute', 'shop', second, '--reject');
      expectExit(noReason, 2);
      expect(noReason.stderr).toContain('--reject needs --reason');

      const accepted = await cli('dispute', 'shop', first, '--accept', '--json');
      expectExit(accepted, 0);
      const decided = JSON.parse(accepted.stdout) as {
        dispute: { status: string; hashBefore: string; hashAfter: string };
        feature: { status: string; acceptanceHash: string };
      };
      expect(decided.dispute).toMatchObject({ status: 'accepted', hashBefore: hash });
      expect(decided.feature).toMatchObject({ status: 'pending', acceptanceHash: decided.dispute.hashAfter });
      expect(decided.feature.acceptanceHash).not.toBe(hash);
      const exported = JSON.parse(
        readFileSync(join(work, 'shop', '.autocoder/acceptance/feature-1.json'), 'utf8'),
      ) as object;
      expect(exported).toMatchObject({ acceptance: PROPOSED, acceptanceHash: decided.dispute.hashAfter });

      const rejected = await cli('dispute', 'shop', second, '--reject', '--reason', 'the spec says npm test');
      expectExit(rejected, 0);
      expect(rejected.stdout).toMatch(
        new RegExp(`^Rejected ${second}: feature #2 Filter is pending \\(first in line\\)`),
      );
      expect(withStore((s) => s.features.get(2))).toMatchObject({ acceptanceHash: hash, status: 'pending' });
      expect(withStore((s) => s.features.get(2).notes)).toContain('the spec says npm test');

      // Decided already: exit 4; unknown: exit 3; nothing changes.
      expectExit(await cli('dispute', 'shop', first, '--reject', '--reason', 'no'), 4);
      expectExit(await cli('dispute', 'shop', 'dsp_0123456789ab', '--accept'), 3);
      const none = await cli('disputes', 'shop');
      expect(none.stdout).toBe('No open acceptance disputes.\n');
      const all = await cli('disputes', 'shop', '--all', '--json');
      expect((JSON.parse(all.stdout) as { disputes: { status: string }[] }).disputes.map((d) => d.status)).toEqual([
        'rejected',
        'accepted',
      ]);
    },
  );

  it(
    'status --json counts as verified the passing features whose newest verification passed',
    { timeout: SLOW },
    async () => {
      expectExit(await cli('new', 'shop'), 0);
      withStore((store) => {
        store.features.createBulk([
          { category: 'c', name: 'a', description: 'd', steps: ['s'], acceptance: CHECKS },
          { category: 'c', name: 'b', description: 'd', steps: ['s'] },
        ]);
        const v = {
          id: 'ver_1',
          featureId: 1,
          commit: 'abc',
          trigger: 'landing' as const,
          status: 'running' as const,
          sessionId: null,
          startedAt: 1,
          endedAt: null,
          evidenceDir: '.autocoder/evidence/feature-1/ver_1',
          checks: [],
          error: null,
        };
        store.verifications.start(v);
        store.verifications.finish({ ...v, status: 'passed', endedAt: 2 });
        store.claims.markPassing(store.claims.claimFeature(1, 's').claim, undefined, { verificationId: 'ver_1' });
        store.claims.markPassing(store.claims.claimFeature(2, 's').claim);
      });
      const res = await cli('status', 'shop', '--json');
      expectExit(res, 0);
      expect(JSON.parse(res.stdout)).toMatchObject({ total: 2, passing: 2, verified: 1 });
      const text = await cli('status', 'shop');
      expect(text.stdout).toMatch(/^2\/2 passing \(100%\) · 1 verified · /);
      // The backlog says the same per feature: its checks and whether it is verified.
      const features = await cli('features', 'shop', '--json');
      expectExit(features, 0);
      expect(
        (JSON.parse(features.stdout) as { features: { id: number; checks: number; verified: boolean }[] }).features.map(
          ({ id, checks, verified }) => ({ id, checks, verified }),
        ),
      ).toEqual([
        { id: 1, checks: CHECKS.length, verified: true },
        { id: 2, checks: 0, verified: false },
      ]);
      const list = await cli('features', 'shop');
      expect(list.stdout).toMatch(/^#1\s+passing\s+\[c\] a {2}✓ verified$/m);
      expect(list.stdout).toMatch(/^#2\s+passing\s+\[c\] b {2}\(not verified: no checks\)$/m);
    },
  );
});
