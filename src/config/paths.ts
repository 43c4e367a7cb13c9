import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Env } from './env.js';

/** The per-project folder autocoder owns (git-ignored). */
export const PROJECT_DATA_DIR = '.autocoder';

/** `$AUTOCODER_HOME`, else `~/.autocoder`. */
export function autocoderHome(env: Env): string {
  const configured = env.AUTOCODER_HOME?.trim();
  return configured ? resolve(configured) : join(homedir(), '.autocoder');
}

export function registryFile(env: Env): string {
  return join(autocoderHome(env), 'registry.db');
}

export interface ProjectPaths {
  readonly root: string;
  readonly dataDir: string;
  readonly database: string;
  /** Names the project's PostgreSQL schema when its store is there (db/store-location.ts); absent for SQLite. */
  readonly storeMarker: string;
  readonly spec: string;
  readonly logs: string;
  readonly prompts: string;
  /** The project's own design review personas, one Markdown file each (src/design/personas.ts). */
  readonly personas: string;
  readonly pauseDrain: string;
  /** Asks the running run for a checkpoint now (`autocoder checkpoint`, the API): JSON with the reviewers. */
  readonly checkpointRequest: string;
  /** Asks the running run for a design review now (`autocoder design-review`, the API): JSON with the personas. */
  readonly designRequest: string;
}

export function projectPaths(root: string): ProjectPaths {
  const dataDir = join(root, PROJECT_DATA_DIR);
  return {
    root,
    dataDir,
    database: join(dataDir, 'autocoder.db'),
    storeMarker: join(dataDir, 'store.json'),
    spec: join(dataDir, 'app_spec.txt'),
    logs: join(dataDir, 'logs'),
    prompts: join(dataDir, 'prompts'),
    personas: join(dataDir, 'personas'),
    pauseDrain: join(dataDir, '.pause_drain'),
    checkpointRequest: join(dataDir, '.checkpoint_request'),
    designRequest: join(dataDir, '.design_request'),
  };
}

/**
 * Where projects created without an explicit folder go (the web UI, the API):
 * `$AUTOCODER_PROJECTS_DIR`, else `~/autocoder-projects`. Never the server's own folder.
 */
export function defaultProjectsDir(env: Env): string {
  const configured = env.AUTOCODER_PROJECTS_DIR?.trim();
  return configured ? resolve(configured) : join(env.HOME?.trim() || homedir(), 'autocoder-projects');
}
