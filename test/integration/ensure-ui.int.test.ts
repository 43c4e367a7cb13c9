import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ensureWebUi, PACKAGE_ROOT } from '../../src/cli/ensure-ui.js';

/**
 * `autocoder serve` builds the web UI when it is missing (so `npx autocoder serve` works although `npm start` never
 * ran), with the package's real build script; here a package folder of its own whose script stands in for vite (the
 * real build takes a minute and writes into the checkout every other test serves from).
 */
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ac-ensure-ui-'));
  mkdirSync(join(root, 'scripts'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function buildScript(body: string): void {
  writeFileSync(join(root, 'scripts', 'ensure-ui.js'), body);
}

const WRITES_DIST = `import { mkdirSync, writeFileSync } from 'node:fs';
process.stdout.write('Building the web UI (web/dist)…\\n');
mkdirSync('web/dist', { recursive: true });
writeFileSync('web/dist/index.html', '<!doctype html><title>built</title>');
writeFileSync('ran', 'yes');
`;

it('builds the UI with the package script when web/dist is missing, and shows its output', async () => {
  buildScript(WRITES_DIST);
  const out: string[] = [];
  expect(await ensureWebUi(root, (t) => out.push(t))).toEqual({ built: true, ready: true });
  expect(out.join('')).toContain('The web UI is not built yet (web/dist is missing): building it once now…');
  expect(out.join('')).toContain('Building the web UI (web/dist)…');
  expect(existsSync(join(root, 'web', 'dist', 'index.html'))).toBe(true);
});

it('serves an existing build as it is, without running the build', async () => {
  buildScript(WRITES_DIST);
  mkdirSync(join(root, 'web', 'dist'), { recursive: true });
  writeFileSync(join(root, 'web', 'dist', 'index.html'), '<!doctype html>');
  const out: string[] = [];
  expect(await ensureWebUi(root, (t) => out.push(t))).toEqual({ built: false, ready: true });
  expect(existsSync(join(root, 'ran'))).toBe(false);
  expect(out).toEqual([]);
});

it('says so when the build fails (the server still serves the API), and does nothing without the sources', async () => {
  buildScript(`process.stderr.write('vite: something broke\\n'); process.exit(1);\n`);
  const out: string[] = [];
  expect(await ensureWebUi(root, (t) => out.push(t))).toEqual({ built: true, ready: false });
  expect(out.join('')).toContain('vite: something broke');
  expect(out.join('')).toContain('The web UI did not build; the server still starts and serves the API.');
  rmSync(join(root, 'scripts'), { recursive: true });
  expect(await ensureWebUi(root, () => undefined)).toEqual({ built: false, ready: false });
});

it('uses the build script npm start uses, from the package folder', () => {
  expect(existsSync(join(PACKAGE_ROOT, 'scripts', 'ensure-ui.js'))).toBe(true);
  expect(existsSync(join(PACKAGE_ROOT, 'package.json'))).toBe(true);
});
