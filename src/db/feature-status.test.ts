import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKER_TYPES } from '../domain/blocker.js';
import { FEATURE_STATUSES } from '../domain/feature.js';
import { BLOCKER_TYPE_VALUES, FEATURE_STATUS_VALUES } from '../shared/feature-status.js';
import { openDatabase, type Db } from './connection.js';

/**
 * The domain defines the feature statuses and blocker types once; the wire (src/shared, which
 * may import only zod) and the migrations' SQL CHECKs repeat them. These tests keep all three equal.
 */
describe('feature statuses and blocker types: domain, wire and SQL agree', () => {
  let dir: string;
  let db: Db;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ac-status-'));
    db = openDatabase(join(dir, 'autocoder.db'), 'project');
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The values a CHECK (`column IN (…)`) of the features table allows, read from the schema SQLite keeps. */
  const checkedValues = (column: string): string[] => {
    const sql = db
      .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'features'`)
      .pluck()
      .get() as string;
    const list = new RegExp(`CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql)?.[1];
    if (list === undefined) throw new Error(`no CHECK on features.${column}`);
    return [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  };

  /** Whether SQLite accepts `status` on a feature row (a claim token goes with in_progress, as the table requires). */
  const accepts = (status: string): boolean => {
    const insert = db.prepare(
      `INSERT INTO features (category, name, description, status, claim_token, created_at, updated_at) VALUES ('c', ?, 'd', ?, ?, 0, 0)`,
    );
    try {
      db.transaction(() => {
        insert.run(`probe ${status}`, status, status === 'in_progress' ? 'token' : null);
        throw new Error('rollback');
      })();
    } catch (err: unknown) {
      if (err instanceof Error && err.message === 'rollback') return true;
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_CHECK') return false;
      throw err;
    }
    return true;
  };

  it('the wire lists exactly the domain statuses and blocker types, in the same order', () => {
    expect([...FEATURE_STATUS_VALUES]).toEqual([...FEATURE_STATUSES]);
    expect([...BLOCKER_TYPE_VALUES]).toEqual([...BLOCKER_TYPES]);
  });

  it('the SQL CHECK on features.status names exactly the domain statuses', () => {
    expect(checkedValues('status').sort()).toEqual([...FEATURE_STATUSES].sort());
  });

  it('the SQL CHECK on features.blocker_type names exactly the domain blocker types', () => {
    expect(checkedValues('blocker_type').sort()).toEqual([...BLOCKER_TYPES].sort());
  });

  it('SQLite stores every domain status and refuses anything else', () => {
    for (const status of FEATURE_STATUSES) expect(accepts(status), status).toBe(true);
    for (const other of ['done', 'PENDING', 'blocked', '', 'passing '])
      expect(accepts(other), JSON.stringify(other)).toBe(false);
  });
});
