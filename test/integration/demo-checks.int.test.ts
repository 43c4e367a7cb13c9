/**
 * The demo backlog's acceptance checks (issue #16 item 7) hold on the demo app as its scripted
 * sessions build it: run by the real verification engine (the Bash policy and the jail for the
 * commands, `./init.sh` for the app, real Chromium for the browser steps), every check passes and
 * the screenshots are real images; on the skeleton alone (no feature built) they fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_FEATURES, FEATURE_MARKER, REGISTRY_FILE, registryLine, SKELETON_FILES } from '../../src/demo/demo-app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { findChromium } from '../../src/runner/browser.js';
import { createRedactor } from '../../src/security/redactor.js';
import { verifyCommit } from '../../src/verify/verify-commit.js';
import { freePort } from '../support/free-port.js';
import { createAppRepo, type AppRepo } from '../support/verify-app.js';

// A real app in the jail and real Chromium, one browser check per feature: tens of seconds on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

const chromium = findChromium(undefined, process.env.PATH);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

let repo: AppRepo;
let skeleton: string;
let finished: string;

beforeAll(() => {
  repo = createAppRepo();
  const files = Object.fromEntries(SKELETON_FILES.map((f) => [f.path, f.content]));
  skeleton = repo.commit(files, 'demo skeleton');
  const registry = (files[REGISTRY_FILE] as string).replace(
    FEATURE_MARKER,
    `${DEMO_FEATURES.map((f) => registryLine(f.slug)).join('\n')}\n${FEATURE_MARKER}`,
  );
  finished = repo.commit(
    {
      ...Object.fromEntries(
        DEMO_FEATURES.flatMap((f) => [
          [`src/features/${f.slug}.js`, f.module],
          [`test/${f.slug}.test.js`, f.test],
        ]),
      ),
      [REGISTRY_FILE]: registry,
    },
    'every demo feature',
    skeleton,
  );
});
afterAll(() => repo.cleanup());

const run = async (commit: string, id: string, stepMs = 5_000) =>
  verifyCommit(
    {
      projectRoot: repo.root,
      commit,
      featureId: 1,
      verificationId: id,
      trigger: 'manual',
      groups: DEMO_FEATURES.map((f, i) => ({ featureId: i + 1, checks: [...f.acceptance] })),
      port: await freePort(),
      sandbox: true,
      chromium,
      env,
      redact: createRedactor([]),
      logger: silentLogger(),
      limits: { stepMs, appStartMs: 30_000 },
    },
    new AbortController().signal,
  );

describe('the demo backlog carries checks its app satisfies', () => {
  it('every feature has a command check and a browser check with a screenshot', () => {
    for (const f of DEMO_FEATURES) {
      expect(
        f.acceptance.map((c) => c.kind),
        f.slug,
      ).toEqual(expect.arrayContaining(['command', 'browser']));
      expect(JSON.stringify(f.acceptance), f.slug).toContain('"screenshot"');
    }
    expect(DEMO_FEATURES.flatMap((f) => f.acceptance.map((c) => c.kind))).toContain('http');
  });

  it('passes every check on the finished app, with real screenshots', async () => {
    expect(chromium, 'Chromium is needed for the browser checks (npx playwright install chromium)').not.toBeNull();
    const v = await run(finished, 'demo-finished');
    const failing = v.checks
      .filter((c) => !c.passed)
      .map((c) => `#${c.featureId}[${c.index}] ${c.failure}: ${c.output.slice(-400)}`);
    expect(failing, v.error ?? '').toEqual([]);
    expect(v.status).toBe('passed');
    expect(v.checks).toHaveLength(DEMO_FEATURES.reduce((n, f) => n + f.acceptance.length, 0));
    const shots = v.checks.flatMap((c) => c.evidence).filter((e) => e.endsWith('.png'));
    expect(shots).toHaveLength(DEMO_FEATURES.length);
    for (const shot of shots) {
      const bytes = readFileSync(join(repo.root, v.evidenceDir, shot));
      expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), shot).toBe('PNG');
    }
  });

  it('fails them on the skeleton, where no feature is built yet', async () => {
    // A short step wait: every browser check fails at its first missing element.
    const v = await run(skeleton, 'demo-skeleton', 1_000);
    expect(v.status).toBe('failed');
    // Only the check that the page is served can pass before any feature exists.
    expect(v.checks.filter((c) => c.passed).map((c) => c.kind)).toEqual(['http']);
  });
});
