import { describe, expect, it } from 'vitest';
import type { AcceptanceCheck } from '../shared/acceptance.js';
import { appPathOf, checkPaths, discoverPages, type PageDiscovery } from './discover-pages.js';

const ORIGIN = 'http://127.0.0.1:4100';
const browser = (...gotos: string[]): AcceptanceCheck => ({
  kind: 'browser',
  steps: gotos.map((goto) => ({ goto })),
});

function drain(d: PageDiscovery): string[] {
  const out: string[] = [];
  for (let p = d.next(); p !== undefined; p = d.next()) out.push(p.path);
  return out;
}

describe('appPathOf', () => {
  it('resolves relative and absolute links against the page, keeping the query and dropping the fragment', () => {
    expect(appPathOf('about', `${ORIGIN}/docs/intro`, ORIGIN)).toBe('/docs/about');
    expect(appPathOf('../x?y=1#top', `${ORIGIN}/docs/intro/`, ORIGIN)).toBe('/docs/x?y=1');
    expect(appPathOf('/a#b', `${ORIGIN}/`, ORIGIN)).toBe('/a');
    expect(appPathOf('#section', `${ORIGIN}/page?q=2`, ORIGIN)).toBe('/page?q=2');
    expect(appPathOf(`${ORIGIN}/full`, `${ORIGIN}/`, ORIGIN)).toBe('/full');
    expect(appPathOf('  /spaced  ', `${ORIGIN}/`, ORIGIN)).toBe('/spaced');
  });

  it('treats localhost and 127.0.0.1 on the same port as the app', () => {
    expect(appPathOf('http://localhost:4100/x', `${ORIGIN}/`, ORIGIN)).toBe('/x');
    expect(appPathOf('http://localhost:4101/x', `${ORIGIN}/`, ORIGIN)).toBeNull();
    expect(appPathOf('https://127.0.0.1:4100/x', `${ORIGIN}/`, ORIGIN)).toBeNull();
  });

  it('refuses other origins, other schemes, files that are not pages and nonsense', () => {
    for (const href of [
      'http://example.com/',
      '//example.com/x',
      'mailto:a@b.test',
      'tel:+123',
      'javascript:void(0)',
      'data:text/html,hi',
      'ftp://127.0.0.1:4100/x',
      '/report.pdf',
      '/logo.PNG',
      '/bundle.js',
      '/export.csv?all=1',
    ])
      expect(appPathOf(href, `${ORIGIN}/`, ORIGIN), href).toBeNull();
    expect(appPathOf('http://[bad', `${ORIGIN}/`, ORIGIN)).toBeNull();
  });
});

describe('checkPaths', () => {
  it('takes the goto paths of browser checks in order, once each, and ignores other checks and steps', () => {
    const checks: AcceptanceCheck[] = [
      { kind: 'command', run: 'true' },
      { kind: 'http', method: 'GET', path: '/api/todos' },
      { kind: 'browser', steps: [{ goto: '/todos#new' }, { click: { text: 'Add' } }, { goto: '/settings' }] },
      browser('/todos', '/'),
    ];
    expect(checkPaths(checks)).toEqual(['/todos', '/settings', '/']);
  });
});

describe('discoverPages', () => {
  it('visits the checks’ pages, then /, then links breadth first, each once', () => {
    const d = discoverPages([browser('/b', '/a')], ORIGIN);
    expect(d.next()).toEqual({ path: '/b', via: 'check', from: null });
    d.addLinks('/b', ['/b1', '/shared', 'http://example.com/'], `${ORIGIN}/b`);
    expect(d.next()).toEqual({ path: '/a', via: 'check', from: null });
    d.addLinks('/a', ['/a1', '/shared', '/b'], `${ORIGIN}/a`);
    expect(d.next()).toEqual({ path: '/', via: 'root', from: null });
    d.addLinks('/', ['/root1'], `${ORIGIN}/`);
    expect(d.next()).toEqual({ path: '/b1', via: 'link', from: '/b' });
    d.addLinks('/b1', ['/deep'], `${ORIGIN}/b1`);
    expect(drain(d)).toEqual(['/shared', '/a1', '/root1', '/deep']);
    expect(d.pages().map((p) => p.path)).toEqual(['/b', '/a', '/', '/b1', '/shared', '/a1', '/root1', '/deep']);
  });

  it('without browser checks starts at / (root), which is not repeated when a check goes there', () => {
    expect(discoverPages([], ORIGIN).pages()).toEqual([{ path: '/', via: 'root', from: null }]);
    expect(discoverPages([browser('/x', '/')], ORIGIN).pages()).toEqual([
      { path: '/x', via: 'check', from: null },
      { path: '/', via: 'check', from: null },
    ]);
  });

  it('stops at the limit and keeps / even when the checks name more pages than fit', () => {
    const many = Array.from({ length: 30 }, (_, i) => `/p${i}`);
    const d = discoverPages([browser(...many)], ORIGIN);
    const paths = d.pages().map((p) => p.path);
    expect(paths).toHaveLength(20);
    expect(paths.slice(0, 19)).toEqual(many.slice(0, 19));
    expect(paths[19]).toBe('/');
    d.addLinks('/p0', ['/more'], `${ORIGIN}/p0`);
    expect(drain(d)).toHaveLength(20);

    const small = discoverPages([], ORIGIN, 3);
    small.addLinks('/', ['/1', '/2', '/3', '/4'], `${ORIGIN}/`);
    expect(small.pages().map((p) => p.path)).toEqual(['/', '/1', '/2']);
    expect(() => discoverPages([], ORIGIN, 0)).toThrow(/at least one page/);
  });
});
