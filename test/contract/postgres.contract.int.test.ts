/**
 * The store contracts (project, design review, registry) on a real PostgreSQL 18: the same suites SQLite passes
 * (sqlite.contract.test.ts), run against the PostgreSQL stores (src/db/pg/pg-stores.ts). Each test gets a schema of
 * its own in one database; the claim race runs 5 processes × 10,000 features, as issue #20 asks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { projectPaths } from '../../src/config/paths.js';
import { schemaIdentifier } from '../../src/db/pg/migrator.js';
import { openPgProjectStore, openPgRegistry, REGISTRY_SCHEMA } from '../../src/db/pg/pg-stores.js';
import { openPgSync, type PgSyncClient } from '../../src/db/pg/sync-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { defineDesignStoreContract } from './design-store.contract.js';
import { defineProjectStoreContract, type StoreFactory } from './project-store.contract.js';
import { defineRegistryStoreContract } from './registry-store.contract.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('../support/claim-worker.ts', import.meta.url));

let server: TestPostgres;
let url: string;
/** Creates and drops the tests' schemas and writes the rows the catalogue refuses. */
let admin: PgSyncClient;
let schemas = 0;

beforeAll(async () => {
  server = await startPostgres();
  url = server.freshDatabase();
  admin = openPgSync(url);
}, 60_000);
afterAll(async () => {
  admin?.close();
  await server?.stop();
});

const pgProject: StoreFactory = {
  race: { features: 10_000, workers: 5, timeoutMs: 120_000 },
  create: () => {
    schemas += 1;
    const schema = `contract_${process.pid}_${schemas}`;
    const dir = mkdtempSync(join(tmpdir(), 'ac-pg-contract-'));
    const paths = projectPaths(dir);
    // Creates and migrates the schema.
    openPgProjectStore(paths, { url, schema }).close();
    return {
      open: (options) => openPgProjectStore(paths, { url, schema }, { ...options, create: false }),
      claimWorker: (owner) => ({
        command: process.execPath,
        args: ['--import', 'tsx', WORKER, `${url}#${schema}`, owner],
        cwd: REPO_ROOT,
      }),
      writeRawEvent: (type, payload) =>
        admin.query<{ id: number }>(
          `INSERT INTO ${schemaIdentifier(schema)}.events (at, type, payload) VALUES ($1, $2, $3) RETURNING id`,
          [Date.now(), type, JSON.stringify(payload)],
        )[0]!.id,
      dispose: () => {
        admin.exec(`DROP SCHEMA ${schemaIdentifier(schema)} CASCADE`);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

defineProjectStoreContract('PostgreSQL', pgProject);
defineDesignStoreContract('PostgreSQL', pgProject);

defineRegistryStoreContract('PostgreSQL', {
  create: () => ({
    open: (clock) => openPgRegistry(url, clock),
    dispose: () => admin.exec(`DROP SCHEMA IF EXISTS ${schemaIdentifier(REGISTRY_SCHEMA)} CASCADE`),
  }),
});
