import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { pngSize } from '../../src/design/png.js';
import { gitOk } from '../../src/git/git.js';
import { DesignCaptureSchema } from '../../src/shared/design-capture.js';
import { agentTestEnv } from '../support/agent-env.js';
import { cliAsync } from '../support/cli-process.js';
import {
  assignedFeature,
  FEATURE_TOOL,
  isCoding,
  landingCodingSession,
  reply,
  startScriptedModelServer,
  type Conversation,
  type ScriptedModelServer,
} from '../support/fake-anthropic/index.js';
import { checkedFeatures } from '../support/gate-backlog.js';
import { createSampleProject } from '../support/sample-project.js';

// The real Claude Code binary plays the coders and 8 persona sessions; real Chromium photographs the app twice.
vi.setConfig({ testTimeout: 420_000 });

let root: string;
let server: ScriptedModelServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-e2e-design-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** The app's one page: an image without alt text and a paragraph too faint to read (both found by axe). */
const BROKEN = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Notes</title></head>
<body><main><h1>Notes</h1><img src="/logo.svg" width="40" height="40"><p style="color:#d0d0d0;background:#ffffff">Your notes, kept.</p></main></body></html>
`;
/** What a design fix writes: the same page with alt text and a readable colour. */
const FIXED = BROKEN.replace('<img src', '<img alt="Notes logo" src').replace('color:#d0d0d0', 'color:#333333');
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#3050a0"/></svg>';

/** "# Design review 1 of 2 for "notes": Accessibility Expert" → [1, 'Accessibility Expert']. */
const personaOf = (conv: Conversation): [number, string] | null => {
  const m = /^# Design review (\d+) of \d+ for "[^"]+": (.+)$/m.exec(conv.prompt);
  return m ? [Number(m[1]), m[2] as string] : null;
};

/**
 * The personas: each first opens the desktop screenshot of `/` with Read (an image for Claude Code). In round 1 the
 * Accessibility Expert reports the faint paragraph and asks for changes; everyone else approves, and in round 2 all do.
 * The rationale says whether the screenshot could be opened.
 */
function persona(conv: Conversation) {
  const [round, name] = personaOf(conv) ?? [0, ''];
  const shot = /`([^`]*\/(\d+-home-desktop-light\.png))`/.exec(conv.prompt);
  if (conv.turn === 0) return reply().tool('Read', { file_path: shot?.[1] ?? '/missing.png' });
  const opened = conv.toolResults.find((r) => r.name === 'Read');
  const looked =
    opened && !opened.isError ? 'looked at the screenshot' : `could not open it: ${opened?.text ?? 'no Read'}`;
  const strict = name === 'Accessibility Expert' && round === 1;
  if (strict && conv.turn === 1)
    return reply().tool(FEATURE_TOOL('review_add_finding'), {
      severity: 'major',
      category: 'contrast',
      title: 'The paragraph under the title is too faint to read',
      detail: 'Light grey on white: far below 4.5:1.',
      page: '/',
      viewport: 'desktop',
      theme: 'light',
      screenshot: shot?.[2] ?? 'missing.png',
      suggestedFix: 'Use a dark grey such as #333.',
      expect: [{ expectText: 'Your notes, kept.' }],
    });
  if (conv.turn === (strict ? 2 : 1))
    return reply().tool(FEATURE_TOOL('design_vote'), {
      approve: !strict,
      score: strict ? 4 : 8,
      rationale: `${name} ${looked}.`,
    });
  return reply().text('Done.');
}

/** A design fix (features after the two planned ones): read the page, write the fixed one and a note, commit, land. */
function designFixer(conv: Conversation) {
  const id = assignedFeature(conv) as number;
  const last = conv.lastToolResults[0];
  const note = `design-fixes/feature-${id}.txt`;
  if (!last) return reply().tool('Read', { file_path: 'index.html' });
  if (last.name === 'Read') return reply().tool('Write', { file_path: 'index.html', content: FIXED });
  if (last.name === 'Write' && last.input.file_path === 'index.html')
    return reply().tool('Write', { file_path: note, content: `fixed in #${id}\n` });
  if (last.name === 'Write')
    return reply().tool('Bash', { command: `git add -A && git commit -m "Design fix #${id}"` });
  if (last.name === 'Bash')
    return reply().tool(FEATURE_TOOL('feature_mark_passing'), { feature_id: id, evidence: 'index.html fixed' });
  return reply().text(last.isError ? `Could not land: ${last.text.slice(0, 200)}` : `Feature ${id} landed.`);
}

it('run --design-review-every 2 with the real binary: axe and a persona find the problems, the fixes land, the second iteration finds them gone and everyone approves', async () => {
  const landing = landingCodingSession();
  server = await startScriptedModelServer((conv: Conversation) => {
    if (isCoding(conv)) return (assignedFeature(conv) ?? 0) > 2 ? designFixer(conv) : landing(conv);
    return personaOf(conv) ? persona(conv) : reply().text('-');
  });
  const env = agentTestEnv(root, server.url);
  const { dir } = createSampleProject(root, env);
  writeFileSync(join(dir, 'index.html'), BROKEN);
  writeFileSync(join(dir, 'logo.svg'), LOGO);
  writeFileSync(
    join(dir, 'init.sh'),
    `#!/usr/bin/env bash\nnohup node -e "const fs=require('fs');require('http').createServer((q,s)=>{const f=q.url==='/logo.svg'?'logo.svg':'index.html';s.setHeader('content-type',f.endsWith('.svg')?'image/svg+xml':'text/html');s.end(fs.readFileSync(f))}).listen(process.env.PORT,'127.0.0.1')" >/dev/null 2>&1 &\n`,
  );
  chmodSync(join(dir, 'init.sh'), 0o755);
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  const seed = openProjectStore(projectPaths(dir), { create: false });
  try {
    seed.features.createBulk(checkedFeatures(2));
  } finally {
    seed.close();
  }

  const result = await cliAsync(
    ['run', 'notes', '--design-review-every', '2', '--design-iterations', '2', '--regression-every', '0', '--yolo'],
    env,
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);

  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    const [first, second, ...more] = store.design.list();
    expect(more).toEqual([]);
    // Iteration 1: axe found the missing alt text (critical) and the faint paragraph (serious); a persona asked.
    expect(first).toMatchObject({ n: 1, status: 'finished', outcome: 'changes_requested' });
    // Counted per screenshot a violation appears in.
    expect(first?.axe).toEqual({ critical: 2, serious: 2, moderate: 0, minor: 0 });
    const rules = store.design
      .findings({ iteration: 1 })
      .filter((f) => f.source === 'tool')
      .map((f) => f.category);
    expect(rules).toEqual(expect.arrayContaining(['axe/image-alt', 'axe/color-contrast']));
    // Every persona opened the screenshot through Claude Code's Read and voted.
    expect(first?.votes.map((v) => [v.persona, v.approve, v.rationale?.endsWith('looked at the screenshot.')])).toEqual(
      [
        ['visual-designer', true, true],
        ['ux-researcher', true, true],
        ['accessibility-expert', false, true],
        ['brand-strategist', true, true],
      ],
    );
    // Its serious findings became design fix features, worked by the coder and landed.
    const fixes = (first?.fixFeatureIds ?? []).map((id) => store.features.get(id));
    expect(fixes).toHaveLength(5);
    expect(fixes.every((f) => f.category === 'design' && f.status === 'passing')).toBe(true);
    // Iteration 2 photographed the fixed app: the violations are gone, everyone approves, and the review stops.
    expect(second).toMatchObject({ n: 2, status: 'finished', outcome: 'approved', fixFeatureIds: [] });
    expect(second?.axe).toMatchObject({ critical: 0, serious: 0 });
    expect(second?.votes.every((v) => v.status === 'voted' && v.approve === true)).toBe(true);
    expect(
      store.design.findings({ status: 'open' }).filter((f) => f.severity === 'major' || f.severity === 'critical'),
    ).toEqual([]);
    expect(store.design.findings({ resolvedIn: 2 })).toHaveLength(5);
    expect(store.sessions.list({}).filter((s) => s.role === 'designer')).toHaveLength(8);
  } finally {
    store.close();
  }
  // The screenshots are real PNGs of the two widths (full-page: at least the viewport's height).
  for (const n of [1, 2]) {
    const folder = join(dir, '.autocoder', 'design', `iteration-${n}`);
    const capture = DesignCaptureSchema.parse(JSON.parse(readFileSync(join(folder, 'capture.json'), 'utf8')));
    const shots = capture.pages.flatMap((p) => p.shots);
    expect(shots.map((s) => s.viewport).sort()).toEqual(['desktop', 'mobile']);
    for (const shot of shots) {
      const size = pngSize(readFileSync(join(folder, shot.file ?? '')));
      expect(size?.width).toBe(shot.viewport === 'desktop' ? 1280 : 390);
      expect(size?.height).toBeGreaterThanOrEqual(shot.viewport === 'desktop' ? 800 : 844);
    }
    expect(readFileSync(join(folder, 'report.md'), 'utf8')).toContain(`# Design review ${n} of notes`);
  }
  expect(result.stdout).toMatch(/Design review 2 finished: approved/);
});
