import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Env } from '../config/env.js';
import { type ProjectPaths, registryFile } from '../config/paths.js';
import { AppError, errorMessage } from '../domain/errors.js';
import { schemaIdentifier } from './pg/migrator.js';
import { parsePgUrl, redactedUrl } from './pg/pg-url.js';
import { openPgProjectStore, openPgRegistry, REGISTRY_SCHEMA, type PgProjectStore } from './pg/pg-stores.js';
import { openPgSync } from './pg/sync-client.js';
import { type EventListener, listenForEvents } from './pg/event-listener.js';
import type { Clock, ProjectStore, RegistryStore } from './ports.js';
import { initProjectDatabase, openProjectStore, openRegistry, type StoreOptions } from './stores.js';

/**
 * Where the stores live (issue #20). Without `AUTOCODER_DATABASE_URL` (or `--database`, which sets it) nothing changes:
 * the registry is `$AUTOCODER_HOME/registry.db` and each project's store its `.autocoder/autocoder.db`. With it, the
 * registry is that PostgreSQL's `autocoder_registry` schema, and a project created or imported then gets a schema of
 * its own there, named in its `.autocoder/store.json` (the URL, which holds a password, is never written into a
 * project: agents may read their project). A project's store is where its folder says, whatever the environment: a
 * SQLite project stays SQLite; a PostgreSQL one needs the URL to be opened.
 */

export const DATABASE_URL_VAR = 'AUTOCODER_DATABASE_URL';

/** The PostgreSQL URL the environment selects, checked; undefined for SQLite. */
export function databaseUrl(env: Env): string | undefined {
  const url = env[DATABASE_URL_VAR]?.trim();
  if (url === undefined || url === '') return undefined;
  try {
    parsePgUrl(url);
  } catch (err: unknown) {
    throw new AppError('INVALID_INPUT', `${DATABASE_URL_VAR} (or --database): ${errorMessage(err)}`, { cause: err });
  }
  return url;
}

/** The schema of the project named `name`: readable, and unique per name (a short hash of the whole name). */
export function projectSchemaName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  return `project_${slug}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

const StoreMarkerSchema = z.object({ engine: z.literal('postgres'), schema: z.string() }).strict();
export type StoreMarker = z.infer<typeof StoreMarkerSchema>;

/** The project's `.autocoder/store.json`, or undefined for a SQLite project. A damaged marker is refused. */
export function readStoreMarker(paths: ProjectPaths): StoreMarker | undefined {
  if (!existsSync(paths.storeMarker)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(paths.storeMarker, 'utf8'));
  } catch (err: unknown) {
    throw damaged(paths, errorMessage(err));
  }
  const checked = StoreMarkerSchema.safeParse(parsed);
  if (!checked.success) throw damaged(paths, checked.error.issues.map((i) => i.message).join('; '));
  schemaIdentifier(checked.data.schema);
  return checked.data;
}

function damaged(paths: ProjectPaths, why: string): AppError {
  return new AppError(
    'DB_CORRUPT',
    `${paths.storeMarker} does not say where this project's PostgreSQL store is (${why}); it was left untouched`,
  );
}

/** Whether the project at `paths` has a store: its SQLite file, or a marker naming its PostgreSQL schema. */
export function projectStoreExists(paths: ProjectPaths): boolean {
  return existsSync(paths.database) || existsSync(paths.storeMarker);
}

/** The URL a PostgreSQL project needs, or a clear error naming the variable and the flag. */
function urlFor(paths: ProjectPaths, env: Env | undefined): string {
  const url = env === undefined ? undefined : databaseUrl(env);
  if (url === undefined) {
    throw new AppError(
      'INVALID_INPUT',
      `the project at ${paths.root} keeps its store in PostgreSQL (${paths.storeMarker}); set ${DATABASE_URL_VAR} ` +
        'or pass --database postgres://… to open it',
    );
  }
  return url;
}

/**
 * The PostgreSQL store of registered project `name` for a worker's clone at `paths` (#20): the schema the registry's
 * name gives (a clone holds no marker, and needs none: the name comes from the registry, never from the folder).
 */
