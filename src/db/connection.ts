import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError, errorMessage } from '../domain/errors.js';
import { assertSchemaKnown, loadMigrations, migrate, type Migration } from './migrator.js';

import type { SqlDb } from './sql.js';

/** A SQLite connection (the composition root, the migrator and tests that write raw rows). */
export type SqliteDb = Database.Database;
/** What the repositories get: a SQLite connection or PostgreSQL's (pg/pg-db.ts). */
export type Db = SqlDb;

const MIGRATIONS_ROOT = join(import.meta.dirname, '..', '..', 'migrations');

export type Schema = 'project' | 'registry';

/** Each schema's migration files, read once per process (they do not change under a running autocoder). */
const migrationsRead = new Map<Schema, Migration[]>();

export function schemaMigrations(schema: Schema): readonly Migration[] {
  let migrations = migrationsRead.get(schema);
  if (!migrations) {
    migrations = loadMigrations(join(MIGRATIONS_ROOT, schema));
    migrationsRead.set(schema, migrations);
  }
  return migrations;
}

export interface OpenOptions {
  /** Create the file (and its folder) when missing. Default true. */
  readonly create?: boolean;
  /** Milliseconds a connection waits for another writer before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens a SQLite database with the settings every autocoder connection needs (WAL,
 * synchronous=NORMAL, foreign keys, busy timeout) and brings its schema up to date.
 * A file that is not a SQLite database is reported as DB_CORRUPT and never overwritten.
 */
export function openDatabase(file: string, schema: Schema, options: OpenOptions = {}): SqliteDb {
  const create = options.create ?? true;
  if (!create && !existsSync(file)) {
    throw new AppError('NOT_FOUND', `database ${file} does not exist`);
  }
  mkdirSync(dirname(file), { recursive: true });
  let db: SqliteDb;
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 10_000 });
  } catch (err: unknown) {
    throw new AppError('IO_ERROR', `cannot open ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const migrations = schemaMigrations(schema);
    // Refuse a newer schema before any pragma below can write: switching a rollback-journal
    // file to WAL rewrites its header.
    assertSchemaKnown(db, migrations, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_size_limit = 67108864');
    migrate(db, migrations, file);
    return db;
  } catch (err: unknown) {
    db.close();
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError(
        'DB_CORRUPT',
        `${file} is not a valid SQLite database (${errorMessage(err)}). It was left untouched; ` +
          'move it aside or restore it from a backup.',
        { cause: err },
      );
    }
    throw new AppError('IO_ERROR', `cannot use ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
