/**
 * sqlite3: agents building SQLite apps look at their database. The CLI can also run programs
 * (`.shell`, `.system`, `edit()`), load native code (`.load`, `load_extension()`), and read or
 * write any file (`.output`, `.once`, `.log`, `.read`, `.import`, `.open`, `.save`, `.backup`,
 * `.restore`, `.cd`, `ATTACH`, `VACUUM INTO`, `readfile()`, `writefile()`, `fsdir`, `zipfile`).
 *
 * Rule: one database file inside the project (off protected folders, so never the runner's own
 * `.autocoder/autocoder.db`), and the SQL given as arguments, each checked: SQL without those
 * functions and statements, dot-commands from a short read-only list (typed in full: the CLI
 * also accepts prefixes such as `.sh`). With no SQL argument sqlite3 reads commands from stdin
 * (a pipe, `<` or a terminal), which this check cannot see, so that form is refused. `-safe`
 * (the CLI's own lock-down of the same features) is accepted but not required.
 */
import { checkPath, lookup } from './arg-checks.js';
import { deny, type Denial, type Validator } from './policy-types.js';

const FLAGS = new Set([
  'header',
  'headers',
  'noheader',
  'column',
  'csv',
  'json',
  'line',
  'list',
  'markdown',
  'table',
  'box',
  'html',
  'tabs',
  'quote',
  'ascii',
  'readonly',
  'safe',
  'bail',
  'batch',
  'echo',
  'nofollow',
  'stats',
  'version',
  'help',
]);
const VALUED = new Set(['separator', 'newline', 'nullvalue']);
const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  cmd: 'sqlite3 -cmd runs a command before the SQL (dot-commands can run programs); pass the SQL as arguments instead',
  init: 'sqlite3 -init reads commands from a file; pass the SQL as arguments instead',
  interactive: 'sqlite3 -interactive reads commands from stdin; pass the SQL as arguments',
};

/** Dot-commands that only read the open database or format output. */
const SAFE_DOT_COMMANDS = new Set([
  'tables',
  'schema',
  'indexes',
  'indices',
  'headers',
  'header',
  'mode',
  'dump',
  'databases',
  'show',
  'width',
  'nullvalue',
  'separator',
  'timer',
  'help',
  'quit',
  'exit',
  'print',
  'stats',
  'eqp',
  'explain',
  'fullschema',
  'dbinfo',
  'changes',
  'echo',
  'bail',
]);

/** SQL that reaches files, programs or native code through the CLI's extensions. */
const FORBIDDEN_SQL: readonly (readonly [RegExp, string])[] = [
  [/\battach\b/, 'ATTACH opens another database file'],
  [/load_extension/, 'load_extension() loads native code'],
  [/readfile/, 'readfile() reads any file'],
  [/writefile/, 'writefile() writes any file'],
  [/\bedit\b/, 'edit() runs an editor program'],
  [/\bfsdir\b/, 'fsdir lists any folder'],
  [/\bzipfile\b/, 'zipfile reads and writes archives'],
  [/\bsqlar/, 'sqlar reads and writes archives'],
  [/\bvacuum\b[\s\S]*\binto\b/, 'VACUUM INTO writes a copy to any file'],
  [/store_directory/, 'the *_store_directory pragmas move temporary files'],
];

const SQL_HINT =
  "pass SQL as arguments, e.g. sqlite3 data/app.db 'SELECT * FROM users LIMIT 5;' or sqlite3 data/app.db .tables";

function commandDenial(cmd: string): Denial | null {
  if (cmd.startsWith('.')) {
    const name = cmd.slice(1).split(/\s+/)[0] ?? '';
    return SAFE_DOT_COMMANDS.has(name)
      ? null
      : deny(
          'dangerous_args',
          `sqlite3 .${name} is not allowed (dot-commands that run programs, load code or read and write files are refused; names must be typed in full); allowed: ${[...SAFE_DOT_COMMANDS].map((n) => `.${n}`).join(' ')}`,
        );
  }
  const lower = cmd.toLowerCase();
  for (const [pattern, why] of FORBIDDEN_SQL) {
    if (pattern.test(lower))
      return deny(
        'dangerous_args',
        `sqlite3: ${why} (the word is refused even inside strings); query the project database with plain SQL`,
      );
  }
  return null;
}

export const sqliteValidator: Validator = (c) => {
  let database: string | undefined;
  const commands: string[] = [];
  let optionsDone = false;
  for (let i = 0; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (!optionsDone && arg === '--') {
      optionsDone = true;
      continue;
    }
    if (!optionsDone && arg.startsWith('-') && arg.length > 1) {
      const name = arg.replace(/^--?/, '');
      const refused = lookup(REFUSED_OPTIONS, name);
      if (refused !== undefined) return deny('dangerous_args', refused);
      if (FLAGS.has(name)) continue;
      if (VALUED.has(name)) {
        i += 1;
        continue;
      }
      return deny(
        'dangerous_args',
        `sqlite3 option \`${arg}\` is not allowed; allowed: ${[...FLAGS, ...VALUED].map((n) => `-${n}`).join(' ')}`,
      );
    }
    if (database === undefined) database = arg;
    else commands.push(arg);
  }
  if (database === undefined || commands.length === 0) {
    return deny(
      'dangerous_args',
      `sqlite3 needs a database file and the SQL as arguments: without SQL arguments it reads commands from stdin (pipes, < files), which can run programs through dot-commands; ${SQL_HINT}`,
    );
  }
  if (/^file:/i.test(database))
    return deny(
      'dangerous_args',
      'sqlite3 file: URIs are not allowed (their parameters can open other files); name the database file inside the project, e.g. data/app.db',
    );
  if (database !== ':memory:' && database !== '') {
    const d = checkPath(database, c, 'write');
    if (d) return d;
  }
  for (const cmd of commands) {
    const d = commandDenial(cmd);
    if (d) return d;
  }
  return null;
};
