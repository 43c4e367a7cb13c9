import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A small real app for verification tests: a Node http server started by `./init.sh` on $PORT,
 * serving a page with a form ("New todo", an Add button) and a list, and a JSON API
 * (`GET/POST /api/todos`). Two commits: one that works, and one with a bug (a new todo is
 * answered 201 but never stored, so it is not in the list and the page never shows it).
 */

export const SERVER_FILE = 'server.cjs';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Todos</title></head>
<body>
<h1>Todos</h1>
<form id="add">
  <label for="title">New todo</label>
  <input id="title" name="title" placeholder="What needs doing?" autocomplete="off">
  <button type="submit">Add</button>
</form>
<ul id="list" aria-label="Todo list"></ul>
<p data-testid="count">0 todos</p>
<p><a href="http://example.com/elsewhere">Elsewhere</a></p>
<script>
async function refresh() {
  const todos = await (await fetch('/api/todos')).json();
  const list = document.getElementById('list');
  list.replaceChildren(...todos.map((t) => { const li = document.createElement('li'); li.textContent = t.title; return li; }));
  document.querySelector('[data-testid=count]').textContent = todos.length + ' todos';
}
document.getElementById('add').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('title');
  await fetch('/api/todos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: input.value }) });
  input.value = '';
  await refresh();
});
refresh();
</script>
</body>
</html>
`;

/** The server; `store` is the line that keeps a new todo (the buggy version leaves it out). */
function server(store: boolean): string {
  return `const http = require('node:http');
const todos = [];
const page = ${JSON.stringify(PAGE)};
const port = Number(process.env.PORT);
console.log('todo app starting on port ' + port);
http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(page); }
  if (req.url === '/api/todos' && req.method === 'GET') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify(todos)); }
  if (req.url === '/api/todos' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const todo = { id: todos.length + 1, title: String(JSON.parse(body).title) };
      ${store ? 'todos.push(todo);' : '// (bug: the todo is never stored)'}
      console.log('added ' + todo.title);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(todo));
    });
    return;
  }
  if (req.url === '/old') { res.writeHead(302, { location: '/api/todos' }); return res.end(); }
  if (req.url === '/away') { res.writeHead(302, { location: 'http://example.com/' }); return res.end(); }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found: ' + req.url);
}).listen(port, '127.0.0.1', () => console.log('listening on ' + port));
`;
}

/** Backgrounds the server (as most init.sh scripts do) and returns at once; the engine waits for the port. */
export const INIT_SH = `#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
echo "init.sh: starting the app on port $PORT"
node ${SERVER_FILE} &
`;

export interface AppRepo {
  readonly root: string;
  /** The commit where everything works. */
  readonly good: string;
  /** The commit with the bug (a todo is never stored). */
  readonly buggy: string;
  /** Commits a change (files relative to the root) on top of `from`, on a branch of its own; returns its sha. */
  commit(files: Readonly<Record<string, string>>, message: string, from?: string): string;
  cleanup(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();

function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
    // A script (#!) is executable, anything else is not (writeFileSync keeps the mode of a file it replaces).
    chmodSync(join(root, file), content.startsWith('#!') ? 0o755 : 0o644);
  }
}

/**
 * A project folder (a git repository on main) with both versions of the app, under
 * `test-artifacts/` rather than the temp folder: real projects do not live there, and the jail
 * replaces the temp folder with an empty one (which would hide the project around the checkout).
 */
export function createAppRepo(): AppRepo {
  mkdirSync(ARTIFACTS, { recursive: true });
  const root = realpathSync(mkdtempSync(join(ARTIFACTS, 'verify-app-')));
  git(root, 'init', '--quiet', '--initial-branch=main');
  writeFiles(root, {
    '.gitignore': '.autocoder/\nnode_modules/\n*.log\n',
    'init.sh': INIT_SH,
    [SERVER_FILE]: server(true),
    'package.json': '{ "name": "todo-fixture", "private": true }\n',
  });
  git(root, 'add', '-A');
  git(root, 'commit', '--quiet', '-m', 'todo app');
  const good = git(root, 'rev-parse', 'HEAD');
  let branches = 0;
  const commit = (files: Readonly<Record<string, string>>, message: string, from = good) => {
    branches += 1;
    git(root, 'branch', `work-${branches}`, from);
    git(root, 'switch', '--quiet', `work-${branches}`);
    writeFiles(root, files);
    git(root, 'add', '-A');
    git(root, 'commit', '--quiet', '-m', message);
    const sha = git(root, 'rev-parse', 'HEAD');
    git(root, 'switch', '--quiet', 'main');
    return sha;
  };
  const buggy = commit({ [SERVER_FILE]: server(false) }, 'a bug: new todos are not stored');
  return { root, good, buggy, commit, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
