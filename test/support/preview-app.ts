import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small real app for preview tests, committed on the project's main: `./init.sh` starts `server.cjs` in the
 * background on $PORT (as the demo's init.sh does) and returns. The page says `title`; `GET /secret` answers what the
 * app could read of `secretFile` (a file the jail must hide), so a test sees what the app sees.
 */
export function commitPreviewApp(dir: string, options: { title: string; secretFile?: string }): void {
  const secret = options.secretFile ?? '/nonexistent';
  writeFileSync(
    join(dir, 'server.cjs'),
    `const http = require('node:http');
const fs = require('node:fs');
const port = Number(process.env.PORT);
console.log('preview app on port ' + port);
http.createServer((req, res) => {
  if (req.url === '/secret') {
    let text;
    try { text = fs.readFileSync(${JSON.stringify(secret)}, 'utf8'); } catch (e) { text = 'unreadable: ' + e.code; }
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end(text);
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${options.title}</title></head><body><main><h1>${options.title}</h1></main></body></html>');
}).listen(port, '127.0.0.1');
`,
  );
  writeFileSync(
    join(dir, 'init.sh'),
    `#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
nohup node server.cjs > server.log 2>&1 &
echo "started on $PORT"
`,
  );
  chmodSync(join(dir, 'init.sh'), 0o755);
  writeFileSync(join(dir, '.gitignore'), 'server.log\n.autocoder/\n');
  execFileSync('git', ['add', 'server.cjs', 'init.sh', '.gitignore'], { cwd: dir });
  execFileSync(
    'git',
    [
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.com',
      'commit',
      '--quiet',
      '-m',
      `preview app: ${options.title}`,
    ],
    { cwd: dir },
  );
}
