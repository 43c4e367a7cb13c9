/**
 * Failures a person can read (#21 item 3), on a real run with the scripted runtime (SQLite, git, worktrees, the
 * verification engine running the frozen checks for real): a feature whose check fails with an assertion shows that
 * assertion in its notes and its API reason; its coding sessions are recorded as failed (never "success"), with why;
 * it waits for its retry at the backoff's time; a session's tool output keeps its end; a skip records its class.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatEvent } from '../../src/cli/commands/logs.js';
import { toFeatureDTO } from '../../src/server/routes/features.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { FEATURE_TOOL, reply, roleScript, assignedFeature } from '../support/fake-anthropic/index.js';
import { gateCoder, seedBacklog } from '../support/gate-backlog.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';
import { waitFor } from '../support/wait-for.js';

vi.setConfig({ testTimeout: 90_000 });

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** A check whose failure is an assertion: node's assert on the feature's file (the script is committed on main). */
const assertCheck = (id: number): AcceptanceCheck => ({
  kind: 'command',
  name: `feature ${id} says implemented`,
  run: `node checks/says-implemented.js ${id}`,
});

const CHECK_SCRIPT = `const assert = require('node:assert');
const { readFileSync } = require('node:fs');
const id = process.argv[2];
assert.strictEqual(readFileSync(\`features/feature-\${id}.txt\`, 'utf8').trim(), \`feature \${id} implemented\`);
`;

/** The check script on main, then the backlog (seedBacklog commits what is in the folder). */
function seed(p: ScriptedProject, n: number): void {
  mkdirSync(join(p.dir, 'checks'), { recursive: true });
  writeFileSync(join(p.dir, 'checks', 'says-implemented.js'), CHECK_SCRIPT);
  writeFileSync(join(p.dir, 'checks', 'lines.js'), 'for (let i = 1; i <= 3000; i++) console.log(i);\n');
  seedBacklog(p, backlog(n));
}

const backlog = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    category: 'core',
    name: `Feature ${i + 1}`,
    description: `feature ${i + 1}`,
    steps: ['check its file'],
    acceptance: [assertCheck(i + 1)],
  }));

const ASSERTION = "AssertionError: Expected values to be strictly equal: + 'feature 1 todo' - 'feature 1 implemented'";

describe('a feature whose checks fail', () => {
  it('names the failing assertion in its notes and API reason, its session is failed with why, and it waits for its retry', async () => {
    const p = (project = scriptedProject(
      roleScript({
        // Each attempt also prints 3000 lines, ending in "3000": more than a log line holds.
        coding: gateCoder((id) => `feature ${id} todo`, { also: () => 'node checks/lines.js' }),
      }),
      {
        // Ten minutes' backoff: the run waits for the retry, and the test stops it there.
        env: { AUTOCODER_RETRY_BACKOFF_MS: '600000' },
      },
    ));
    seed(p, 1);
    const stop = new AbortController();
    const run = p.run({ concurrency: 1, yolo: true, regressionEvery: 0 }, { signal: stop.signal });
    await waitFor(
      () => p.inspect((s) => s.sessions.list({ featureId: 1 }).some((x) => x.endedAt !== null)),
      60_000,
      'the first coding session to end',
    );
    stop.abort();
    await run;
    p.inspect((store) => {
      const f = store.features.get(1);
      expect(f).toMatchObject({ status: 'pending', attempts: 1 });
      expect(f.notes).toContain(`attempt 1/3 failed: 3 verifications failed in one session`);
      expect(f.notes).toContain(`${ASSERTION} (exit code 1, expected 0)`);
      const [session] = store.sessions.list({ featureId: 1 });
      expect(session).toMatchObject({ status: 'failed', outcome: 'feature_failed' });
      expect(session?.error).toContain(ASSERTION);
      // The event the live UI and `autocoder logs` show says the same.
      const ended = store.events.latest({ types: ['session.ended'], featureId: 1, limit: 1 })[0];
      expect(ended).toMatchObject({ payload: { status: 'failed', outcome: 'feature_failed' } });
      expect(formatEvent(ended!)).toMatch(/session\.ended .*"status":"failed","outcome":"feature_failed"/);
      // The API: one line with the failing check and its assertion, and when it is retried (the claim's backoff).
      const latest = store.verifications.latest([1]).get(1);
      const dto = toFeatureDTO(f, () => undefined, Date.now(), latest);
      expect(dto.failureReason).toBe(`feature 1 says implemented: ${ASSERTION} (exit code 1, expected 0)`);
      expect(dto.retryAt).toBe(f.runAfter);
      expect(f.runAfter - Date.now()).toBeGreaterThan(500_000);
      // The agent's own pane: the output of its commands keeps the end (the failure), not the beginning.
      const results = store.events
        .latest({ types: ['session.log'], featureId: 1, limit: 200 })
        .flatMap((e) => (e.type === 'session.log' && e.payload.kind === 'tool_result' ? [e.payload.text] : []));
      const long = results.filter((t) => t.includes('2999'));
      expect(long.length).toBeGreaterThan(0);
      for (const text of long) {
        expect(text).toMatch(/^\[… [\d,]+ earlier characters cut\]\n/);
        expect(text).toContain('\n2999\n3000');
        expect(text).not.toMatch(/\n1\n2\n3\n/);
      }
    });
  });

  it('a session that gives up without a verdict, or skips with a class, is not a success; a landing one is', async () => {
    const p = (project = scriptedProject(
      roleScript({
        coding: (conv) => {
          const id = assignedFeature(conv) as number;
          if (id === 3) {
            return conv.turn === 0
              ? reply().tool(FEATURE_TOOL('feature_skip'), {
                  feature_id: 3,
                  reason: 'the payment provider needs an account',
                  blocker_type: 'external_service',
                })
              : reply().text('Skipped.');
          }
          return gateCoder((fid) => (fid === 1 ? `feature ${fid} implemented` : null))(conv);
        },
      }),
      { env: { AUTOCODER_RETRY_BACKOFF_MS: '600000' } },
    ));
    seed(p, 3);
    const stop = new AbortController();
    const run = p.run({ concurrency: 1, yolo: true, regressionEvery: 0 }, { signal: stop.signal });
    await waitFor(
      () =>
        p.inspect((s) => [1, 2, 3].every((id) => s.sessions.list({ featureId: id }).some((x) => x.endedAt !== null))),
      60_000,
      'a session of each feature to end',
    );
    stop.abort();
    await run;
    p.inspect((store) => {
      const outcome = (id: number) => {
        const s = store.sessions.list({ featureId: id })[0];
        return [s?.status, s?.outcome, s?.error];
      };
      expect(outcome(1)).toEqual(['succeeded', 'success', null]);
      expect(outcome(2)).toEqual(['failed', 'feature_failed', 'the session ended without marking the feature passing']);
      expect(outcome(3)).toEqual([
        'failed',
        'skipped',
        'skipped (external_service): the payment provider needs an account',
      ]);
      const f3 = store.features.get(3);
      expect(toFeatureDTO(f3, () => undefined, Date.now()).skipClass).toBe('external_service');
    });
  });
});
