/**
 * curl: the agent's tool for checking the HTTP API of the app it builds. curl runs outside the OS
 * sandbox (it must reach the app), so the policy is its only fence: options are an exact
 * allowlist (curl also accepts unique prefixes of long options; those are simply unknown here),
 * every URL is loopback, redirects are not followed (-L would go to any host), URL globbing is off
 * or absent ({…}/[…] patterns feed `#1` in output names), and every option that reads or writes
 * a local file is a path check inside the project.
 */
import path from 'node:path';
import { checkPath, isLocalUrl, lookup, parseOptions, type ParsedOption } from './arg-checks.js';
import { deny, type CommandCheck, type Denial, type Validator } from './policy-types.js';

const posix = path.posix;

export const LOCAL_HINT =
  'only the local app is reachable (http://localhost:<port>, http://127.0.0.1:<port>, http://[::1]:<port>)';

/** How an option's value is checked. */
type ValueKind =
  'text' | 'at-file' | 'urlencode' | 'form' | 'write-out' | 'cookie' | 'read' | 'write' | 'output-dir' | 'url';

const SHORT_FLAGS: Readonly<Record<string, string>> = {
  s: 'silent',
  S: 'show-error',
  f: 'fail',
  i: 'include',
  I: 'head',
  v: 'verbose',
  k: 'insecure',
  G: 'get',
  N: 'no-buffer',
  g: 'globoff',
  '4': 'ipv4',
  '6': 'ipv6',
  O: 'remote-name',
};
const SHORT_VALUED: Readonly<Record<string, string>> = {
  X: 'request',
  H: 'header',
  d: 'data',
  w: 'write-out',
  m: 'max-time',
  A: 'user-agent',
  e: 'referer',
  u: 'user',
  b: 'cookie',
  c: 'cookie-jar',
  F: 'form',
  o: 'output',
  r: 'range',
  D: 'dump-header',
  T: 'upload-file',
  E: 'cert',
};
const LONG_FLAGS = new Set([
  'silent',
  'show-error',
  'fail',
  'fail-with-body',
  'include',
  'head',
  'verbose',
  'insecure',
  'get',
  'compressed',
  'no-buffer',
  'globoff',
  'http1.1',
  'http2',
  'retry-connrefused',
  'no-progress-meter',
  'ipv4',
  'ipv6',
  'remote-name',
  'create-dirs',
  'trace-time',
  'no-keepalive',
  'progress-bar',
]);
const LONG_VALUED: Readonly<Record<string, ValueKind>> = {
  request: 'text',
  'data-raw': 'text',
  'max-time': 'text',
  'connect-timeout': 'text',
  retry: 'text',
  'retry-delay': 'text',
  'retry-max-time': 'text',
  'user-agent': 'text',
  referer: 'text',
  user: 'text',
  'form-string': 'text',
  'max-redirs': 'text',
  range: 'text',
  'cert-type': 'text',
  'key-type': 'text',
  header: 'at-file',
  data: 'at-file',
  'data-ascii': 'at-file',
  'data-binary': 'at-file',
  json: 'at-file',
  'data-urlencode': 'urlencode',
  form: 'form',
  'write-out': 'write-out',
  cookie: 'cookie',
  url: 'url',
  'upload-file': 'read',
  'netrc-file': 'read',
  cert: 'read',
  key: 'read',
  cacert: 'read',
  capath: 'read',
  crlfile: 'read',
  'etag-compare': 'read',
  output: 'write',
  'cookie-jar': 'write',
  'dump-header': 'write',
  trace: 'write',
  'trace-ascii': 'write',
  stderr: 'write',
  libcurl: 'write',
  'etag-save': 'write',
  'output-dir': 'output-dir',
};

/** Options refused with a reason of their own (everything else unknown gets the generic one). */
const REFUSED: Readonly<Record<string, string>> = {
  location:
    'curl -L/--location follows redirects to any host (curl runs outside the sandbox); request the final http://localhost URL directly, and use -i to see a Location header',
  'location-trusted':
    'curl --location-trusted follows redirects to any host and resends credentials; request the final http://localhost URL directly',
  config: 'curl -K/--config reads options from a file, past every check here; put the options on the command line',
  netrc: 'curl --netrc sends credentials from your home folder; pass -u user:password for the local app instead',
  'netrc-optional':
    'curl --netrc-optional sends credentials from your home folder; pass -u user:password for the local app instead',
};
const SHORT_REFUSED: Readonly<Record<string, string>> = { L: 'location', K: 'config', n: 'netrc' };

const ALLOWED_HINT =
  'allowed: -s -S -f -i -I -v -X -H -d --data-raw --data-binary --json -F -w -m -o -O --output-dir -c -b -D -T -u -g --retry (files inside the project)';

function longName(o: ParsedOption): string {
  return o.long
    ? o.name
    : (lookup(SHORT_FLAGS, o.name) ?? lookup(SHORT_VALUED, o.name) ?? lookup(SHORT_REFUSED, o.name) ?? o.name);
}

/**
 * curl -F/--form: `name=content`, where content `@a,b` attaches files, `<f` reads one, and any
 * `;headers=@f` / `;headers=<f` parameter reads headers from a file. curl also accepts quoted,
 * backslash-escaped file names, which would hide the path from this check: those are refused.
 */
