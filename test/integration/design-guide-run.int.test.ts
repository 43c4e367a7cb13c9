/**
 * The design guide in real runs (scripted runtime, real project): the coding session of a feature people look at gets
 * the guide after its coding prompt, a back-end feature's does not, and the project's own guide replaces the built-in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BulkFeature } from '../../src/db/ports.js';
import { roleScript } from '../support/fake-anthropic/index.js';
import { fileCheck, gateCoder, seedBacklog } from '../support/gate-backlog.js';
import { scriptedProject, type ScriptedProject } from '../support/scripted-run.js';

vi.setConfig({ testTimeout: 90_000 });

let project: ScriptedProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const BACKLOG: BulkFeature[] = [
  {
    category: 'api',
    name: 'Notes endpoint',
    description: 'GET /api/notes lists the notes',
    steps: ['GET /api/notes?page=1 returns the notes as JSON'],
    acceptance: [fileCheck(1)],
  },
  {
    category: 'ui',
    name: 'Notes list',
    description: 'the notes are listed',
    steps: ['the list shows every note'],
    acceptance: [fileCheck(2)],
  },
  {
    category: 'core',
    name: 'Settings',
    description: 'the user can rename the notebook',
    steps: ['Open the settings page', 'Rename the notebook'],
    acceptance: [fileCheck(3)],
  },
];

/** The prompt of each feature's coding session, by feature id. */
function codingPrompts(p: ScriptedProject): Map<number, string> {
  const prompts = new Map<number, string>();
  for (const s of p.runtime.sessions) {
    const id = /Coding session: feature #(\d+)/.exec(s.spec.prompt)?.[1];
    if (s.spec.role === 'coding' && id) prompts.set(Number(id), s.spec.prompt);
  }
  return prompts;
}

const GUIDE = '## Design guide (this feature has a user interface)';

describe('the design guide in coding sessions', () => {
  it('is appended to the coding prompt of UI features only', async () => {
    const p = (project = scriptedProject(roleScript({ coding: gateCoder((id) => `feature ${id} implemented`) })));
    seedBacklog(p, BACKLOG);
    expect(await p.run({ concurrency: 1, yolo: true })).toMatchObject({ reason: 'All 3 features pass.' });
    const prompts = codingPrompts(p);
    expect([...prompts.keys()].sort()).toEqual([1, 2, 3]);
    expect(prompts.get(1)).not.toContain(GUIDE);
    for (const id of [2, 3]) {
      const text = prompts.get(id) as string;
      expect(text).toContain(GUIDE);
      // After the whole coding prompt, not in place of any of it.
      expect(text.indexOf(GUIDE)).toBeGreaterThan(text.indexOf('One feature per session: stop after this one.'));
    }
  });

  it("is the project's own .autocoder/prompts/design-guide.md when it has one", async () => {
    const p = (project = scriptedProject(roleScript({ coding: gateCoder((id) => `feature ${id} implemented`) })));
    seedBacklog(p, BACKLOG.slice(0, 2));
    mkdirSync(p.paths.prompts, { recursive: true });
    writeFileSync(
      join(p.paths.prompts, 'design-guide.md'),
      'Our house style for {{project_name}}: Fraunces headings.\n',
    );
    expect(await p.run({ concurrency: 1, yolo: true })).toMatchObject({ reason: 'All 2 features pass.' });
    const prompts = codingPrompts(p);
    expect(prompts.get(2)).toContain('Our house style for notes: Fraunces headings.');
    expect(prompts.get(2)).not.toContain(GUIDE);
    expect(prompts.get(1)).not.toContain('house style');
  });
});
