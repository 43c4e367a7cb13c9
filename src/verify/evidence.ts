import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VerificationSchema, type Verification } from '../shared/acceptance.js';

/** Where a project keeps the evidence of its verifications (relative to the project). */
export const EVIDENCE_DIR = '.autocoder/evidence';
export const RESULT_FILE = 'result.json';
export const APP_LOG_FILE = 'app.log';

/** A verification id: it names a folder, so letters, digits, `_` and `-` only. */
export const VERIFICATION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** `.autocoder/evidence/feature-<id>/<verification-id>`, relative to the project. Pure. */
export function evidenceDirOf(featureId: number, verificationId: string): string {
  return path.posix.join(EVIDENCE_DIR, `feature-${featureId}`, verificationId);
}

/** Writes `result.json` (the verification as recorded) atomically: a reader never sees half of it. */
export function writeResult(dir: string, verification: Verification): void {
  const checked = VerificationSchema.parse(verification);
  const file = path.join(dir, RESULT_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, file);
}
