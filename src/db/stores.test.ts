import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths, type ProjectPaths } from '../config/paths.js';
import { AppError } from '../domain/errors.js';
import { schemaMigrations } from './connection.js';
import { initProjectDatabase } from './stores.js';
import { openStoreCache, type StoreCache } from './store-location.js';

describe('the store cache of a long-lived process (the server)', () => {
  let root: string;
  let cache: StoreCache;
  let paths: ProjectPaths;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ac-cache-'));
    cache = openStoreCache({ AUTOCODER_HOME: join(root, 'home') });
    mkdirSync(join(root, 'app'));
    paths = projectPaths(join(root, 'app'));
    initProjectDatabase(paths);
  });

  afterEach(() => {
    cache.close();
    rmSync(root, { recursive: true, force: true });
  });

  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err: unknown) {
      if (err instanceof AppError) return err.code;
      throw err;
    }
    return 'no error';
  };

  it('opens the registry once and each project store once, and hands out the same ones', () => {
    expect(cache.registry()).toBe(cache.registry());
    const store = cache.project(paths);
    expect(cache.project(paths)).toBe(store);
    store.features.create({ category: 'c', name: 'n', description: 'd', steps: ['s'] });
    expect(cache.project(paths).features.stats().total).toBe(1);
  });

  it('drops (and closes) a project whose folder went away: NOT_FOUND, never a read of a deleted file', () => {
    const store = cache.project(paths);
    rmSync(paths.root, { recursive: true, force: true });
    expect(code(() => cache.project(paths))).toBe('NOT_FOUND');
    expect(() => store.features.stats()).toThrow(/not open/);
  });

  it('reopens a project whose database was replaced (removed and created again)', () => {
    const first = cache.project(paths);
    first.features.create({ category: 'c', name: 'old', description: 'd', steps: ['s'] });
    rmSync(paths.dataDir, { recursive: true, force: true });
    initProjectDatabase(paths);
    const second = cache.project(paths);
    expect(second).not.toBe(first);
    expect(second.features.stats().total).toBe(0);
  });

  it('forgets a project on request, and closes everything when the cache closes', () => {
    const store = cache.project(paths);
    cache.forget(paths.root);
    expect(() => store.features.stats()).toThrow(/not open/);
    const again = cache.project(paths);
    expect(again).not.toBe(store);
    const registry = cache.registry();
    cache.close();
    expect(() => again.features.stats()).toThrow(/not open/);
    expect(() => registry.registry.list()).toThrow(/not open/);
    expect(code(() => cache.project(paths))).toBe('INTERNAL');
  });

  it('reads each schema’s migration files once per process', () => {
    expect(schemaMigrations('project')).toBe(schemaMigrations('project'));
    expect(schemaMigrations('registry')).toBe(schemaMigrations('registry'));
  });
});
