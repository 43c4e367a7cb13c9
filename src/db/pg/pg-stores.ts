import type { ProjectPaths } from '../../config/paths.js';
import { AppError } from '../../domain/errors.js';
import type { Clock, ProjectStore, RegistryStore } from '../ports.js';
import { buildProjectStore, buildRegistryStore, type StoreOptions } from '../stores.js';
import { assertPgSchemaKnown, migratePg, pgMigrations, schemaIdentifier } from './migrator.js';
import { PgDb } from './pg-db.js';
import { openPgSync } from './sync-client.js';

/**
 * The PostgreSQL stores (issue #20): the same repositories as SQLite's over a PostgreSQL connection (pg-db.ts). Each
 * project's tables live in a schema of their own, the registry's in `REGISTRY_SCHEMA`; one server holds them all.
 */

export const REGISTRY_SCHEMA = 'autocoder_registry';

export interface PgStoreTarget {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** The schema of the project's tables (schemaIdentifier's rules). */
  readonly schema: string;
}

export interface PgProjectStore extends ProjectStore {
  readonly db: PgDb;
}

/** Connects, creates and migrates the project's schema (unless `create: false`: then NOT_FOUND when it is missing). */
export function openPgProjectStore(
  paths: ProjectPaths,
  target: PgStoreTarget,
  options: StoreOptions = {},
): PgProjectStore {
  const db = openSchema(target, 'project', options.create ?? true, `project schema "${target.schema}"`);
  return {
    ...buildProjectStore(db, paths, options),
    db,
    sharedLock: (purpose) => ({
      tryAcquire: () => db.tryLockShared(purpose),
      release: () => db.unlockShared(purpose),
    }),
  };
}

/** The registry in `REGISTRY_SCHEMA` (created when missing). */
export function openPgRegistry(url: string, clock?: Clock): RegistryStore {
  return buildRegistryStore(openSchema({ url, schema: REGISTRY_SCHEMA }, 'registry', true, 'the registry'), clock);
}

function openSchema(target: PgStoreTarget, kind: 'project' | 'registry', create: boolean, label: string): PgDb {
  const quoted = schemaIdentifier(target.schema);
  const client = openPgSync(target.url);
  try {
    const migrations = pgMigrations(kind);
    if (!create && assertPgSchemaKnown(client, target.schema, migrations, label) === 0) {
      throw new AppError('NOT_FOUND', `${label} does not exist in the database`);
    }
    migratePg(client, target.schema, migrations, label);
    // Every statement of the repositories names no schema: they all resolve here (pg_catalog is always searched).
    client.run(`SET search_path TO ${quoted}`);
    return new PgDb(client, target.schema);
  } catch (err: unknown) {
    // close() ends the worker whatever the connection's state (it never throws), so `err` is what reaches the caller.
    client.close();
    throw err;
  }
}
