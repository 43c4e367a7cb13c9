import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectPaths, type ProjectPaths } from '../config/paths.js';
import {
  databaseUrl,
  openProjectStoreAt,
  projectSchemaName,
  projectStoreExists,
  readStoreMarker,
  storeIdentity,
} from './store-location.js';
import { initProjectDatabase } from './stores.js';

describe('databaseUrl', () => {
  it('is undefined without the variable (SQLite), the URL with it, and refuses what is not PostgreSQL', () => {
    expect(databaseUrl({})).toBeUndefined();
    expect(databaseUrl({ AUTOCODER_DATABASE_URL: '  ' })).toBeUndefined();
    expect(databaseUrl({ AUTOCODER_DATABASE_URL: 'postgres://u:p@db:5432/ac' })).toBe('postgres://u:p@db:5432/ac');
    expect(() => databaseUrl({ AUTOCODER_DATABASE_URL: 'mysql://u:secret@db/ac' })).toThrow(
      /AUTOCODER_DATABASE_URL \(or --database\)/,
    );
    expect(() => databaseUrl({ AUTOCODER_DATABASE_URL: 'mysql://u:secret@db/ac' })).not.toThrow(/secret/);
  });
});

describe('projectSchemaName', () => {
  it('is a valid schema name that reads like the project and differs for names that slug alike', () => {
    expect(projectSchemaName('todo-app')).toMatch(/^project_todo_app_[0-9a-f]{8}$/);
    expect(projectSchemaName('todo-app')).not.toBe(projectSchemaName('todo_app'));
    // project_ + 40 of the slug + _ + 8 of the hash: within PostgreSQL's 63.
    expect(projectSchemaName('a'.repeat(64))).toHaveLength(57);
  });
});

describe('where a project keeps its store', () => {
  let root: string;
  let paths: ProjectPaths;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ac-store-location-'));
    paths = projectPaths(root);
    mkdirSync(paths.dataDir);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('SQLite: its file; no marker', () => {
    expect(projectStoreExists(paths)).toBe(false);
    expect(storeIdentity(paths)).toBeNull();
    initProjectDatabase(paths);
    expect(projectStoreExists(paths)).toBe(true);
    expect(readStoreMarker(paths)).toBeUndefined();
    expect(storeIdentity(paths)).toContain('autocoder.db');
    openProjectStoreAt(paths, undefined, { create: false }).close();
  });

  it('PostgreSQL: the marker names the schema; opening it without the URL says how to give it', () => {
    writeFileSync(paths.storeMarker, JSON.stringify({ engine: 'postgres', schema: 'project_x_12345678' }));
    expect(projectStoreExists(paths)).toBe(true);
    expect(readStoreMarker(paths)).toEqual({ engine: 'postgres', schema: 'project_x_12345678' });
    expect(storeIdentity(paths)).toContain('store.json');
    expect(() => openProjectStoreAt(paths, {}, { create: false })).toThrow(
      /keeps its store in PostgreSQL .*AUTOCODER_DATABASE_URL or pass --database/,
    );
  });

  it('refuses a damaged marker and leaves it alone', () => {
    for (const text of ['{', '{"engine":"sqlite","schema":"x"}', '{"engine":"postgres","schema":"Robert\'); DROP"}']) {
      writeFileSync(paths.storeMarker, text);
      expect(() => readStoreMarker(paths)).toThrow(/store\.json|schema name/);
    }
  });
});
