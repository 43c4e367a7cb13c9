/**
 * playwright-cli: the agent's browser. It runs outside the OS sandbox (it must reach the app), so
 * the policy is its fence: pages only on loopback, files it reads or writes inside the project,
 * no other agent's session, and a `--config` file is read and checked, because a config picks
 * the browser program, its launch arguments, extensions and Node code that runs at page setup.
 *
 * Options are parsed as playwright-cli's minimist does: a non-boolean option takes the next word
 * as its value, so an unknown option could swallow the subcommand; unknown options are refused.
 */
import path from 'node:path';
import { checkPath, isLocalUrl, lookup, readText } from './arg-checks.js';
import { LOCAL_HINT } from './curl-validator.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';

const posix = path.posix;

const DENIED_SUBCOMMANDS: Readonly<Record<string, readonly ['interpreter' | 'dangerous_args', string]>> = {
  eval: [
    'interpreter',
    'playwright-cli eval runs arbitrary JavaScript; use snapshot/click/fill/press and check the result with snapshot or console',
  ],
  'run-code': [
    'interpreter',
    'playwright-cli run-code runs arbitrary code; use the individual commands (open, click, fill, snapshot…)',
  ],
  attach: [
    'interpreter',
    "playwright-cli attach connects to a real browser with the user's sessions; use playwright-cli open http://localhost:<port>",
  ],
  install: ['dangerous_args', 'playwright-cli install is done by the runner, not the agent'],
  'install-browser': ['dangerous_args', 'playwright-cli install-browser is done by the runner, not the agent'],
  'kill-all': [
    'dangerous_args',
    "playwright-cli kill-all kills every agent's browser on this machine; use playwright-cli close for your own session",
  ],
  'close-all': [
    'dangerous_args',
    "playwright-cli close-all closes every agent's browser on this machine; use playwright-cli close for your own session",
  ],
  show: [
    'dangerous_args',
    'playwright-cli show starts a dashboard server; inspect the page with snapshot, console and screenshot instead',
  ],
  tray: ['dangerous_args', 'playwright-cli tray starts a desktop helper; not available to agents'],
};

type OptionKind = 'flag' | 'text' | 'write' | 'read' | 'config' | 'browser' | 'body' | 'content-type';

/** Every option an agent may pass (long form), with how its value is checked. */
const OPTIONS: Readonly<Record<string, OptionKind>> = {
  json: 'flag',
  raw: 'flag',
  help: 'flag',
  version: 'flag',
  headed: 'flag',
  mobile: 'flag',
  persistent: 'flag',
  submit: 'flag',
  boxes: 'flag',
  clear: 'flag',
  'full-page': 'flag',
  hires: 'flag',
  httpOnly: 'flag',
  secure: 'flag',
  static: 'flag',
  cursor: 'flag',
  hide: 'flag',
  all: 'flag',
  device: 'text',
  'idle-timeout': 'text',
  type: 'text',
  depth: 'text',
  modifiers: 'text',
  regex: 'text',
  filter: 'text',
  domain: 'text',
  expires: 'text',
  sameSite: 'text',
  status: 'text',
  data: 'text',
  params: 'text',
  frame: 'text',
  size: 'text',
  fps: 'text',
  description: 'text',
  duration: 'text',
  position: 'text',
  'point-style': 'text',
  'highlight-style': 'text',
  'title-style': 'text',
  style: 'text',
  header: 'text',
  'remove-header': 'text',
  filename: 'write',
  profile: 'write',
  path: 'read',
  config: 'config',
  browser: 'browser',
  body: 'body',
  'content-type': 'content-type',
};
/** Booleans for minimist: these never take the next word as a value. */
const BOOLEAN_OPTIONS = new Set(
  Object.entries(OPTIONS)
    .filter(([, k]) => k === 'flag')
    .map(([n]) => n),
);

const BROWSERS = new Set(['chromium', 'chrome', 'firefox', 'webkit', 'msedge', 'chrome-beta', 'msedge-beta']);

const URL_SUBCOMMANDS = new Set(['open', 'goto', 'tab-new']);

