/**
 * Design reviews in a whole run (SQLite, git, worktrees, the landing gate, the app started with ./init.sh and
 * photographed in real Chromium with axe-core) with the scripted runtime playing the coders and the four personas: a
 * review after 2 landings; the Visual Designer asks for changes with a major finding (its assertion becomes the fix
 * feature's check), the other three approve; axe finds the image without alt text (its fix feature's check runs that
 * rule); the fix features are worked; the second iteration photographs again and, at designIterations 2, is the last
 * one: it creates no fix features and the run ends without a third look.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { gitOk } from '../../src/git/git.js';
import { requestDesignReview } from '../../src/projects/run-control.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  isCoding,
  landingCodingSession,
  reply,
  type Conversation,
  type Script,
} from '../support/fake-anthropic/index.js';
import { checkedFeatures } from '../support/gate-backlog.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';

vi.setConfig({ testTimeout: 240_000 });

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** "# Design review 1 of 2 for "notes": Visual Designer" → [1, 'Visual Designer']. */
const personaOf = (conv: Conversation): [number, string] | null => {
  const m = /^# Design review (\d+) of \d+ for "[^"]+": (.+)$/m.exec(conv.prompt);
  return m ? [Number(m[1]), m[2] as string] : null;
};

/** The Visual Designer finds the heading too small on / at desktop and asks for changes; the others approve. */
function persona(conv: Conversation) {
  const [, name] = personaOf(conv) ?? [0, ''];
  const shot = /`[^`]*\/(\d+-home-desktop-light\.png)`/.exec(conv.prompt)?.[1] ?? 'missing.png';
  const strict = name === 'Visual Designer';
  if (strict && conv.turn === 0)
    return reply().tool(FEATURE_TOOL('review_add_finding'), {
      severity: 'major',
      category: 'typography',
      title: 'The heading is no bigger than the text',
      detail: 'The page title "Notes" is set at body size, so the page has no clear start.',
      page: '/',
      viewport: 'desktop',
      theme: 'light',
      screenshot: shot,
      suggestedFix: 'Set the h1 at 2rem with a heavier weight.',
      expect: [{ expectText: 'Notes' }],
    });
  if (conv.turn === (strict ? 1 : 0))
    return reply().tool(FEATURE_TOOL('design_vote'), {
      approve: !strict,
      score: strict ? 5 : 8,
      rationale: strict ? 'The hierarchy is missing on the main page.' : 'Clear and usable for what the spec asks.',
    });
  return reply().text('Done.');
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Notes</title></head>
<body><main><h1>Notes</h1><img src="/logo.png" width="40" height="40"><p>Your notes.</p></main></body></html>`;
/** What a design fix writes: the image gets its alt text (axe's image-alt then finds nothing). */
const FIXED = PAGE.replace('<img src', '<img alt="Notes logo" src');

/** A design fix (features after the two planned ones): write the fixed page and a note of its own, commit, land. */
function designFixer(conv: Conversation) {
  const id = assignedFeature(conv) as number;
  const last = conv.lastToolResults[0];
  // Claude Code (and the scripted runtime) refuse to overwrite a file the session has not read.
  if (!last) return reply().tool('Read', { file_path: 'index.html' });
  if (last.name === 'Read') return reply().tool('Write', { file_path: 'index.html', content: FIXED });
  if (last.name === 'Write' && last.input.file_path === 'index.html')
    return reply().tool('Write', { file_path: `design-fixes/feature-${id}.txt`, content: `fixed in #${id}\n` });
  if (last.name === 'Write')
    return reply().tool('Bash', { command: `git add -A && git commit -m "Design fix #${id}"` });
  if (last.name === 'Bash')
    return reply().tool(FEATURE_TOOL('feature_mark_passing'), { feature_id: id, evidence: 'index.html fixed' });
  return reply().text('Done.');
}
const coder = () => {
  const landing = landingCodingSession();
  return (conv: Conversation) => ((assignedFeature(conv) ?? 0) > 2 ? designFixer(conv) : landing(conv));
};

