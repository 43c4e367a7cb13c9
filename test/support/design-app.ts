import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small real app for design-capture tests and the design bench: a Node http server started by `./init.sh` on $PORT
 * with four linked pages and known design problems.
 * - `/`: a shared stylesheet with a `prefers-color-scheme: dark` rule, an image without `alt` (`/logo.png`, which
 *   answers 404), an image from another origin (blocked), a script that logs console errors (one with a secret);
 *   links to `/about` and `/contact`, plus links that must not be followed (mailto, another origin, a fragment, a
 *   PDF). Its navigation has no place to wrap, so on mobile the page is wider than the viewport.
 * - `/about`: low-contrast text, no dark theme; links to `/team` and back.
 * - `/team`: reached only through `/about`; its content comes by script from `/api/people`, which answers after
 *   300 ms: a form field without a label, there only once the data came.
 * - `/contact`: a long page (taller than the mobile viewport) whose dark theme is announced by
 *   `<meta name="color-scheme">`.
 */

/** A secret the app prints to its console (the capture must mask it). */
export const FIXTURE_SECRET = 'sk-design-SECRET-0123456789';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

const STYLE = `body { font-family: sans-serif; margin: 0; padding: 24px; background: #ffffff; color: #1a1a1a; }
nav a { margin-right: 12px; color: #0645ad; }
@media (prefers-color-scheme: dark) {
  body { background: #101418; color: #e8e8e8; }
  nav a { color: #8ab4f8; }
}
`;

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${head}</head>
<body>
${body}
</body>
</html>
`;

const PAGES: Record<string, string> = {
  '/': page(
    'Home',
    '<link rel="stylesheet" href="/style.css">',
    `<nav><a href="/about">About</a><a href="contact#form">Contact</a><a href="mailto:hello@example.test">Mail</a><a href="http://example.com/">Elsewhere</a><a href="#top">Top</a><a href="/brochure.pdf">Brochure</a></nav>
<main><h1>Welcome</h1>
<img src="/logo.png" width="120" height="60">
<img src="http://example.com/banner.png" alt="A banner" width="120" height="60">
<p>A small app with a few pages.</p></main>
<script>console.error('widget failed to start'); console.error('token ${FIXTURE_SECRET} refused');</script>`,
  ),
  '/about': page(
    'About us',
    '<style>body { font-family: sans-serif; padding: 24px; background: #fff; }</style>',
    `<nav><a href="/">Home</a> <a href="/team">Team</a></nav>
<main><h1>About us</h1><p style="color: #c8c8c8; background: #ffffff">This text is very hard to read.</p></main>`,
  ),
  '/team': page(
    'Team',
    '',
    `<nav><a href="/">Home</a></nav><main><h1>Team</h1><div id="people">Loading…</div></main>
<script>
fetch('/api/people').then((r) => r.json()).then((people) => {
  document.getElementById('people').innerHTML = '<p>' + people.length + ' people.</p><input type="text">';
});
</script>`,
  ),
  '/contact': page(
    'Contact',
    '<meta name="color-scheme" content="light dark"><style>body { font-family: sans-serif; padding: 24px; }</style>',
    `<nav><a href="/">Home</a></nav><main><h1 id="form">Contact</h1>
${Array.from({ length: 40 }, (_, i) => `<p>Paragraph ${i + 1}: write to us, we answer within a day.</p>`).join('\n')}
</main>`,
  ),
};

const SERVER = `const http = require('node:http');
const pages = ${JSON.stringify(PAGES)};
const style = ${JSON.stringify(STYLE)};
const port = Number(process.env.PORT);
http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/api/people') {
    setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('["Ann","Bo","Cy"]'); }, 300);
    return;
  }
  if (path === '/style.css') { res.writeHead(200, { 'content-type': 'text/css' }); return res.end(style); }
  if (Object.hasOwn(pages, path)) { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(pages[path]); }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found: ' + path);
}).listen(port, '127.0.0.1', () => console.log('design app listening on ' + port));
`;

const INIT_SH = `#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
node server.cjs &
`;

export interface DesignAppRepo {
  readonly root: string;
  /** The commit with the app. */
  readonly commit: string;
  cleanup(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();

/**
 * A project folder (a git repository on main) with the app, under `test-artifacts/` (the jail replaces the temp
 * folder with an empty one, which would hide the project around the checkout).
 */
export function createDesignAppRepo(): DesignAppRepo {
  mkdirSync(ARTIFACTS, { recursive: true });
  const root = realpathSync(mkdtempSync(join(ARTIFACTS, 'design-app-')));
  git(root, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(join(root, '.gitignore'), '.autocoder/\nnode_modules/\n*.log\n');
  writeFileSync(join(root, 'server.cjs'), SERVER);
  writeFileSync(join(root, 'init.sh'), INIT_SH);
  chmodSync(join(root, 'init.sh'), 0o755);
  git(root, 'add', '-A');
  git(root, 'commit', '--quiet', '-m', 'design app');
  return {
    root,
    commit: git(root, 'rev-parse', 'HEAD'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
