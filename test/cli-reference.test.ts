import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.js';

/**
 * README.md's CLI reference must keep up with the CLI: every command (and the subcommands of
 * grouped commands like `policy`) has a row naming it as `autocoder <name>`, and every long
 * option the command accepts appears in that row.
 */
const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The table rows whose first cell shows an `autocoder …` invocation. */
const rows = README.split('\n').filter((line) => /^\|\s*`autocoder /.test(line));

const program = buildProgram({ env: {}, cwd: '/', stdout: () => undefined, stderr: () => undefined }, () => undefined);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The row naming `autocoder <words>` as a whole word sequence in its first cell. */
function rowOf(words: string): string | undefined {
  const pattern = new RegExp(`\`autocoder ${escape(words)}(?![\\w-])`);
  return rows.find((row) => pattern.test(row.split(/(?<!\\)\|/)[1] ?? ''));
}

interface Entry {
  readonly words: string;
  readonly command: Command;
}

const entries: Entry[] = program.commands.flatMap((cmd) => [
  { words: cmd.name(), command: cmd },
  ...cmd.commands.map((sub) => ({ words: `${cmd.name()} ${sub.name()}`, command: sub })),
]);

describe('README CLI reference', () => {
  it('finds the table and the commands', () => {
    expect(rows).toHaveLength(36); // the table as it is: subcommands of one group may share a row
    expect(entries.map((e) => e.words)).toEqual(
      expect.arrayContaining(['run', 'policy check', 'logs', 'config set', 'completion']),
    );
  });

  for (const { words, command } of entries) {
    it(`documents autocoder ${words} and its options`, () => {
      const row = rowOf(words);
      expect(row, `README has no row with \`autocoder ${words}\``).toBeDefined();
      const missing = command.options
        .map((o) => o.long)
        .filter((long): long is string => long !== undefined && !row!.includes(long));
      expect(missing, `options of autocoder ${words} missing from its README row`).toEqual([]);
    });
  }
});