export function openSharedProjectStore(
  paths: ProjectPaths,
  name: string,
  env: Env,
  options: StoreOptions = {},
): PgProjectStore {
  const url = databaseUrl(env);
  if (url === undefined)
    throw new AppError(
      'INVALID_INPUT',
      `shared projects live in PostgreSQL: set ${DATABASE_URL_VAR} or pass --database`,
    );
  return openPgProjectStore(paths, { url, schema: projectSchemaName(name) }, { ...options, create: false });
}

/** Opens the project's store where its folder says (`env` gives PostgreSQL's URL). */
export function openProjectStoreAt(
  paths: ProjectPaths,
  env: Env | undefined,
  options: StoreOptions = {},
): ProjectStore {
  const pg = trustedPgStore(paths, env);
  if (pg === undefined) return openProjectStore(paths, options);
  return openPgProjectStore(paths, pg, { ...options, create: false });
}

/** The PostgreSQL store the folder's marker names, checked against the registry (undefined: a SQLite project). */
function trustedPgStore(paths: ProjectPaths, env: Env | undefined): { url: string; schema: string } | undefined {
  const marker = readStoreMarker(paths);
  if (marker === undefined) return undefined;
  const url = urlFor(paths, env);
  assertMarkerIsTheProjects(paths, marker, url);
  return { url, schema: marker.schema };
}

/**
 * The marker must name the schema of the project registered at this folder: a marker written by anything else (a
 * program an agent ran could create one in a SQLite project's `.autocoder/`) would otherwise open another project's
 * store.
 */
function assertMarkerIsTheProjects(paths: ProjectPaths, marker: StoreMarker, url: string): void {
  const registry = openPgRegistry(url);
  let name: string | undefined;
  try {
    name = registry.registry.findByPath(paths.root)?.name;
  } finally {
    registry.close();
  }
  if (name === undefined) {
    throw new AppError(
      'NOT_FOUND',
      `${paths.root} is not registered in PostgreSQL's registry, so its store (${paths.storeMarker}) is not opened; ` +
        '`autocoder import` it first',
    );
  }
  const expected = projectSchemaName(name);
  if (marker.schema !== expected) {
    throw new AppError(
      'DB_CORRUPT',
      `${paths.storeMarker} names the schema ${marker.schema}, but the project registered at ${paths.root} is "${name}" ` +
        `(schema ${expected}); it was left untouched and nothing was opened`,
    );
  }
}

/**
 * Creates (or brings up to date) the store of project `name` at `paths`: in PostgreSQL when `env` selects it (and
 * writes the marker), else its SQLite file. A folder that already has a store keeps it where it is.
 */
export function initProjectStore(paths: ProjectPaths, name: string, env: Env): void {
  const marker = readStoreMarker(paths);
  const url = databaseUrl(env);
  if (marker !== undefined) {
    openPgProjectStore(paths, { url: urlFor(paths, env), schema: marker.schema }).close();
    return;
  }
  if (url === undefined || existsSync(paths.database)) {
    // Without the URL, or a folder that already holds a SQLite store (moving it is `migrate-store`'s job).
    initProjectDatabase(paths);
    return;
  }
  const schema = projectSchemaName(name);
  assertSchemaFree(url, schema, name);
  openPgProjectStore(paths, { url, schema }).close();
  writeFileSync(paths.storeMarker, `${JSON.stringify({ engine: 'postgres', schema } satisfies StoreMarker)}\n`, {
    mode: 0o644,
  });
}

/** A new project never adopts the tables of another folder's project of the same name. */
function assertSchemaFree(url: string, schema: string, name: string): void {
  const client = openPgSync(url);
  try {
    const [row] = client.query<{ found: number }>(
      'SELECT count(*) AS found FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    if ((row?.found ?? 0) > 0) {
      throw new AppError(
        'DUPLICATE',
        `PostgreSQL already holds a store for a project named "${name}" (schema ${schema}); import the folder ` +
          `that belongs to it, or choose another name`,
      );
    }
  } finally {
    client.close();
  }
}

