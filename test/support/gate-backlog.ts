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