it('a review after 2 landings: changes asked for, fix features worked, a second iteration looks again and is the last', async () => {
  const landing = coder();
  const script: Script = (conv) =>
    isCoding(conv) ? landing(conv) : personaOf(conv) ? persona(conv) : reply().text('-');
  const p = (project = scriptedProject(script));
  writeFileSync(join(p.dir, 'index.html'), PAGE);
  writeFileSync(
    join(p.dir, 'init.sh'),
    `#!/usr/bin/env bash\nnohup node -e "const fs=require('fs');require('http').createServer((q,s)=>{if(q.url!=='/'){s.statusCode=404;return s.end();}s.setHeader('content-type','text/html');s.end(fs.readFileSync('index.html'))}).listen(process.env.PORT,'127.0.0.1')" >/dev/null 2>&1 &\n`,
  );
  chmodSync(join(p.dir, 'init.sh'), 0o755);
  gitOk(p.dir, ['add', '-A']);
  gitOk(p.dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  p.inspect((store) => store.features.createBulk(checkedFeatures(2)));

  const result = await p.run({
    concurrency: 1,
    yolo: true,
    regressionEvery: 0,
    designReviewEvery: 2,
    designIterations: 2,
  });
  expect(result.status).toBe('finished');

  p.inspect((store) => {
    const iterations = store.design.list();
    expect(iterations.map((i) => [i.n, i.trigger, i.status, i.outcome])).toEqual([
      [1, 'interval', 'finished', 'changes_requested'],
      [2, 'interval', 'finished', 'changes_requested'],
    ]);
    const [first, second] = iterations;
    // Every persona looked and voted, in each iteration; their sessions are recorded like any other.
    for (const it of iterations)
      expect(it.votes.map((v) => [v.persona, v.status, v.approve])).toEqual([
        ['visual-designer', 'voted', false],
        ['ux-researcher', 'voted', true],
        ['accessibility-expert', 'voted', true],
        ['brand-strategist', 'voted', true],
      ]);
    expect(store.sessions.list({ runId: result.runId }).filter((s) => s.role === 'designer')).toHaveLength(8);
    // axe saw the image without alt text (critical) at both widths.
    expect(first?.axe?.critical).toBeGreaterThan(0);
    // The persona's major finding and axe's critical ones became design fix features, worked and passing.
    const fixes = (first?.fixFeatureIds ?? []).map((id) => store.features.get(id));
    expect(fixes.length).toBeGreaterThanOrEqual(2);
    expect(fixes.every((f) => f.category === 'design' && f.status === 'passing')).toBe(true);
    const heading = fixes.find((f) => f.name.includes('The heading is no bigger than the text'));
    expect(heading?.acceptance).toEqual([
      expect.objectContaining({
        kind: 'browser',
        viewport: 'desktop',
        steps: [{ goto: '/' }, { expectText: 'Notes' }],
      }),
    ]);
    // axe's: its rule on the page at its width.
    expect(
      fixes
        .flatMap((f) => f.acceptance ?? [])
        .filter((c) => c.kind === 'browser' && c.steps.some((s) => 'expectNoAxeViolation' in s)),
    ).not.toEqual([]);
    // The second iteration was the last designIterations allows: it asked for no more fixes.
    expect(second?.fixFeatureIds).toEqual([]);
    const [finding] = store.design.findings({ persona: 'visual-designer' });
    expect(finding).toMatchObject({ seenCount: 2, firstIteration: 1, lastIteration: 2, status: 'open' });
  });
  expect(p.reports.some((l) => /^Design review 2: changes requested after 2 iteration\(s\)/.test(l))).toBe(true);
  for (const n of [1, 2]) {
    const dir = join(p.dir, '.autocoder', 'design', `iteration-${n}`);
    expect(existsSync(join(dir, 'capture.json'))).toBe(true);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain(`# Design review ${n} of notes`);
    expect(report).toContain('The heading is no bigger than the text');
  }
  expect(
    p.inspect((store) =>
      store.events
        .since(0, 10_000)
        .map((e) => e.type)
        .filter((t) => t.startsWith('design.')),
    ),
  ).toEqual([
    'design.iteration_started',
    'design.iteration_finished',
    'design.iteration_started',
    'design.iteration_finished',
  ]);
});

it('asked for while a run works: the run starts it beside its slots, with the personas asked for, until they approve', async () => {
  const landing = coder();
  let asked = false;
  const p = (project = scriptedProject((conv) => {
    if (isCoding(conv)) {
      // Asked for while the first feature's session runs: the run starts the review at its next step.
      if (!asked) {
        asked = true;
        requestDesignReview(p.paths, ['ux-researcher']);
      }
      return landing(conv);
    }
    return personaOf(conv) ? persona(conv) : reply().text('-');
  }));
  writeFileSync(join(p.dir, 'index.html'), PAGE);
  writeFileSync(
    join(p.dir, 'init.sh'),
    `#!/usr/bin/env bash\nnohup node -e "const fs=require('fs');require('http').createServer((q,s)=>{s.setHeader('content-type','text/html');s.end(fs.readFileSync('index.html'))}).listen(process.env.PORT,'127.0.0.1')" >/dev/null 2>&1 &\n`,
  );
  chmodSync(join(p.dir, 'init.sh'), 0o755);
  gitOk(p.dir, ['add', '-A']);
  gitOk(p.dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  p.inspect((store) => store.features.createBulk(checkedFeatures(2)));
  const result = await p.run({ concurrency: 1, yolo: true, regressionEvery: 0 });
  expect(result.status).toBe('finished');
  p.inspect((store) => {
    // axe's critical finding asks for changes; once its fixes landed, the second iteration (the same trigger and
    // persona) finds nothing and the one persona approves: the review ends approved.
    const iterations = store.design.list();
    expect(iterations.map((i) => [i.n, i.trigger, i.status, i.personas, i.outcome])).toEqual([
      [1, 'manual', 'finished', ['ux-researcher'], 'changes_requested'],
      [2, 'manual', 'finished', ['ux-researcher'], 'approved'],
    ]);
    expect(iterations.map((i) => i.votes.map((v) => [v.persona, v.approve]))).toEqual(
      Array(2).fill([['ux-researcher', true]]),
    );
  });
  expect(existsSync(p.paths.designRequest)).toBe(false);
});