/**
 * Drops the PostgreSQL schema of a project whose files are being deleted, while it is still registered (a SQLite store
 * goes with its folder).
 */
export function dropProjectStore(paths: ProjectPaths, env: Env): void {
  // Checked as for opening: a marker may only ever drop its own registered project's schema.
  const pg = trustedPgStore(paths, env);
  if (pg === undefined) return;
  const client = openPgSync(pg.url);
  try {
    client.exec(`DROP SCHEMA IF EXISTS ${schemaIdentifier(pg.schema)} CASCADE`);
  } finally {
    client.close();
  }
}

/** Where the registry the environment selects is, for people: its file, or PostgreSQL without the password. */
export function registryLocation(env: Env): string {
  const url = databaseUrl(env);
  return url === undefined ? registryFile(env) : `PostgreSQL ${redactedUrl(url)}, schema ${REGISTRY_SCHEMA}`;
}

/** The registry the environment selects. */
export function openRegistryAt(env: Env, clock?: Clock): RegistryStore {
  const url = databaseUrl(env);
  return url === undefined ? openRegistry(env, clock) : openPgRegistry(url, clock);
}

/**
 * A cheap identity of the project's store as it is now: it changes when the store is removed and created again, so
 * a long-lived cache never serves a deleted one (null: no store).
 */
export function storeIdentity(paths: ProjectPaths): string | null {
  for (const file of [paths.storeMarker, paths.database]) {
    const s = statSync(file, { throwIfNoEntry: false });
    if (s !== undefined) return `${file}:${s.dev}:${s.ino}`;
  }
  return null;
}

/**
 * Stores kept open for a long-lived process (the server): the registry opened on first use,
 * each project's store opened on first use and reused, wherever they live (above). A project
 * whose store is gone (its folder removed) or was replaced (removed and created again) is
 * closed and dropped, so a request never reads a deleted one.
 */
export interface StoreCache {
  registry(): RegistryStore;
  /** The project's store; NOT_FOUND when its database does not exist. */
  project(paths: ProjectPaths): ProjectStore;
  /**
   * Calls `wake` after each commit that added events to the project's store, where the store can say so (PostgreSQL:
   * LISTEN/NOTIFY); returns the unsubscribe, or null where it cannot (SQLite: poll its change mark).
   */
  watch(paths: ProjectPaths, wake: () => void): (() => void) | null;
  /** Closes and drops the store of the project at `root` (a project being removed). */
  forget(root: string): void;
  /** Closes everything (the server is closing). */
  close(): void;
}

export function openStoreCache(
  env: Env,
  options: { clock?: Clock; onWatchError?: (err: unknown) => void } = {},
): StoreCache {
  let registry: RegistryStore | null = null;
  let listener: EventListener | null = null;
  const projects = new Map<string, { store: ProjectStore; file: string }>();
  const drop = (root: string) => {
    projects.get(root)?.store.close();
    projects.delete(root);
  };
  let closed = false;
  return {
    registry: () => {
      if (closed) throw new AppError('INTERNAL', 'the stores are closed');
      registry ??= openRegistryAt(env, options.clock);
      return registry;
    },
    project: (paths) => {
      if (closed) throw new AppError('INTERNAL', 'the stores are closed');
      const file = storeIdentity(paths);
      const cached = projects.get(paths.root);
      if (cached && cached.file === file) return cached.store;
      drop(paths.root);
      if (file === null) throw new AppError('NOT_FOUND', `database ${paths.database} does not exist`);
      const store = openProjectStoreAt(paths, env, {
        create: false,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      projects.set(paths.root, { store, file });
      return store;
    },
    watch: (paths, wake) => {
      const marker = readStoreMarker(paths);
      if (marker === undefined || closed) return null;
      listener ??= listenForEvents(urlFor(paths, env), options.onWatchError);
      return listener.subscribe(marker.schema, wake);
    },
    forget: drop,
    close: () => {
      closed = true;
      void listener?.close();
      listener = null;
      for (const root of [...projects.keys()]) drop(root);
      registry?.close();
      registry = null;
    },
  };
}
