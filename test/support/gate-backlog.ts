/**
 * Backlogs with frozen acceptance checks for runs with the scripted runtime, seeded through the
 * store (as a person or an older initializer would), and coding scenarios that meet the gate.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BulkFeature } from '../../src/db/ports.js';
import { gitOk } from '../../src/git/git.js';
import type { AcceptanceCheck } from '../../src/shared/acceptance.js';
import { assignedFeature, FEATURE_TOOL, reply, type Step } from './fake-anthropic/index.js';
import type { ScriptedProject } from './scripted-run.js';

export const MARK_PASSING = FEATURE_TOOL('feature_mark_passing');

/** The check a feature's file passes: `features/feature-<id>.txt` says "feature <id> implemented". */
export const fileCheck = (id: number): AcceptanceCheck => ({
  kind: 'command',
  name: `feature ${id} file`,
  run: `cat features/feature-${id}.txt`,
  expect: { stdoutIncludes: `feature ${id} implemented` },
});

/** Commits a first file on main (runs without an initializer need one) and creates `items` through the store. */
export function seedBacklog(p: ScriptedProject, items: readonly BulkFeature[]): number[] {
  writeFileSync(join(p.dir, 'README.md'), '# notes\n');
  gitOk(p.dir, ['add', '-A']);
  gitOk(p.dir, ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '-q', '-m', 'start']);
  return p.inspect((store) => store.features.createBulk(items).created.map((f) => f.id));
}

/** `n` independent features, each with the check of its own file. */
export function checkedFeatures(n: number, from = 1): BulkFeature[] {
  return Array.from({ length: n }, (_, i) => ({
    category: 'core',
    name: `Feature ${from + i}`,
    description: `feature ${from + i}`,
    steps: ['check its file'],
    acceptance: [fileCheck(from + i)],
  }));
}

/** How many `feature_mark_passing` calls of this session were refused so far. */
export const refusals = (conv: Parameters<Step>[0]): number =>
  conv.toolResults.filter((r) => r.name === MARK_PASSING && r.isError).length;

/**
 * A coder that meets the gate: writes `content(id, refusals)` to its feature's file in one Bash
 * call, commits, marks passing; refused, it writes again (with the refusals so far) and calls
 * again, until the gate lands it or tells it to stop. `content` returning null: it gives up. `also`: a
 * command run before the commit (e.g. one that breaks another feature).
 */
export function gateCoder(
  content: (id: number, refused: number) => string | null,
  options: { also?: (id: number, conv: Parameters<Step>[0]) => string | null } = {},
): Step {
  return (conv) => {
    const id = assignedFeature(conv) as number;
    const last = conv.lastToolResults[0];
    if (last?.name === MARK_PASSING && !last.isError) return reply().text(`Feature ${id} landed.`);
    if (last?.name === MARK_PASSING && /Stop now/.test(last.text)) return reply().text('Stopping as told.');
    if (last?.name === 'Bash') return reply().tool(MARK_PASSING, { feature_id: id, evidence: 'I checked it myself' });
    if (last === undefined || last.name === MARK_PASSING) {
      const text = content(id, refusals(conv));
      if (text === null) return reply().text('I give up.');
      const also = options.also?.(id, conv);
      return reply().tool('Bash', {
        command: `mkdir -p features && printf '%s\\n' '${text}' > features/feature-${id}.txt${also ? ` && ${also}` : ''} && git add -A && git commit -q -m "Feature #${id}"`,
      });
    }
    return reply().text('Done.');
  };
}

/** The export of a feature's checks, as a session sees it in its worktree. */
export const exportPath = (id: number): string => `.autocoder/acceptance/feature-${id}.json`;

/** Every way a coder might try to change its frozen checks: file tools, shell writes, moves, removals, git. */
export function tamperAttempts(id: number): { tool: 'Write' | 'Edit' | 'Bash'; input: Record<string, unknown> }[] {
  const file = exportPath(id);
  return [
    { tool: 'Write', input: { file_path: file, content: '{"checks":[]}\n' } },
    { tool: 'Edit', input: { file_path: file, old_string: `feature ${id} implemented`, new_string: 'anything' } },
    { tool: 'Bash', input: { command: `echo '{"checks":[]}' > ${file}` } },
    { tool: 'Bash', input: { command: `sed -i 's/implemented/anything/' ${file}` } },
    { tool: 'Bash', input: { command: `mv ${file} features-stolen.json` } },
    { tool: 'Bash', input: { command: `rm -f ${file}` } },
    { tool: 'Bash', input: { command: `git checkout -- ${file}` } },
    { tool: 'Bash', input: { command: `git rm -q --cached ${file}` } },
  ];
}

/**
 * A coder that reads its checks' export, tries every tamper attempt in turn (one per turn), then
 * commits a placeholder without doing the work and marks passing once, and stops.
 */
export function tamperingCoder(): Step {
  return (conv) => {
    const id = assignedFeature(conv) as number;
    const attempts = tamperAttempts(id);
    if (conv.turn === 0)
      return reply()
        .text('Reading my checks.')
        .tool('Read', { file_path: exportPath(id) });
    const attempt = attempts[conv.turn - 1];
    if (attempt) return reply().tool(attempt.tool, attempt.input);
    return lazyCoder()(conv, conv.turn - 1 - attempts.length);
  };
}

/**
 * A coder that does not do the work: commits a note claiming it is done, calls feature_mark_passing
 * once, and ends whatever the answer. `at` is its own turn count (when it runs after other steps).
 */
export function lazyCoder(): (conv: Parameters<Step>[0], at?: number) => ReturnType<Step> {
  return (conv, at = conv.turn) => {
    const id = assignedFeature(conv) as number;
    if (at === 0)
      return reply().tool('Bash', {
        command: `printf 'done, trust me\\n' > claimed-${id}.txt && git add -A && git commit -q -m "Feature #${id}"`,
      });
    if (at === 1) return reply().tool(MARK_PASSING, { feature_id: id, evidence: 'it works, I checked' });
    return reply().text('Finished.');
  };
}