function formDenial(value: string, c: CommandCheck): Denial | null {
  const eq = value.indexOf('=');
  if (eq < 0) return null; // curl itself rejects a field without `=`
  const content = value.slice(eq + 1);
  if (content.includes('"') || content.includes('\\')) {
    return deny(
      'dangerous_args',
      "curl -F values with quotes or backslashes are not allowed (curl reads quoted file names from them); write -F 'name=@relative/file' or use --form-string for literal text",
    );
  }
  const [rawFirst = '', ...params] = content.split(';');
  const first = rawFirst.trimStart();
  const files = first.startsWith('@') ? first.slice(1).split(',') : first.startsWith('<') ? [first.slice(1)] : [];
  for (const p of params) {
    const param = p.trimStart();
    if (/^headers=[@<]/i.test(param)) files.push(param.slice('headers='.length + 1));
  }
  for (const f of files) {
    const d = checkPath(f, c, 'read');
    if (d) return d;
  }
  return null;
}

function valueDenial(kind: ValueKind, value: string, c: CommandCheck): Denial | null {
  switch (kind) {
    case 'text':
      return null;
    case 'at-file':
      return value.startsWith('@') && value !== '@-' ? checkPath(value.slice(1), c, 'read') : null;
    case 'urlencode': {
      // `@file` and `name@file` read a file; `=text` and `name=text` do not (the first of @ and = decides).
      const at = value.indexOf('@');
      const eq = value.indexOf('=');
      return at >= 0 && (eq < 0 || at < eq) ? checkPath(value.slice(at + 1), c, 'read') : null;
    }
    case 'form':
      return formDenial(value, c);
    case 'write-out':
      if (value.includes('%output{'))
        return deny('dangerous_args', 'curl -w %output{…} writes files; print to stdout instead');
      return value.startsWith('@') ? checkPath(value.slice(1), c, 'read') : null;
    case 'cookie':
      return value.includes('=') ? null : checkPath(value, c, 'read');
    case 'read':
      return value === '-' ? null : checkPath(value, c, 'read');
    case 'write':
    case 'output-dir':
      return value === '-' ? null : checkPath(value, c, 'write');
    case 'url':
      return isLocalUrl(value, true) ? null : deny('network', `curl to \`${value}\` is not allowed: ${LOCAL_HINT}`);
  }
}

/**
 * The file names `-O` may derive from a URL: its last `/`-segment, read over the whole URL (curl
 * 7.x does not stop at `?` or `#`, so `x?y=/.git` names `.git`) and over the path alone.
 */
function remoteNames(url: string): string[] {
  const noScheme = url.replace(/^[a-z]+:\/\//i, '');
  const afterHost = noScheme.includes('/') ? noScheme.slice(noScheme.indexOf('/')) : '';
  const pathOnly = afterHost.split(/[?#]/)[0] ?? '';
  return [afterHost, pathOnly].map((p) => p.slice(p.lastIndexOf('/') + 1)).filter((n) => n !== '');
}

/** URL globbing: `{a,b}` and `[1-3]` patterns, except the brackets of an IPv6 host. */
function hasGlob(url: string): boolean {
  return /[{}[\]]/.test(url.replace(/^([a-z]+:\/\/)?\[::1\]/i, '$1'));
}

const GLOB_REASON =
  'curl URL globbing ({…}, […]) is not allowed (with -o "#1" it names files anywhere); add -g (--globoff) to send the characters literally, or list the URLs';

export const curlValidator: Validator = (c) => {
  const parsed = parseOptions(c.args, {
    shortWithValue: Object.keys(SHORT_VALUED).join(''),
    longWithValue: Object.keys(LONG_VALUED),
  });
  const urls: string[] = [];
  const outputs: string[] = [];
  const outputDirs: string[] = [];
  const uploads: string[] = [];
  let remoteName = false;
  let globoff = false;
  for (const o of parsed.options) {
    const name = longName(o);
    const refused = lookup(REFUSED, name);
    if (refused !== undefined) return deny('dangerous_args', refused);
    if (o.long ? LONG_FLAGS.has(name) : lookup(SHORT_FLAGS, o.name) !== undefined) {
      if (o.value !== undefined) return deny('dangerous_args', `curl option --${name} takes no value`);
      if (name === 'globoff') globoff = true;
      if (name === 'remote-name') remoteName = true;
      continue;
    }
    const kind = lookup(LONG_VALUED, name);
    if (kind === undefined) {
      return deny(
        'dangerous_args',
        `curl option \`${o.long ? '--' : '-'}${o.name}\` is not allowed (config files, proxies, --resolve/--connect-to, unix sockets and abbreviated names are blocked); ${ALLOWED_HINT}`,
      );
    }
    if (o.value === undefined) return deny('dangerous_args', `curl option --${name} needs a value`);
    const d = valueDenial(kind, o.value, c);
    if (d) return d;
    if (kind === 'url') urls.push(o.value);
    if (name === 'output') outputs.push(o.value);
    if (name === 'output-dir') outputDirs.push(o.value);
    if (name === 'upload-file') uploads.push(o.value);
  }
  for (const p of parsed.positionals) {
    if (!isLocalUrl(p.value, true)) return deny('network', `curl to \`${p.value}\` is not allowed: ${LOCAL_HINT}`);
    urls.push(p.value);
  }
  if (urls.length === 0) return deny('dangerous_args', `curl needs a URL; ${LOCAL_HINT}`);
  if (!globoff && (urls.some(hasGlob) || uploads.some(hasGlob))) return deny('dangerous_args', GLOB_REASON);
  if (remoteName) outputs.push(...urls.flatMap(remoteNames));
  // --output-dir D puts a relative output O at D/O: check both the name and where it lands.
  for (const out of outputs) {
    if (out === '-') continue;
    for (const target of [out, ...(posix.isAbsolute(out) ? [] : outputDirs.map((dir) => posix.join(dir, out)))]) {
      const d = checkPath(target, c, 'write');
      if (d) return d;
    }
  }
  return null;
};
