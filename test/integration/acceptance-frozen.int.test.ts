/**
 * Frozen acceptance checks (issue #16 item 2): agents read the export, nothing of theirs changes
 * it. The tool guard of a real session (the Bash policy and the file guard over real files) is
 * asked about every way of writing the export, in the project root and in a slot's worktree; the
 * stored checks and their hash stay as they were, and the runner's re-export restores the files.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptanceExportFile, exportAcceptance } from '../../src/projects/acceptance-export.js';
import { createToolGuard } from '../../src/runner/tool-guard.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { openTempProject, type TempProject } from '../support/tmp.js';

const CHECKS: AcceptanceCheck[] = [
  { kind: 'command', run: 'npm test', expect: { stdoutIncludes: 'pass' } },
  { kind: 'http', method: 'GET', path: '/api/todos', expect: { status: 200 } },
];

describe('the acceptance export is read-only for agents', () => {
  let project: TempProject;
  let worktree: string;

  beforeEach(() => {
    project = openTempProject();
    project.store.features.create({
      category: 'core',
      name: 'todos',
      description: 'd',
      steps: ['s'],
      acceptance: CHECKS,
    });
    worktree = join(project.dir, '.autocoder', 'worktrees', 'slot-0');
    mkdirSync(worktree, { recursive: true });
    exportAcceptance(project.dir, project.store.features);
    exportAcceptance(worktree, project.store.features);
  });
  afterEach(() => project.cleanup());

  const file = acceptanceExportFile(1);
  const attempts: [string, string, Record<string, unknown>][] = [
    ['Write', 'Write', { file_path: file, content: '[]' }],
    ['Write (absolute path)', 'Write', { file_path: '<dir>/' + file, content: '[]' }],
    ['Edit', 'Edit', { file_path: file, old_string: 'npm test', new_string: 'true' }],
    ['MultiEdit', 'MultiEdit', { file_path: file, edits: [{ old_string: 'npm test', new_string: 'true' }] }],
    ['echo >', 'Bash', { command: `echo '[]' > ${file}` }],
    ['echo >>', 'Bash', { command: `echo x >> ${file}` }],
    ['sed -i', 'Bash', { command: `sed -i 's/npm test/true/' ${file}` }],
    ['mv over it', 'Bash', { command: `mv other.json ${file}` }],
    ['mv it away', 'Bash', { command: `mv ${file} other.json` }],
    ['rm', 'Bash', { command: `rm ${file}` }],
    ['rm -rf the folder', 'Bash', { command: 'rm -rf .autocoder/acceptance' }],
    ['cp over it', 'Bash', { command: `cp other.json ${file}` }],
    ['touch', 'Bash', { command: `touch ${file}` }],
    ['git checkout', 'Bash', { command: `git checkout -- ${file}` }],
    ['git checkout of the folder', 'Bash', { command: 'git checkout HEAD -- .autocoder/acceptance' }],
    ['git rm', 'Bash', { command: `git rm ${file}` }],
    ['git mv', 'Bash', { command: `git mv ${file} other.json` }],
    ['git stash --all (it would stash and delete ignored files)', 'Bash', { command: 'git stash --all' }],
    ['cd into the folder and write', 'Bash', { command: `cd .autocoder/acceptance && echo x > feature-1.json` }],
  ];

  for (const where of ['the project root', "a slot's worktree"] as const) {
    it.each(attempts)(`refuses %s of the export in ${where}; the stored hash is unchanged`, (_label, tool, input) => {
      const dir = where === 'the project root' ? project.dir : worktree;
      const guard = createToolGuard(dir);
      const before = project.store.features.get(1);
      const exported = readFileSync(join(dir, file), 'utf8');
      const args = Object.fromEntries(
        Object.entries(input).map(([k, v]) => [k, typeof v === 'string' ? v.replace('<dir>', dir) : v]),
      );
      const decision = guard(tool, args, {});
      expect(decision.allow, JSON.stringify(decision)).toBe(false);
      // Refused for the protected folder (sed is refused whatever it edits), not for some other reason.
      if (!decision.allow)
        expect(decision.reason).toMatch(
          tool === 'Bash' && /sed|stash/.test(String(args.command))
            ? /`sed` runs arbitrary code|git stash -a\/--all is not allowed/
            : /protected folder/,
        );
      expect(project.store.features.get(1)).toMatchObject({
        acceptance: before.acceptance,
        acceptanceHash: before.acceptanceHash,
      });
      expect(readFileSync(join(dir, file), 'utf8')).toBe(exported);
    });
  }

  it('lets agents read the export, with Read and with cat', () => {
    for (const dir of [project.dir, worktree]) {
      const guard = createToolGuard(dir);
      expect(guard('Read', { file_path: join(dir, file) }, {})).toEqual({ allow: true });
      expect(guard('Bash', { command: `cat ${file}` }, {})).toEqual({ allow: true });
    }
  });

  it('a file changed behind the guard (the sandbox off, a person) is rewritten from the database before it counts', () => {
    const path = join(worktree, file);
    const stored = project.store.features.get(1).acceptanceHash;
    chmodSync(path, 0o644);
    writeFileSync(path, JSON.stringify({ featureId: 1, acceptance: [{ kind: 'command', run: 'true' }] }));
    const again = exportAcceptance(worktree, project.store.features);
    expect(again.written).toEqual([1]);
    const restored = JSON.parse(readFileSync(path, 'utf8')) as { acceptance: unknown; acceptanceHash: string };
    expect(restored).toMatchObject({ acceptance: CHECKS, acceptanceHash: stored });
    expect(statSync(path).mode & 0o777).toBe(0o444);
    expect(project.store.features.get(1).acceptanceHash).toBe(stored);
  });
});
