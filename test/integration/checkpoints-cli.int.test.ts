/**
 * `autocoder findings`, `autocoder finding` and `autocoder checkpoints`: the real CLI program in this process on a
 * registered project whose store (a real SQLite file) is seeded through store.checkpoints.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/env.js';
import { projectPaths } from '../../src/config/paths.js';
import type { ProjectStore } from '../../src/db/ports.js';
import { openProjectStore, openRegistry } from '../../src/db/stores.js';
import {
  CheckpointDetailResponseSchema,
  CheckpointListResponseSchema,
  FindingDetailResponseSchema,
  FindingsResponseSchema,
} from '../../src/shared/checkpoints.js';
import { cliInProcess } from '../support/cli-in-process.js';

let root: string;
let dir: string;
let env: Env;

function withStore<T>(fn: (store: ProjectStore) => T): T {
  const store = openProjectStore(projectPaths(dir), { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

interface Seeded {
  readonly xss: string;
  readonly csrf: string;
  readonly lint: string;
  readonly bundle: string;
  readonly fixId: number;
}

/**
 * Checkpoint 1 (security, code, performance) finds an XSS (critical, fix feature), a missing CSRF token (major) and a
 * lint error (minor, from a tool) and a big bundle (info); checkpoint 2 (security only) sees the XSS again and not the
 * CSRF one, which it resolves.
 */
