/**
 * A dispute in a run (issue #16 item 2): a coding session disputes its feature's frozen checks
 * through `feature_dispute_acceptance`; in supervisor mode the supervisor decides it (through the
 * request the dispute asked), the feature comes back first in line with the decision in its notes,
 * and the next session builds against the new checks. The real runner and CLI in this process,
 * with the scripted runtime instead of Claude Code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { reply } from '../../src/model-server/reply.js';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import {
  assignedFeature,
  codingSession,
  FEATURE_TOOL,
  initializerSession,
  roleScript,
  SAMPLE_FEATURES,
  supervisorSession,
  type Step,
} from '../support/fake-anthropic/index.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';

vi.setConfig({ testTimeout: 120_000 });

const PROPOSED = [
  {
    kind: 'command',
    name: 'the note file',
    run: 'cat features/feature-1.txt',
    expect: { stdoutIncludes: 'implemented' },
  },
];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-dispute-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The first session on a feature disputes its checks; a session that reads a decision in its notes builds it. */
function disputingCoder(prompts: string[]): Step {
  const build = codingSession();
  return (conv) => {
    if (conv.turn === 0) prompts.push(conv.prompt);
    if (conv.prompt.includes('acceptance dispute')) return build(conv);
    if (conv.turn > 0) return reply().text('Disputed; ending the session as told.');
    return reply()
      .text('The check expects the exact line; the spec only asks that the note exists.')
      .tool(FEATURE_TOOL('feature_dispute_acceptance'), {
        feature_id: assignedFeature(conv),
        reason: 'the spec only asks that the note is saved, not its exact text',
        proposed: PROPOSED,
      });
  };
}

describe('a dispute in supervisor mode', () => {
  it('the supervisor accepts it; the feature is rebuilt against the new checks and passes', async () => {
    const prompts: string[] = [];
    const runtime = new ScriptedRuntime(
      roleScript({
        initializer: initializerSession(SAMPLE_FEATURES.slice(0, 1)),
        coding: disputingCoder(prompts),
        other: supervisorSession((_request, field) =>
          field === 'decision' ? 'accept' : 'the spec asks for no exact text',
        ),
      }),
    );
    const env = scriptedCliEnv(root, { AUTOCODER_SUPERVISOR: '1' });
    const { dir } = await createSampleProjectInProcess(root, env);
    const store = () => openProjectStore(projectPaths(dir), { create: false });
    const run = await cliInProcess(['run', 'notes', '--yolo'], env, { runtime });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('All 1 features pass.');
    expect(run.stdout).toMatch(/Slot 1 \(supervisor\): answered hir_[0-9a-f]+ for feature #1/);

    const s = store();
    try {
      const [dispute] = s.disputes.list({ status: 'all' });
      expect(dispute).toMatchObject({
        featureId: 1,
        status: 'accepted',
        decidedBy: 'supervisor',
        reason: 'the spec only asks that the note is saved, not its exact text',
      });
      const feature = s.features.get(1);
      expect(feature).toMatchObject({ status: 'passing', acceptanceHash: dispute?.hashAfter });
      expect(feature.acceptance).toEqual([{ ...PROPOSED[0] }]);
      expect(dispute?.hashBefore).not.toBe(dispute?.hashAfter);
      // The disputed attempt did not count: the one that built it is the first.
      expect(feature.attempts).toBe(1);
      expect(feature.notes).toContain('accepted by the supervisor');
      const exported = JSON.parse(readFileSync(join(dir, '.autocoder/acceptance/feature-1.json'), 'utf8')) as object;
      expect(exported).toMatchObject({ acceptanceHash: dispute?.hashAfter });
    } finally {
      s.close();
    }
    // The second coding session was told what was decided.
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toContain('accepted by the supervisor');
  });
});
