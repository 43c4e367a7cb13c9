/**
 * `autocoder design-review --iteration N` (AutoCoder-2's `design/review.py --iteration N`): the review's iteration N,
 * in this process with the scripted runtime playing the persona and the app photographed in real Chromium.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { gitOk } from '../../src/git/git.js';
import { cliInProcess, createSampleProjectInProcess, scriptedCliEnv } from '../support/cli-in-process.js';
import { FEATURE_TOOL, reply, type Conversation } from '../support/fake-anthropic/index.js';
import { ScriptedRuntime } from '../support/scripted-runtime.js';

vi.setConfig({ testTimeout: 180_000 });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-design-iter-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Notes</title></head>
<body><main><h1>Notes</h1><p>Your notes.</p></main></body></html>`;

/** The Visual Designer finds a major problem and asks for changes; it records the heading of its prompt. */
function visualDesigner(headings: string[]) {
  return (conv: Conversation) => {
    if (conv.turn === 0) {
      headings.push(/^# Design review .*$/m.exec(conv.prompt)?.[0] ?? '(none)');
      const shot = /`[^`]*\/(\d+-home-desktop-light\.png)`/.exec(conv.prompt)?.[1] ?? 'missing.png';
      return reply().tool(FEATURE_TOOL('review_add_finding'), {
        severity: 'major',
        category: 'typography',
        title: 'The heading is no bigger than the text',
        detail: 'The page title is set at body size.',
        page: '/',
        viewport: 'desktop',
        theme: 'light',
        screenshot: shot,
        suggestedFix: 'Set the h1 at 2rem.',
      });
    }
    if (conv.turn === 1)
      return reply().tool(FEATURE_TOOL('design_vote'), { approve: false, score: 5, rationale: 'No hierarchy.' });
    return reply().text('Done.');
  };
}

async function photographableProject(env: ReturnType<typeof scriptedCliEnv>): Promise<string> {
  const { dir } = await createSampleProjectInProcess(root, env);
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(
    join(dir, 'init.sh'),
    `#!/usr/bin/env bash\nnohup node -e "const fs=require('fs');require('http').createServer((q,s)=>{if(q.url!=='/'){s.statusCode=404;return s.end();}s.setHeader('content-type','text/html');s.end(fs.readFileSync('index.html'))}).listen(process.env.PORT,'127.0.0.1')" >/dev/null 2>&1 &\n`,
  );
  chmodSync(join(dir, 'init.sh'), 0o755);
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'the app']);
  return dir;
}

describe('autocoder design-review --iteration', () => {
  it('N is the review iteration the personas are told of; at the last one allowed, no fix features are created', async () => {
    const env = scriptedCliEnv(root);
    const dir = await photographableProject(env);
    const headings: string[] = [];
    const runtime = new ScriptedRuntime(visualDesigner(headings));
    const args = ['--personas', 'visual-designer', '--design-iterations', '2'];

    // Iteration 2 of 2 is the review's last: nothing would look again at what a fix changes, so it creates none.
    const last = await cliInProcess(['design-review', '--project-dir', dir, '--iteration', '2', ...args], env, {
      runtime,
    });
    expect(last.status, last.stdout + last.stderr).toBe(0);
    expect(last.stdout).toContain('Design review 1 (manual, round 2 of 2)');
    // Without --iteration: the first iteration of a review, whose major finding becomes a fix feature.
    const first = await cliInProcess(['design-review', 'notes', ...args], env, { runtime });
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('Design review 2 (manual, round 1 of 2)');
    expect(headings).toEqual([
      expect.stringMatching(/^# Design review 2 of 2 for "notes"/),
      expect.stringMatching(/^# Design review 1 of 2 for "notes"/),
    ]);

    const store = openProjectStore(projectPaths(dir), { create: false });
    try {
      const [atTwo, atOne] = store.design.list();
      expect([atTwo?.outcome, atOne?.outcome]).toEqual(['changes_requested', 'changes_requested']);
      expect(atTwo?.fixFeatureIds).toEqual([]);
      expect(atOne?.fixFeatureIds.length).toBe(1);
    } finally {
      store.close();
    }
  });

  it('--json prints the iteration, the findings seen in it and those it resolved, read before the store closes', async () => {
    const env = scriptedCliEnv(root);
    await photographableProject(env);
    const runtime = new ScriptedRuntime(visualDesigner([]));
    const res = await cliInProcess(['design-review', 'notes', '--personas', 'visual-designer', '--json'], env, {
      runtime,
    });
    expect(res.status, res.stdout + res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as {
      iteration: { n: number; status: string; outcome: string };
      findings: { title: string }[];
      resolved: unknown[];
    };
    expect(out.iteration).toMatchObject({ n: 1, status: 'finished', outcome: 'changes_requested' });
    expect(out.findings.map((f) => f.title)).toEqual(['The heading is no bigger than the text']);
    expect(out.resolved).toEqual([]);
  });

  it('refuses an iteration outside 1-10 as a usage error', async () => {
    const env = scriptedCliEnv(root);
    const res = await cliInProcess(['design-review', 'notes', '--iteration', '0'], env);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--iteration must be a whole number from 1 to 10, not "0"');
  });
});
