import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrator.js';

const MIGRATIONS = loadMigrations(join(import.meta.dirname, '..', '..', 'migrations', 'project'));

describe('migration 0010 (run outcomes)', () => {
  it('tells the outcome of runs that ended before it where their status or reason can, and sums their cost', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 9), 'test');
      const run = db.prepare(
        `INSERT INTO runs (id, incarnation, status, started_at, ended_at, end_reason) VALUES (?, 'i', ?, 0, ?, ?)`,
      );
      run.run('crashed', 'crashed', 10, 'the runner process died');
      run.run('empty', 'failed', 10, 'The initializer session ended (success) without creating any features.');
      run.run('failed', 'failed', 10, 'The run failed: boom');
      run.run('all', 'finished', 10, 'All 6 features pass.');
      run.run('stopped', 'finished', 10, 'Stopped while paused.');
      run.run('unclear', 'finished', 10, 'Nothing can proceed: 2/3 pass; 1 failed after all attempts.');
      run.run('running', 'running', null, null);
      const session = db.prepare(
        `INSERT INTO sessions (id, run_id, role, status, started_at, cost_usd) VALUES (?, ?, 'coding', 'succeeded', 0, ?)`,
      );
      session.run('s1', 'all', 0.25);
      session.run('s2', 'all', 0.5);

      migrate(db, MIGRATIONS, 'test');
      const rows = db.prepare('SELECT id, outcome, cost_usd AS cost FROM runs ORDER BY rowid').all();
      expect(rows).toEqual([
        { id: 'crashed', outcome: 'crashed', cost: 0 },
        { id: 'empty', outcome: 'no_features', cost: 0 },
        { id: 'failed', outcome: 'failed', cost: 0 },
        { id: 'all', outcome: 'finished', cost: 0.75 },
        { id: 'stopped', outcome: 'stopped', cost: 0 },
        { id: 'unclear', outcome: null, cost: 0 },
        // Not ended: nothing to tell yet.
        { id: 'running', outcome: null, cost: null },
      ]);
      expect(() => db.prepare(`UPDATE runs SET outcome = 'done' WHERE id = 'all'`).run()).toThrow(/CHECK constraint/);
    } finally {
      db.close();
    }
  });
});