function seed(): Seeded {
  return withStore((store) => {
    store.features.create({ category: 'core', name: 'Notes list', description: 'd', steps: ['s'] });
    const one = store.checkpoints.start({
      runId: 'run_1',
      trigger: 'interval',
      commit: 'aaaaaaaaaaaaaaaaaaaa',
      previousCommit: null,
      agents: ['code', 'security', 'performance'],
      passing: 2,
    });
    const xss = store.checkpoints.see(one.n, {
      agent: 'security',
      source: 'agent',
      severity: 'critical',
      category: 'xss',
      title: 'Unescaped note title in the list',
      detail: 'The title is set with innerHTML.',
      file: 'src/list.ts',
      line: 12,
      suggestedFix: 'Use textContent',
    }).finding;
    const csrf = store.checkpoints.see(one.n, {
      agent: 'security',
      source: 'agent',
      severity: 'major',
      category: 'csrf',
      title: 'No CSRF token on the note form',
      detail: 'POST /notes accepts any origin.',
      file: 'src/server.ts',
    }).finding;
    const lint = store.checkpoints.see(one.n, {
      agent: 'code',
      source: 'tool',
      severity: 'minor',
      category: 'eslint/no-unused-vars',
      title: "'x' is assigned a value but never used",
      detail: 'eslint',
      file: 'src/util.ts',
      line: 4,
    }).finding;
    const bundle = store.checkpoints.see(one.n, {
      agent: 'performance',
      source: 'tool',
      severity: 'info',
      category: 'bundle-size',
      title: 'Bundle is 412 kB',
      detail: 'dist/app.js is 412 kB',
    }).finding;
    const fix = store.checkpoints.createFixFeature(one.n, xss.id, {
      category: 'fix',
      name: 'Fix critical: Unescaped note title in the list',
      description: 'd',
      steps: ['s'],
    });
    store.checkpoints.recordReview(one.n, {
      agent: 'security',
      sessionId: 'ses_s1',
      status: 'finished',
      summary: 'One XSS, one CSRF.',
      findings: 2,
    });
    store.checkpoints.recordFacts(one.n, [
      {
        kind: 'lint',
        command: 'npx eslint .',
        status: 'failed',
        exitCode: 1,
        durationMs: 800,
        summary: '1 error in 1 file',
        output: '',
        figures: { errors: 1 },
        findings: [],
      },
    ]);
    store.checkpoints.finish(one.n, { status: 'finished', costUsd: 0.75, error: null, reviewed: ['code', 'security'] });
    const two = store.checkpoints.start({
      runId: 'run_1',
      trigger: 'end_of_run',
      commit: 'bbbbbbbbbbbbbbbbbbbb',
      previousCommit: 'aaaaaaaaaaaaaaaaaaaa',
      agents: ['security'],
      passing: 4,
    });
    store.checkpoints.see(two.n, {
      agent: 'security',
      source: 'agent',
      severity: 'critical',
      category: 'xss',
      title: 'Unescaped note title in the list',
      detail: 'Still set with innerHTML.',
      file: 'src/list.ts',
      line: 14,
    });
    store.checkpoints.finish(two.n, { status: 'finished', costUsd: 0.5, error: null, reviewed: ['security'] });
    return { xss: xss.id, csrf: csrf.id, lint: lint.id, bundle: bundle.id, fixId: fix!.id };
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-checkpoints-cli-'));
  env = { AUTOCODER_HOME: join(root, 'home'), HOME: root, PATH: process.env.PATH };
  dir = join(root, 'work', 'alpha');
  mkdirSync(dir, { recursive: true });
  const reg = openRegistry(env);
  try {
    reg.registry.add('alpha', dir);
  } finally {
    reg.close();
  }
  openProjectStore(projectPaths(dir), { create: true }).close();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const cli = (...args: string[]) => cliInProcess(args, env);

describe('autocoder findings', () => {
  it('--json is the API schema, worst first; each filter and their combination', async () => {
    const s = seed();
    const ids = async (...args: string[]) => {
      const res = await cli('findings', 'alpha', '--json', ...args);
      expect(res.status, res.stderr).toBe(0);
      return FindingsResponseSchema.parse(JSON.parse(res.stdout)).findings.map((f) => f.id);
    };
    expect(await ids()).toEqual([s.xss, s.csrf, s.lint, s.bundle]);
    expect(await ids('--status', 'open')).toEqual([s.xss, s.lint, s.bundle]);
    expect(await ids('--status', 'resolved')).toEqual([s.csrf]);
    expect(await ids('--agent', 'security')).toEqual([s.xss, s.csrf]);
    expect(await ids('--severity', 'info')).toEqual([s.bundle]);
    expect(await ids('--agent', 'security', '--status', 'open')).toEqual([s.xss]);
    expect(await ids('--status', 'dismissed')).toEqual([]);
    const full = FindingsResponseSchema.parse(
      JSON.parse((await cli('findings', 'alpha', '--json', '--severity', 'critical')).stdout),
    ).findings[0];
    expect(full).toMatchObject({
      seenCount: 2,
      firstCheckpoint: 1,
      lastCheckpoint: 2,
      fixFeatureId: s.fixId,
      line: 14,
    });
  });

  it('prints a table: severity, id, kind, title, file:line, status, seen N×, fix #id', async () => {
    const s = seed();
    const res = await cli('findings', 'alpha');
    expect(res.status).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEVERITY +ID +KIND +TITLE +WHERE +STATUS +SEEN +FIX$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^critical +${s.xss} +security +Unescaped note title in the list +src/list\\.ts:14 +open +2× +#${s.fixId}$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^major +${s.csrf} +security +No CSRF token on the note form +src/server\\.ts +resolved +1× +-$`),
    );
    expect(lines[4]).toMatch(new RegExp(`^info +${s.bundle} +performance +Bundle is 412 kB +- +open +1× +-$`));
    // The columns line up: every row has its id where the header has ID.
    const at = lines[0]!.indexOf('ID');
    for (const line of lines.slice(1, 5)) expect(line.indexOf('fnd_')).toBe(at);
    expect(lines[5]).toBe('Details and history: npx autocoder finding alpha <finding-id>');
  });

  it('says when there are none, or none match', async () => {
    expect((await cli('findings', 'alpha')).stdout).toBe('No findings yet: no checkpoint has found any.\n');
    seed();
    expect((await cli('findings', 'alpha', '--status', 'fix_pending')).stdout).toBe('No findings match.\n');
  });

  it('refuses a value not listed with exit 2 and names the choices; an unknown project is not found', async () => {
    const bad = await cli('findings', 'alpha', '--status', 'closed');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("argument 'closed' is invalid");
    expect(bad.stderr).toContain('open, fix_pending, resolved, dismissed');
    expect((await cli('findings', 'alpha', '--agent', 'ux')).status).toBe(2);
    expect((await cli('findings', 'alpha', '--severity', 'high')).status).toBe(2);
    const nobody = await cli('findings', 'nobody');
    expect(nobody.status).toBe(3);
    expect(nobody.stderr).toContain('nobody');
  });
});

describe('autocoder finding', () => {
  it('shows a finding with its history; --json is {finding, sightings}', async () => {
    const s = seed();
    const text = await cli('finding', 'alpha', s.xss);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`${s.xss}  critical  security / xss  open\n  Unescaped note title in the list\n`);
    expect(text.stdout).toContain('  where: src/list.ts:14\n');
    expect(text.stdout).toContain(`  seen 2× (checkpoints 1–2)\n  fix feature: #${s.fixId}\n  history:\n`);
    expect(text.stdout).toMatch(
      / {4}checkpoint 1 {2}critical {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC\n {4}checkpoint 2 {2}critical/,
    );
    const json = FindingDetailResponseSchema.parse(
      JSON.parse((await cli('finding', 'alpha', s.csrf, '--json')).stdout),
    );
    expect(json.finding).toMatchObject({ id: s.csrf, status: 'resolved', resolvedIn: 2 });
    expect(json.sightings.map((x) => x.checkpoint)).toEqual([1]);
    expect((await cli('finding', 'alpha', s.csrf)).stdout).toContain(
      'seen 1× (checkpoints 1–1); resolved by checkpoint 2',
    );
  });

  it('--dismiss --reason dismisses and keeps the reason; twice is a conflict (exit 4), nothing changes', async () => {
    const s = seed();
    const done = await cli('finding', 'alpha', s.lint, '--dismiss', '--reason', 'generated code');
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toBe(`Dismissed ${s.lint}: 'x' is assigned a value but never used\n`);
    expect(withStore((store) => store.checkpoints.finding(s.lint))).toMatchObject({
      status: 'dismissed',
      dismissedReason: 'generated code',
    });
    expect(withStore((store) => store.events.latest({ types: ['finding.dismissed'], limit: 1 })[0]?.payload)).toEqual({
      findingId: s.lint,
      reason: 'generated code',
    });
    const again = await cli('finding', 'alpha', s.lint, '--dismiss', '--reason', 'still generated', '--json');
    expect(again.status).toBe(4);
    expect(again.stderr).toContain('dismissed already: generated code');
    const json = FindingDetailResponseSchema.parse(
      JSON.parse((await cli('finding', 'alpha', s.lint, '--json')).stdout),
    );
    expect(json.finding.dismissedReason).toBe('generated code');
    expect((await cli('findings', 'alpha', '--status', 'dismissed', '--json')).stdout).toContain(s.lint);
  });

  it('--dismiss without a reason, --reason without --dismiss: exit 2; an unknown finding: exit 3', async () => {
    const s = seed();
    for (const args of [['--dismiss'], ['--dismiss', '--reason', '   '], ['--reason', 'why']]) {
      const res = await cli('finding', 'alpha', s.xss, ...args);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/--reason/);
    }
    expect(withStore((store) => store.checkpoints.finding(s.xss).status)).toBe('open');
    const unknown = await cli('finding', 'alpha', 'fnd_nope');
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toContain('there is no finding fnd_nope');
    expect((await cli('finding', 'alpha', 'fnd_nope', '--dismiss', '--reason', 'x')).status).toBe(3);
  });
  it('text from reviewers cannot drive the terminal: control characters become spaces', async () => {
    seed();
    const id = withStore((store) => {
      const n = store.checkpoints.start({
        runId: null,
        trigger: 'manual',
        commit: 'cccccccccc',
        previousCommit: null,
        agents: ['code'],
        passing: 0,
      }).n;
      return store.checkpoints.see(n, {
        agent: 'code',
        source: 'agent',
        severity: 'minor',
        category: 'naming',
        title: 'Bad\u001b]0;pwned\u0007 name\u001b[2J',
        detail: 'first line\nsecond\u001b[31m line',
      }).finding.id;
    });
    for (const args of [
      ['findings', 'alpha'],
      ['finding', 'alpha', id],
    ]) {
      const res = await cli(...args);
      expect(res.status).toBe(0);
      expect(res.stdout).not.toContain('\u001b');
      expect(res.stdout).not.toContain('\u0007');
    }
    const shown = (await cli('finding', 'alpha', id)).stdout;
    expect(shown).toContain('  Bad ]0;pwned name [2J\n');
    expect(shown).toContain('  first line\n  second [31m line\n');
    // The JSON keeps the text as reported (JSON escapes it).
    const json = FindingDetailResponseSchema.parse(JSON.parse((await cli('finding', 'alpha', id, '--json')).stdout));
    expect(json.finding.title).toBe('Bad\u001b]0;pwned\u0007 name\u001b[2J');
  });
});

describe('autocoder checkpoints', () => {
  it('lists the checkpoints: n, when, trigger, commit, status, counts, cost; --json is the API schema', async () => {
    seed();
    const json = CheckpointListResponseSchema.parse(JSON.parse((await cli('checkpoints', 'alpha', '--json')).stdout));
    expect(json.checkpoints.map((c) => [c.n, c.trigger, c.status, c.costUsd, c.resolvedFindings])).toEqual([
      [1, 'interval', 'finished', 0.75, 0],
      [2, 'end_of_run', 'finished', 0.5, 1],
    ]);
    const text = await cli('checkpoints', 'alpha');
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^N +STARTED +TRIGGER +COMMIT +STATUS +FINDINGS +CHANGE +COST$/);
    expect(lines[1]).toMatch(
      /^1 +\d{4}-\d\d-\d\d \d\d:\d\d UTC +interval +aaaaaaaaaa +finished +1 critical, 1 major, 1 minor, 1 info +4 new, 0 resolved +\$0\.75$/,
    );
    expect(lines[2]).toMatch(
      /^2 .* end_of_run +bbbbbbbbbb +finished +1 critical, 0 major, 0 minor, 0 info +0 new, 1 resolved +\$0\.50$/,
    );
    // No autocoder on this PATH: the hint names the form that works here (src/cli/command-form.ts).
    expect(lines[3]).toBe('One checkpoint with its findings: npx autocoder checkpoints alpha <n>');
  });

  it('shows one with its findings and what it resolved; --json is {checkpoint, findings, resolved}', async () => {
    const s = seed();
    const json = CheckpointDetailResponseSchema.parse(
      JSON.parse((await cli('checkpoints', 'alpha', '2', '--json')).stdout),
    );
    expect(json.checkpoint).toMatchObject({ n: 2, previousCommit: 'aaaaaaaaaaaaaaaaaaaa', agents: ['security'] });
    expect(json.findings.map((f) => f.id)).toEqual([s.xss]);
    expect(json.resolved.map((f) => f.id)).toEqual([s.csrf]);
    const one = await cli('checkpoints', 'alpha', '1');
    expect(one.status).toBe(0);
    expect(one.stdout).toContain('Checkpoint 1: finished\n  commit aaaaaaaaaa (the first: the whole code base)\n');
    expect(one.stdout).toContain('  trigger interval (run run_1); started ');
    expect(one.stdout).toContain('; cost $0.75; 2 passing features\n');
    expect(one.stdout).toContain(`  fix features: #${s.fixId}\n`);
    expect(one.stdout).toContain('  tool lint: failed — 1 error in 1 file\n');
    expect(one.stdout).toContain('  review security: finished — One XSS, one CSRF.\n');
    expect(one.stdout).toContain('Findings seen in it:\nSEVERITY');
    expect(one.stdout).not.toContain('Resolved by it:');
    const two = await cli('checkpoints', 'alpha', '2');
    expect(two.stdout).toContain('changes since aaaaaaaaaa');
    expect(two.stdout).toMatch(new RegExp(`Resolved by it:\\nSEVERITY.*\\nmajor +${s.csrf} `));
  });

  it('none yet; a malformed number is exit 2, an unknown one exit 3', async () => {
    expect((await cli('checkpoints', 'alpha')).stdout).toBe('No checkpoints yet.\n');
    for (const n of ['0', '-1', 'two', '1.5']) {
      const bad = await cli('checkpoints', 'alpha', n);
      expect(bad.status, n).toBe(2);
    }
    expect((await cli('checkpoints', 'alpha', 'two')).stderr).toContain(
      'checkpoint number: expected 1, 2, 3 …, got "two"',
    );
    const unknown = await cli('checkpoints', 'alpha', '7');
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toContain('there is no checkpoint 7');
  });
});
