/**
 * Differential oracle: commands the policy ALLOWS are run through real /bin/bash with PATH
 * pointing only at stub programs that record their argv. Every program bash actually started
 * must be allowlisted AND be exactly one of the argvs the policy validated (same name, same
 * dequoted arguments). Denied commands are never executed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { commandArgvs, DEFAULT_ALLOWED_COMMANDS, evaluateBashCommand, NEVER_ALLOWED_COMMANDS } from './bash-policy.js';

// Runs real bash on every command of its corpus.
vi.setConfig({ testTimeout: 30_000 });

const STUB_NAMES = [
  ...DEFAULT_ALLOWED_COMMANDS.filter((n) => !n.includes('/')),
  ...NEVER_ALLOWED_COMMANDS.filter((n) => /^[a-z0-9]+$/.test(n)),
  'id',
  'evil',
  'rg',
  'wget',
  'nc',
  'whoami',
  'make',
  'push',
  'f',
  'X',
  'cowsay',
];

const CORPUS: readonly string[] = [
  // everyday commands
  'npm install',
  'npm install express better-sqlite3',
  'npm run build',
  'npm test -- --run',
  'npx tsc --noEmit',
  'npx vite build',
  'node server.js',
  'node scripts/seed.js',
  'git status',
  'git add -A',
  'git commit -m "feat: add login (#12)"',
  'git log --oneline -20',
  'git diff HEAD~1 --stat',
  'ls -la',
  'cat package.json',
  'tail -50 claude-progress.txt',
  'mkdir -p src/components',
  'curl -s http://localhost:3000/api/health',
  `curl -sf -X POST -H 'Content-Type: application/json' -d '{"a":1}' http://127.0.0.1:5173/api/todos`,
  'playwright-cli open http://localhost:3000',
  'playwright-cli click e3',
  './init.sh',
  'chmod +x init.sh',
  'pkill -f "node server.js"',
  'npm run dev > dev.log 2>&1',
  'NODE_ENV=test npm test',
  'DEBUG=* npm start',
  'grep -n "TODO" src/app.ts',
  'echo "done" >> notes.txt',
  'git status && git add -A && git commit -m "wip"',
  'npm test 2>&1 | tail -20',
  'sleep 2',
  "find src -name '*.test.ts'",
  'ls src | wc -l',
  'cat < package.json',
  // quoting and separators that parsers disagree on
  'git commit -m "fix: handle a && b | c; edge case"',
  'git commit -m "line1\n# not a comment\nline3; sh"',
  "cat 'x;sh' && ls",
  'cat a\\;sh',
  'ls # $(sh)',
  'cat "\\$(sh)"',
  "cat '$(sh)'",
  'grep -n "foo$" src/app.ts',
  'grep -n "a $ b" src',
  'cat a\\ b',
  'cat "a\\"b"',
  "cat 'it'\\''s'",
  'cat "a\\b"',
  'cat "tab\there"',
  'ls\nls -la',
  'ls;ls',
  'cat x#y',
  'cat HEAD~1 x=y a:b a~b',
  "git log --format='%h %s' -5",
  "npm test -- --grep 'a|b'",
  'cat -- -rf',
  "curl -s 'http://localhost:3000/api?x=1&y=2'",
  'cat "ünïcödé.txt" é',
  'ls -la ./src/../src',
  'cd src && ls',
  'cd src && cd .. && ls',
  'cat a!b',
  "grep -e '-x' src",
  'echo x > out.txt && cat out.txt',
  'ls 2>/dev/null',
  '[ -f package.json ] && ls',
  'ls 2>&1 | grep x | wc -l',
  "cat ./'a b'",
  'cat "" x',
  'cat %s ^x @y +z a,b',
  "cat ']' [ x",
  'cat "$" "a $"',
  'true && false || ls',
  'git commit -m \'a"b\' -m "c\'d"',
  // denied: never executed (kept to prove the filter holds)
  'echo $(sh)',
  'sh -c id',
  'ls; id',
  'ls\nevil',
  'cat `id`',
  'ls && python3 -c 1',
  'X=git; $X push',
  'ls & evil',
];

let base: string;
let stubDir: string;
let logDir: string;
let projectDir: string;

function stub(file: string, name: string): void {
  writeFileSync(file, `#!/bin/bash\nprintf '%s\\x1f' "${name}" "$@" > "${logDir}/$$.$RANDOM$RANDOM"\nexit 0\n`);
  chmodSync(file, 0o755);
}

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'autocoder-policy-diff-'));
  stubDir = path.join(base, 'bin');
  logDir = path.join(base, 'log');
  projectDir = path.join(base, 'proj');
  for (const d of [stubDir, logDir, projectDir, path.join(projectDir, 'src'), path.join(projectDir, 'frontend')])
    mkdirSync(d, { recursive: true });
  for (const name of STUB_NAMES) stub(path.join(stubDir, name), name);
  stub(path.join(projectDir, 'init.sh'), 'init.sh');
  writeFileSync(path.join(projectDir, 'package.json'), '{}\n');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

function executedArgvs(): string[][] {
  return readdirSync(logDir).map((f) => {
    const parts = readFileSync(path.join(logDir, f), 'utf8').split('\x1f');
    parts.pop(); // trailing separator
    return parts;
  });
}

const ALLOWED_PROGRAMS = new Set([...DEFAULT_ALLOWED_COMMANDS, 'init.sh']);

let executedTotal = 0;

/** Runs an allowed command in bash and checks every started program against the policy's argvs. */
function runAndCompare(command: string): number {
  for (const f of readdirSync(logDir)) rmSync(path.join(logDir, f));
  const r = spawnSync('/bin/bash', ['-c', command], {
    cwd: projectDir,
    env: { PATH: stubDir },
    timeout: 10_000,
    encoding: 'utf8',
  });
  expect(r.error).toBeUndefined();
  const seen = (commandArgvs(command) ?? []).map((argv) =>
    JSON.stringify([path.posix.basename(argv[0] ?? ''), ...argv.slice(1)]),
  );
  const executed = executedArgvs();
  for (const argv of executed) {
    expect(ALLOWED_PROGRAMS.has(argv[0] ?? ''), `${JSON.stringify(command)} ran ${argv[0]}`).toBe(true);
    expect(seen, `${JSON.stringify(command)} ran ${JSON.stringify(argv)} which the policy did not see`).toContain(
      JSON.stringify(argv),
    );
  }
  return executed.length;
}

