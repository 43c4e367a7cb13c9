import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectPaths } from '../../src/config/paths.js';
import { openProjectStore } from '../../src/db/stores.js';
import { defineDesignStoreContract } from './design-store.contract.js';
import { defineProjectStoreContract, type StoreFactory } from './project-store.contract.js';
import { defineRegistryStoreContract } from './registry-store.contract.js';
import { openRegistry } from '../../src/db/stores.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('../support/claim-worker.ts', import.meta.url));

/**
 * The SQLite store: a project folder per test, its database a real file; workers are processes with their own
 * connections.
 */
const sqliteProject: StoreFactory = {
  // The race the claim-race test ran before the contract existed: 5 processes, 10,000 features.
  race: { features: 10_000, workers: 5, timeoutMs: 50_000 },
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-contract-'));
    const paths = projectPaths(dir);
    // Creates and migrates the database; also the connection that writes rows the catalogue refuses.
    const raw = openProjectStore(paths);
    const insert = raw.db.prepare('INSERT INTO events (at, type, payload) VALUES (?, ?, ?)');
    return {
      open: (options) => openProjectStore(paths, { ...options, create: false }),
      claimWorker: (owner) => ({
        command: process.execPath,
        args: ['--import', 'tsx', WORKER, dir, owner],
        cwd: REPO_ROOT,
      }),
      writeRawEvent: (type, payload) => Number(insert.run(Date.now(), type, JSON.stringify(payload)).lastInsertRowid),
      dispose: () => {
        raw.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

defineProjectStoreContract('SQLite', sqliteProject);
defineDesignStoreContract('SQLite', sqliteProject);

defineRegistryStoreContract('SQLite', {
  create: () => {
    const home = mkdtempSync(join(tmpdir(), 'ac-contract-home-'));
    return {
      open: (clock) => openRegistry({ AUTOCODER_HOME: home }, clock),
      dispose: () => rmSync(home, { recursive: true, force: true }),
    };
  },
});