/** What a `--config` file may set: page and timing options. Anything else is refused by name. */
type ConfigSpec = { readonly [key: string]: 'any' | 'write' | 'read' | 'local-url' | 'true' | ConfigSpec };
const CONFIG_SPEC: ConfigSpec = {
  browser: {
    browserName: 'any',
    isolated: 'any',
    launchOptions: {
      headless: 'any',
      channel: 'any',
      slowMo: 'any',
      timeout: 'any',
      chromiumSandbox: 'true',
      handleSIGHUP: 'any',
      handleSIGINT: 'any',
      handleSIGTERM: 'any',
    },
    contextOptions: {
      viewport: 'any',
      screen: 'any',
      locale: 'any',
      timezoneId: 'any',
      colorScheme: 'any',
      reducedMotion: 'any',
      forcedColors: 'any',
      contrast: 'any',
      deviceScaleFactor: 'any',
      isMobile: 'any',
      hasTouch: 'any',
      javaScriptEnabled: 'any',
      userAgent: 'any',
      ignoreHTTPSErrors: 'any',
      permissions: 'any',
      offline: 'any',
      strictSelectors: 'any',
      serviceWorkers: 'any',
      acceptDownloads: 'any',
      baseURL: 'local-url',
      storageState: 'read',
    },
  },
  outputDir: 'write',
  outputMaxSize: 'any',
  saveVideo: 'any',
  saveSession: 'any',
  imageResponses: 'any',
  testIdAttribute: 'any',
  codegen: 'any',
  timeouts: 'any',
  console: 'any',
  snapshot: 'any',
};

const CONFIG_HINT =
  'a --config file may set browserName, headless, channel, viewport and other page options, timeouts and outputDir; the browser program, launch args, proxies, extensions, CDP endpoints, user data dirs and init scripts are set by the runner';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks a parsed config against CONFIG_SPEC; paths in it are relative to the config's folder. */
function configValueDenial(
  value: unknown,
  spec: ConfigSpec,
  where: string,
  configDir: string,
  c: CommandCheck,
): Denial | null {
  if (!isPlainObject(value))
    return deny(
      'dangerous_args',
      `playwright-cli config: \`${where || 'the file'}\` must be an object; ${CONFIG_HINT}`,
    );
  for (const [key, v] of Object.entries(value)) {
    const name = where ? `${where}.${key}` : key;
    const rule = lookup(spec, key);
    if (rule === undefined)
      return deny('dangerous_args', `playwright-cli config sets \`${name}\`, which is not allowed; ${CONFIG_HINT}`);
    if (rule === 'any') continue;
    if (rule === 'true') {
      if (v !== true)
        return deny(
          'dangerous_args',
          `playwright-cli config: \`${name}\` may only be true (the browser's own sandbox stays on); ${CONFIG_HINT}`,
        );
      continue;
    }
    if (rule === 'write' || rule === 'read') {
      if (typeof v !== 'string')
        return deny('dangerous_args', `playwright-cli config: \`${name}\` must be a path inside the project`);
      const d = checkPath(posix.resolve(configDir, v), c, rule);
      if (d) return d;
      continue;
    }
    if (rule === 'local-url') {
      if (typeof v !== 'string' || !isLocalUrl(v, false))
        return deny('network', `playwright-cli config: \`${name}\` must be a local URL: ${LOCAL_HINT}`);
      continue;
    }
    const d = configValueDenial(v, rule, name, configDir, c);
    if (d) return d;
  }
  return null;
}

/** Reads and checks a --config file from every directory the command may run in. */
function configDenial(file: string, c: CommandCheck): Denial | null {
  const where = checkPath(file, c, 'read');
  if (where) return where;
  if (c.ctx.readFile === undefined)
    return deny(
      'dangerous_args',
      'playwright-cli --config cannot be checked here; run playwright-cli without --config (the runner configures the browser)',
    );
  for (const cwd of c.cwds) {
    const abs = posix.resolve(cwd, file);
    const read = readText(c, abs);
    if (read.kind !== 'text')
      return deny(
        'dangerous_args',
        `playwright-cli --config ${file}: the file cannot be read${read.kind === 'unreadable' ? ` (${read.why})` : ''}; create it (JSON) inside the project first, or run without --config`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(read.text.replace(/^\uFEFF/, ''));
    } catch {
      return deny(
        'dangerous_args',
        `playwright-cli --config ${file} is not JSON; only JSON config files are accepted (${CONFIG_HINT})`,
      );
    }
    const d = configValueDenial(parsed, CONFIG_SPEC, '', posix.dirname(abs), c);
    if (d) return d;
  }
  return null;
}

