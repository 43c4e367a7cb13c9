import { ClaimRepo, DEFAULT_CLAIM_POLICY, type ClaimPolicy } from './claim-repo.js';
import { openDatabase, type Db } from './connection.js';
import { FeatureRepo, systemClock, type Clock } from './feature-repo.js';
import { HumanInputRepo } from './human-input-repo.js';
import { RegistryRepo } from './registry-repo.js';
import type { Env } from '../config/env.js';
import { registryFile, type ProjectPaths } from '../config/paths.js';

/** Opening the registry and a project's store: the repositories over one connection each. */

export interface RegistryHandle {
  readonly db: Db;
  readonly registry: RegistryRepo;
  close(): void;
}

export function openRegistry(env: Env, clock: Clock = systemClock): RegistryHandle {
  const db = openDatabase(registryFile(env), 'registry');
  return { db, registry: new RegistryRepo(db, clock), close: () => db.close() };
}

export interface ProjectStore {
  readonly paths: ProjectPaths;
  readonly db: Db;
  readonly features: FeatureRepo;
  readonly claims: ClaimRepo;
  readonly humanInput: HumanInputRepo;
  close(): void;
}

export function openProjectStore(paths: ProjectPaths, options: { clock?: Clock; policy?: ClaimPolicy; create?: boolean } = {}): ProjectStore {
  const clock = options.clock ?? systemClock;
  const db = openDatabase(paths.database, 'project', { create: options.create ?? true });
  return {
    paths,
    db,
    features: new FeatureRepo(db, clock),
    claims: new ClaimRepo(db, clock, options.policy ?? DEFAULT_CLAIM_POLICY),
    humanInput: new HumanInputRepo(db, clock),
    close: () => db.close(),
  };
}

