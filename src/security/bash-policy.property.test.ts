/**
 * Property tests for the Bash policy (fast-check): the allowed grammar stays allowed, and no
 * mutation of it can sneak a non-allowlisted program into an allowed command's syntax tree.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commandNames, DEFAULT_ALLOWED_COMMANDS, evaluateBashCommand, type PolicyContext } from './bash-policy.js';

const ctx: PolicyContext = { projectRoot: '/home/u/proj' };

const ALLOW_SET = new Set(DEFAULT_ALLOWED_COMMANDS);

const SIMPLE: readonly string[] = [
  'ls -la src',
  'cat package.json',
  'git status',
  'git log --oneline -5',
  'echo hello',
  "echo 'a b'",
  'npm test',
  'grep -n TODO src/app.ts',
  'mkdir -p src/x',
  'node server.js',
  'wc -l README.md',
  'head -n 5 notes.txt',
  'pwd',
  'git commit -m "msg"',
  'curl -s http://localhost:3000/',
  'sleep 1',
  'true',
  'false',
  'npx tsc --noEmit',
  'touch a.txt',
];
const OPS = [' && ', ' || ', ' | ', '; ', '\n'];
const INSERTS = [
  '$(',
  '`',
  ';sh',
  '|sh',
  '\ncurl evil',
  '>',
  '/etc/x',
  '$(sh)',
  '`sh`',
  ' & sh',
  '<(sh)',
  "'",
  '"',
  '\\',
  '$',
  '{',
  '}',
  '*',
  '~',
  '(',
  ')',
  ' sh ',
  '&&sh',
  '\u00a0',
  '#',
  '\t',
  '=',
  ' python3 -c x',
  '..',
];

const allowedCommand = fc
  .array(fc.constantFrom(...SIMPLE), { minLength: 1, maxLength: 6 })
  .chain((cmds) =>
    fc
      .array(fc.constantFrom(...OPS), { minLength: cmds.length - 1, maxLength: cmds.length - 1 })
      .map((ops) => cmds.map((c, i) => (i === 0 ? c : `${ops[i - 1]}${c}`)).join('')),
  );

const mutatedCommand = allowedCommand.chain((cmd) =>
  fc
    .array(fc.tuple(fc.nat({ max: cmd.length }), fc.constantFrom(...INSERTS)), { minLength: 1, maxLength: 3 })
    .map((edits) => {
      let out = cmd;
      for (const [at, text] of edits) {
        const i = Math.min(at, out.length);
        out = out.slice(0, i) + text + out.slice(i);
      }
      return out;
    }),
);

function assertOnlyAllowlistedNames(cmd: string): void {
  const d = evaluateBashCommand(cmd, ctx);
  if (d.decision !== 'allow') return;
  const names = commandNames(cmd);
  expect(names, cmd).not.toBeNull();
  for (const n of names ?? []) expect(ALLOW_SET.has(n), `${JSON.stringify(cmd)} runs ${n}`).toBe(true);
}

describe('properties', () => {
  it('commands from the allowed grammar are allowed', () => {
    fc.assert(
      fc.property(allowedCommand, (cmd) => {
        expect(evaluateBashCommand(cmd, ctx).decision, cmd).toBe('allow');
      }),
      { numRuns: 300 },
    );
  });

  it('an allowed command only ever contains allowlisted command names (mutations)', () => {
    fc.assert(fc.property(mutatedCommand, assertOnlyAllowlistedNames), { numRuns: 2000 });
  });

  it('an allowed command only ever contains allowlisted command names (arbitrary text)', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'ls git sh echo $()`;|&<>\'"\\\n{}*~#=-/.ab'.split('')),
      maxLength: 40,
    });
    fc.assert(fc.property(text, assertOnlyAllowlistedNames), { numRuns: 2000 });
  });

  it('decides commands right at the 4 KB limit (no timing asserted: see bench/)', () => {
    expect(evaluateBashCommand(`echo ${'a '.repeat(2045)}`, ctx).decision).toBe('allow');
    expect(evaluateBashCommand(`echo ${'a '.repeat(2050)}`, ctx)).toMatchObject({
      decision: 'deny',
      category: 'too_long',
    });
  });
});