describe('differential: what bash runs is what the policy saw', () => {
  it('the stubs record exactly what bash runs', () => {
    const r = spawnSync('/bin/bash', ['-c', "ls -la 'a b' && cat x"], {
      cwd: projectDir,
      env: { PATH: stubDir },
      timeout: 10_000,
    });
    expect(r.status).toBe(0);
    expect(executedArgvs().sort()).toEqual([
      ['cat', 'x'],
      ['ls', '-la', 'a b'],
    ]);
    for (const f of readdirSync(logDir)) rmSync(path.join(logDir, f));
  });

  it('corpus is large enough and most of it runs', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    const allowed = CORPUS.filter((c) => evaluateBashCommand(c, { projectRoot: projectDir }).decision === 'allow');
    expect(allowed.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CORPUS.map((c) => [JSON.stringify(c).slice(0, 90), c] as const))('%s', (_label, command) => {
    const decision = evaluateBashCommand(command, { projectRoot: projectDir });
    if (decision.decision !== 'allow') return; // never execute denied commands
    executedTotal += runAndCompare(command);
  });

  it('really executed programs (the oracle is not vacuous)', () => expect(executedTotal).toBeGreaterThanOrEqual(60));

  it('random quoting: whenever the policy allows, bash runs exactly the argv the policy read', () => {
    const chars = fc.constantFrom(...'ab $;|&()<>"\'\\`#~*?[]{}!=:,.-/\n\t'.split(''));
    const text = fc.string({ unit: chars, maxLength: 6 });
    const fragment = fc.oneof(
      fc.stringMatching(/^[a-z0-9._-]{1,4}$/),
      text.map((t) => `'${t.replaceAll("'", '')}'`),
      text.map((t) => `"${t}"`),
      chars.map((c) => `\\${c}`),
      chars,
    );
    const word = fc.array(fragment, { minLength: 1, maxLength: 4 }).map((f) => f.join(''));
    const simple = fc
      .tuple(fc.constantFrom('cat', 'ls', 'grep -e x', 'wc'), fc.array(word, { minLength: 1, maxLength: 3 }))
      .map(([n, ws]) => `${n} ${ws.join(' ')}`);
    const command = fc
      .tuple(simple, fc.constantFrom(' && ', ' | ', '; ', '\n', ' '), simple)
      .map(([a, op, b]) => `${a}${op}${b}`);
    let ran = 0;
    fc.assert(
      fc.property(command, (cmd) => {
        if (evaluateBashCommand(cmd, { projectRoot: projectDir }).decision !== 'allow') return;
        ran += 1;
        runAndCompare(cmd);
      }),
      { numRuns: 400 },
    );
    expect(ran).toBeGreaterThan(20);
  });
});
