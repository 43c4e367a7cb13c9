/**
 * The real `autocoder` command as a child process: AUTOCODER_HOME and the working directory are
 * fresh temp folders for every test; project databases are real SQLite files.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore, openRegistry } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import { runAutocoder, type ChildCliResult as CliResult } from '../support/cli-child-run.js';
import { cliSandbox } from '../support/tmp.js';

// Runs the real CLI in child processes (each start takes seconds under tsx on a loaded machine), several per test.
vi.setConfig({ testTimeout: 120_000 });

const PROJECT_MIGRATIONS = readdirSync(fileURLToPath(new URL('../../migrations/project/', import.meta.url))).filter(
  (f) => f.endsWith('.sql'),
).length;
const STATUS_KEYS = [
  'total',
  'passing',
  'in_progress',
  'needs_input',
  'failed',
  'pending',
  'percentage',
  'verified',
  'run',
];
// Spawning the CLI costs about a second on a busy 2-core machine; each test runs several.
const SLOW = 90_000;

let sandbox: string;
let home: string;
let work: string;
let env: Record<string, string>;

beforeEach(() => {
  ({ sandbox, home, work, env } = cliSandbox('autocoder-cli-'));
});

afterEach(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<CliResult> {
  return runAutocoder(args, { cwd: work, env });
}

/** Fails with the command's output when the exit code is not the expected one. */
function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit code; stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
}

function registered(): { name: string; path: string }[] {
  if (!existsSync(join(home, 'registry.db'))) return [];
  const reg = openRegistry({ AUTOCODER_HOME: home });
  try {
    return reg.registry.list().map(({ name, path }) => ({ name, path }));
  } finally {
    reg.close();
  }
}

function git(cwd: string, ...args: string[]): string {
  const res = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout.trim();
}

function gitignoreLines(root: string): string[] {
  return readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
}

/** Three features: #1 (passing), #2 needs #1, #3 needs #1 and #2. */
function seedBacklog(root: string): void {
  const store = openProjectStore(projectPaths(root), { create: false });
  try {
    store.features.createBulk([
      {
        category: 'auth',
        name: 'Sign up',
        description: 'a visitor creates an account',
        steps: ['open /signup', 'submit'],
        priority: 1,
      },
      {
        category: 'auth',
        name: 'Log in',
        description: 'a user logs in',
        steps: ['open /login'],
        priority: 2,
        dependsOnIndices: [0],
      },
      {
        category: 'ui',
        name: 'Dashboard',
        description: 'the home screen',
        steps: ['open /'],
        priority: 3,
        dependsOnIndices: [0, 1],
      },
    ]);
    const { claim } = store.claims.claimFeature(1, 'test-session');
    store.claims.markPassing(claim, { checked: 'by the test' });
  } finally {
    store.close();
  }
}

