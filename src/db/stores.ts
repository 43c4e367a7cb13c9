import { BudgetRepo } from './budget-repo.js';
import { CheckpointRepo } from './checkpoint-repo.js';
import { ClaimRepo } from './claim-repo.js';
import { type Db, openDatabase, type SqliteDb } from './connection.js';
import { DesignRepo } from './design-repo.js';
import { EventRepo } from './event-repo.js';
import { FeatureRepo } from './feature-repo.js';
import { DisputeRepo } from './dispute-repo.js';
import { HumanInputRepo } from './human-input-repo.js';
import { VerificationRepo } from './verification-repo.js';
import {
  type ClaimPolicy,
  type Clock,
  DEFAULT_CLAIM_POLICY,
  type ProjectStore,
  type RegistryPort,
  type RegistryStore,
  systemClock,
} from './ports.js';
import { RegistryRepo } from './registry-repo.js';
import { RunRepo } from './run-repo.js';
import { SessionRepo } from './session-repo.js';
import type { Env } from '../config/env.js';
import { registryFile, type ProjectPaths } from '../config/paths.js';

/**
 * The stores: the one place the repositories are built, each store's over one connection (SQLite's here, PostgreSQL's
 * in pg/pg-stores.ts) and one clock. The rest of autocoder sees the port (ports.ts) only.
 */

export interface StoreOptions {
  /** The clock every repository of the store reads (default: the system clock). */
  readonly clock?: Clock;
  /** Leases and retry backoff of the store's claims. */
  readonly policy?: ClaimPolicy;
  /** Create the database when missing (default true). */
  readonly create?: boolean;
}

/** The SQLite project store, with its connection (tests and the composition root only). */
export interface SqliteProjectStore extends ProjectStore {
  readonly db: SqliteDb;
}

/** Opens a project's database (creating and migrating it unless `create: false`) and builds its repositories. */
export function openProjectStore(paths: ProjectPaths, options: StoreOptions = {}): SqliteProjectStore {
  const db = openDatabase(paths.database, 'project', { create: options.create ?? true });
  return { ...buildProjectStore(db, paths, options), db };
}

/**
 * The repositories of one project over one connection (SQLite's or PostgreSQL's, see sql.ts); `close` closes the
 * connection.
 */
export function buildProjectStore(db: Db, paths: ProjectPaths, options: StoreOptions = {}): ProjectStore {
  const clock = options.clock ?? systemClock;
  // A dispute is decided through its request: the dispute repository closes requests with a human-input repository
  // that does not route back to it; everyone else's routes dispute requests to it.
  const disputes = new DisputeRepo(db, new HumanInputRepo(db, clock), clock);
  const features = new FeatureRepo(db, clock);
  return {
    paths,
    features,
    claims: new ClaimRepo(db, clock, options.policy ?? DEFAULT_CLAIM_POLICY),
    humanInput: new HumanInputRepo(db, clock, disputes),
    disputes,
    verifications: new VerificationRepo(db, clock),
    sessions: new SessionRepo(db, clock),
    runs: new RunRepo(db, clock),
    events: new EventRepo(db),
    budget: new BudgetRepo(db, clock),
    checkpoints: new CheckpointRepo(db, features, clock),
    design: new DesignRepo(db, features, clock),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** The registry over one connection; `transaction` runs several changes in one write transaction. */
export function buildRegistryStore(db: Db, clock: Clock = systemClock): RegistryStore {
  const registry = new RegistryRepo(db, clock);
  return {
    registry,
    transaction: <T>(fn: (r: RegistryPort) => T): T => db.transaction(() => fn(registry)).immediate(),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** Creates (or brings up to date) a project's database, and closes it again. */
export function initProjectDatabase(paths: ProjectPaths): void {
  openDatabase(paths.database, 'project').close();
}

/** Opens `$AUTOCODER_HOME/registry.db` (created when missing). */
export function openRegistry(env: Env, clock: Clock = systemClock): RegistryStore {
  return buildRegistryStore(openDatabase(registryFile(env), 'registry'), clock);
}
