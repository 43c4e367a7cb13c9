import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../domain/errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in order; numbering must be 1, 2, 3… with no gaps. */
export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((m): m is { file: string; match: RegExpExecArray } => m.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: readFileSync(join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AppError('INTERNAL', `migration ${m.version} in ${dir} is out of sequence (expected ${i + 1})`);
    }
  });
  return migrations;
}

/**
 * Applies every migration newer than the database's `user_version`, each in its own
 * immediate transaction together with the version bump, so a failure leaves the database at
 * the last complete version. A database written by a newer autocoder is refused untouched.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], label: string): number {
  const current = assertSchemaKnown(db, migrations, label);
  const latest = migrations.length;
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}

/**
 * Returns the database's schema version; throws SCHEMA_TOO_NEW when it is newer than
 * `migrations` know. Only reads, so it can run before anything is allowed to touch the file.
 */
export function assertSchemaKnown(db: Database.Database, migrations: readonly Migration[], label: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new AppError(
      'SCHEMA_TOO_NEW',
      `${label} has schema version ${current}, but this autocoder only knows versions up to ${latest}. ` +
        'Upgrade autocoder to open it; the file was not changed.',
      { details: { version: current, supported: latest } },
    );
  }
  return current;
}
