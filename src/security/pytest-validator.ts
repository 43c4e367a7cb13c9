/**
 * pytest, and `python -m pytest` / `python3 -m pytest` as the only python forms. pytest runs the
 * project's tests (project code, like `npm test`); its options must keep files inside the project:
 * `--basetemp` is emptied before the run (so never the project itself), reports, logs, configs and
 * the cache dir stay inside and off protected folders, `-o` may set only harmless ini keys
 * (`-o addopts=…` would inject any option), `-p` loads plugins by module name only, and
 * `--pastebin` (uploads results to a website) is refused.
 */
import { checkArgPaths, checkPath, lookup } from './arg-checks.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';

type ValueKind = 'text' | 'read' | 'write' | 'basetemp' | 'ini' | 'plugin' | 'cov-report';

/** Options taking a value (long without dashes; short as one letter). */
const VALUED: Readonly<Record<string, ValueKind>> = {
  k: 'text',
  m: 'text',
  n: 'text',
  W: 'text',
  r: 'text',
  tb: 'text',
  maxfail: 'text',
  durations: 'text',
  'import-mode': 'text',
  capture: 'text',
  'log-level': 'text',
  'log-cli-level': 'text',
  'asyncio-mode': 'text',
  timeout: 'text',
  cov: 'text',
  numprocesses: 'text',
  dist: 'text',
  reruns: 'text',
  deselect: 'read',
  c: 'read',
  'config-file': 'read',
  rootdir: 'read',
  confcutdir: 'read',
  ignore: 'read',
  'ignore-glob': 'read',
  junitxml: 'write',
  'junit-xml': 'write',
  'log-file': 'write',
  html: 'write',
  'json-report-file': 'write',
  'result-log': 'write',
  basetemp: 'basetemp',
  o: 'ini',
  'override-ini': 'ini',
  p: 'plugin',
  'cov-report': 'cov-report',
};

const REFUSED: Readonly<Record<string, readonly ['network' | 'dangerous_args', string]>> = {
  pastebin: ['network', 'pytest --pastebin uploads test results to a website; read the output instead'],
  pdbcls: ['dangerous_args', 'pytest --pdbcls imports a debugger class and waits for input; run pytest without it'],
  pdb: [
    'dangerous_args',
    'pytest --pdb waits for a debugger on the terminal, which agents do not have; run pytest -x and read the traceback',
  ],
  trace: [
    'dangerous_args',
    'pytest --trace waits for a debugger on the terminal; run pytest -x and read the traceback',
  ],
};

/** ini keys `-o key=value` may set: output and collection settings, and cache_dir (a path). */
const INI_KEYS = new Set([
  'cache_dir',
  'log_cli',
  'log_cli_level',
  'log_level',
  'console_output_style',
  'asyncio_mode',
  'asyncio_default_fixture_loop_scope',
  'junit_family',
  'junit_suite_name',
  'xfail_strict',
  'filterwarnings',
  'timeout',
  'python_files',
  'python_classes',
  'python_functions',
  'testpaths',
  'markers',
  'empty_parameter_set_mark',
]);

function valueDenial(kind: ValueKind, option: string, value: string, c: CommandCheck): Denial | null {
  switch (kind) {
    case 'text':
      return null;
    case 'read':
    case 'write':
      return checkPath(value, c, kind);
    case 'basetemp': {
      const d = checkPath(value, c, 'delete');
      return d?.category === 'dangerous_args'
        ? deny(
            'dangerous_args',
            `pytest empties --basetemp ${value} before the run, and that is the project folder; use a subfolder such as tmp/pytest`,
          )
        : d;
    }
    case 'ini': {
      const eq = value.indexOf('=');
      const key = eq < 0 ? value : value.slice(0, eq);
      if (!INI_KEYS.has(key))
        return deny(
          'dangerous_args',
          `pytest -${option.length > 1 ? '-' : ''}${option} ${key}=… is not allowed (addopts, pythonpath and similar keys inject options or code); allowed keys: ${[...INI_KEYS].join(', ')}`,
        );
      return key === 'cache_dir' || key === 'testpaths'
        ? checkPath(value.slice(eq + 1), c, key === 'cache_dir' ? 'write' : 'read')
        : null;
    }
    case 'plugin':
      return /^no:[\w.-]+$/.test(value) || /^[A-Za-z_][\w.]*$/.test(value)
        ? null
        : deny(
            'dangerous_args',
            `pytest -p ${value}: plugins load by module name (e.g. -p no:cacheprovider or -p pytest_asyncio), not by path`,
          );
    case 'cov-report': {
      const colon = value.indexOf(':');
      return colon < 0 ? null : checkPath(value.slice(colon + 1), c, 'write');
    }
  }
}

/** pytest's arguments (after `pytest`, or after `python -m pytest`). */
function pytestArgs(args: readonly string[], c: CommandCheck): Denial | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    let option: string;
    let attached: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      option = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      attached = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      // -xvs is a cluster of flags; the first letter that takes a value takes the rest (-kexpr) or the next word.
      const at = [...arg.slice(1)].findIndex((ch) => lookup(VALUED, ch) !== undefined);
      if (at < 0) continue;
      option = arg[at + 1] as string;
      attached = arg.slice(at + 2) || undefined;
    }
    const refused =
      lookup(REFUSED, option) ??
      Object.entries(REFUSED).find(([full]) => option.length > 2 && full.startsWith(option))?.[1];
    if (refused !== undefined) return deny(refused[0], refused[1]);
    const kind = lookup(VALUED, option);
    if (kind === undefined) continue;
    const value = attached ?? args[++i];
    if (value === undefined) return deny('dangerous_args', `pytest ${arg} needs a value`);
    const d = valueDenial(kind, option, value, c);
    if (d) return d;
  }
  // Test paths, node ids (tests/x.py::test_y) and unknown plugin options' values: inside the project, off protected
  // folders.
  return checkArgPaths({ ...c, args }, 'write');
}

export const pytestValidator: Validator = (c) => pytestArgs(c.args, c);

/** python/python3: only `-m pytest …`; every other form runs code given on the command line. */
export const pythonValidator: Validator = (c) => {
  if (c.args[0] !== '-m' || c.args[1] !== 'pytest') {
    return deny(
      'interpreter',
      `${c.name} runs arbitrary code; the only allowed form is \`${c.name} -m pytest [pytest options]\` (or plain \`pytest\`). Put other logic in tests, or in a node script`,
    );
  }
  return pytestArgs(c.args.slice(2), c);
};