/**
 * route --body fulfils requests in the page: a body the browser may run or render (HTML, a
 * script) would execute in the app's origin. JSON never starts a document or runs as code.
 */
function routeBodyDenial(body: string | undefined, contentType: string | undefined): Denial | null {
  if (contentType !== undefined && !/^(application\/([\w.+-]+\+)?json|text\/plain)\s*(;.*)?$/i.test(contentType)) {
    return deny(
      'dangerous_args',
      `playwright-cli route --content-type ${contentType} is not allowed: mocked responses are JSON (application/json) or text/plain`,
    );
  }
  if (body === undefined) return null;
  try {
    JSON.parse(body);
    return null;
  } catch {
    return deny(
      'dangerous_args',
      "playwright-cli route --body must be JSON (e.g. --body '[{\"id\":1}]'): an HTML or script body would run in the app's page",
    );
  }
}

function pageUrlDenial(url: string): Denial | null {
  return url === 'about:blank' || isLocalUrl(url, true)
    ? null
    : deny('network', `playwright-cli may not open \`${url}\`: ${LOCAL_HINT}`);
}

function looksLikeUrl(arg: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:/i.test(arg) &&
    (arg.includes('://') || /^(file|javascript|data|blob|chrome|about|view-source):/i.test(arg))
  );
}

export const playwrightCliValidator: Validator = (c) => {
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
  for (let i = 0; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (name === 'session' || /^-s/.test(arg))
      return deny(
        'dangerous_args',
        'playwright-cli -s/--session picks another browser session (other agents use theirs); your session is set by the runner, so leave it out',
      );
    const kind = name === undefined ? undefined : lookup(OPTIONS, name);
    if (name === undefined || kind === undefined) {
      return deny(
        'dangerous_args',
        `playwright-cli option \`${arg}\` is not allowed (--cdp, --extension, --endpoint, --executable-path and unknown options are blocked); use the long options of the subcommand, e.g. --filename=shots/x.png`,
      );
    }
    if (BOOLEAN_OPTIONS.has(name)) continue;
    const value = m?.[2] ?? c.args[++i];
    if (value === undefined) return deny('dangerous_args', `playwright-cli --${name} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const [sub, ...rest] = positionals;
  const denied = sub === undefined ? undefined : lookup(DENIED_SUBCOMMANDS, sub);
  if (denied !== undefined) return deny(denied[0], denied[1]);
  for (const [name, list] of values) {
    for (const value of list) {
      const d = optionDenial(lookup(OPTIONS, name) ?? 'text', name, value, sub, c);
      if (d) return d;
    }
  }
  if (sub === 'route') {
    const d = routeBodyDenial(values.get('body')?.at(-1), values.get('content-type')?.at(-1));
    if (d) return d;
  }
  if (sub !== undefined && URL_SUBCOMMANDS.has(sub) && rest[0] !== undefined) {
    const d = pageUrlDenial(rest[0]);
    if (d) return d;
  }
  for (const p of rest) {
    if (!looksLikeUrl(p)) continue;
    const d = pageUrlDenial(p);
    if (d) return d;
  }
  if (sub === 'upload' || sub === 'state-load') {
    for (const p of rest) {
      const d = checkPath(p, c, 'read');
      if (d) return d;
    }
  }
  if ((sub === 'state-save' || sub === 'video-start') && rest[0] !== undefined) return checkPath(rest[0], c, 'write');
  return null;
};

function optionDenial(
  kind: OptionKind,
  name: string,
  value: string,
  sub: string | undefined,
  c: CommandCheck,
): Denial | null {
  switch (kind) {
    case 'write':
      return checkPath(value, c, 'write');
    case 'read':
      // --path is a file for `drop`; for the cookie commands it is the cookie's URL path.
      return sub === 'drop' ? checkPath(value, c, 'read') : null;
    case 'config':
      return configDenial(value, c);
    case 'browser':
      return BROWSERS.has(value)
        ? null
        : deny(
            'dangerous_args',
            `playwright-cli --browser ${value} is not allowed; use one of ${[...BROWSERS].join(', ')}`,
          );
    default:
      return looksLikeUrl(value) && name !== 'filter' ? pageUrlDenial(value) : null;
  }
}