describe('autocoder --help', () => {
  it('prints the commands and exits 0', async () => {
    const res = await cli('--help');
    expectExit(res, 0);
    for (const command of ['new', 'import', 'list', 'remove', 'features', 'status', 'mcp'])
      expect(res.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});

describe('autocoder new', () => {
  it(
    'creates the folder, a git repository, .autocoder/ with the database and the spec, and registers it',
    { timeout: SLOW },
    async () => {
      const spec = 'Build a todo app.\nUsers add, complete and delete todos.\n';
      writeFileSync(join(work, 'my_spec.txt'), spec);

      const res = await cli('new', 'todo-app', '--spec', 'my_spec.txt');
      expectExit(res, 0);
      const root = join(work, 'todo-app');
      expect(res.stdout).toContain(`Created project todo-app at ${root}`);
      expect(statSync(join(root, '.git')).isDirectory()).toBe(true);
      expect(statSync(join(root, '.autocoder', 'autocoder.db')).isFile()).toBe(true);
      expect(gitignoreLines(root).filter((l) => l === '.autocoder/')).toHaveLength(1);
      expect(readFileSync(join(root, '.autocoder', 'app_spec.txt'), 'utf8')).toBe(spec);
      expect(registered()).toEqual([{ name: 'todo-app', path: root }]);
      // .autocoder/ is ignored, so git sees only the .gitignore itself.
      expect(git(root, 'status', '--porcelain')).toBe('?? .gitignore');

      const db = new Database(join(root, '.autocoder', 'autocoder.db'), { readonly: true });
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(PROJECT_MIGRATIONS);
        expect(db.prepare('SELECT count(*) FROM features').pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    },
  );

  it('gives a project created inside another repository a repository of its own', { timeout: SLOW }, async () => {
    git(work, 'init', '--quiet');
    expectExit(await cli('new', 'nested'), 0);
    expect(git(join(work, 'nested'), 'rev-parse', '--show-toplevel')).toBe(join(work, 'nested'));
  });

  it(
    'adopts an existing folder with --dir without repeating an existing .gitignore entry',
    { timeout: SLOW },
    async () => {
      const root = join(work, 'existing');
      mkdirSync(root);
      const ignore = 'node_modules/\n.autocoder/\n';
      writeFileSync(join(root, '.gitignore'), ignore);
      writeFileSync(join(root, 'README.md'), '# existing\n');

      const res = await cli('new', 'web', '--dir', 'existing');
      expectExit(res, 0);
      expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe(ignore);
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('# existing\n');
      expect(existsSync(join(root, '.autocoder', 'autocoder.db'))).toBe(true);
      expect(existsSync(join(root, '.autocoder', 'app_spec.txt'))).toBe(false);
      expect(res.stdout).toContain('Next: write the app spec to');
      expect(registered()).toEqual([{ name: 'web', path: root }]);
    },
  );

  it('refuses an invalid name with exit 2, explains the rule, and creates nothing', { timeout: SLOW }, async () => {
    for (const args of [
      ['new', 'My_App'],
      ['new', '_app', '--dir', 'somewhere'],
    ]) {
      const res = await cli(...args);
      expectExit(res, 2);
      expect(res.stderr).toMatch(/is not a valid project name/);
      expect(res.stderr).toMatch(/lowercase letters, digits/);
      expect(res.stderr).toMatch(/starting with a letter or digit/);
    }
    expect(readdirSync(work)).toEqual([]);
    expect(registered()).toEqual([]);
  });

  it('refuses a missing spec file with exit 3 and creates nothing', { timeout: SLOW }, async () => {
    const res = await cli('new', 'app', '--spec', 'nope.txt');
    expectExit(res, 3);
    expect(res.stderr).toContain(`spec file ${join(work, 'nope.txt')} does not exist`);
    expect(readdirSync(work)).toEqual([]);
    expect(registered()).toEqual([]);
  });

  it('refuses a name that is already registered with exit 4', { timeout: SLOW }, async () => {
    expectExit(await cli('new', 'app'), 0);
    const res = await cli('new', 'app', '--dir', 'other');
    expectExit(res, 4);
    expect(res.stderr).toMatch(/a project named "app" is already registered/);
    expect(existsSync(join(work, 'other'))).toBe(false);
    expect(registered()).toEqual([{ name: 'app', path: join(work, 'app') }]);
  });
});

describe('autocoder import', () => {
  it('registers an existing repository and leaves its history and files alone', { timeout: SLOW }, async () => {
    const root = join(work, 'legacy');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'main.c'), 'int main(void) { return 0; }\n');
    writeFileSync(join(root, '.gitignore'), 'build'); // no final newline
    git(root, 'init', '--quiet', '--initial-branch=trunk');
    git(root, 'add', '.');
    git(root, 'commit', '--quiet', '-m', 'existing work');
    const head = git(root, 'rev-parse', 'HEAD');

    const res = await cli('import', 'legacy', './legacy');
    expectExit(res, 0);
    expect(res.stdout).toContain(`Imported ${root} as project legacy`);
    expect(git(root, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('trunk');
    expect(readFileSync(join(root, 'src', 'main.c'), 'utf8')).toBe('int main(void) { return 0; }\n');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe('build\n.autocoder/\n');
    expect(git(root, 'status', '--porcelain')).toBe('M .gitignore');
    expect(existsSync(join(root, '.autocoder', 'autocoder.db'))).toBe(true);
    expect(registered()).toEqual([{ name: 'legacy', path: root }]);
  });

  it('refuses a folder that does not exist with exit 3 and creates nothing', { timeout: SLOW }, async () => {
    const res = await cli('import', 'ghost', 'no-such-folder');
    expectExit(res, 3);
    expect(res.stderr).toContain(`${join(work, 'no-such-folder')} is not an existing folder`);
    expect(readdirSync(work)).toEqual([]);
    expect(registered()).toEqual([]);
  });

  it(
    'refuses a folder inside another git repository (agents would work in the outer one) with exit 2',
    { timeout: SLOW },
    async () => {
      const outer = join(work, 'outer');
      mkdirSync(join(outer, 'app'), { recursive: true });
      git(outer, 'init', '--quiet');
      const res = await cli('import', 'inner', join(outer, 'app'));
      expectExit(res, 2);
      expect(res.stderr).toContain(`is inside the git repository ${outer}`);
      expect(existsSync(join(outer, 'app', '.autocoder'))).toBe(false);
      expect(registered()).toEqual([]);
    },
  );

  it(
    'refuses the home folder, or a folder holding $AUTOCODER_HOME, with exit 2 and changes nothing',
    { timeout: SLOW },
    async () => {
      const homeRes = await cli('import', 'myhome', env.HOME as string);
      expectExit(homeRes, 2);
      expect(homeRes.stderr).toContain('holds your home folder');
      const above = await cli('import', 'above', sandbox);
      expectExit(above, 2);
      expect(above.stderr).toContain('holds $AUTOCODER_HOME');
      // Nor inside it: the sandbox would stop hiding the control folder from the project's agents.
      const inside = await cli('new', 'inside', '--dir', join(home, 'inside'));
      expectExit(inside, 2);
      expect(inside.stderr).toContain('is inside $AUTOCODER_HOME');
      expect(existsSync(join(home, 'inside'))).toBe(false);
      expect(existsSync(join(sandbox, '.autocoder'))).toBe(false);
      expect(existsSync(join(env.HOME as string, '.git'))).toBe(false);
      expect(registered()).toEqual([]);
    },
  );
});

describe('autocoder list and remove', () => {
  it(
    'lists projects as text and JSON, keeps files on remove and deletes them with --delete-files',
    { timeout: SLOW },
    async () => {
      expectExit(await cli('new', 'beta'), 0);
      mkdirSync(join(work, 'alpha-src'));
      expectExit(await cli('import', 'alpha', 'alpha-src'), 0);
      seedBacklog(join(work, 'beta'));

      const text = await cli('list');
      expectExit(text, 0);
      expect(text.stdout).toMatch(/^alpha\s+0\/0 passing\s+\S*alpha-src$/m);
      expect(text.stdout).toMatch(/^beta\s+1\/3 passing\s+\S*beta$/m);

      const json = await cli('list', '--json');
      expectExit(json, 0);
      const listed = JSON.parse(json.stdout) as { projects: Record<string, unknown>[] };
      expect(Object.keys(listed)).toEqual(['projects']);
      expect(listed.projects.map((p) => Object.keys(p).sort())).toEqual([
        ['createdAt', 'exists', 'name', 'path', 'stats'],
        ['createdAt', 'exists', 'name', 'path', 'stats'],
      ]);
      expect(listed.projects).toEqual([
        {
          name: 'alpha',
          path: join(work, 'alpha-src'),
          createdAt: expect.any(Number),
          exists: true,
          stats: { total: 0, passing: 0, in_progress: 0, needs_input: 0, failed: 0, pending: 0, percentage: 0 },
        },
        {
          name: 'beta',
          path: join(work, 'beta'),
          createdAt: expect.any(Number),
          exists: true,
          stats: { total: 3, passing: 1, in_progress: 0, needs_input: 0, failed: 0, pending: 2, percentage: 33.3 },
        },
      ]);
      for (const p of listed.projects) expect(isAbsolute(p.path as string)).toBe(true);

      const kept = await cli('remove', 'alpha');
      expectExit(kept, 0);
      expect(kept.stdout).toContain('files kept');
      expect(existsSync(join(work, 'alpha-src', '.autocoder', 'autocoder.db'))).toBe(true);
      expect(registered().map((p) => p.name)).toEqual(['beta']);

      const deleted = await cli('remove', 'beta', '--delete-files');
      expectExit(deleted, 0);
      expect(existsSync(join(work, 'beta'))).toBe(false);
      expect(registered()).toEqual([]);

      const unknown = await cli('remove', 'beta');
      expectExit(unknown, 3);
      expect(unknown.stderr).toMatch(/no project named "beta" is registered/);

      const empty = await cli('list', '--json');
      expectExit(empty, 0);
      expect(JSON.parse(empty.stdout)).toEqual({ projects: [] });
    },
  );

  it('lists a project whose folder is gone as not existing', { timeout: SLOW }, async () => {
    expectExit(await cli('new', 'gone'), 0);
    rmSync(join(work, 'gone'), { recursive: true });
    const res = await cli('list', '--json');
    expectExit(res, 0);
    expect(JSON.parse(res.stdout)).toEqual({
      projects: [{ name: 'gone', path: join(work, 'gone'), createdAt: expect.any(Number), exists: false, stats: null }],
    });
  });
});

describe('autocoder features and status', () => {
  it('prints the backlog as JSON of the documented shape and filters by status', { timeout: SLOW }, async () => {
    expectExit(await cli('new', 'shop'), 0);
    seedBacklog(join(work, 'shop'));

    const all = await cli('features', 'shop', '--json');
    expectExit(all, 0);
    expect(JSON.parse(all.stdout)).toStrictEqual({
      features: [
        {
          id: 1,
          name: 'Sign up',
          category: 'auth',
          status: 'passing',
          priority: 1,
          dependencies: [],
          attempts: 1,
          checks: 0,
          verified: false,
        },
        {
          id: 2,
          name: 'Log in',
          category: 'auth',
          status: 'pending',
          priority: 2,
          dependencies: [1],
          attempts: 0,
          checks: 0,
          verified: false,
        },
        {
          id: 3,
          name: 'Dashboard',
          category: 'ui',
          status: 'pending',
          priority: 3,
          dependencies: [1, 2],
          attempts: 0,
          checks: 0,
          verified: false,
        },
      ],
    });

    const passing = await cli('features', 'shop', '--status', 'passing', '--json');
    expectExit(passing, 0);
    expect(JSON.parse(passing.stdout)).toStrictEqual({
      features: [
        {
          id: 1,
          name: 'Sign up',
          category: 'auth',
          status: 'passing',
          priority: 1,
          dependencies: [],
          attempts: 1,
          checks: 0,
          verified: false,
        },
      ],
    });

    const text = await cli('features', 'shop', '--status', 'passing');
    expectExit(text, 0);
    expect(text.stdout).toMatch(/^#1\s+passing\s+\[auth\] Sign up {2}\(not verified: no checks\)$/m);
    expect(text.stdout).not.toContain('Log in');

    const none = await cli('features', 'shop', '--status', 'failed');
    expectExit(none, 0);
    expect(none.stdout).toBe('No failed features.\n');

    const bogus = await cli('features', 'shop', '--status', 'bogus');
    expectExit(bogus, 2);
    expect(bogus.stderr).toMatch(/bogus/);
    expect(bogus.stderr).toMatch(/pending, in_progress, needs_input, passing, failed/);
  });

  it('prints progress as JSON with exactly the documented keys, by name and by path', { timeout: SLOW }, async () => {
    expectExit(await cli('new', 'shop'), 0);
    const root = join(work, 'shop');
    seedBacklog(root);
    const expected = {
      total: 3,
      passing: 1,
      in_progress: 0,
      needs_input: 0,
      failed: 0,
      pending: 2,
      percentage: 33.3,
      verified: 0,
      // No run yet (#21: the run state and the last outcome, status-cli.int.test.ts).
      run: {
        status: 'stopped',
        runId: null,
        pid: null,
        startedAt: null,
        pauseRequested: false,
        lastOutcome: null,
        // Only a shared run at work names its workers (#20, shared-run.int.test.ts).
        workers: null,
      },
    };

    const byName = await cli('status', 'shop', '--json');
    expectExit(byName, 0);
    const stats = JSON.parse(byName.stdout) as Record<string, unknown>;
    expect(Object.keys(stats)).toEqual(STATUS_KEYS);
    expect(stats).toStrictEqual(expected);

    const byRelativePath = await cli('status', './shop', '--json');
    expectExit(byRelativePath, 0);
    expect(JSON.parse(byRelativePath.stdout)).toStrictEqual(expected);

    const text = await cli('status', root);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/^1\/3 passing \(33\.3%\)/);

    // A project folder that is not registered (any more) still works by path.
    expectExit(await cli('remove', 'shop'), 0);
    const unregistered = await cli('features', root, '--json');
    expectExit(unregistered, 0);
    expect((JSON.parse(unregistered.stdout) as { features: unknown[] }).features).toHaveLength(3);
  });

  it('reports an unknown project with exit 3 and a hint', { timeout: SLOW }, async () => {
    const byName = await cli('status', 'ghost');
    expectExit(byName, 3);
    expect(byName.stderr).toMatch(/no project named "ghost" is registered/);
    expect(byName.stderr).toContain('autocoder list');
    expect(byName.stderr).toContain('autocoder new ghost');

    mkdirSync(join(work, 'plain'));
    const byPath = await cli('features', './plain');
    expectExit(byPath, 3);
    expect(byPath.stderr).toContain('is not an autocoder project');
    expect(byPath.stderr).toContain('autocoder import <name> ./plain');
  });
});

describe('autocoder run, bad numbers', () => {
  it(
    'refuses a malformed or out-of-range number with exit 2 and the rule, not a stack trace',
    { timeout: SLOW },
    async () => {
      for (const [args, rule] of [
        [['run', 'x', '--max-iterations', 'abc'], '--max-iterations must be a whole number of at least 1, not "abc"'],
        [['run', 'x', '--concurrency', '9'], '--concurrency must be a whole number from 1 to 5, not "9"'],
        [['run', 'x', '--testing-ratio', '-1'], '--testing-ratio must be a whole number from 0 to 3'],
      ] as const) {
        const res = await cli(...args);
        expectExit(res, 2);
        expect(res.stderr).toContain(rule);
        expect(res.stderr).not.toMatch(/\n\s+at /);
      }
    },
  );
});

describe('database safety', () => {
  async function projectDatabase(): Promise<string> {
    expectExit(await cli('new', 'safe'), 0);
    return projectPaths(join(work, 'safe')).database;
  }

  it('refuses a database with a newer schema (exit 5) and does not change it', { timeout: SLOW }, async () => {
    const file = await projectDatabase();
    const newer = PROJECT_MIGRATIONS + 7;
    const db = new Database(file);
    db.pragma(`user_version = ${newer}`);
    db.close();
    const before = readFileSync(file);

    const res = await cli('status', 'safe');
    expectExit(res, 5);
    expect(res.stderr).toContain(
      `has schema version ${newer}, but this autocoder only knows versions up to ${PROJECT_MIGRATIONS}`,
    );
    expect(res.stderr).toMatch(/Upgrade autocoder to open it; the file was not changed/);
    expect(readFileSync(file).equals(before)).toBe(true);

    // One unreadable project does not break the listing of the others.
    const list = await cli('list', '--json');
    expectExit(list, 0);
    expect(JSON.parse(list.stdout)).toMatchObject({ projects: [{ name: 'safe', exists: true, stats: null }] });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it(
    'leaves a newer rollback-journal database byte for byte as it was (no switch to WAL)',
    { timeout: SLOW },
    async () => {
      const file = await projectDatabase();
      const db = new Database(file);
      db.pragma('journal_mode = DELETE');
      db.pragma(`user_version = ${PROJECT_MIGRATIONS + 1}`);
      db.close();
      const before = readFileSync(file);

      const res = await cli('features', 'safe', '--json');
      expectExit(res, 5);
      expect(res.stderr).toContain(`has schema version ${PROJECT_MIGRATIONS + 1}`);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(join(work, 'safe', '.autocoder')).filter((f) => f.startsWith('autocoder.db-'))).toEqual([]);
    },
  );

  it('refuses a file that is not SQLite (exit 5) and does not change it', { timeout: SLOW }, async () => {
    const file = await projectDatabase();
    const garbage = randomBytes(64 * 1024);
    writeFileSync(file, garbage);
    for (const side of ['-wal', '-shm']) rmSync(file + side, { force: true });

    const res = await cli('status', 'safe', '--json');
    expectExit(res, 5);
    expect(res.stderr).toContain(`${file} is not a valid SQLite database`);
    expect(res.stderr).toMatch(/left untouched/);
    expect(res.stdout).toBe('');
    expect(readFileSync(file).equals(garbage)).toBe(true);

    const features = await cli('features', join(work, 'safe'));
    expectExit(features, 5);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });
});
