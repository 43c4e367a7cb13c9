/**
 * curl and playwright-cli: the agent's tools for checking the app it builds. Both may only reach
 * the local machine (localhost, 127.0.0.1, [::1]); curl options are an exact allowlist (config
 * files, proxies, --resolve, uploads and unix sockets are all out), and every file they read or
 * write stays inside the project.
 */
import { checkPath, isLocalUrl, parseOptions } from './arg-checks.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';

const LOCAL_HINT = 'only the local app is reachable (http://localhost:<port>, http://127.0.0.1:<port>, http://[::1]:<port>)';

const CURL_SHORT_FLAGS = 'sSfiILvkGNg46';
const CURL_SHORT_VALUED = 'XHdwmAeubcForD';
const CURL_LONG_FLAGS = new Set(['silent', 'show-error', 'fail', 'fail-with-body', 'include', 'head', 'location', 'verbose', 'insecure', 'get', 'compressed', 'no-buffer', 'globoff', 'http1.1', 'http2', 'retry-connrefused', 'no-progress-meter', 'ipv4', 'ipv6']);
const CURL_LONG_VALUED = ['request', 'header', 'data', 'data-raw', 'data-binary', 'data-urlencode', 'json', 'write-out', 'max-time', 'connect-timeout', 'retry', 'retry-delay', 'retry-max-time', 'user-agent', 'referer', 'user', 'cookie', 'cookie-jar', 'form', 'form-string', 'output', 'url', 'max-redirs', 'range', 'dump-header'];
const LONG_TO_SHORT: Readonly<Record<string, string>> = { request: 'X', header: 'H', data: 'd', 'write-out': 'w', 'max-time': 'm', 'user-agent': 'A', referer: 'e', user: 'u', cookie: 'b', 'cookie-jar': 'c', form: 'F', output: 'o', range: 'r', 'dump-header': 'D' };

function checkCurlValue(name: string, value: string, c: CommandCheck): Denial | null {
  switch (name) {
    case 'd':
    case 'H':
    case 'data-binary':
    case 'json':
      return value.startsWith('@') && value !== '@-' ? checkPath(value.slice(1), c, 'read') : null;
    case 'data-urlencode': {
      const at = value.indexOf('@');
      const eq = value.indexOf('=');
      return at >= 0 && (eq < 0 || at < eq) ? checkPath(value.slice(at + 1), c, 'read') : null;
    }
    case 'F': {
      const m = /^[^=]*=[@<]([^;]*)/.exec(value);
      return m ? checkPath(m[1] as string, c, 'read') : null;
    }
    case 'w':
      if (value.includes('%output{')) return deny('dangerous_args', 'curl -w %output{…} writes files; print to stdout instead');
      return value.startsWith('@') ? checkPath(value.slice(1), c, 'read') : null;
    case 'b':
      return value.includes('=') ? null : checkPath(value, c, 'read');
    case 'c':
    case 'o':
    case 'D':
      return value === '-' ? null : checkPath(value, c, 'write');
    case 'url':
      return isLocalUrl(value, true) ? null : deny('network', `curl to \`${value}\` is not allowed: ${LOCAL_HINT}`);
    default:
      return null;
  }
}

export const curlValidator: Validator = (c) => {
  const parsed = parseOptions(c.args, { shortWithValue: CURL_SHORT_VALUED, longWithValue: CURL_LONG_VALUED });
  let urls = 0;
  for (const o of parsed.options) {
    const known = o.long ? CURL_LONG_FLAGS.has(o.name) || CURL_LONG_VALUED.includes(o.name) : CURL_SHORT_FLAGS.includes(o.name) || CURL_SHORT_VALUED.includes(o.name);
    if (!known) {
      return deny('dangerous_args', `curl option \`${o.long ? '--' : '-'}${o.name}\` is not allowed (config files, proxies, uploads, --resolve… are blocked); allowed: -s -S -f -i -I -L -v -X -H -d --data-raw --json -w -m -o <file in project>`);
    }
    if (o.value === undefined) {
      if (o.long ? CURL_LONG_VALUED.includes(o.name) : CURL_SHORT_VALUED.includes(o.name)) return deny('dangerous_args', `curl option ${o.name} needs a value`);
      continue;
    }
    const d = checkCurlValue(o.long ? (LONG_TO_SHORT[o.name] ?? o.name) : o.name, o.value, c);
    if (d) return d;
    if (o.name === 'url') urls += 1;
  }
  for (const p of parsed.positionals) {
    if (!isLocalUrl(p.value, true)) return deny('network', `curl to \`${p.value}\` is not allowed: ${LOCAL_HINT}`);
    urls += 1;
  }
  return urls > 0 ? null : deny('dangerous_args', `curl needs a URL; ${LOCAL_HINT}`);
};

const PW_DENIED: Readonly<Record<string, string>> = {
  eval: 'playwright-cli eval runs arbitrary JavaScript; use snapshot/click/fill/press and check the result with snapshot or console',
  'run-code': 'playwright-cli run-code runs arbitrary code; use the individual commands (open, click, fill, snapshot…)',
  install: 'playwright-cli install is done by the runner, not the agent',
  'install-browser': 'playwright-cli install-browser is done by the runner, not the agent',
  attach: 'playwright-cli attach connects to a real browser with the user\'s sessions; use playwright-cli open http://localhost:<port>',
};
const PW_URL_SUBCOMMANDS = new Set(['open', 'goto', 'tab-new']);
const PW_WRITE_OPTIONS = new Set(['filename', 'profile', 'output', 'output-dir', 'user-data-dir']);
const PW_READ_OPTIONS = new Set(['config', 'path']);
const PW_DENIED_OPTIONS = new Set(['cdp', 'extension', 'endpoint', 'ws-endpoint', 'executable-path']);

function pwUrl(url: string): Denial | null {
  return url === 'about:blank' || isLocalUrl(url, true) ? null : deny('network', `playwright-cli may not open \`${url}\`: ${LOCAL_HINT}`);
}

export const playwrightCliValidator: Validator = (c) => {
  const positionals: string[] = [];
  for (let i = 0; i < c.args.length; i++) {
    const arg = c.args[i] as string;
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1] ?? '';
    if (PW_DENIED_OPTIONS.has(name)) return deny('dangerous_args', `playwright-cli --${name} is not allowed; use playwright-cli open http://localhost:<port>`);
    const isWrite = PW_WRITE_OPTIONS.has(name);
    if (isWrite || PW_READ_OPTIONS.has(name)) {
      const value = m?.[2] ?? c.args[++i];
      if (value === undefined) continue;
      const d = checkPath(value, c, isWrite ? 'write' : 'read');
      if (d) return d;
    }
  }
  const [sub, ...rest] = positionals;
  if (sub === undefined) return null;
  const denied = PW_DENIED[sub];
  if (denied !== undefined) return deny(sub.startsWith('install') ? 'dangerous_args' : 'interpreter', denied);
  if (PW_URL_SUBCOMMANDS.has(sub) && rest[0] !== undefined) {
    const d = pwUrl(rest[0]);
    if (d) return d;
  }
  for (const p of rest) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(p) && (p.includes('://') || /^(file|javascript|data|blob|chrome|about|view-source):/i.test(p))) {
      const d = pwUrl(p);
      if (d) return d;
    }
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
