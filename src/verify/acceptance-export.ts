import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceptanceCheck } from '../shared/acceptance.js';

/**
 * The read-only export of frozen acceptance checks that agents read
 * (`.autocoder/acceptance/feature-<id>.json`). The database is the truth: the runner writes the
 * export again before every verification, so whatever happened to a file (an agent cannot write
 * there: the file guard and the policy refuse) never decides anything.
 *
 * Interim: the data helper's `exportAcceptance` replaces this module (same behaviour).
 */

export const ACCEPTANCE_EXPORT_DIR = '.autocoder/acceptance';

export interface ExportedFeature {
  readonly id: number;
  readonly name?: string;
  readonly acceptance: readonly AcceptanceCheck[] | null;
  readonly acceptanceHash: string | null;
}

/** `<dir>/.autocoder/acceptance/feature-<id>.json`. */
export const acceptanceExportFile = (dir: string, featureId: number): string =>
  join(dir, ACCEPTANCE_EXPORT_DIR, `feature-${featureId}.json`);

/**
 * Writes each feature's checks (with their hash) to its export file under `dir`, mode 0444,
 * replacing whatever is there; a feature without checks has no file (one left over is removed).
 */
export function exportAcceptance(dir: string, features: readonly ExportedFeature[]): void {
  mkdirSync(join(dir, ACCEPTANCE_EXPORT_DIR), { recursive: true });
  for (const f of features) {
    const file = acceptanceExportFile(dir, f.id);
    if (f.acceptance === null) {
      if (existsSync(file)) rmSync(file, { force: true });
      continue;
    }
    const body = {
      featureId: f.id,
      ...(f.name === undefined ? {} : { name: f.name }),
      hash: f.acceptanceHash,
      checks: f.acceptance,
    };
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o444 });
    chmodSync(temp, 0o444);
    renameSync(temp, file);
  }
}
