/**
 * The verification overhead per feature: what the gate adds before a feature may land. On the
 * test fixture app (a Node server started by ./init.sh, a page with a form and a list), times
 * `verifyCommit` end to end (checkout of the commit in the verification worktree, the app's
 * start, the checks, stopping everything, writing the evidence) for three kinds of feature:
 * command checks only; command and http checks (the app is started); and the same plus one
 * browser check in Chromium (launch, a context with a trace, five steps, a screenshot).
 * Each with the sandbox on (the bubblewrap jail) and off; the first run of a kind is cold (the
 * worktree is created), the rest reuse it. Prints the median and the slowest of the warm runs,
 * and how much of it is the checks themselves versus everything around them.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createServer } from 'node:net';
import type { z } from 'zod';
import { silentLogger } from '../src/logging/logger.js';
import { findChromium } from '../src/runner/browser.js';
import { createRedactor } from '../src/security/redactor.js';
import type { AcceptanceCheckSchema, Verification } from '../src/shared/acceptance.js';
import { verifyCommit } from '../src/verify/verify-commit.js';
import { createAppRepo } from '../test/support/verify-app.js';

const RUNS = 6;
const TARGET_MS = { command: 3_000, http: 3_000, browser: 8_000 } as const;

type Check = z.input<typeof AcceptanceCheckSchema>;

const COMMAND: Check[] = [
  { kind: 'command', run: 'grep -c listen server.cjs', expect: { stdoutIncludes: '1' } },
  { kind: 'command', run: 'node --version' },
];
const HTTP: Check[] = [
  ...COMMAND,
  { kind: 'http', method: 'POST', path: '/api/todos', body: { title: 'bread' }, expect: { status: 201 } },
  { kind: 'http', path: '/api/todos', expect: { json: [{ title: 'bread' }] } },
];
const BROWSER: Check[] = [
  ...HTTP,
  {
    kind: 'browser',
    steps: [
      { goto: '/' },
      { fill: { label: 'New todo' }, value: 'milk' },
      { press: 'Enter', on: { label: 'New todo' } },
      { expectText: 'milk' },
      { screenshot: 'after' },
    ],
  },
];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`;

export async function run(): Promise<void> {
  const chromium = findChromium(undefined, process.env.PATH);
  if (chromium === null) throw new Error('the verify bench needs Chromium on PATH');
  const repo = createAppRepo();
  const rows: string[] = [];
  try {
    for (const sandbox of [true, false]) {
      for (const [kind, checks] of [
        ['command', COMMAND],
        ['http', HTTP],
        ['browser', BROWSER],
      ] as const) {
        const walls: number[] = [];
        const inChecks: number[] = [];
        let cold = 0;
        for (let i = 0; i < RUNS; i += 1) {
          const started = performance.now();
          const v: Verification = await verifyCommit(
            {
              projectRoot: repo.root,
              commit: repo.good,
              featureId: 1,
              verificationId: `bench-${randomBytes(4).toString('hex')}`,
              trigger: 'manual',
              groups: [{ featureId: 1, checks }],
              port: await freePort(),
              sandbox,
              chromium,
              env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
              redact: createRedactor([]),
              logger: silentLogger(),
            },
            new AbortController().signal,
          );
          const wall = performance.now() - started;
          if (v.status !== 'passed')
            throw new Error(
              `the ${kind} verification did not pass: ${v.error ?? v.checks.find((c) => !c.passed)?.failure ?? v.status}`,
            );
          if (i === 0) {
            cold = wall;
            continue;
          }
          walls.push(wall);
          inChecks.push(v.checks.reduce((n, c) => n + c.durationMs, 0));
        }
        const m = median(walls);
        const target = TARGET_MS[kind];
        rows.push(
          `sandbox ${sandbox ? 'on ' : 'off'}  ${kind.padEnd(7)}  ${String(checks.length).padStart(2)} checks  warm median ${ms(m).padStart(8)}  max ${ms(Math.max(...walls)).padStart(8)}  cold ${ms(cold).padStart(8)}  checks ${ms(median(inChecks)).padStart(8)}  around them ${ms(m - median(inChecks)).padStart(8)}  target ≤ ${ms(target)} ${m <= target ? 'ok' : 'MISSED'}`,
        );
        process.stdout.write(`${rows.at(-1) ?? ''}\n`);
      }
    }
  } finally {
    repo.cleanup();
  }
  process.stdout.write(
    `\nverification overhead per feature (${RUNS - 1} warm runs each after a cold one; "around them" = checkout, app start and stop, browser launch, evidence):\n${rows.join('\n')}\n`,
  );
}
